import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';

/**
 * Processes a FIFO batch with its message groups (its numbers) side by side, and each group in order.
 * A record that fails is reported with every later record of its group, which must not overtake it;
 * the other groups go on. These are the partial-batch semantics of Lambda's SQS FIFO event source
 * (Powertools' `skipGroupOnError`), with the groups in parallel: Powertools' FIFO processors take the
 * records one at a time, so a batch of ten numbers would wait for ten round trips in a row.
 */
export async function processByMessageGroup(records: readonly SQSRecord[], processRecord: (record: SQSRecord) => Promise<void>): Promise<SQSBatchResponse> {
  const groups = new Map<string, SQSRecord[]>();
  for (const record of records) {
    const group = record.attributes.MessageGroupId ?? record.messageId;
    groups.set(group, [...(groups.get(group) ?? []), record]);
  }
  const failed = new Set<string>();
  await Promise.all(
    [...groups.values()].map(async (group) => {
      for (const [index, record] of group.entries()) {
        try {
          await processRecord(record);
        } catch {
          for (const skipped of group.slice(index)) failed.add(skipped.messageId);
          return;
        }
      }
    }),
  );
  return { batchItemFailures: records.filter((record) => failed.has(record.messageId)).map((record) => ({ itemIdentifier: record.messageId })) };
}
