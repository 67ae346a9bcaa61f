import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { EventLedger } from '../domain/ports.js';
import type { ConsentState } from '../domain/consent-state.js';
import type { E164 } from '../domain/phone.js';
import type { AuditEntry, HeldBlock, RequestStatus } from '../domain/records.js';
import type { GuardSlot } from '../domain/ports.js';
import { GUARD_BUCKETS } from '../domain/auto-block-guard.js';
import type { StateAfterChange } from '../domain/change-events.js';
import { dynamoDb } from './dynamodb-client.js';
import { cancellationCodes } from './errors.js';
import { itemFromState } from './consent-state-store.js';
import { keys, type TransactItem } from './keys.js';

type RecordInput = Parameters<EventLedger['record']>[0];

/**
 * How long an applied event's marker is kept: far longer than an event can live on the queue (4 days)
 * or in the dead-letter queue before a redrive (14 days).
 */
const APPLIED_EVENT_TTL_SECONDS = 90 * 24 * 60 * 60;

/**
 * Writes the processor's outcome for one event in a single transaction: a marker of the event's id
 * (only if it does not exist yet), the audit entry (likewise), the new state if any (only if its
 * `version` is still the one that was read) and, for a manual request, the request's status (only if
 * the request still exists: `erased` otherwise).
 *
 * The marker is keyed by the event id under the number the event was queued under, which every
 * delivery shares: a provider failure whose WhatsApp id could be either of two numbers is applied once,
 * even when a later delivery would resolve it to the other. The audit entry's own condition still
 * catches repeats of events applied before markers existed.
 *
 * No `ClientRequestToken` of our own. The SDK gives each call one (the API marks it an idempotency
 * token) and its retries reuse it, so a transaction that took effect but whose answer was lost is
 * answered as the first time, and reported as what happened rather than as a duplicate
 * (`test/integration/ledger-lost-answer.test.ts`). A token named after the event would make DynamoDB
 * refuse a later attempt at it, with another `appliedAt`, as an idempotency mismatch; the conditions
 * already make any repeat a no-op.
 */
export class DynamoEventLedger implements EventLedger {
  constructor(
    private readonly consentTableName: string,
    private readonly auditTableName: string,
    private readonly nowSeconds: () => number = () => Math.floor(Date.now() / 1000),
  ) {}

  async record(input: RecordInput): Promise<'committed' | 'duplicate' | 'conflict' | 'erased'> {
    const next = input.transition.next;
    const after = input.audit.outcome === 'applied' && next ? stateAfter(next) : undefined;
    const items: TransactItem[] = [this.markerPut(input.queuedPhone, input.event.eventId), this.auditPut(input.audit, after)];
    if (next) {
      items.push(this.statePut(next, input.expectedVersion));
    }
    const requestAt = input.event.source === 'manual' ? items.length : undefined;
    if (input.event.source === 'manual') {
      items.push(this.requestUpdate(input.event.phone, input.event.requestId, input.requestStatus, input.audit.appliedAt));
    }
    if (input.guardSlot) items.push(...guardItems(this.consentTableName, input.guardSlot));
    if (input.hold) items.push(this.heldPut(input.hold));
    if (input.settles) {
      items.push({
        Delete: { TableName: this.consentTableName, Key: keys.held(input.settles.phone, input.settles.eventId), ConditionExpression: 'attribute_exists(pk)' },
      });
    }
    try {
      await dynamoDb.send(new TransactWriteCommand({ TransactItems: items }));
      return 'committed';
    } catch (error) {
      const codes = cancellationCodes(error);
      if (!codes) throw error;
      if (codes[0] === 'ConditionalCheckFailed' || codes[1] === 'ConditionalCheckFailed') return 'duplicate';
      if (requestAt !== undefined && codes[requestAt] === 'ConditionalCheckFailed') return 'erased';
      if (codes.some((code) => code === 'ConditionalCheckFailed' || code === 'TransactionConflict')) return 'conflict';
      throw error;
    }
  }

