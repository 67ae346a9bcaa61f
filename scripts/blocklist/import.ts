import { createHash } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { MultiBar, Presets } from 'cli-progress';
import { expectStatus, type ApiClient } from './api-client.js';
import { splitImportFile, type Upload } from './split.js';

type Status = 'pending' | 'applied' | 'unchanged' | 'superseded' | 'failed';

/** What the service answers about an import (`POST` and `GET /blocklist/imports…`). */
interface ImportAnswer {
  importId: string;
  rows: number;
  accepted: number;
  invalid: { line: number; message: string }[];
  counts?: Record<Status, number>;
  done?: boolean;
}

/**
 * What a run has learnt, kept beside the file (`FILE.import-state.json`) until every upload is done: the
 * import each upload became. A run after an interruption then polls those imports instead of sending
 * their bytes again, even after the service has forgotten their keys (24 hours). Without it, the keys
 * alone make a re-run within the day answer with the same imports and write no row twice.
 */
interface ImportState {
  version: 1;
  /** The file's SHA-256: a state of another file's content is ignored. */
  file: string;
  imports: Record<number, string>;
}

export interface ImportOptions {
  file: string;
  api: ApiClient;
  /** Where progress goes (bars on a terminal only) and the report. */
  out?: NodeJS.WriteStream;
  /** First pause between polls of the imports' progress; it grows by half up to `maxPause`. */
  pollMs?: number;
  /** How long an import's progress may stand still before its upload is sent again. */
  stallMs?: number;
}

export interface ImportResult {
  rows: number;
  accepted: number;
  counts: Record<Status, number>;
  /** Invalid rows, by their lines in the file. */
  invalid: { line: number; message: string }[];
  importIds: string[];
}

/**
 * `blocklist import FILE.csv`: sends the file in uploads the service takes, each with an
 * `Idempotency-Key` made of the file's hash and the upload's index, shows the rows sent and the rows
 * ended while it polls each import until it is done, and reports every invalid row by its line in the
 * file. An upload whose import stands still for `stallMs` is sent again (its key makes that the same
 * import), which enqueues at once any row whose event did not reach the queue.
 */
export async function importFile({ file, api, out = process.stderr, pollMs = 500, stallMs = 60_000 }: ImportOptions): Promise<ImportResult> {
  const bytes = await readFile(file);
  const fileHash = createHash('sha256').update(bytes).digest('hex');
  const uploads = splitImportFile(bytes);
  const statePath = `${file}.import-state.json`;
  const state = await readState(statePath, fileHash);
  const totalRows = uploads.reduce((sum, upload) => sum + upload.rows, 0);

  const progress = progressOn(out, totalRows);
  const answers = new Map<number, ImportAnswer>();
  /** Uploads sent by this run, whose keys the service surely still knows. */
  const sentNow = new Set<number>();
  try {
    for (const upload of uploads) {
      const known = state.imports[upload.index];
      let answer = known ? await progressOf(api, known) : undefined;
      if (!answer) {
        answer = await send(api, upload, fileHash);
        sentNow.add(upload.index);
      }
      answers.set(upload.index, answer);
      state.imports[upload.index] = answer.importId;
      await writeFile(statePath, JSON.stringify(state));
      progress.sent(upload.rows, sumCounts([...answers.values()]));
    }
    const movedAt = new Map<number, { ended: number; at: number }>();
    for (let pause = pollMs; ; pause = Math.min(maxPause(sumCounts([...answers.values()]).pending), pause * 1.5)) {
      for (const [index, answer] of answers) {
        if (answer.done) continue;
        const now = (await progressOf(api, answer.importId)) ?? answer;
        answers.set(index, now);
        const ended = endedOf(sumCounts([now]));
        const moved = movedAt.get(index);
        if (!moved || moved.ended !== ended) movedAt.set(index, { ended, at: Date.now() });
        else if (Date.now() - moved.at > stallMs && sentNow.has(index)) {
          // Rows whose events were never enqueued wait for the sweeper (a few hundred a minute); the
          // same upload again, under its key, enqueues its pending rows at once, and writes nothing.
          // (Only an upload of this run: the key of an older one may be forgotten, and would make a new import.)
          await send(api, uploads[index]!, fileHash);
          movedAt.set(index, { ended, at: Date.now() });
        }
      }
      progress.ended(sumCounts([...answers.values()]));
      if ([...answers.values()].every((answer) => answer.done)) break;
      await delay(pause);
    }
  } finally {
    progress.stop();
  }
  await rm(statePath, { force: true });

  const all = [...answers.entries()];
  return {
    rows: all.reduce((sum, [, answer]) => sum + answer.rows, 0),
    accepted: all.reduce((sum, [, answer]) => sum + answer.accepted, 0),
    counts: sumCounts(all.map(([, answer]) => answer)),
    invalid: all.flatMap(([index, answer]) => answer.invalid.map(({ line, message }) => ({ line: line + uploads[index]!.lineOffset, message }))).sort((a, b) => a.line - b.line),
    importIds: all.map(([, answer]) => answer.importId),
  };
}

