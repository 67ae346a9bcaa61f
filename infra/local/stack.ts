import type { Server } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { ENV } from '../../shared/config.js';
import { functions, PROCESSOR_MAX_CONCURRENCY, routes, SWEEP_INTERVAL_SECONDS, type ApiFunctionName } from '../resources.js';
import { startLocalApi, type HttpHandler } from './api-gateway.js';
import { localSite } from './local-site.js';
import { injectFaults, type FaultInjector } from './fault-injection.js';
import { startDynamoDbLocal } from './dynamodb-local.js';
import { freePort } from './free-port.js';
import { createTokenVerifier, defaultKeyFile } from './jwt-issuer.js';
import { provisionResources, type ProvisionedResources } from './provision.js';
import { startQueuePoller, type SqsHandler } from './queue-poller.js';
import { startSchedule, type ScheduledHandler } from './schedule.js';
import { startStreamPoller, type StreamHandler } from './stream-poller.js';
import { startSqsEmulator } from './sqs-emulator.js';

export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface LocalStackOptions {
  /** HTTP port of the API; 0 picks a free one. */
  port: number;
  /** Ports of the emulators; 0 picks free ones, so that two stacks can run side by side. */
  dynamoDbPort: number;
  sqsPort: number;
  /** When set (LocalStack), no emulator is started and the resources are created there. */
  awsEndpointUrl: string | undefined;
  namePrefix: string;
  visibilityTimeoutSeconds: number;
  duplicateDelivery: boolean;
  keyFile: string;
  /** The webhook's Meta app secret and verify token; local stand-ins for the deployed secret. */
  whatsappAppSecret: string;
  whatsappVerifyToken: string;
  /** The key of the erasure log's hashes of numbers; a local stand-in for the deployed secret. */
  erasureLogKey: string;
  /** `AUTO_BLOCK_CODES`; undefined keeps the default code table. */
  autoBlockCodes: string | undefined;
  /** The built console (`buildConsole`), served at `/console/`; undefined serves none. */
  consoleDirectory: string | undefined;
  /** How often the request sweeper runs (AWS: every minute). */
  sweepIntervalSeconds: number;
  /** `LOCAL_FAULT_RATE`: the share of the functions' AWS SDK calls that fail (`fault-injection.ts`). */
  faultRate: number;
  log: (line: string) => void;
}

export interface LocalStack {
  url: string;
  dynamoDbEndpoint: string;
  sqsEndpoint: string;
  resources: ProvisionedResources;
  stop(): Promise<void>;
}

/** The local defaults docs/operations.md names; never used outside the local stack. */
export const LOCAL_WHATSAPP_APP_SECRET = 'local-app-secret';
export const LOCAL_WHATSAPP_VERIFY_TOKEN = 'local-verify-token';
export const LOCAL_ERASURE_LOG_KEY = 'local-erasure-log-key-not-for-real-data';

export const defaultLocalStackOptions = (): LocalStackOptions => ({
  port: 3000,
  dynamoDbPort: 0,
  sqsPort: 0,
  awsEndpointUrl: undefined,
  namePrefix: 'local-',
  visibilityTimeoutSeconds: 5,
  duplicateDelivery: false,
  keyFile: defaultKeyFile(PROJECT_ROOT),
  whatsappAppSecret: LOCAL_WHATSAPP_APP_SECRET,
  whatsappVerifyToken: LOCAL_WHATSAPP_VERIFY_TOKEN,
  erasureLogKey: LOCAL_ERASURE_LOG_KEY,
  autoBlockCodes: undefined,
  consoleDirectory: undefined,
  sweepIntervalSeconds: SWEEP_INTERVAL_SECONDS,
  faultRate: 0,
  log: (line) => console.log(line),
});

