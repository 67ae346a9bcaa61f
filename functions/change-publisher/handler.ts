import { unmarshall } from '@aws-sdk/util-dynamodb';
import middy from '@middy/core';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { readConfig } from '../../shared/config.js';
import { changeOf, type ChangeSink, type ConsentChange } from '../../shared/domain/change-events.js';
import { EventBridgeChangeSink } from '../../shared/adapters/eventbridge-change-sink.js';
import { SqsChangeSink } from '../../shared/adapters/sqs-change-sink.js';
import { logger, observed } from '../../shared/observability.js';

const config = readConfig(['changeEventsBusName', 'changeEventsQueueUrl']);
const sink: ChangeSink = sinkOf(config);

function sinkOf({ changeEventsBusName, changeEventsQueueUrl }: typeof config): ChangeSink {
  if (changeEventsBusName) return new EventBridgeChangeSink(changeEventsBusName);
  if (changeEventsQueueUrl) return new SqsChangeSink(changeEventsQueueUrl);
  throw new Error('Invalid configuration: CHANGE_EVENTS_BUS_NAME or CHANGE_EVENTS_QUEUE_URL is required');
}

/** Changes are sent a few at a time, so that a failure costs little to repeat. */
const CHUNK = 10;

/**
 * Publishes every applied change, from the audit table's stream: the audit entry and the state it led
 * to were written in one transaction, so whatever the processor did after it (or failed to do), the
 * change is published, and only a change that was applied.
 *
 * Records are published in the stream's order (per number, the order the changes were applied), ten at a
 * time. When a chunk fails, the records before it are done and the batch reports the chunk's first record
 * as failed: Lambda retries from there, so nothing is skipped, and what is repeated carries its `eventId`.
 */
async function publishChanges(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  const records = event.Records.map((record) => ({ record, change: changeIn(record) }));
  for (let start = 0; start < records.length; start += CHUNK) {
    const chunk = records.slice(start, start + CHUNK);
    const changes = chunk.flatMap(({ change }) => (change ? [change] : []));
    try {
      if (changes.length > 0) await sink.publishAll(changes);
    } catch (error) {
      const failed = chunk[0]!.record.dynamodb?.SequenceNumber ?? '';
      logger.error('change events not published; the stream delivers them again', { error, from: failed });
      return { batchItemFailures: [{ itemIdentifier: failed }] };
    }
    if (changes.length > 0) logger.info('change events published', { count: changes.length, eventIds: changes.map((change) => change.eventId) });
  }
  return { batchItemFailures: [] };
}

/** The change a stream record tells of: a new audit entry whose outcome is `applied`. */
function changeIn(record: DynamoDBRecord): ConsentChange | undefined {
  const image = record.dynamodb?.NewImage;
  if (record.eventName !== 'INSERT' || !image) return undefined;
  return changeOf(unmarshall(image as Record<string, AttributeValue>));
}

export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse, Error, Context>().use(observed()).handler(publishChanges);
