import { parseArgs } from 'node:util';

export const USAGE = `usage: npm run load [-- --requests N] [--seconds S] [--concurrency C] [--settle-seconds W] [--url URL]

Sends a bounded mix of requests to the local stack (\`npm start\`) at a steady rate: profile reads,
blocks and unblocks, blocklist checks and signed webhook callbacks. Prints a progress line, then the
throughput, p50 and p99 per route and the errors, as a table and as one JSON line.

  --requests N        how many requests to send (default 3000, at most 20000)
  --seconds S         over how many seconds, at a steady rate (default 60, at most 600)
  --concurrency C     at most this many requests in flight (default 32, at most 256)
  --settle-seconds W  then wait up to W seconds for the blocks and unblocks to be applied (default 60; 0 skips)
  --url URL           the local stack (default http://127.0.0.1:3000); loopback addresses only
  --help              print this and exit

The webhook callbacks are signed with WHATSAPP_APP_SECRET if it is set, as \`npm start\` reads it, and
with the local default otherwise. Exit codes: 0 no errors, 1 errors, 2 wrong usage, 3 no local stack
to load (or it refused the setup).
`;

export interface LoadOptions {
  url: URL;
  requests: number;
  seconds: number;
  concurrency: number;
  settleSeconds: number;
}

export const LIMITS = {
  requests: { min: 1, max: 20_000, default: 3000 },
  seconds: { min: 1, max: 600, default: 60 },
  concurrency: { min: 1, max: 256, default: 32 },
  settleSeconds: { min: 0, max: 600, default: 60 },
} as const;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The command line, checked; `help` when `--help` was asked for. */
export function parseLoadOptions(argv: string[]): LoadOptions | 'help' {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: argv,
      options: {
        requests: { type: 'string' },
        seconds: { type: 'string' },
        concurrency: { type: 'string' },
        'settle-seconds': { type: 'string' },
        url: { type: 'string', default: 'http://127.0.0.1:3000' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    // parseArgs names an unknown option, a missing value or a stray argument in its message.
    throw new UsageError((error as Error).message);
  }
  if (values['help']) return 'help';

  const url = parseUrl(String(values['url']));
  return {
    url,
    requests: wholeNumber('--requests', values['requests'], LIMITS.requests),
    seconds: wholeNumber('--seconds', values['seconds'], LIMITS.seconds),
    concurrency: wholeNumber('--concurrency', values['concurrency'], LIMITS.concurrency),
    settleSeconds: wholeNumber('--settle-seconds', values['settle-seconds'], LIMITS.settleSeconds),
  };
}

function wholeNumber(name: string, value: string | boolean | undefined, limits: { min: number; max: number; default: number }): number {
  if (value === undefined) return limits.default;
  if (typeof value !== 'string' || !/^\d{1,9}$/.test(value)) throw new UsageError(`${name} must be a whole number, not ${JSON.stringify(value)}`);
  const number = Number(value);
  if (number < limits.min || number > limits.max) throw new UsageError(`${name} must be from ${limits.min} to ${limits.max}, not ${number}`);
  return number;
}

function parseUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--url must be a URL, not ${JSON.stringify(value)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--url must be http or https, not ${url.protocol}`);
  if (url.username || url.password) throw new UsageError('--url must not carry credentials');
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) throw new UsageError('--url must be the stack\'s origin, without a path or query');
  return new URL(url.origin);
}
