import { App } from 'aws-cdk-lib';
import { applyAwsSolutionsChecks } from '../checks.js';
import { WhatsAppConsentStack } from '../stack.js';

const app = new App();
applyAwsSolutionsChecks(app);

// Pinned to the CLI's account and region when it knows them; environment-agnostic otherwise, so that
// `cdk synth` works offline and without credentials.
const account = process.env['CDK_DEFAULT_ACCOUNT'];
const region = process.env['CDK_DEFAULT_REGION'];

new WhatsAppConsentStack(app, 'WhatsAppConsentStack', {
  description: 'WhatsApp consent (blocklist) service: HTTP API, SQS FIFO, processor, DynamoDB audit',
  env: account && region ? { account, region } : undefined,
});
