import { parseArgs } from 'node:util';
import { defaultKeyFile, issueToken } from './jwt-issuer.js';
import { PROJECT_ROOT } from './stack.js';

const USAGE = `usage: npm run --silent token -- --user NAME [--group GROUP]… [--scope SCOPE]… [--expires-in SECONDS]

Prints an access token that the local stack accepts.

  --user NAME           the user name (required); the token's sub is stable per name
  --group GROUP         a Cognito group (repeatable): whatsapp-blocklist-editors, profile-admins
                        or privacy-officers
  --scope SCOPE         a scope (repeatable): whatsapp-blocklist/edit, whatsapp-blocklist/check,
                        profiles/write or privacy/manage
  --expires-in SECONDS  lifetime in whole seconds (default 3600; negative makes an expired token)
  --help                print this and exit
`;

/** Prints why the arguments are wrong and the usage, and exits with 2, as command-line tools do. */
function refuse(reason: string): never {
  process.stderr.write(`token: ${reason}\n\n${USAGE}`);
  process.exit(2);
}

function parse() {
  try {
    return parseArgs({
      options: {
        user: { type: 'string' },
        group: { type: 'string', multiple: true, default: [] },
        scope: { type: 'string', multiple: true, default: [] },
        'expires-in': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    // parseArgs explains an unknown option, a missing value or a stray argument in its message.
    return refuse((error as Error).message);
  }
}

const values = parse();
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
if (!values.user) refuse('--user is required');
const expiresIn = values['expires-in'];
if (expiresIn !== undefined && !/^-?\d{1,9}$/.test(expiresIn)) refuse(`--expires-in must be a whole number of seconds, not ${JSON.stringify(expiresIn)}`);

const token = await issueToken(defaultKeyFile(PROJECT_ROOT), {
  user: values.user,
  groups: values.group,
  scopes: values.scope,
  ...(expiresIn === undefined ? {} : { expiresIn: Number(expiresIn) }),
});
process.stdout.write(`${token}\n`);
