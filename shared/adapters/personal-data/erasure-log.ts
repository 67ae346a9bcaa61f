import { createHmac } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { onFirstUse } from '../../domain/on-first-use.js';
import type { ErasureLog } from '../../domain/personal-data/erase-personal-data.js';
import type { E164 } from '../../domain/phone.js';
import { dynamoDb } from '../dynamodb-client.js';
import { keys } from '../keys.js';
import { SECRET_CACHE_SECONDS, secretsProvider } from '../secrets-provider.js';

/** A key long enough for HMAC-SHA256 to hide a number (numbers are few enough to try them all). */
const keySchema = onFirstUse(() => z.string().check(z.minLength(32, 'must be at least 32 characters')));

/**
 * The erasure log's key: in AWS, the plain-text value of a Secrets Manager secret (cached for five
 * minutes); locally, where there is no Secrets Manager, the key itself. Never in a template. The key
 * must never change: the log finds a number's erasures by the number's hash under it.
 */
export function erasureLogKeyFrom(config: { erasureLogSecretId: string | undefined; erasureLogKey: string | undefined }): () => Promise<string> {
  if (config.erasureLogSecretId) {
    const provider = secretsProvider();
    const secretId = config.erasureLogSecretId;
    return async () => keySchema().parse(await provider.get(secretId, { maxAge: SECRET_CACHE_SECONDS }));
  }
  if (config.erasureLogKey) {
    const key = keySchema().parse(config.erasureLogKey);
    return async () => key;
  }
  throw new Error('Invalid configuration: set ERASURE_LOG_SECRET_ID, or ERASURE_LOG_KEY');
}

/** The hash the log keeps of a number: HMAC-SHA256 under the log's key, in hex. */
export function numberHash(phone: E164, key: string): string {
  return createHmac('sha256', key).update(phone).digest('hex');
}

/**
 * The erasure log, in the audit table (`ERASURE#<hash>`, by time): who erased a number's data, when,
 * why, what went and whether a suppression record stayed, under a keyed hash of the number. Written
 * once per erasure, never updated; the change publisher's stream filter passes only applied changes.
 */
export class DynamoErasureLog implements ErasureLog {
  constructor(
    private readonly auditTableName: string,
    private readonly key: () => Promise<string>,
  ) {}

  async record(entry: Parameters<ErasureLog['record']>[0]): Promise<void> {
    const { phone, ...kept } = entry;
    const hash = numberHash(phone, await this.key());
    await dynamoDb.send(
      new PutCommand({
        TableName: this.auditTableName,
        Item: { ...keys.erasure(hash, entry.erasedAt, entry.erasureId), numberHash: hash, ...kept },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }
}
