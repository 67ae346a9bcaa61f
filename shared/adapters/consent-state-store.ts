import { BatchGetCommand, GetCommand, type BatchGetCommandOutput } from '@aws-sdk/lib-dynamodb';
import type { E164 } from '../domain/phone.js';
import type { ConsentState } from '../domain/consent-state.js';
import type { ConsentStateStore } from '../domain/ports.js';
import { dynamoDb } from './dynamodb-client.js';
import { keys } from './keys.js';

/** BatchGetItem's limit. */
const BATCH_SIZE = 100;
const MAX_ATTEMPTS = 5;

export class DynamoConsentStateStore implements ConsentStateStore {
  constructor(private readonly tableName: string) {}

  async get(phone: E164): Promise<ConsentState | undefined> {
    const { Item } = await dynamoDb.send(
      new GetCommand({ TableName: this.tableName, Key: keys.state(phone), ConsistentRead: true }),
    );
    return Item ? stateFromItem(Item) : undefined;
  }

  /**
   * For the profile page (at most 20 numbers); the campaign check has its own, faster reader.
   * Keys that DynamoDB leaves unprocessed (throttling) are retried with a growing pause, a bounded
   * number of times.
   */
  async getMany(phones: readonly E164[]): Promise<Map<E164, ConsentState>> {
    const states = new Map<E164, ConsentState>();
    for (let start = 0; start < phones.length; start += BATCH_SIZE) {
      let pending: Record<string, unknown>[] | undefined = phones.slice(start, start + BATCH_SIZE).map(keys.state);
      for (let attempt = 0; pending && pending.length > 0; attempt++) {
        if (attempt === MAX_ATTEMPTS) throw new Error(`${pending.length} consent states stayed unprocessed after ${MAX_ATTEMPTS} reads`);
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** attempt));
        const result: BatchGetCommandOutput = await dynamoDb.send(
          new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } } }),
        );
        for (const item of result.Responses?.[this.tableName] ?? []) {
          const state = stateFromItem(item);
          states.set(state.phone, state);
        }
        pending = result.UnprocessedKeys?.[this.tableName]?.Keys;
      }
    }
    return states;
  }
}

export function stateFromItem(item: Record<string, any>): ConsentState {
  return {
    phone: item['phone'],
    blocked: item['blocked'],
    source: item['source'],
    reason: item['reason'],
    reasonCode: item['reasonCode'],
    profileId: item['profileId'],
    updatedAt: item['updatedAt'],
    updatedBy: item['updatedBy'],
    version: item['version'],
    lastSeq: item['lastSeq'],
    decidedAt: item['decidedAt'],
    automaticAt: item['automaticAt'],
    marketingOptOut: item['marketingOptOut'],
    marketingChangedAt: item['marketingChangedAt'],
  };
}

export function itemFromState(state: ConsentState): Record<string, unknown> {
  return { ...keys.state(state.phone), ...state };
}
