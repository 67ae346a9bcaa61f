import type { GuardCounter } from '../domain/ports.js';
import { batchGetAll } from './batch-get.js';
import { keys } from './keys.js';

/** Reads the auto-block guard's bucket counts; the processor's ledger raises them (`event-ledger.ts`). */
export class DynamoGuardCounter implements GuardCounter {
  constructor(private readonly tableName: string) {}

  async read(sender: string, buckets: readonly number[]): Promise<Map<number, number>> {
    const bucketOf = new Map(buckets.map((bucket) => [keys.guardBucket(sender, bucket).sk, bucket]));
    const items = await batchGetAll(this.tableName, buckets.map((bucket) => keys.guardBucket(sender, bucket)), { consistent: true });
    return new Map(items.map((item) => [bucketOf.get(item['sk'])!, Number(item['count'] ?? 0)]));
  }
}
