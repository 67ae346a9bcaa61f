import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const OBSERVABILITY = pathToFileURL(join(PROJECT_ROOT, 'shared', 'observability.ts')).href;

/**
 * Imports the functions' observability module in a process that looks like Lambda to Powertools, where
 * the tracer turns itself on, and reports what that did to the process's own HTTP clients. A process of
 * its own: the X-Ray SDK changes process-wide state when it loads.
 */
function inLambda(): { tracing: boolean; httpPatched: boolean; fetchInstrumented: boolean } {
  const script = [
    "import http from 'node:http';",
    "import https from 'node:https';",
    "import diagnostics from 'node:diagnostics_channel';",
    'const before = [http.request, http.get, https.request, https.get];',
    `const { tracer } = await import(${JSON.stringify(OBSERVABILITY)});`,
    'const after = [http.request, http.get, https.request, https.get];',
    'console.log(JSON.stringify({',
    '  tracing: tracer.isTracingEnabled(),',
    '  httpPatched: after.some((fn, i) => fn !== before[i]),',
    "  fetchInstrumented: diagnostics.hasSubscribers('undici:request:create'),",
    '}));',
  ].join('\n');
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x', AWS_REGION: 'us-east-1', POWERTOOLS_TRACE_ENABLED: 'true', POWERTOOLS_DEV: '' },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`the probe failed: ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '') as ReturnType<typeof inLambda>;
}

describe('the tracer', () => {
  it('traces in Lambda without patching http, https or fetch: every outbound call is a captured AWS client', () => {
    expect(inLambda()).toEqual({ tracing: true, httpPatched: false, fetchInstrumented: false });
  });
});
