import { TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { EventLedger } from '../domain/ports.js';
import type { AuditEntry } from '../domain/records.js';
import { dynamoDb } from './aws-clients.js';
import { cancellationCodes } from './errors.js';
import { itemFromState } from './consent-state-store.js';
import { keys } from './keys.js';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];
type RecordInput = Parameters<EventLedger['record']>[0];

/**
 * Writes the processor's outcome for one event in a single transaction:
 * the audit entry (only if it does not exist yet), the new state (only if `lastSeq` is still what was read)
 * and the request's status.
 *
 * No `ClientRequestToken`: a retried event carries a new `appliedAt`, which DynamoDB would refuse as an
 * idempotency mismatch; the audit entry's existence condition already makes a repeat a no-op.
 */
export class DynamoEventLedger implements EventLedger {
  constructor(
    private readonly consentTableName: string,
    private readonly auditTableName: string,
  ) {}

  async record(input: RecordInput): Promise<'committed' | 'duplicate' | 'conflict'> {
    const items: TransactItem[] = [this.auditPut(input.audit)];
    if (input.transition.outcome !== 'superseded') {
      items.push(this.statePut(input));
    }
    if (input.event.requestId) {
      items.push(this.requestUpdate(input));
    }
    try {
      await dynamoDb.send(new TransactWriteCommand({ TransactItems: items }));
      return 'committed';
    } catch (error) {
      const codes = cancellationCodes(error);
      if (!codes) throw error;
      if (codes[0] === 'ConditionalCheckFailed') return 'duplicate';
      if (codes.some((code) => code === 'ConditionalCheckFailed' || code === 'TransactionConflict')) return 'conflict';
      throw error;
    }
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

  private statePut({ transition, expectedLastSeq }: RecordInput): TransactItem {
    if (transition.outcome === 'superseded') throw new Error('a superseded event writes no state');
    return {
      Put: {
        TableName: this.consentTableName,
        Item: itemFromState(transition.next),
        ...(expectedLastSeq === undefined
          ? { ConditionExpression: 'attribute_not_exists(pk)' }
          : { ConditionExpression: 'lastSeq = :expected', ExpressionAttributeValues: { ':expected': expectedLastSeq } }),
      },
    };
  }

  private requestUpdate({ event, audit, requestStatus }: RecordInput): TransactItem {
    return {
      Update: {
        TableName: this.consentTableName,
        Key: keys.request(event.phone, event.requestId),
        UpdateExpression: 'SET #status = :status, appliedAt = :appliedAt',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':status': requestStatus, ':appliedAt': audit.appliedAt },
      },
    };
  }
}