/**
 * Runs the whole service on this machine: DynamoDB Local and fauxqs (or LocalStack), the tables and
 * queues of `infra/resources.ts`, the HTTP API with local JWTs, and the processor fed by a queue poller.
 * The functions are the deployed handlers, unchanged; they find the emulators through the SDK's
 * standard endpoint variables.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const started: { stop(): Promise<void> }[] = [];
  const stopAll = async () => {
    for (const part of started.reverse()) await part.stop().catch(() => undefined);
  };
  try {
    const endpoints = await startEmulators(options, started);
    setSdkEnvironment(endpoints);
    const dynamoDb = new DynamoDBClient({});
    const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
    started.push({ stop: async () => (dynamoDb.destroy(), sqs.destroy()) });

    const resources = await provisionResources({
      dynamoDb,
      sqs,
      namePrefix: options.namePrefix,
      visibilityTimeoutSeconds: options.visibilityTimeoutSeconds,
    });
    process.env[ENV.consentTableName] = resources.consentTableName;
    process.env[ENV.auditTableName] = resources.auditTableName;
    process.env[ENV.consentQueueUrl] = resources.consentQueueUrl;
    process.env[ENV.deadLetterQueueUrl] = resources.deadLetterQueueUrl;
    process.env[ENV.maxReceiveCount] = String(resources.maxReceiveCount);
    process.env[ENV.changeEventsQueueUrl] = resources.changeEventsQueueUrl;
    process.env[ENV.whatsappAppSecret] = options.whatsappAppSecret;
    process.env[ENV.whatsappVerifyToken] = options.whatsappVerifyToken;
    process.env[ENV.erasureLogKey] = options.erasureLogKey;
    if (options.autoBlockCodes === undefined) delete process.env[ENV.autoBlockCodes];
    else process.env[ENV.autoBlockCodes] = options.autoBlockCodes;

    const httpHandlers = await loadHttpHandlers();
    const faults = options.faultRate > 0 ? await injectFaultsIntoFunctions(options.faultRate) : undefined;
    const processor = await loadHandler<SqsHandler>(functions.processor.entry);
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: resources.consentQueueUrl, AttributeNames: ['QueueArn'] }),
    );
    const poller = startQueuePoller({
      sqs,
      queueUrl: resources.consentQueueUrl,
      queueArn: Attributes?.['QueueArn'] ?? '',
      handler: processor,
      functionName: 'processor',
      concurrency: PROCESSOR_MAX_CONCURRENCY,
      duplicateDelivery: options.duplicateDelivery,
      log: options.log,
    });
    started.push(poller);
    started.push(
      await startStreamPoller({
        dynamoDb,
        endpoint: endpoints.dynamoDbEndpoint,
        tableName: resources.auditTableName,
        handler: await loadHandler<StreamHandler>(functions.changePublisher.entry),
        functionName: 'changePublisher',
        log: options.log,
      }),
    );
    started.push(
      startSchedule({
        name: 'requestSweeper',
        intervalMs: options.sweepIntervalSeconds * 1000,
        handler: await loadHandler<ScheduledHandler>(functions.requestSweeper.entry),
        log: options.log,
      }),
    );

    const server = await startLocalApi({
      port: options.port,
      routes,
      handlers: httpHandlers,
      verifyToken: await createTokenVerifier(options.keyFile),
      site: localSite({
        consoleDirectory: options.consoleDirectory,
        keyFile: options.keyFile,
        faults: () => faults?.counts(),
        resources: { sqsEndpoint: endpoints.sqsEndpoint, changeEventsQueueUrl: resources.changeEventsQueueUrl },
      }),
      log: options.log,
    });
    started.push({ stop: () => closeServer(server) });
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : options.port;

    return { url: `http://127.0.0.1:${port}`, ...endpoints, resources, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

async function startEmulators(options: LocalStackOptions, started: { stop(): Promise<void> }[]) {
  if (options.awsEndpointUrl) {
    return { dynamoDbEndpoint: options.awsEndpointUrl, sqsEndpoint: options.awsEndpointUrl };
  }
  const [dynamoDbPort, sqsPort] = await Promise.all([
    options.dynamoDbPort || freePort(),
    options.sqsPort || freePort(),
  ]);
  const [dynamoDb, sqs] = await Promise.all([startDynamoDbLocal({ port: dynamoDbPort }), startSqsEmulator({ port: sqsPort })]);
  started.push(dynamoDb, sqs);
  return { dynamoDbEndpoint: dynamoDb.endpoint, sqsEndpoint: sqs.endpoint };
}

/** The functions read these through the SDK's own configuration, exactly as they would in AWS. */
function setSdkEnvironment({ dynamoDbEndpoint, sqsEndpoint }: { dynamoDbEndpoint: string; sqsEndpoint: string }): void {
  process.env['AWS_REGION'] ??= 'us-east-1';
  process.env['AWS_ACCESS_KEY_ID'] ??= 'local';
  process.env['AWS_SECRET_ACCESS_KEY'] ??= 'local';
  process.env['AWS_ENDPOINT_URL_DYNAMODB'] = dynamoDbEndpoint;
  process.env['AWS_ENDPOINT_URL_SQS'] = sqsEndpoint;
}

async function loadHandler<T>(entry: string): Promise<T> {
  const module = (await import(pathToFileURL(join(PROJECT_ROOT, entry)).href)) as { handler: T };
  return module.handler;
}

async function loadHttpHandlers(): Promise<Record<ApiFunctionName, HttpHandler>> {
  const names = [...new Set(routes.map((route) => route.function))];
  const loaded = await Promise.all(names.map(async (name) => [name, await loadHandler<HttpHandler>(functions[name].entry)] as const));
  return Object.fromEntries(loaded) as Record<ApiFunctionName, HttpHandler>;
}

/**
 * The functions' own SDK clients (module-level, shared by every handler in this process) start failing
 * at the given rate; the local stack's own clients (provisioning, the queue poller) do not.
 */
async function injectFaultsIntoFunctions(rate: number): Promise<FaultInjector> {
  const { dynamoDbClient } = await import('../../shared/adapters/dynamodb-client.js');
  const { sqs } = await import('../../shared/adapters/sqs-client.js');
  return injectFaults([dynamoDbClient, sqs], rate);
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
