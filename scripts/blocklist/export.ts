import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { SingleBar, Presets } from 'cli-progress';
import { stringify } from 'csv-stringify';
import { expectStatus, type ApiClient } from './api-client.js';

/** The columns of an export: an import's three first, so that the file imports as it is. */
export const EXPORT_COLUMNS = ['phone', 'action', 'reason', 'source', 'reasonCode', 'updatedAt', 'updatedBy'] as const;

/** One blocked number, as `GET /blocklist` lists it. */
interface BlockedNumber {
  phone: string;
  source: string;
  reason: string | null;
  reasonCode: string | null;
  updatedAt: string;
  updatedBy: string | null;
}

export interface ExportOptions {
  out: string;
  api: ApiClient;
  source?: 'manual' | 'automatic' | 'recipient' | undefined;
  reasonCode?: string | undefined;
  changedAfter?: string | undefined;
  /** Where the progress bar goes (on a terminal only). */
  progress?: NodeJS.WriteStream;
}

/** Pages of a thousand numbers, or of a hundred where the service takes no more. */
const PAGE_SIZES = [1000, 100];

/**
 * `blocklist export --out FILE.csv`: pages through `GET /blocklist` with the filters given and writes
 * every blocked number as a row (`action` is `block`), values as the service has them: a reason that a
 * spreadsheet would read as a formula is written as it is, so that the file imports again unchanged
 * (open it as text, not by double-clicking it). The file is written beside its name and moved into place
 * once complete, so an interrupted export leaves no partial file behind.
 */
export async function exportBlocklist({ out, api, source, reasonCode, changedAfter, progress = process.stderr }: ExportOptions): Promise<{ numbers: number }> {
  const partial = `${out}.partial`;
  const file = createWriteStream(partial);
  const csv = stringify({ header: true, columns: [...EXPORT_COLUMNS] });
  csv.pipe(file);
  const bar = new SingleBar({ stream: progress, format: 'exported [{bar}] {value} numbers', hideCursor: true }, Presets.shades_classic);
  bar.start(0, 0);
  let numbers = 0;
  try {
    let pageSize = PAGE_SIZES[0]!;
    let cursor: string | null | undefined;
    do {
      const query = new URLSearchParams({ limit: String(pageSize), ...definedOf({ source, reasonCode, changedAfter }), ...(cursor ? { cursor } : {}) });
      const response = await api.get(`/blocklist?${query}`);
      if (response.status === 400 && pageSize !== PAGE_SIZES.at(-1) && refusesLimit(response.body)) {
        pageSize = PAGE_SIZES.at(-1)!;
        continue;
      }
      const page = expectStatus(response, 200, 'GET /blocklist') as { items: BlockedNumber[]; nextCursor: string | null };
      for (const item of page.items) {
        if (!csv.write(rowOf(item))) await once(csv, 'drain');
      }
      numbers += page.items.length;
      cursor = page.nextCursor;
      bar.setTotal(numbers + (cursor ? pageSize : 0));
      bar.update(numbers);
    } while (cursor);
    csv.end();
    await once(file, 'finish');
    await rename(partial, out);
    return { numbers };
  } catch (error) {
    csv.destroy();
    file.destroy();
    await rm(partial, { force: true });
    throw error;
  } finally {
    bar.stop();
  }
}

function rowOf(item: BlockedNumber): string[] {
  return [item.phone, 'block', item.reason ?? '', item.source, item.reasonCode ?? '', item.updatedAt, item.updatedBy ?? ''];
}

/** A 400 that names `query.limit`: the service takes smaller pages. */
function refusesLimit(problem: { errors?: { field?: string }[] } | string): boolean {
  return typeof problem === 'object' && (problem.errors ?? []).some((error) => error.field === 'query.limit');
}

function definedOf(values: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).filter((entry): entry is [string, string] => entry[1] !== undefined));
}
