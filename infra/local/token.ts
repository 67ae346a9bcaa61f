import { parseArgs } from 'node:util';
import { defaultKeyFile, issueToken } from './jwt-issuer.js';
import { PROJECT_ROOT } from './stack.js';

/**
 * `npm run --silent token -- --user alice [--group G]… [--scope S]… [--expires-in SECONDS]`
 * prints an access token that the local stack accepts.
 */
const { values } = parseArgs({
  options: {
    user: { type: 'string' },
    group: { type: 'string', multiple: true, default: [] },
    scope: { type: 'string', multiple: true, default: [] },
    'expires-in': { type: 'string' },
  },
  strict: true,
});

if (!values.user) {
  console.error('usage: npm run --silent token -- --user NAME [--group GROUP]… [--scope SCOPE]… [--expires-in SECONDS]');
  process.exit(2);
}

const token = await issueToken(defaultKeyFile(PROJECT_ROOT), {
  user: values.user,
  groups: values.group,
  scopes: values.scope,
  ...(values['expires-in'] ? { expiresIn: Number(values['expires-in']) } : {}),
});
process.stdout.write(`${token}\n`);
