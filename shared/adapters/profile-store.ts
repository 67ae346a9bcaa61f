import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { ProfileStore } from '../domain/ports.js';
import type { Profile } from '../domain/records.js';
import { dynamoDb } from './aws-clients.js';
import { keys } from './keys.js';

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

  async put(profile: Profile): Promise<void> {
    await dynamoDb.send(
      new PutCommand({ TableName: this.tableName, Item: { ...keys.profile(profile.profileId), ...profile } }),
    );
  }
}
