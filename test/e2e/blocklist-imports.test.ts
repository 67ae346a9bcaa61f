import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'csv-parse/sync';
import { PROJECT_ROOT } from '../../infra/local/stack.js';
import { http as httpTo, tokenFor } from '../support/http-client.js';
import { startLocalStackProcess, type LocalStackProcess } from '../support/local-stack-process.js';
import { uniquePhone } from '../support/consent-api.js';
import { eventually } from '../support/poll.js';

/**
 * Blocklist imports over HTTP against a local stack of their own: 10,000 rows imported with the command line and watched to the end, exported back and compared, and
 * an upload repeated with its Idempotency-Key.
 */

/*
 * A stack of its own: the 10,000 changes would crowd the suite's change events queue, and a stack that
 * hands every delivery over once applies them twice as fast.
 */
let imports: LocalStackProcess;
beforeAll(async () => {
  imports = await startLocalStackProcess({ LOCAL_NAME_PREFIX: 'imports-' });
}, 90_000);
afterAll(async () => {
  await imports?.stop();
});
const stack = {
  get url() {
    return imports.ready.url;
  },
};
const http = (method: string, path: string, options: Parameters<typeof httpTo>[2] = {}) => httpTo(method, path, { ...options, baseUrl: stack.url });

const editorToken = await tokenFor({ user: 'erin', groups: ['whatsapp-blocklist-editors'] });
const readerToken = await tokenFor({ user: 'rita' });
const directory = await mkdtemp(join(tmpdir(), 'blocklist-imports-'));
/**
 * 10,000 rows take three to four minutes on the local stack of a two-core machine (the processor sees
 * every delivery twice); a busy machine takes several times that.
 */
const COMMAND_TIMEOUT_MS = 20 * 60_000;

