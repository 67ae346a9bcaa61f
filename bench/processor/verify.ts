import {
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  type DynamoDBClient,
  type KeysAndAttributes,
  QueryCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { E164 } from '../../shared/domain/phone.js';
import { keys } from '../../shared/adapters/keys.js';
import type { Expected, Pass, Tables } from './pass.js';

/** The items of those keys, read consistently, 100 keys a call. */
async function batchGet(client: DynamoDBClient, tableName: string, keyList: readonly Record<string, AttributeValue>[]): Promise<Record<string, AttributeValue>[]> {
  const found: Record<string, AttributeValue>[] = [];
  for (let start = 0; start < keyList.length; start += 100) {
    let pending: KeysAndAttributes | undefined = { Keys: keyList.slice(start, start + 100), ConsistentRead: true };
    while (pending?.Keys?.length) {
      const result: BatchGetItemCommandOutput = await client.send(new BatchGetItemCommand({ RequestItems: { [tableName]: pending } }));
      found.push(...(result.Responses?.[tableName] ?? []));
      pending = result.UnprocessedKeys?.[tableName];
    }
  }
  return found;
}

/**
 * What the pass must have left: every number's final state, one audit entry per event (none for a
 * duplicate), every request settled with its event's outcome, and each sender's guard count equal to
 * the automatic blocks it made.
 */
export async function verify(client: DynamoDBClient, tables: Tables, pass: Pass): Promise<void> {
  const problems: string[] = [];
  const states = await batchGet(client, tables.consent, [...pass.finalStates.keys()].map((phone) => marshall(keys.state(phone))));
  const stored = new Map(states.map((item) => [item['phone']!.S!, item]));
  for (const [phone, expected] of pass.finalStates) {
    const item = stored.get(phone);
    const actual = item && { blocked: item['blocked']?.BOOL, version: Number(item['version']?.N), source: item['source']?.S };
    const wanted = { blocked: expected.blocked, version: expected.version, source: expected.source };
    if (JSON.stringify(actual) !== JSON.stringify(wanted)) problems.push(`state of ${phone}: ${JSON.stringify(actual)}, expected ${JSON.stringify(wanted)}`);
  }

  const auditExpected = new Map<E164, number>();
  for (const planned of pass.queue) if (planned.expected !== 'duplicate') auditExpected.set(planned.group, (auditExpected.get(planned.group) ?? 0) + 1);
  const phones = [...auditExpected.keys()];
  let nextPhone = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (nextPhone < phones.length) {
        const phone = phones[nextPhone++]!;
        const { Count } = await client.send(
          new QueryCommand({ TableName: tables.audit, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: `PHONE#${phone}` } }, Select: 'COUNT', ConsistentRead: true }),
        );
        if (Count !== auditExpected.get(phone)) problems.push(`audit of ${phone}: ${Count} entries, expected ${auditExpected.get(phone)}`);
      }
    }),
  );

  const requestOutcome = new Map<string, { phone: E164; outcome: Expected }>();
  for (const planned of pass.queue) {
    if (planned.event.source === 'manual' && planned.expected !== 'duplicate') requestOutcome.set(planned.event.requestId, { phone: planned.group, outcome: planned.expected });
  }
  const requests = await batchGet(client, tables.consent, [...requestOutcome].map(([requestId, { phone }]) => marshall(keys.request(phone, requestId))));
  if (requests.length !== requestOutcome.size) problems.push(`${requests.length} requests found, expected ${requestOutcome.size}`);
  for (const item of requests) {
    const expected = requestOutcome.get(item['requestId']!.S!)?.outcome;
    if (item['status']?.S !== expected || item['pendingShard']) problems.push(`request ${item['requestId']!.S}: ${item['status']?.S}, expected ${expected}`);
  }

  for (const sender of pass.senders) {
    const { Items = [] } = await client.send(
      new QueryCommand({ TableName: tables.consent, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: `GUARD#${sender}` } }, ConsistentRead: true }),
    );
    const counted = Items.reduce((sum, item) => sum + Number(item['count']?.N ?? 0), 0);
    const blocks = pass.queue.filter((planned) => planned.expected === 'applied' && planned.guardSender === sender).length;
    if (counted !== blocks) problems.push(`guard of ${sender}: counted ${counted}, expected ${blocks}`);
  }

  if (problems.length > 0) {
    throw new Error(`The ${pass.way} pass left the tables wrong (${problems.length} problems); no figures are printed for it:\n${problems.slice(0, 10).join('\n')}`);
  }
}
