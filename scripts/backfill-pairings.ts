import { parseArgs } from 'node:util';
import { backfillNumberPairings } from '../shared/adapters/personal-data/pairing-backfill.js';

/**
 * `npm run backfill-pairings -- --table <ConsentTableName>`
 *
 * Once, after deploying the version whose processor writes each user id pairing's reverse on the
 * number's partition: writes the reverse of every pairing remembered before, so that the export and the
 * erasure of a number's personal data find all its user ids (README, "A person's data"). It scans the
 * whole consent table; running it again writes nothing twice. Credentials and region come from the usual
 * AWS settings (`AWS_PROFILE`, `AWS_REGION`, or `AWS_ENDPOINT_URL` for LocalStack).
 */
const USAGE = 'Usage: npm run backfill-pairings -- --table <ConsentTableName>';
const { values } = parseArgs({ options: { table: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } } });
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
if (!values.table) {
  console.error(USAGE);
  process.exit(2);
}

const done = await backfillNumberPairings(values.table, ({ pairings, written }) => process.stderr.write(`\r${pairings} pairings read, ${written} reverse items written`));
process.stderr.write('\n');
console.log(`${done.pairings} pairings read; ${done.written} reverse items written, ${done.pairings - done.written} existed already.`);
