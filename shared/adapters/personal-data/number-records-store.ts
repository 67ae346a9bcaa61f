import type { E164 } from '../../domain/phone.js';
import type { NumberPairing, NumberRecords, NumberRecordsReader } from '../../domain/personal-data/number-records.js';
import type { AuditEntry } from '../../domain/records.js';
import { entryFromItem } from '../audit-reader.js';
import { batchGetAll } from '../batch-get.js';
import { stateFromItem } from '../consent-state-store.js';
import { heldFromItem } from '../held-block-store.js';
import { DynamoImportStore } from '../import-store.js';
import { keys } from '../keys.js';
import { itemsOf, itemsUnder } from '../paged-query.js';
import { requestFromItem } from '../requests/request-items.js';
import { signalFromItem } from '../user-directory.js';
import { kindOnNumber, type NumberItemKind } from './item-kinds.js';

/**
 * Reads everything stored about a number (`item-kinds.ts` lists where): the items of its own partition,
 * each told apart by its sort key, and from them the items elsewhere that name it: the current pairings
 * of its user ids and the signals kept under them, and the rows of the imports its requests came from.
 * Every read is strongly consistent, so that an erasure sees what was written before it read.
 */
export class DynamoNumberRecords implements NumberRecordsReader {
  private readonly imports: DynamoImportStore;

  constructor(
    private readonly consentTableName: string,
    private readonly auditTableName: string,
  ) {
    this.imports = new DynamoImportStore(consentTableName);
  }

  async records(phone: E164): Promise<NumberRecords> {
    const items = await this.partitionOf(phone);
    const state = items.state[0];
    const requests = items.request.map(requestFromItem);
    const pairings = await this.pairingsOf(phone, items.numberPairing);
    const current = pairings.filter((pairing) => pairing.current);
    const importIds = [...new Set(requests.flatMap((request) => (request.importId === undefined ? [] : [request.importId])))];
    const [unresolved, imports] = await Promise.all([
      Promise.all(current.map(({ userId }) => itemsUnder(this.consentTableName, keys.userPartition(userId), keys.unresolvedPrefix))),
      Promise.all(importIds.map(async (importId) => ({ importId, lines: await this.imports.linesOf(importId, phone) }))),
    ]);
    return {
      phone,
      state: state ? stateFromItem(state) : undefined,
      profiles: items.holder.map((item) => item['profileId'] as string),
      requests,
      held: items.held.map(heldFromItem),
      pairings,
      unresolved: unresolved.flat().map(signalFromItem),
      imports: imports.filter(({ lines }) => lines.length > 0),
      appliedEvents: items.appliedEvent.map((item) => item['eventId'] as string),
    };
  }

  async history(phone: E164): Promise<AuditEntry[]> {
    return (await itemsOf(this.auditTableName, keys.phonePartition(phone), { newestFirst: true })).map(entryFromItem);
  }

  /** The number's partition, item by item, by kind; an item of a kind not listed throws. */
  private async partitionOf(phone: E164): Promise<Record<NumberItemKind, Record<string, any>[]>> {
    const byKind: Record<NumberItemKind, Record<string, any>[]> = { state: [], sequence: [], request: [], holder: [], appliedEvent: [], held: [], numberPairing: [] };
    for (const item of await itemsOf(this.consentTableName, keys.phonePartition(phone))) byKind[kindOnNumber(String(item['sk']))].push(item);
    return byKind;
  }

  /** The user ids seen with the number, each current while its pairing still names the number. */
  private async pairingsOf(phone: E164, reverse: readonly Record<string, any>[]): Promise<NumberPairing[]> {
    const forward = await batchGetAll(this.consentTableName, reverse.map((item) => keys.userPairing(item['userId'])), { consistent: true });
    const pairedWith = new Map(forward.map((item) => [item['userId'] as string, item['phone'] as string]));
    return reverse.map((item) => ({ userId: item['userId'], seenAt: item['seenAt'], current: pairedWith.get(item['userId']) === phone }));
  }
}
