import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const OBSERVABILITY = pathToFileURL(join(PROJECT_ROOT, 'shared', 'observability.ts')).href;
const ADAPTERS = ['dynamodb-client', 'sqs-client'].map((name) => pathToFileURL(join(PROJECT_ROOT, 'shared', 'adapters', `${name}.ts`)).href);

/**
 * Imports the functions' observability module and the adapters' clients in a process that looks like
 * Lambda with active tracing (as Powertools and the X-Ray SDK recognise it), and reports what that did
 * to the process: its HTTP clients, and the async hooks created, which a tracing SDK uses to follow a
 * request through every later promise. A process of its own, as such an SDK changes process-wide state.
 */
function inLambda(): { httpPatched: boolean; fetchInstrumented: boolean; asyncHooks: number } {
  const script = [
    "import http from 'node:http';",
    "import https from 'node:https';",
    "import diagnostics from 'node:diagnostics_channel';",
    "import asyncHooks from 'node:async_hooks';",
    'let hooks = 0;',
    'const createHook = asyncHooks.createHook;',
    'asyncHooks.createHook = (...args) => { hooks++; return createHook(...args); };',
    'const before = [http.request, http.get, https.request, https.get];',
    `const { observed } = await import(${JSON.stringify(OBSERVABILITY)});`,
    ...ADAPTERS.map((adapter) => `await import(${JSON.stringify(adapter)});`),
    'observed();',
    'const after = [http.request, http.get, https.request, https.get];',
    'console.log(JSON.stringify({',
    '  httpPatched: after.some((fn, i) => fn !== before[i]),',
    "  fetchInstrumented: diagnostics.hasSubscribers('undici:request:create'),",
    '  asyncHooks: hooks,',
    '}));',
  ].join('\n');
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: PROJECT_ROOT,
    env: {
      ...process.env,
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
      AWS_LAMBDA_FUNCTION_NAME: 'probe',
      AWS_REGION: 'us-east-1',
      _X_AMZN_TRACE_ID: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
      POWERTOOLS_TRACE_ENABLED: 'true',
      POWERTOOLS_DEV: '',
    },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`the probe failed: ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '') as ReturnType<typeof inLambda>;
}

describe('observability in Lambda', () => {
  it('patches no HTTP client and hooks no promise: Lambda itself records the invocation in X-Ray', () => {
    expect(inLambda()).toEqual({ httpPatched: false, fetchInstrumented: false, asyncHooks: 0 });
  });
});