/** One upload, under its key; the client tries again a 503 (a call that ran out of time), which the same key finishes. */
async function send(api: ApiClient, upload: Upload, fileHash: string): Promise<ImportAnswer> {
  const key = `blocklist-import-${fileHash}-${upload.index}`;
  const response = await api.post('/blocklist/imports', upload.body, { 'content-type': 'text/csv; charset=utf-8', 'idempotency-key': key });
  return expectStatus(response, 202, `Upload ${upload.index + 1} (lines ${upload.firstLine} to ${upload.lastLine})`);
}

/** An import's progress, or `undefined` when the service does not know it (a state file of another stack). */
async function progressOf(api: ApiClient, importId: string): Promise<ImportAnswer | undefined> {
  const response = await api.get(`/blocklist/imports/${importId}`);
  if (response.status === 404) return undefined;
  return expectStatus(response, 200, `Import ${importId}`);
}

async function readState(path: string, fileHash: string): Promise<ImportState> {
  try {
    const state = JSON.parse(await readFile(path, 'utf8')) as ImportState;
    if (state.version === 1 && state.file === fileHash) return state;
  } catch {
    // No state, or one that cannot be read: start afresh.
  }
  return { version: 1, file: fileHash, imports: {} };
}

function sumCounts(answers: ImportAnswer[]): Record<Status, number> {
  const total: Record<Status, number> = { pending: 0, applied: 0, unchanged: 0, superseded: 0, failed: 0 };
  for (const answer of answers) {
    for (const status of Object.keys(total) as Status[]) total[status] += answer.counts?.[status] ?? (status === 'pending' ? answer.accepted : 0);
  }
  return total;
}

function describe(counts: Record<Status, number>): string {
  return `(applied ${counts.applied}, unchanged ${counts.unchanged}, superseded ${counts.superseded}, failed ${counts.failed})`;
}

/**
 * The longest pause between polls: a poll reads the status of every row of an import, so a large
 * import still far from done is polled less often (a millisecond per pending row, from two to fifteen
 * seconds).
 */
function maxPause(pending: number): number {
  return Math.min(15_000, Math.max(2_000, pending));
}

function endedOf(counts: Record<Status, number>): number {
  return counts.applied + counts.unchanged + counts.superseded + counts.failed;
}

/**
 * Two bars on a terminal: the rows sent, and the accepted rows that ended. Elsewhere (a pipe, a log),
 * a line per upload and a line whenever the rows ended change, at most every ten seconds.
 */
function progressOn(out: NodeJS.WriteStream, totalRows: number) {
  const accepted = (counts: Record<Status, number>) => endedOf(counts) + counts.pending;
  if (!out.isTTY) {
    let sentRows = 0;
    let lastLine = 0;
    let lastEnded = -1;
    return {
      sent(rows: number, counts: Record<Status, number>) {
        sentRows += rows;
        out.write(`sent ${sentRows} of ${totalRows} rows, ${accepted(counts)} accepted\n`);
      },
      ended(counts: Record<Status, number>) {
        const done = endedOf(counts) === accepted(counts);
        if (endedOf(counts) === lastEnded || (!done && Date.now() - lastLine < 10_000)) return;
        [lastLine, lastEnded] = [Date.now(), endedOf(counts)];
        out.write(`ended ${endedOf(counts)} of ${accepted(counts)} accepted rows ${describe(counts)}\n`);
      },
      stop() {},
    };
  }
  const bars = new MultiBar({ stream: out, format: '{name} [{bar}] {value}/{total} rows {detail}', hideCursor: true }, Presets.shades_classic);
  const sent = bars.create(totalRows, 0, { name: 'sent ', detail: '' });
  const ended = bars.create(0, 0, { name: 'ended', detail: '' });
  return {
    sent(rows: number, counts: Record<Status, number>) {
      sent.increment(rows);
      ended.setTotal(accepted(counts));
    },
    ended(counts: Record<Status, number>) {
      ended.update(endedOf(counts), { detail: describe(counts) });
    },
    stop: () => bars.stop(),
  };
}