  private markerPut(queuedPhone: E164, eventId: string): TransactItem {
    return {
      Put: {
        TableName: this.consentTableName,
        Item: { ...keys.appliedEvent(queuedPhone, eventId), eventId, expiresAt: this.nowSeconds() + APPLIED_EVENT_TTL_SECONDS },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
  }

  /**
   * An applied change's entry carries the state it led to (`after`): the audit table's stream publishes
   * it to other systems (`functions/change-publisher`), from what was written, by no second writer.
   */
  private auditPut(audit: AuditEntry, after: StateAfterChange | undefined): TransactItem {
    return {
      Put: {
        TableName: this.auditTableName,
        Item: { ...keys.audit(audit.phone, audit.requestedAt, audit.eventId), ...audit, ...(after ? { after } : {}) },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
  }

  private statePut(next: ConsentState, expectedVersion: number | undefined): TransactItem {
    return {
      Put: {
        TableName: this.consentTableName,
        Item: itemFromState(next),
        ...(expectedVersion === undefined
          ? { ConditionExpression: 'attribute_not_exists(pk)' }
          : { ConditionExpression: 'version = :expected', ExpressionAttributeValues: { ':expected': expectedVersion } }),
      },
    };
  }

  private heldPut(held: HeldBlock): TransactItem {
    return {
      Put: {
        TableName: this.consentTableName,
        Item: { ...keys.held(held.phone, held.eventId), ...held, listName: keys.heldList, listedAt: held.heldAt },
      },
    };
  }

  /**
   * A request is updated only while it exists: an erasure of the number's personal data deletes its
   * requests first, and an event of one of them that is still on the queue must then leave nothing
   * (no state, no history entry, no request brought back). Every manual event's request is written
   * before the event is sent.
   */
  private requestUpdate(phone: E164, requestId: string, status: RequestStatus, appliedAt: string): TransactItem {
    return {
      Update: {
        TableName: this.consentTableName,
        Key: keys.request(phone, requestId),
        ConditionExpression: 'attribute_exists(pk)',
        UpdateExpression: 'SET #status = :status, appliedAt = :appliedAt REMOVE pendingShard',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':status': status, ':appliedAt': appliedAt },
      },
    };
  }
}

function stateAfter(state: ConsentState): StateAfterChange {
  return {
    blocked: state.blocked,
    source: state.source ?? null,
    marketingOptOut: state.marketingOptOut ? { since: state.marketingOptOut.since, source: state.marketingOptOut.source } : null,
    version: state.version,
  };
}

/**
 * The guard's part of the transaction. The current bucket is raised by one, provided it stays within
 * what the earlier buckets of the window leave (an over-full window fails the transaction, and the
 * processor decides again). The bucket just before is checked to be as it was read: a processor whose
 * clock is a little behind may still be counting there. Older buckets are closed.
 */
function guardItems(tableName: string, slot: GuardSlot): TransactItem[] {
  const [previous = slot.window.current - 1] = slot.window.earlier;
  const earlierUsed = slot.window.earlier.reduce((sum, bucket) => sum + (slot.counts.get(bucket) ?? 0), 0);
  // Kept until the window no longer reaches the bucket, with a margin for TTL's own delay.
  const expiresAt = (slot.window.current + GUARD_BUCKETS + 1) * slot.bucketSeconds;
  const seenBefore = slot.counts.get(previous) ?? 0;
  return [
    {
      Update: {
        TableName: tableName,
        Key: keys.guardBucket(slot.sender, slot.window.current),
        UpdateExpression: 'ADD #count :one SET expiresAt = :expiresAt',
        ConditionExpression: 'attribute_not_exists(#count) OR #count < :room',
        ExpressionAttributeNames: { '#count': 'count' },
        ExpressionAttributeValues: { ':one': 1, ':expiresAt': expiresAt, ':room': slot.limit - earlierUsed },
      },
    },
    {
      ConditionCheck: {
        TableName: tableName,
        Key: keys.guardBucket(slot.sender, previous),
        ...(seenBefore === 0
          ? { ConditionExpression: 'attribute_not_exists(#count)', ExpressionAttributeNames: { '#count': 'count' } }
          : { ConditionExpression: '#count = :seen', ExpressionAttributeNames: { '#count': 'count' }, ExpressionAttributeValues: { ':seen': seenBefore } }),
      },
    },
  ];
}
