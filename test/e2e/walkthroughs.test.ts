import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../infra/local/stack.js';
import { stack } from '../support/http-client.js';
import { commandsOf, shellBlocks, type ShellBlock } from '../support/markdown-blocks.js';

/*
 * Every shell block of the README and of docs/ that talks to the local stack runs here, as written, in
 * the order of the pages, against the suite's stack (its URL in place of http://127.0.0.1:3000, and in
 * API_URL for the command-line tools). Its output must show what the page says it does: a changed
 * route, field or flag fails here. A new block needs its expected output in the table below.
 */

const LOCAL_URL = 'http://127.0.0.1:3000';
/** Files the blocks write in the project, removed afterwards. */
const WRITTEN = ['blocks.csv', 'blocklist.csv'];

/**
 * What each block's output must show, by the block's first line: the answers' fields and what they
 * say. Where a block reads back after a `sleep`, only the shape is required (a busy machine may not have
 * applied the change yet); the suites elsewhere prove the outcomes.
 */
const EXPECTED: Record<string, RegExp[]> = {
  '# 1. Tokens: a profile admin, an editor (holds "Edit WhatsApp blocklist"), a reader.': [
    /"profileId":"crm-1001","whatsappNumbers":\["\+420777123456","\+41791234567"\]/,
    /"requestId":"[0-9A-Z]{26}","status":"(pending|applied)","action":"block","phone":"\+420777123456","profileId":"crm-1001"/,
    /\{"profileId":"crm-1001","numbers":\[\{"phone":"\+420777123456","blocked":(true|false)/,
    /\{"items":\[\{"eventId":/,
    /"sendable":\[[^\]]*"\+420777000111"[^\]]*\],"invalid":\["not a number"\]/,
  ],
  "# With npm start running: Meta's subscription handshake; the challenge comes back as plain text.": [/^1158201444$/],
  '# With npm start running: WhatsApp reports that a message to +41 79 123 45 67 failed: 131026, not on WhatsApp.': [
    /"statuses":1,"preferences":0,"messages":0,"enqueued":1/,
    /\{"items":\[/,
  ],
  '# With npm start running: the recipient of +420 608 123 456 stops marketing messages.': [
    /"preferences":1,"messages":0,"enqueued":1/,
    /"optedOut":\[/,
    /"sendable":\["\+420608123456"\],"invalid":\[\]/,
  ],
  '# With npm start running: the recipient of +420 608 123 457 writes " Stop ".': [/"messages":1,"enqueued":1/],
  "# With npm start running: a failure that names its recipient only by user id, with the campaign's profile.": [
    /"statuses":1,"preferences":0,"messages":0,"enqueued":[01],"unresolved":[01]/,
    /\{"count":\d+,"items":\[/,
    /"messages":1,.*"pairings":[01]/,
    /\{"phone":"\+420777123456","blocked":/,
  ],
  '# With npm start running (AUTO_BLOCK_GUARD_LIMIT=2 npm start, say), after failures from one sender:': [
    /\{"items":\[.*\],"nextCursor":/,
    /\{"released":\[/,
    /\{"discarded":\[/,
  ],
  'READER=$(npm run --silent token -- --user rita)': [
    /\{"items":\[\{"phone":"\+[0-9]+","source":"manual"/,
    /content-type: text\/csv/i,
    /^phone,source,reason,reasonCode,updatedAt,updatedBy$/m,
  ],
  'EDITOR=$(npm run --silent token -- --user erin --group whatsapp-blocklist-editors)': [
    /1 rows: 1 accepted, 0 invalid; [01] applied, [01] unchanged, 0 superseded, 0 failed/,
    /\d+ blocked numbers written to blocklist\.csv/,
  ],
  "# With npm start running: after the walk-through's block (step 3), the changes waiting on the queue.": [/"detail-type":"WhatsApp Consent Changed"/],
  '# With npm start running: crm-1001 is kept, crm-2002 goes; crm-2002 held +420777123458.': [
    /\{"profileId":"crm-2002","whatsappNumbers":\["\+420777123458"\]/,
    /\{"profileId":"crm-1001","whatsappNumbers":\["\+420777123456","\+420777123457","\+420777123458"\]/,
    /\}204\n/,
  ],
  '# With npm start running: what is held about +420 777 123 456.': [/^\{"phone":"\+420777123456",/, /"history":\[\{/, /"pairings":\[/],
  '# With npm start running: erase what is held about +420 777 123 456.': [/"deleted":\{"historyEntries":[1-9]\d*,/, /"suppressionKept":true\}/],
};

/** Whether a block's commands (not its comments) talk to the local stack. */
function talksToLocalStack(block: ShellBlock): boolean {
  const commands = commandsOf(block);
  return commands.includes(LOCAL_URL) || /npm run (--silent )?(token|blocklist|events)\b/.test(commands);
}

/**
 * The block runs as written, stopping at its first failing command; `curl` fails on an HTTP error status
 * (its body still printed), so a route, field or header the service no longer takes stops the block.
 */
const PRELUDE = 'curl() { command curl --fail-with-body "$@"; }\n';

function run(block: ShellBlock): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-eo', 'pipefail', '-c', PRELUDE + block.text.replaceAll(LOCAL_URL, stack.url)], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, API_URL: stack.url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, output });
    });
  });
}

const blocks = shellBlocks(PROJECT_ROOT).filter(talksToLocalStack);

afterAll(async () => {
  await Promise.all(WRITTEN.map((file) => rm(join(PROJECT_ROOT, file), { force: true })));
});

describe('the walk-throughs of the README and docs/', () => {
  it('has blocks to run, each with its expected output', () => {
    expect(blocks.length).toBeGreaterThan(0);
    expect(blocks.filter((block) => !EXPECTED[block.title]).map((block) => `${block.file}:${block.line} ${block.title}`)).toEqual([]);
  });

  it.each(blocks.map((block) => [`${block.file}:${block.line}`, block] as const))('runs %s as written', async (_where, block) => {
    const { status, output } = await run(block);

    if (status !== 0) throw new Error(`exit status ${status}:\n${output}`);
    for (const pattern of EXPECTED[block.title] ?? []) expect(output).toMatch(pattern);
  }, 120_000);
});
