import { writeFile } from 'node:fs/promises';
import * as z from 'zod';
import { SWEEP_INTERVAL_SECONDS } from '../resources.js';
import { buildConsole } from './local-site.js';
import { defaultLocalStackOptions, LOCAL_ERASURE_LOG_KEY, LOCAL_WHATSAPP_APP_SECRET, LOCAL_WHATSAPP_VERIFY_TOKEN, PROJECT_ROOT, startLocalStack } from './stack.js';

/**
 * `npm start`: the whole service on this machine. Settings come from the environment (docs/operations.md,
 * "Configuration"); Ctrl-C stops everything it started.
 */
const flag = z
  .enum(['true', 'false', '1', '0'])
  .optional()
  .transform((value) => value === 'true' || value === '1');
const port = z.coerce.number().int().min(0).max(65535);

const env = z
  .object({
    PORT: port.default(3000),
    DYNAMODB_PORT: port.default(0),
    SQS_PORT: port.default(0),
    AWS_ENDPOINT_URL: z.url().optional(),
    LOCAL_NAME_PREFIX: z.string().regex(/^[A-Za-z0-9_-]{0,40}$/).default('local-'),
    LOCAL_VISIBILITY_TIMEOUT_SECONDS: z.coerce.number().int().min(0).max(43_200).default(5),
    LOCAL_DUPLICATE_DELIVERY: flag,
    LOCAL_STACK_READY_FILE: z.string().optional(),
    WHATSAPP_APP_SECRET: z.string().min(1).default(LOCAL_WHATSAPP_APP_SECRET),
    WHATSAPP_VERIFY_TOKEN: z.string().min(1).default(LOCAL_WHATSAPP_VERIFY_TOKEN),
    ERASURE_LOG_KEY: z.string().min(32).default(LOCAL_ERASURE_LOG_KEY),
    AUTO_BLOCK_CODES: z.string().optional(),
    LOCAL_SWEEP_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(3600).default(SWEEP_INTERVAL_SECONDS),
    LOCAL_FAULT_RATE: z.coerce.number().min(0).max(1).default(0),
    LOCAL_CONSOLE_DIR: z.string().min(1).optional(),
  })
  .parse(process.env);

process.env['POWERTOOLS_LOG_LEVEL'] ??= 'WARN';

// A console built already (by another stack on this machine) is served as it is: building it again
// would empty the folder under that stack's browsers.
const consoleDirectory =
  env.LOCAL_CONSOLE_DIR ??
  (await buildConsole(PROJECT_ROOT).catch((error: unknown) => {
    console.error('The console could not be built:', error);
    process.exit(1);
  }));

const stack = await startLocalStack({
  ...defaultLocalStackOptions(),
  port: env.PORT,
  dynamoDbPort: env.DYNAMODB_PORT,
  sqsPort: env.SQS_PORT,
  awsEndpointUrl: env.AWS_ENDPOINT_URL,
  namePrefix: env.LOCAL_NAME_PREFIX,
  visibilityTimeoutSeconds: env.LOCAL_VISIBILITY_TIMEOUT_SECONDS,
  duplicateDelivery: env.LOCAL_DUPLICATE_DELIVERY,
  whatsappAppSecret: env.WHATSAPP_APP_SECRET,
  whatsappVerifyToken: env.WHATSAPP_VERIFY_TOKEN,
  erasureLogKey: env.ERASURE_LOG_KEY,
  autoBlockCodes: env.AUTO_BLOCK_CODES,
  consoleDirectory,
  sweepIntervalSeconds: env.LOCAL_SWEEP_INTERVAL_SECONDS,
  faultRate: env.LOCAL_FAULT_RATE,
}).catch((error: unknown) => {
  console.error('The local stack could not start:', error);
  process.exit(1);
});

console.log(`WhatsApp consent service listening on ${stack.url} (Node.js ${process.version})`);
console.log(`  Console ${stack.url}/console/ (local sign-in: any user name, tick the groups you need)`);
console.log(`  DynamoDB ${stack.dynamoDbEndpoint}, SQS ${stack.sqsEndpoint}`);
console.log(`  queue ${stack.resources.consentQueueUrl}, dead letters ${stack.resources.deadLetterQueueUrl}`);
console.log('  Make a token: npm run --silent token -- --user alice --group whatsapp-blocklist-editors');
if (env.LOCAL_FAULT_RATE > 0) console.log(`  Faults: ${env.LOCAL_FAULT_RATE * 100}% of the functions' AWS calls fail (counts at ${stack.url}/local/faults)`);
if (env.LOCAL_STACK_READY_FILE) {
  await writeFile(
    env.LOCAL_STACK_READY_FILE,
    JSON.stringify({ url: stack.url, dynamoDbEndpoint: stack.dynamoDbEndpoint, sqsEndpoint: stack.sqsEndpoint, nodeVersion: process.version, ...stack.resources }),
  );
}

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.log('Stopping…');
    stack.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  });
}
