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

/** What each block's output must show, by the block's first line. */
const EXPECTED: Record<string, RegExp[]> = {};

/** Whether a block's commands (not its comments) talk to the local stack. */
function talksToLocalStack(block: ShellBlock): boolean {
  const commands = commandsOf(block);
  return commands.includes(LOCAL_URL) || /npm run (--silent )?(token|blocklist|events)\b/.test(commands);
}

function run(block: ShellBlock): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-eo', 'pipefail', '-c', block.text.replaceAll(LOCAL_URL, stack.url)], {
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

    expect({ status, output }).toMatchObject({ status: 0 });
    for (const pattern of EXPECTED[block.title] ?? []) expect(output).toMatch(pattern);
  }, 120_000);
});
