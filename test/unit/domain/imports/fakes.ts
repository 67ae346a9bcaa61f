import type { E164 } from '../../../../shared/domain/phone.js';
import type { RequestBatchStore, RequestReference } from '../../../../shared/domain/ports.js';
import type { ConsentRequest, RequestStatus } from '../../../../shared/domain/records.js';
import type { BlocklistImport, CreateImportResult, ImportKeyRecord, ImportStore } from '../../../../shared/domain/imports/ports.js';
import { InMemoryRequestStore } from '../../support/fakes.js';

/** The request store's batch operations in memory, with the adapter's contract: existing requests are left as they are. */
export class InMemoryBatchRequestStore extends InMemoryRequestStore implements RequestBatchStore {
  /** Throws instead of writing once this many requests are written by `createMany`, to play a function that dies. */
  dieAfter: number | undefined;
  readonly createManyCalls: number[] = [];

  async reserveSequences(counts: ReadonlyMap<E164, number>, options: { signal?: AbortSignal } = {}): Promise<Map<E164, number>> {
    const firsts = new Map<E164, number>();
    for (const [phone, count] of counts) {
      options.signal?.throwIfAborted();
      const first = (this.sequences.get(phone) ?? 0) + 1;
      this.sequences.set(phone, first + count - 1);
      firsts.set(phone, first);
    }
    return firsts;
  }

  async createMany(requests: readonly ConsentRequest[], options: { signal?: AbortSignal } = {}): Promise<void> {
    this.createManyCalls.push(requests.length);
    for (const request of requests) {
      options.signal?.throwIfAborted();
      if (this.dieAfter !== undefined && this.dieAfter-- <= 0) throw new Error('the function died');
      if (!this.requests.has(request.requestId)) this.requests.set(request.requestId, structuredClone(request));
    }
  }

  async getMany(references: readonly RequestReference[]): Promise<Map<string, ConsentRequest>> {
    return new Map(references.flatMap(({ requestId }) => {
      const request = this.requests.get(requestId);
      return request ? [[requestId, structuredClone(request)] as const] : [];
    }));
  }

  async statusesOf(references: readonly RequestReference[]): Promise<Map<string, RequestStatus>> {
    return new Map([...(await this.getMany(references))].map(([requestId, request]) => [requestId, request.status]));
  }
}

export class InMemoryImportStore implements ImportStore {
  readonly imports = new Map<string, BlocklistImport>();
  readonly keys = new Map<string, ImportKeyRecord>();

  async create(record: BlocklistImport, idempotency?: { callerSub: string; key: string; bodyHash: string }): Promise<CreateImportResult> {
    if (idempotency) {
      const existing = this.keys.get(`${idempotency.callerSub}#${idempotency.key}`);
      if (existing) return { created: false, existing: { ...existing } };
      this.keys.set(`${idempotency.callerSub}#${idempotency.key}`, { importId: record.importId, bodyHash: idempotency.bodyHash });
    }
    this.imports.set(record.importId, structuredClone(record));
    return { created: true };
  }

  async get(importId: string): Promise<BlocklistImport | undefined> {
    const record = this.imports.get(importId);
    return record && structuredClone(record);
  }

  async findIdempotencyRecord(callerSub: string, key: string): Promise<ImportKeyRecord | undefined> {
    const record = this.keys.get(`${callerSub}#${key}`);
    return record && { ...record };
  }
}
