import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { keys } from '../../shared/adapters/keys.js';
import type { QueuedEvent } from '../../shared/domain/consent-event.js';

/**
 * The pending request of a manual event, as the API or an import records it before sending the event:
 * the processor applies a manual event only while its request exists (an erasure deletes it). Left as
 * it is when it exists already (an event delivered again). Other events have no request.
 */
export async function recordRequestOf(dynamoDb: DynamoDBDocumentClient, tableName: string, event: QueuedEvent): Promise<void> {
  if (event.source !== 'manual') return;
  const { eventId: _, version: __, source: ___, actor, ...request } = event;
  try {
    await dynamoDb.send(
      new PutCommand({
        TableName: tableName,
        Item: { ...keys.request(event.phone, event.requestId), ...request, status: 'pending', requestedBy: actor, pendingShard: keys.pendingShard(event.requestId) },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}