/** Runs `scripts/blocklist.ts` as a user would, with the editor's token in its environment. */
async function blocklistCommand(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/blocklist.ts', ...args, '--url', stack.url], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, BLOCKLIST_TOKEN: editorToken },
      maxBuffer: 64 * 1024 * 1024,
      // Stopped before the test's own deadline, so that a failure shows what the command printed.
      timeout: COMMAND_TIMEOUT_MS,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

function upload(body: string, key: string, token = editorToken) {
  return http('POST', '/blocklist/imports', { token, body, headers: { 'content-type': 'text/csv', 'idempotency-key': key } });
}

describe('blocklist imports over HTTP', () => {
  it('imports 10,000 rows with the command line and watches them all applied; the export gives them back, and imports again', async () => {
    // prepare: 10,000 numbers, a few of them with reasons that need quoting or look like formulas
    const phones = Array.from({ length: 10_000 }, () => uniquePhone());
    const reasonOf = (index: number) => (index % 1000 === 0 ? `=HYPERLINK("https://example.com/${index}", "row ${index}")` : index % 1000 === 1 ? `Two lines,\nrow ${index}` : `Imported row ${index}`);
    const file = join(directory, 'import.csv');
    const csv = (rows: string[][]) => rows.map((row) => row.map((cell) => (/[",\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell)).join(',')).join('\n');
    await writeFile(file, csv([['phone', 'action', 'reason'], ...phones.map((phone, index) => [phone, 'block', reasonOf(index)])]));
    const before = new Date().toISOString();

    // act: import, and wait for the command to see every row end
    const started = performance.now();
    const imported = await blocklistCommand('import', file);
    const importedIn = performance.now() - started;

    // assess
    expect(imported).toMatchObject({ code: 0 });
    expect(imported.stdout).toMatch(/^10000 rows: 10000 accepted, 0 invalid; 10000 applied, 0 unchanged, 0 superseded, 0 failed \(imports [0-9A-Z]{26}\)$/m);

    // act: export the manual blocks changed since, and keep ours
    const exportFile = join(directory, 'export.csv');
    const exportStarted = performance.now();
    const exported = await blocklistCommand('export', '--out', exportFile, '--source', 'manual', '--changed-after', before);
    const exportedIn = performance.now() - exportStarted;
    const text = await readFile(exportFile, 'utf8');
    const mine = new Set(phones);
    const rows = (parse(text, { columns: true }) as Record<string, string>[]).filter((row) => mine.has(row['phone'] ?? ''));

    // assess: every imported number, blocked by the importer with the reason as written
    expect(exported).toMatchObject({ code: 0 });
    expect(text.split('\n', 1)[0]).toBe('phone,action,reason,source,reasonCode,updatedAt,updatedBy');
    expect(rows).toHaveLength(10_000);
    const byPhone = new Map(rows.map((row) => [row['phone'], row]));
    phones.forEach((phone, index) => {
      expect(byPhone.get(phone)).toEqual({ phone, action: 'block', reason: reasonOf(index), source: 'manual', reasonCode: '', updatedAt: expect.any(String), updatedBy: 'erin' });
    });

    // act, assess: the export imports as it is; every row is then unchanged
    const reimport = join(directory, 'reimport.csv');
    await writeFile(reimport, csv([['phone', 'action', 'reason', 'source', 'reasonCode', 'updatedAt', 'updatedBy'], ...rows.slice(0, 200).map((row) => Object.values(row))]));
    const again = await blocklistCommand('import', reimport);
    expect(again.stdout).toMatch(/^200 rows: 200 accepted, 0 invalid; 0 applied, 200 unchanged, 0 superseded, 0 failed/m);

    console.log(
      `10,000 rows imported with the command line on the local stack, uploaded and applied in ${(importedIn / 1000).toFixed(1)} s; ` +
        `exported in ${(exportedIn / 1000).toFixed(1)} s`,
    );
  }, 3 * COMMAND_TIMEOUT_MS / 2);

  it('answers an upload repeated with its Idempotency-Key with the same import, and records each row once', async () => {
    // prepare
    const phones = [uniquePhone(), uniquePhone(), uniquePhone()];
    const body = ['phone,action,reason', ...phones.map((phone) => `${phone},block,repeated upload`), 'nonsense,block,x'].join('\n');
    const key = `e2e-import-${Math.random().toString(36).slice(2)}`;

    // act
    const first = await upload(body, key);
    const second = await upload(body, key);
    const other = await upload(`${body}\n`, key);

    // assess
    expect(first).toMatchObject({ status: 202, body: { rows: 4, accepted: 3, invalid: [{ line: 5, message: 'phone is not a valid international phone number' }] } });
    expect(second.body).toEqual(first.body);
    expect(other).toMatchObject({ status: 422, contentType: 'application/problem+json' });
    const done = await eventually(
      () => http('GET', `/blocklist/imports/${first.body.importId}`, { token: readerToken }),
      (response) => response.body?.done === true,
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    expect(done.body.counts).toEqual({ pending: 0, applied: 3, unchanged: 0, superseded: 0, failed: 0 });
    for (const phone of phones) {
      const history = await http('GET', `/numbers/${phone.slice(1)}/history`, { token: readerToken });
      expect(history.body.items).toEqual([expect.objectContaining({ action: 'block', reason: 'repeated upload', actor: expect.objectContaining({ username: 'erin' }) })]);
    }
  });

  it('refuses a body that is not CSV with 415, an import by a reader with 403, and an unknown import with 404', async () => {
    const json = await http('POST', '/blocklist/imports', { token: editorToken, body: { phone: uniquePhone() } });
    const byReader = await upload(`phone,action,reason\n${uniquePhone()},block,x`, 'reader-key', readerToken);
    const unknown = await http('GET', '/blocklist/imports/01JGZ5K3Q8T2W9X4M6N7P0R1SA', { token: readerToken });

    expect(json).toMatchObject({ status: 415, body: { errors: [{ field: 'header.content-type', message: 'must be text/csv, in UTF-8' }] } });
    expect(byReader.status).toBe(403);
    expect(unknown.status).toBe(404);
  });
});
