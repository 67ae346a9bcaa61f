import { PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoDb } from '../dynamodb-client.js';
import { isConditionalCheckFailed } from '../errors.js';
import { keys } from '../keys.js';

/**
 * Writes the reverse item (`PHONE#<e164>` / `BSUID#<id>`) of every user id pairing remembered before the
 * processor wrote them, so that the export and the erasure of a number's personal data find its user
 * ids. One scan of the whole consent table, once, after deploying the version that writes them; a
 * reverse item that exists already (written by the processor since) is left as it is, so the backfill
 * can run again, or be stopped and run again. Answers how many pairings it read and how many reverse
 * items it wrote; `onPage` is told after each page of the scan.
 */
export async function backfillNumberPairings(
  tableName: string,
  onPage: (progress: { pairings: number; written: number }) => void = () => undefined,
): Promise<{ pairings: number; written: number }> {
  const progress = { pairings: 0, written: 0 };
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamoDb.send(
      new ScanCommand({
        TableName: tableName,
        FilterExpression: 'begins_with(pk, :user) AND sk = :number',
        ExpressionAttributeValues: { ':user': keys.userPartition(''), ':number': keys.userPairing('').sk },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const pairing of page.Items ?? []) {
      progress.pairings += 1;
      if (await putReverse(tableName, pairing)) progress.written += 1;
    }
    startKey = page.LastEvaluatedKey;
    onPage({ ...progress });
  } while (startKey);
  return progress;
}

async function putReverse(tableName: string, pairing: Record<string, any>): Promise<boolean> {
  const { userId, phone, recipientId, seenAt } = pairing;
  try {
    await dynamoDb.send(
      new PutCommand({
        TableName: tableName,
        Item: { ...keys.numberPairing(phone, userId), userId, phone, recipientId, seenAt },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return true;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return false;
    throw error;
  }
}
