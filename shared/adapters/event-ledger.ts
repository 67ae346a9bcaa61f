import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { EventLedger } from '../domain/ports.js';
import type { ConsentState } from '../domain/consent-state.js';
import type { E164 } from '../domain/phone.js';
import type { AuditEntry, RequestStatus } from '../domain/records.js';
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
 * `version` is still the one that was read) and, for a manual request, the request's status.
 *
 * The marker is keyed by the event id under the number the event was queued under, which every
 * delivery shares: a provider failure whose WhatsApp id could be either of two numbers is applied once,
 * even when a later delivery would resolve it to the other. The audit entry's own condition still
 * catches repeats of events applied before markers existed.
 *
 * No `ClientRequestToken`: a retried event carries a new `appliedAt`, which DynamoDB would refuse as an
 * idempotency mismatch; the conditions already make a repeat a no-op.
 */
export class DynamoEventLedger implements EventLedger {
  constructor(
    private readonly consentTableName: string,
    private readonly auditTableName: string,
    private readonly nowSeconds: () => number = () => Math.floor(Date.now() / 1000),
  ) {}

  async record(input: RecordInput): Promise<'committed' | 'duplicate' | 'conflict'> {
    const items: TransactItem[] = [this.markerPut(input.queuedPhone, input.event.eventId), this.auditPut(input.audit)];
    const next = input.transition.outcome === 'superseded' ? undefined : input.transition.next;
    if (next) {
      items.push(this.statePut(next, input.expectedVersion));
    }
    if (input.event.source === 'manual') {
      items.push(this.requestUpdate(input.event.phone, input.event.requestId, input.requestStatus, input.audit.appliedAt));
    }
    try {
      await dynamoDb.send(new TransactWriteCommand({ TransactItems: items }));
      return 'committed';
    } catch (error) {
      const codes = cancellationCodes(error);
      if (!codes) throw error;
      if (codes[0] === 'ConditionalCheckFailed' || codes[1] === 'ConditionalCheckFailed') return 'duplicate';
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

  private auditPut(audit: AuditEntry): TransactItem {
    return {
      Put: {
        TableName: this.auditTableName,
        Item: { ...keys.audit(audit.phone, audit.requestedAt, audit.eventId), ...audit },
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

  private requestUpdate(phone: E164, requestId: string, status: RequestStatus, appliedAt: string): TransactItem {
    return {
      Update: {
        TableName: this.consentTableName,
        Key: keys.request(phone, requestId),
        UpdateExpression: 'SET #status = :status, appliedAt = :appliedAt REMOVE pendingShard',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':status': status, ':appliedAt': appliedAt },
      },
    };
  }
}
