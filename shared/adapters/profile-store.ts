import { GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { E164 } from '../domain/phone.js';
import type { ProfileStore } from '../domain/ports.js';
import type { Profile } from '../domain/records.js';
import { dynamoDb } from './dynamodb-client.js';
import { cancellationCodes } from './errors.js';
import { keys, type TransactItem } from './keys.js';

/**
 * Profiles, and beside each number an index item per profile that holds it (`PHONE#…` / `HOLDER#…`),
 * so that a provider callback, which names only a number, can learn whether any profile has it.
 */
export class DynamoProfileStore implements ProfileStore {
  constructor(private readonly tableName: string) {}

  async get(profileId: string): Promise<Profile | undefined> {
    const { Item } = await dynamoDb.send(
      new GetCommand({ TableName: this.tableName, Key: keys.profile(profileId), ConsistentRead: true }),
    );
    if (!Item) return undefined;
    return {
      profileId: Item['profileId'],
      whatsappNumbers: Item['whatsappNumbers'],
      updatedAt: Item['updatedAt'],
      updatedBy: Item['updatedBy'],
    };
  }

  /** One transaction of at most 41 items: the profile, and up to 20 index items added and 20 removed. */
  async replace(profile: Profile, previous: Profile | undefined): Promise<'replaced' | 'conflict'> {
    const before = new Set(previous?.whatsappNumbers ?? []);
    const after = new Set(profile.whatsappNumbers);
    const items: TransactItem[] = [
      {
        Put: {
          TableName: this.tableName,
          Item: { ...keys.profile(profile.profileId), ...profile },
          ...(previous
            ? {
                ConditionExpression: 'whatsappNumbers = :previous',
                ExpressionAttributeValues: { ':previous': previous.whatsappNumbers },
              }
            : { ConditionExpression: 'attribute_not_exists(pk)' }),
        },
      },
      ...[...after]
        .filter((phone) => !before.has(phone))
        .map((phone): TransactItem => ({
          Put: { TableName: this.tableName, Item: { ...keys.holder(phone, profile.profileId), phone, profileId: profile.profileId } },
        })),
      ...[...before]
        .filter((phone) => !after.has(phone))
        .map((phone): TransactItem => ({ Delete: { TableName: this.tableName, Key: keys.holder(phone, profile.profileId) } })),
    ];
    return (await this.write(items)) === 'written' ? 'replaced' : 'conflict';
  }

  /** One transaction of at most 21 items: the profile, on condition of its numbers, and its index items. */
  async remove(previous: Profile): Promise<'removed' | 'conflict'> {
    const items: TransactItem[] = [
      {
        Delete: {
          TableName: this.tableName,
          Key: keys.profile(previous.profileId),
          ConditionExpression: 'whatsappNumbers = :previous',
          ExpressionAttributeValues: { ':previous': previous.whatsappNumbers },
        },
      },
      ...previous.whatsappNumbers.map((phone): TransactItem => ({ Delete: { TableName: this.tableName, Key: keys.holder(phone, previous.profileId) } })),
    ];
    return (await this.write(items)) === 'written' ? 'removed' : 'conflict';
  }

  private async write(items: TransactItem[]): Promise<'written' | 'conflict'> {
    try {
      await dynamoDb.send(new TransactWriteCommand({ TransactItems: items }));
      return 'written';
    } catch (error) {
      const codes = cancellationCodes(error);
      if (codes?.some((code) => code === 'ConditionalCheckFailed' || code === 'TransactionConflict')) return 'conflict';
      throw error;
    }
  }

  async isHeld(phone: E164): Promise<boolean> {
    const { Items } = await dynamoDb.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.phonePartition(phone), ':prefix': keys.holderPrefix },
        ProjectionExpression: 'pk',
        Limit: 1,
      }),
    );
    return (Items?.length ?? 0) > 0;
  }
}
