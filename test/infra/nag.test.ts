import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { applyAwsSolutionsChecks } from '../../infra/checks.js';
import { WhatsAppConsentStack } from '../../infra/stack.js';
import { consoleBuild } from './console-build.js';

/*
 * cdk-nag's AWS Solutions rules, as `cdk synth` applies them (`infra/bin/app.ts`). Bundling is skipped:
 * the rules read the template, not the code.
 */

const outdirs: string[] = [];
const build = consoleBuild();

function appWithChecks(): App {
  const outdir = mkdtempSync(join(tmpdir(), 'nag-'));
  outdirs.push(outdir);
  const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
  applyAwsSolutionsChecks(app);
  return app;
}

afterAll(() => {
  for (const outdir of outdirs) rmSync(outdir, { recursive: true, force: true });
  build.remove();
});

describe('cdk-nag', () => {
  it('finds nothing unacknowledged in the stack: synthesis succeeds with the AWS Solutions rules applied', () => {
    const app = appWithChecks();
    new WhatsAppConsentStack(app, 'NagStack', { consoleAssetsPath: build.path });

    expect(() => app.synth()).not.toThrow();
  });

  it('finds nothing unacknowledged either when the stack is pinned to an account and region, as with credentials', () => {
    // The CDK asset bucket's name, which one acknowledgement names, then holds the account and region.
    const app = appWithChecks();
    new WhatsAppConsentStack(app, 'NagStack', {
      consoleAssetsPath: build.path,
      env: { account: '123456789012', region: 'eu-west-1' },
    });

    expect(() => app.synth()).not.toThrow();
  });

  it('fails synthesis on a finding, so the rules are really applied', () => {
    // prepare: the same stack with one queue that breaks the rules (no dead-letter queue, no TLS-only policy)
    const app = appWithChecks();
    const stack = new WhatsAppConsentStack(app, 'NagStack', { consoleAssetsPath: build.path });
    new Queue(stack, 'CarelessQueue');

    // act, assess
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS3[\s\S]*AwsSolutions-SQS4/);
  });
});
