import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { E164 } from '../domain/phone.js';
import type { ConsentState } from '../domain/consent-state.js';
import type { ConsentStateStore } from '../domain/ports.js';
import { batchGetAll } from './batch-get.js';
import { dynamoDb } from './dynamodb-client.js';
import { keys } from './keys.js';
import { registersOfLegacy } from '../domain/consent/legacy-state.js';

export class DynamoConsentStateStore implements ConsentStateStore {
  constructor(private readonly tableName: string) {}

  async get(phone: E164): Promise<ConsentState | undefined> {
    const { Item } = await dynamoDb.send(
      new GetCommand({ TableName: this.tableName, Key: keys.state(phone), ConsistentRead: true }),
    );
    return Item ? stateFromItem(Item) : undefined;
  }

  /** For the profile page (at most 20 numbers); the campaign check has its own, faster reader. */
  async getMany(phones: readonly E164[]): Promise<Map<E164, ConsentState>> {
    const items = await batchGetAll(this.tableName, phones.map(keys.state), { consistent: true });
    return new Map(items.map((item) => [item['phone'] as E164, stateFromItem(item)]));
  }
}

/**
 * A state item as the domain's state. Items written before the registers existed are read through
 * {@link registersOfLegacy}, which shows them exactly as they were; their next write adds the registers.
 */
export function stateFromItem(item: Record<string, any>): ConsentState {
  const shown = {
    blocked: item['blocked'] ?? false,
    source: item['source'],
    reason: item['reason'],
    reasonCode: item['reasonCode'],
    profileId: item['profileId'],
    updatedBy: item['updatedBy'],
    senderDisplayPhoneNumber: item['senderDisplayPhoneNumber'],
    marketingOptOut: item['marketingOptOut'],
  };
  return {
    phone: item['phone'],
    ...shown,
    updatedAt: item['updatedAt'],
    version: item['version'],
    registers: item['registers'] ?? registersOfLegacy({ ...shown, ...pick(item, ['lastSeq', 'decidedAt', 'automaticAt', 'marketingChangedAt']) }),
  };
}

function pick<K extends string>(item: Record<string, any>, names: readonly K[]): Record<K, any> {
  return Object.fromEntries(names.map((name) => [name, item[name]])) as Record<K, any>;
}

/**
 * The state's item; a blocked number's is also on the blocked numbers' list (a shard of the list index,
 * by the time of its latest change). A put replaces the whole item, so an unblocked state leaves the list.
 */
export function itemFromState(state: ConsentState): Record<string, unknown> {
  const listed = state.blocked && state.updatedAt !== undefined ? { listName: keys.blockedShard(state.phone), listedAt: state.updatedAt } : {};
  return { ...keys.state(state.phone), ...state, ...listed };
}
