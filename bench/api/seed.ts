import type { DynamoDBClient, WriteRequest } from '@aws-sdk/client-dynamodb';
import { batchWriteAll } from '../support/batch-write.js';

/*
 * The API benchmark's profiles, numbers and editor: 64 seeded profiles hold 4 numbers each, and
 * successive requests cycle through the 256 numbers, so requests in flight together rarely share one.
 */

const PROFILES = 64;
const NUMBERS_PER_PROFILE = 4;

/** The editor who sends every request, and the reason each gives. */
export const EDITOR = { sub: '3c8e5b1a-7f0d-4b8e-9a61-2f4d6c0e9b17', username: 'erin' };
export const REASON = 'Asked us to stop, by phone';

const profileIdOf = (profile: number) => `bench-profile-${profile}`;
const phoneOf = (index: number) => `+420777${String(100_000 + index).padStart(6, '0')}`;
const NUMBERS = PROFILES * NUMBERS_PER_PROFILE;
/** The i-th request's number and the profile that holds it. */
export const targetOf = (index: number) => {
  const number = index % NUMBERS;
  return { phone: phoneOf(number), profileId: profileIdOf(Math.floor(number / NUMBERS_PER_PROFILE)) };
};

/** Writes the profiles and their numbers' holder items, 25 items a call, one call at a time. */
export async function seedProfiles(dynamoDb: DynamoDBClient, tableName: string): Promise<void> {
  const items: WriteRequest[] = [];
  for (let profile = 0; profile < PROFILES; profile++) {
    const profileId = profileIdOf(profile);
    const numbers = Array.from({ length: NUMBERS_PER_PROFILE }, (_, offset) => phoneOf(profile * NUMBERS_PER_PROFILE + offset));
    // The items `DynamoProfileStore.replace` writes: the profile, and a holder item per number.
    items.push({
      PutRequest: {
        Item: {
          pk: { S: `PROFILE#${profileId}` },
          sk: { S: 'PROFILE' },
          profileId: { S: profileId },
          whatsappNumbers: { L: numbers.map((phone) => ({ S: phone })) },
          updatedAt: { S: '2026-01-01T00:00:00.000Z' },
          updatedBy: { S: 'adam' },
        },
      },
    });
    for (const phone of numbers) {
      items.push({ PutRequest: { Item: { pk: { S: `PHONE#${phone}` }, sk: { S: `HOLDER#${profileId}` }, phone: { S: phone }, profileId: { S: profileId } } } });
    }
  }
  await batchWriteAll(dynamoDb, tableName, items, 1);
}
