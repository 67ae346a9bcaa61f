import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../infra/local/stack.js';
import { stack } from '../support/http-client.js';

/**
 * The local stack runs the functions on the Node.js major Lambda runs them on (named in `.nvmrc`, which
 * the infra tests hold to the deployed runtime), whatever Node.js the machine has: `npm ci` installs it.
 */
describe('the local stack', () => {
  it('runs on the Node.js major that .nvmrc names', () => {
    const major = readFileSync(join(PROJECT_ROOT, '.nvmrc'), 'utf8').trim();

    expect(stack.nodeVersion).toMatch(new RegExp(`^v${major}\\.\\d+\\.\\d+$`));
  });
});
