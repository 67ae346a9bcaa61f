import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { ConsentState } from '../../domain/consent-state.js';
import type { NumberEraser } from '../../domain/personal-data/erase-personal-data.js';
import type { NumberRecords } from '../../domain/personal-data/number-records.js';
import type { E164 } from '../../domain/phone.js';
import { itemFromState } from '../consent-state-store.js';
import { dynamoDb } from '../dynamodb-client.js';
import { isConditionalCheckFailed } from '../errors.js';
import { DynamoImportStore } from '../import-store.js';
import { keys } from '../keys.js';
import { itemsOf } from '../paged-query.js';
import { DynamoProfileStore } from '../profile-store.js';
import { CONCURRENT_TRANSACTIONS, inParallel } from '../requests/many-writes.js';

/** Who the profile says changed it last, when an erasure took a number off it. */
export const ERASURE_ACTOR = 'erasure of personal data';

/** Two admins and an erasure changing one profile at the same moment is rare; a few tries settle it. */
const PROFILE_ATTEMPTS = 5;

/**
 * The erasure's steps (`item-kinds.ts` names the kinds each deletes). Deletes are by key, and deleting
 * what is gone is no error, so a step can be repeated; where another number's item shares a key's
 * partition or page (a pairing, a profile, an import), only what names this number goes.
 */
export class DynamoNumberEraser implements NumberEraser {
  private readonly importStore: DynamoImportStore;
  private readonly profileStore: DynamoProfileStore;

  constructor(
    private readonly consentTableName: string,
    private readonly auditTableName: string,
    private readonly clock: { now(): Date },
  ) {
    this.importStore = new DynamoImportStore(consentTableName);
    this.profileStore = new DynamoProfileStore(consentTableName);
  }

  async imports(records: NumberRecords): Promise<number> {
    let removed = 0;
    for (const { importId } of records.imports) removed += await this.importStore.removeRowsOf(importId, records.phone);
    return removed;
  }

  /**
   * Each request with its pointer and the idempotency key it was made with (while the key still holds
   * it), the request itself last: it is what leads to the others. Once it is gone, the processor drops
   * its event.
   */
  async requests(records: NumberRecords): Promise<number> {
    await inParallel(records.requests, CONCURRENT_TRANSACTIONS, undefined, async ({ phone, requestId }) => {
      const { Item } = await dynamoDb.send(new GetCommand({ TableName: this.consentTableName, Key: keys.request(phone, requestId), ConsistentRead: true }));
      const key = Item?.['idempotencyKey'] as { callerSub: string; key: string } | undefined;
      if (key) await this.deleteIf(keys.idempotency(key.callerSub, key.key), 'requestId = :requestId', { ':requestId': requestId });
      await this.delete(keys.requestPointer(requestId));
      await this.delete(keys.request(phone, requestId));
    });
    return records.requests.length;
  }

  async unresolved(records: NumberRecords): Promise<number> {
    await inParallel(records.unresolved, CONCURRENT_TRANSACTIONS, undefined, ({ userId, event }) => this.delete(keys.unresolved(userId, event.eventId)));
    return records.unresolved.length;
  }

  /** The number's record of each user id, and the id's pairing while it names this number. */
  async pairings(records: NumberRecords): Promise<number> {
    await inParallel(records.pairings, CONCURRENT_TRANSACTIONS, undefined, async ({ userId }) => {
      await this.deleteIf(keys.userPairing(userId), 'phone = :phone', { ':phone': records.phone });
      await this.delete(keys.numberPairing(records.phone, userId));
    });
    return records.pairings.length;
  }

  /** The number leaves each profile that holds it, which keeps its other numbers. */
  async profiles(records: NumberRecords): Promise<number> {
    for (const profileId of records.profiles) await this.leaveProfile(profileId, records.phone);
    return records.profiles.length;
  }

  private async leaveProfile(profileId: string, phone: E164): Promise<void> {
    for (let attempt = 1; attempt <= PROFILE_ATTEMPTS; attempt++) {
      const previous = await this.profileStore.get(profileId);
      if (!previous?.whatsappNumbers.includes(phone)) {
        // An index item whose profile no longer lists the number.
        await this.delete(keys.holder(phone, profileId));
        return;
      }
      const profile = { ...previous, whatsappNumbers: previous.whatsappNumbers.filter((held) => held !== phone), updatedAt: this.clock.now().toISOString(), updatedBy: ERASURE_ACTOR };
      if ((await this.profileStore.replace(profile, previous)) === 'replaced') return;
    }
    throw new Error(`Profile ${profileId} kept changing while a number left it`);
  }

  async replaceState(phone: E164, next: ConsentState | undefined, expectedVersion: number | undefined): Promise<'written' | 'conflict'> {
    const expected =
      expectedVersion === undefined
        ? { ConditionExpression: 'attribute_not_exists(pk)' }
        : { ConditionExpression: 'version = :expected', ExpressionAttributeValues: { ':expected': expectedVersion } };
    try {
      if (next) await dynamoDb.send(new PutCommand({ TableName: this.consentTableName, Item: itemFromState(next), ...expected }));
      else if (expectedVersion !== undefined) await dynamoDb.send(new DeleteCommand({ TableName: this.consentTableName, Key: keys.state(phone), ...expected }));
      return 'written';
    } catch (error) {
      if (isConditionalCheckFailed(error)) return 'conflict';
      throw error;
    }
  }

  /** Every entry of the number's history, read again now: those of signals applied since the records were read too. */
  async history(records: NumberRecords): Promise<number> {
    const entries = await itemsOf(this.auditTableName, keys.phonePartition(records.phone));
    await inParallel(entries, CONCURRENT_TRANSACTIONS, undefined, ({ pk, sk }) => this.delete({ pk, sk }, this.auditTableName));
    return entries.length;
  }

  /**
   * Held blocks, the markers of applied events and the request counter (one made again starts above
   * it: `counterStart`); counts the held blocks.
   */
  async numberItems(records: NumberRecords): Promise<number> {
    const keysOf = [
      ...records.held.map(({ eventId }) => keys.held(records.phone, eventId)),
      ...records.appliedEvents.map((eventId) => keys.appliedEvent(records.phone, eventId)),
      keys.sequence(records.phone),
    ];
    await inParallel(keysOf, CONCURRENT_TRANSACTIONS, undefined, (key) => this.delete(key));
    return records.held.length;
  }

  private async delete(key: Record<string, unknown>, tableName = this.consentTableName): Promise<void> {
    await dynamoDb.send(new DeleteCommand({ TableName: tableName, Key: key }));
  }

  /** Deletes an item that another number may have taken over meanwhile, only while it still names this one. */
  private async deleteIf(key: Record<string, unknown>, condition: string, values: Record<string, unknown>): Promise<void> {
    try {
      await dynamoDb.send(new DeleteCommand({ TableName: this.consentTableName, Key: key, ConditionExpression: condition, ExpressionAttributeValues: values }));
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }
}
