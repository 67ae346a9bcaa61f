import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV, type SettingName } from '../../shared/config.js';
import { functions, PROCESSOR_TIMEOUT_SECONDS, type ApiFunctionName } from '../resources.js';
import { ConsentFunction, type LogLevel } from './consent-function.js';

type FunctionName = keyof typeof functions;

/**
 * The settings each handler reads with `readConfig`, and nothing more: a function cannot learn the name
 * of a resource it has no business with.
 */
const settingsOf: Record<FunctionName, readonly SettingName[]> = {
  profiles: ['consentTableName'],
  consentRequests: ['consentTableName', 'consentQueueUrl'],
  history: ['consentTableName', 'auditTableName'],
  health: [],
  whatsappWebhook: ['consentQueueUrl', 'whatsappSecretId', 'autoBlockCodes'],
  blocklistCheck: ['consentTableName'],
  blocklistCheckInvoke: ['consentTableName'],
  processor: ['consentTableName', 'auditTableName', 'maxReceiveCount'],
};

/**
 * Lambda's CPU grows with memory; a check of 10,000 numbers normalises them all and parses a hundred
 * responses, so the check functions get a full vCPU's worth.
 */
const CHECK_MEMORY_MB = 1769;

/** The stateful resources the functions use (see `ConsentData`). */
export interface ConsentFunctionsProps {
  readonly consentTable: ITable;
  /** Append-only: only the processor writes it, and only with `PutItem`. */
  readonly auditTable: ITable;
  /** The audit table's indexes that the history reads (`byProfile`). */
  readonly auditIndexNames: readonly string[];
  /** The FIFO queue of consent events, which the processor consumes. */
  readonly queue: IQueue;
  /** The queue's `maxReceiveCount`: on that delivery, the processor marks a failing event's request `failed`. */
  readonly maxReceiveCount: number;
  /** Holds the webhook's `appSecret` and `verifyToken` as JSON; only the webhook function may read it. */
  readonly webhookSecret: ISecret;
  /**
   * Error codes that block a number automatically (`AUTO_BLOCK_CODES`).
   * @default the code table of `shared/domain/provider-errors.ts`
   */
  readonly autoBlockCodes?: string;
  /**
   * Powertools log level of every function.
   * @default 'INFO'
   */
  readonly logLevel?: LogLevel;
}

/**
 * One Lambda function per entry of `functions` in `infra/resources.ts`, each with the environment and
 * the permissions of its use cases only, and the processor fed by the queue.
 */
export class ConsentFunctions extends Construct {
  /** The functions behind the HTTP API, by the names that `routes` uses. */
  public readonly api: Readonly<Record<ApiFunctionName, ConsentFunction>>;
  public readonly processor: ConsentFunction;
  /** The blocklist check for campaign Lambdas to invoke directly; grant them `lambda:InvokeFunction` on it. */
  public readonly blocklistCheckInvoke: ConsentFunction;

  constructor(scope: Construct, id: string, props: ConsentFunctionsProps) {
    super(scope, id);

    // The webhook's secrets themselves are never in the template: the function reads them at run time.
    const settings: Partial<Record<SettingName, string>> = {
      consentTableName: props.consentTable.tableName,
      auditTableName: props.auditTable.tableName,
      consentQueueUrl: props.queue.queueUrl,
      maxReceiveCount: String(props.maxReceiveCount),
      whatsappSecretId: props.webhookSecret.secretArn,
      autoBlockCodes: props.autoBlockCodes,
    };
    const environmentOf = (name: FunctionName) =>
      Object.fromEntries(
        settingsOf[name].flatMap((setting) => {
          const value = settings[setting];
          return value === undefined ? [] : [[ENV[setting], value]];
        }),
      );
    const create = (name: FunctionName, options: { timeout?: Duration; memorySize?: number } = {}) =>
      new ConsentFunction(this, constructId(name), {
        entry: functions[name].entry,
        environment: environmentOf(name),
        logLevel: props.logLevel,
        ...options,
      });

    this.api = {
      profiles: create('profiles'),
      consentRequests: create('consentRequests'),
      history: create('history'),
      health: create('health'),
      whatsappWebhook: create('whatsappWebhook'),
      blocklistCheck: create('blocklistCheck', { memorySize: CHECK_MEMORY_MB }),
    };
    this.blocklistCheckInvoke = create('blocklistCheckInvoke', { memorySize: CHECK_MEMORY_MB });
    this.processor = create('processor', { timeout: Duration.seconds(PROCESSOR_TIMEOUT_SECONDS) });

    // Each function gets the DynamoDB actions its adapters call, on the tables they call them on, and no
    // more. A transaction needs the action of each of its items (PutItem, UpdateItem, DeleteItem).
    const consent = props.consentTable;
    // Profiles: read a profile with the states and pending requests of its numbers; replace it with its
    // holder index items (put and delete).
    allow(this.api.profiles, consent, ['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'DeleteItem']);
    // Consent requests: take a sequence, record the request and idempotency key, read them back, and mark
    // a request failed (freeing its key) when its event could not be queued.
    allow(this.api.consentRequests, consent, ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem']);
    props.queue.grantSendMessages(this.api.consentRequests);
    // Blocklist check: BatchGetItem on consent states, and nothing else.
    allow(this.api.blocklistCheck, consent, ['BatchGetItem']);
    allow(this.blocklistCheckInvoke, consent, ['BatchGetItem']);
    // Webhook: read its secrets, and enqueue automatic events; it never touches the tables.
    props.webhookSecret.grantRead(this.api.whatsappWebhook);
    props.queue.grantSendMessages(this.api.whatsappWebhook);
    // History: query the audit and its by-profile index; look the profile up in the consent table.
    allow(this.api.history, props.auditTable, ['Query'], props.auditIndexNames);
    allow(this.api.history, consent, ['GetItem']);

    // The processor is the only writer of consent state and of the audit: it reads a state and whether
    // a profile holds a number, writes the state and the request's status, and puts audit entries, and
    // nothing else on the audit: no role can update or delete an entry.
    allow(this.processor, consent, ['GetItem', 'Query', 'PutItem', 'UpdateItem']);
    allow(this.processor, props.auditTable, ['PutItem']);
    this.processor.addEventSource(
      new SqsEventSource(props.queue, {
        batchSize: 10,
        // Only the failed records (and, on FIFO, the rest of their number's group) come back.
        reportBatchItemFailures: true,
        // Bounds the concurrent writers on the tables; FIFO ordering per number holds at any concurrency.
        maxConcurrency: 5,
      }),
    );
  }
}

/** Allows DynamoDB actions on a table and, when named, on some of its indexes. */
function allow(fn: ConsentFunction, table: ITable, actions: readonly string[], indexNames: readonly string[] = []): void {
  fn.addToRolePolicy(
    new PolicyStatement({
      actions: actions.map((action) => `dynamodb:${action}`),
      resources: [table.tableArn, ...indexNames.map((index) => `${table.tableArn}/index/${index}`)],
    }),
  );
}

/** `consentRequests` → `ConsentRequestsFunction`. */
function constructId(name: FunctionName): string {
  return `${name.charAt(0).toUpperCase()}${name.slice(1)}Function`;
}
