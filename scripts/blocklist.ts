import { parseArgs } from 'node:util';
import { apiClient, ApiError } from './blocklist/api-client.js';
import { exportBlocklist } from './blocklist/export.js';
import { importFile } from './blocklist/import.js';
import { ImportFileError } from './blocklist/split.js';
import { serviceToken, serviceUrl } from './service-options.js';

/**
 * `npm run blocklist -- import FILE.csv [--api URL] [--token T]`
 * `npm run blocklist -- export --out FILE.csv [--source manual|automatic|recipient] [--reason-code C] [--changed-after ISO] [--api URL] [--token T]`
 *
 * Imports a CSV file of blocks and unblocks (`phone,action,reason`, any size: it is sent in uploads of at
 * most 10,000 rows and 1 MiB), or exports the blocklist to a CSV file that imports again. The token is an
 * access token of the service (`--token`, or `API_TOKEN`; `BLOCKLIST_TOKEN` is its older name), the service's
 * URL `--api` (or `API_URL`; the local stack by default); importing needs the permission "Edit
 * WhatsApp blocklist". Exit codes: 0 done, 1 done but some rows were invalid or failed, 2 wrong usage,
 * 3 the file or the service refused.
 */
const USAGE = [
  'Usage:',
  '  blocklist import FILE.csv [--api URL] [--token TOKEN]',
  '  blocklist export --out FILE.csv [--source manual|automatic|recipient] [--reason-code CODE] [--changed-after ISO-8601] [--api URL] [--token TOKEN]',
  'The token may be given in API_TOKEN (or BLOCKLIST_TOKEN) instead, the URL in API_URL; it defaults to the local stack, http://127.0.0.1:3000.',
].join('\n');

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    api: { type: 'string' },
    url: { type: 'string' },
    token: { type: 'string' },
    out: { type: 'string' },
    source: { type: 'string' },
    'reason-code': { type: 'string' },
    'changed-after': { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

const [command, file, ...extra] = positionals;
const token = serviceToken(values, 'BLOCKLIST_TOKEN');
const source = values.source;
const validSource = source === undefined || source === 'manual' || source === 'automatic' || source === 'recipient';
const usable =
  !values.help &&
  token &&
  extra.length === 0 &&
  ((command === 'import' && file && !values.out) || (command === 'export' && !file && values.out && validSource));
if (!usable) {
  console.error(values.help ? USAGE : `${token ? '' : 'No token: pass --token or set API_TOKEN.\n'}${USAGE}`);
  process.exit(values.help ? 0 : 2);
}

const api = apiClient({ url: serviceUrl(values), token: token! });
try {
  if (command === 'import') {
    const result = await importFile({ file: file!, api });
    for (const { line, message } of result.invalid) console.log(`line ${line}: ${message}`);
    const { counts } = result;
    console.log(
      `${result.rows} rows: ${result.accepted} accepted, ${result.invalid.length} invalid; ` +
        `${counts.applied} applied, ${counts.unchanged} unchanged, ${counts.superseded} superseded, ${counts.failed} failed ` +
        `(imports ${result.importIds.join(', ')})`,
    );
    process.exitCode = result.invalid.length > 0 || counts.failed > 0 ? 1 : 0;
  } else {
    const { numbers } = await exportBlocklist({
      out: values.out!,
      api,
      source: source as 'manual' | 'automatic' | 'recipient' | undefined,
      reasonCode: values['reason-code'],
      changedAfter: values['changed-after'],
    });
    console.log(`${numbers} blocked numbers written to ${values.out}`);
  }
} catch (error) {
  if (!(error instanceof ApiError || error instanceof ImportFileError)) throw error;
  console.error(error.message);
  process.exitCode = 3;
}
