import { Duration, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ENV, type SettingName } from '../../shared/config.js';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { functions, PROCESSOR_MAX_CONCURRENCY, PROCESSOR_TIMEOUT_SECONDS, SWEEP_INTERVAL_SECONDS, type ApiFunctionName } from '../resources.js';
import { ConsentFunction, type LogLevel, type TracingMode } from './consent-function.js';
import { keys } from '../../shared/adapters/keys.js';
import { servedDocument } from '../../shared/http/contract/served-document.js';
import openApiDocument from '../../openapi.json' with { type: 'json' };

export type FunctionName = keyof typeof functions;

/**
 * The settings each handler reads with `readConfig`, and nothing more: a function cannot learn the name
 * of a resource it has no business with.
 */
const settingsOf: Record<FunctionName, readonly SettingName[]> = {
  profiles: ['consentTableName', 'auditTableName'],
  consentRequests: ['consentTableName', 'consentQueueUrl'],
  history: ['consentTableName', 'auditTableName'],
  health: [],
  openapi: [],
  whatsappWebhook: ['consentTableName', 'consentQueueUrl', 'whatsappSecretId', 'autoBlockCodes', 'optOutKeywords', 'optInKeywords'],
  blocklistCheck: ['consentTableName'],
  blocklistCheckInvoke: ['consentTableName'],
  blocklist: ['consentTableName'],
  blocklistImports: ['consentTableName', 'consentQueueUrl'],
  blocklistReview: ['consentTableName', 'auditTableName', 'consentQueueUrl'],
  processor: ['consentTableName', 'auditTableName', 'consentQueueUrl', 'maxReceiveCount', 'autoBlockGuardLimit', 'autoBlockGuardWindowSeconds'],
  requestSweeper: ['consentTableName', 'consentQueueUrl', 'deadLetterQueueUrl'],
  changePublisher: ['changeEventsBusName'],
  personalData: ['consentTableName', 'auditTableName'],
  personalDataEraser: ['consentTableName', 'auditTableName', 'erasureLogSecretId'],
};

/**
 * What esbuild writes into a function's bundle besides `BUNDLING.define` (`npm run size` builds it so
 * too): `/openapi.json`'s ETag, so that its cold start hashes nothing (`functions/openapi/handler.ts`).
 */
export function bundleDefinesOf(name: FunctionName): Record<string, string> | undefined {
  if (name !== 'openapi') return undefined;
  return { BUNDLED_OPENAPI_ETAG: JSON.stringify(servedDocument(openApiDocument).etag) };
}

/**
 * Lambda's CPU grows with memory; a check of 10,000 numbers normalises them all and parses a hundred
 * responses, so the check functions get a full vCPU's worth.
 */
const CHECK_MEMORY_MB = 1769;

/**
 * The partitions of the consent table (docs/design.md, "Data"), as `dynamodb:LeadingKeys` patterns. A number's
 * partition holds its consent state, its holders, its sequence counter and its requests alike, and IAM
 * sees only the partition key: it cannot keep a role that writes requests or holders away from the
 * state item beside them. The attribute lists below keep such a role from writing a state's own
 * attributes, but a PutItem replaces a whole item, so the role could still replace a number's state
 * with an item of its own attributes (one without `blocked`, which reads as unblocked), and the
 * profiles role, which deletes holder items, could delete it. Only the code keeps them off `STATE`.
 */
export const CONSENT_PARTITIONS = {
  phone: 'PHONE#*',
  profile: 'PROFILE#*',
  requestPointer: 'REQUEST#*',
  idempotency: 'IDEMPOTENCY#*',
  /** A business-scoped user id's pairing with a number, and the signals waiting for it. */
  user: 'BSUID#*',
  /** The auto-block guard's counters, per sender. */
  guard: 'GUARD#*',
  /** A blocklist import: its head and the pages of its rows. */
  blocklistImport: 'IMPORT#*',
} as const;

/** The partitions of the audit table: a number's history, and the erasure log's entries of a number's hash. */
export const AUDIT_PARTITIONS = { phone: 'PHONE#*', erasure: 'ERASURE#*' } as const;


/**
 * Every attribute the profiles function's puts name: a profile (`whatsappNumbers`, `updatedAt`,
 * `updatedBy`) and its holder items (`phone`, `profileId`), with the table's keys, which
 * `dynamodb:Attributes` must always list. No attribute that only a state has (`blocked`, `source`,
 * `version`, `registers`, …): the role cannot write a block or move a number's order.
 * The infra tests check this list against every put the function's code makes.
 */
export const PROFILE_ATTRIBUTES = ['pk', 'sk', 'profileId', 'whatsappNumbers', 'updatedAt', 'updatedBy', 'phone'] as const;

/**
 * Every attribute the consent-requests function's puts and updates name: a request (with the
 * `pendingShard` that lists it in the pending index, and the `idempotencyKey` it was made with), its
 * pointer (`phone`), its idempotency key (`requestId`, `bodyHash`, `expiresAt`) and the sequence counter
 * (`value`), with the table's keys. Of a state's attributes, only those a request shares with it
 * (`phone`, `profileId`, `reason`). The infra tests check this list against every write the
 * function's code makes.
 */
export const REQUEST_ATTRIBUTES = [
  'pk',
  'sk',
  'requestId',
  'status',
  'action',
  'phone',
  'profileId',
  'reason',
  'requestedBy',
  'requestedAt',
  'appliedAt',
  'sequence',
  'pendingShard',
  'idempotencyKey',
  'bodyHash',
  'expiresAt',
  'value',
] as const;

/** The list index's partitions of the blocked numbers (`BLOCKED#0`…). */
const BLOCKED_LIST = 'BLOCKED#*';

/** The list index's partitions that the review reads: the held blocks and the unresolved signals. */
const LISTS = [keys.heldList, keys.unresolvedList];

/**
 * Every attribute the webhook's writes name: a signal kept until its user id is paired (`userId`,
 * `receivedAt`, `event`, and its place in the list index), with the table's keys. Its partition
 * (`BSUID#`) holds no consent state.
 */
export const UNRESOLVED_ATTRIBUTES = ['pk', 'sk', 'userId', 'receivedAt', 'event', 'listName', 'listedAt'] as const;

/**
 * Every attribute the imports function's writes name: the requests of its rows (those of
 * `REQUEST_ATTRIBUTES`, and the import's id), and the import itself (its head and pages of rows).
 */
export const IMPORT_ATTRIBUTES = [...REQUEST_ATTRIBUTES, 'importId', 'rows', 'entries'] as const;

/** What marking a request failed names: its status, and the index entry it leaves (`pendingShard`). */
export const SWEEP_ATTRIBUTES = ['pk', 'sk', 'status', 'pendingShard'] as const;

/** The stateful resources the functions use (see `ConsentData`). */
export interface ConsentFunctionsProps {
  readonly consentTable: ITable;
  /** Append-only: only the processor may write it, and only with `PutItem`. */
  readonly auditTable: ITable;
  /** The audit table's indexes that the history reads (`byProfile`). */
  readonly auditIndexNames: readonly string[];
  /** The FIFO queue of consent events, which the processor consumes. */
  readonly queue: Queue;
  /** The queue's FIFO dead-letter queue, which the request sweeper inspects. */
  readonly deadLetterQueue: Queue;
  /** The consent table's sparse index of pending requests, which the request sweeper reads. */
  readonly pendingIndexName: string;
  /** The consent table's sparse index of lists (blocked numbers, held blocks, unresolved signals). */
  readonly listIndexName: string;
  /** The queue's `maxReceiveCount`: on that delivery, the processor marks a failing event's request `failed`. */
  readonly maxReceiveCount: number;
  /** The bus the change publisher puts applied changes on. */
  readonly changeEventsBus: IEventBus;
  /** Holds the webhook's `appSecret` and `verifyToken` as JSON; only the webhook function may read it. */
  readonly webhookSecret: ISecret;
  /** Holds the erasure log's key (plain text); only the eraser function may read it. */
  readonly erasureLogSecret: ISecret;
  /**
   * Error codes that block a number automatically (`AUTO_BLOCK_CODES`).
   * @default the code table of `shared/domain/whatsapp/provider-errors.ts`
   */
  readonly autoBlockCodes?: string;
  /**
   * The webhook's `OPT_OUT_KEYWORDS` and `OPT_IN_KEYWORDS` (comma-separated words).
   * @default the lists of `shared/domain/whatsapp/keywords.ts`
   */
  readonly optOutKeywords?: string;
  readonly optInKeywords?: string;
  /**
   * The processor's `AUTO_BLOCK_GUARD_LIMIT` and `AUTO_BLOCK_GUARD_WINDOW_SECONDS`.
   * @default 500 automatic blocks per sender in 600 seconds
   */
  readonly autoBlockGuardLimit?: string;
  readonly autoBlockGuardWindowSeconds?: string;
  /**
   * Powertools log level of every function.
   * @default 'INFO'
   */
  readonly logLevel?: LogLevel;
  /**
   * How every function is traced.
   * @default 'xray'
   */
  readonly tracing?: TracingMode;
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
  /** Every minute: fails requests whose events are dead-lettered, and enqueues again those stuck pending. */
  public readonly requestSweeper: ConsentFunction;
  /** Publishes applied changes from the audit table's stream to the bus. */
  public readonly changePublisher: ConsentFunction;
  /** Stream batches the change publisher gave up on (their shard and sequence numbers, to replay). */
  public readonly changePublisherFailures: Queue;
  /** Every function, by its name in `functions` of `infra/resources.ts`. */
  public readonly all: Readonly<Record<FunctionName, ConsentFunction>>;

  constructor(scope: Construct, id: string, props: ConsentFunctionsProps) {
    super(scope, id);

    // The webhook's secrets themselves are never in the template: the function reads them at run time.
    const settings: Partial<Record<SettingName, string>> = {
      consentTableName: props.consentTable.tableName,
      auditTableName: props.auditTable.tableName,
      consentQueueUrl: props.queue.queueUrl,
      deadLetterQueueUrl: props.deadLetterQueue.queueUrl,
      maxReceiveCount: String(props.maxReceiveCount),
      whatsappSecretId: props.webhookSecret.secretArn,
      erasureLogSecretId: props.erasureLogSecret.secretArn,
      autoBlockCodes: props.autoBlockCodes,
      optOutKeywords: props.optOutKeywords,
      optInKeywords: props.optInKeywords,
      autoBlockGuardLimit: props.autoBlockGuardLimit,
      autoBlockGuardWindowSeconds: props.autoBlockGuardWindowSeconds,
      changeEventsBusName: props.changeEventsBus.eventBusName,
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
        define: bundleDefinesOf(name),
        logLevel: props.logLevel,
        tracing: props.tracing,
        ...options,
      });

    this.api = {
      profiles: create('profiles'),
      consentRequests: create('consentRequests'),
      history: create('history'),
      health: create('health'),
      openapi: create('openapi'),
      whatsappWebhook: create('whatsappWebhook'),
      blocklistCheck: create('blocklistCheck', { memorySize: CHECK_MEMORY_MB }),
      blocklist: create('blocklist'),
      // An import of 10,000 rows writes them in transactions and enqueues them within one call.
      blocklistImports: create('blocklistImports', { timeout: Duration.seconds(29), memorySize: CHECK_MEMORY_MB }),
      blocklistReview: create('blocklistReview'),
      personalData: create('personalData'),
      // An erasure deletes a number's items one by one; a long history takes a while.
      personalDataEraser: create('personalDataEraser', { timeout: Duration.seconds(29) }),
    };
    this.blocklistCheckInvoke = create('blocklistCheckInvoke', { memorySize: CHECK_MEMORY_MB });
    this.processor = create('processor', { timeout: Duration.seconds(PROCESSOR_TIMEOUT_SECONDS) });
    this.requestSweeper = create('requestSweeper', { timeout: Duration.seconds(SWEEP_INTERVAL_SECONDS) });
    this.changePublisher = create('changePublisher');
    this.all = {
      ...this.api,
      blocklistCheckInvoke: this.blocklistCheckInvoke,
      processor: this.processor,
      requestSweeper: this.requestSweeper,
      changePublisher: this.changePublisher,
    };

    // Each function gets the DynamoDB actions its adapters call, on the tables they call them on, and
    // only on the partitions they use (`dynamodb:LeadingKeys`; see CONSENT_PARTITIONS). A transaction
    // needs the action of each of its items (PutItem, UpdateItem, DeleteItem), under the same conditions.
    const consent = props.consentTable;
    const { phone, profile, requestPointer, idempotency, user, guard } = CONSENT_PARTITIONS;
    // Profiles: read a profile, the states and pending requests of its numbers; replace it with its
    // holder items (put and delete), writing no attribute of a consent state; delete it with them.
    allow(this.api.profiles, consent, ['GetItem'], { partitions: [profile] });
    allow(this.api.profiles, consent, ['BatchGetItem', 'Query'], { partitions: [phone] });
    allow(this.api.profiles, consent, ['PutItem'], { partitions: [profile, phone], attributes: PROFILE_ATTRIBUTES });
    allow(this.api.profiles, consent, ['DeleteItem'], { partitions: [profile, phone] });
    // A state names the provider's sender by id; the entry of its change says how the sender displays.
    allow(this.api.profiles, props.auditTable, ['Query'], { partitions: [phone] });
    // Consent requests: check the profile, take a sequence, record the request, its pointer and its
    // idempotency key, read them back, and enqueue the event, writing no attribute of a consent state.
    allow(this.api.consentRequests, consent, ['GetItem'], { partitions: [profile, phone, requestPointer, idempotency] });
    allow(this.api.consentRequests, consent, ['PutItem'], { partitions: [phone, requestPointer, idempotency], attributes: REQUEST_ATTRIBUTES });
    allow(this.api.consentRequests, consent, ['UpdateItem'], { partitions: [phone], attributes: REQUEST_ATTRIBUTES });
    props.queue.grantSendMessages(this.api.consentRequests);
    // Request sweeper: list pending requests from their index, mark dead-lettered ones failed (an update
    // of a request's status only), read the dead-letter queue without deleting, and enqueue events again.
    allow(this.requestSweeper, consent, ['Query'], { indexNames: [props.pendingIndexName] });
    allow(this.requestSweeper, consent, ['UpdateItem'], { partitions: [phone], attributes: SWEEP_ATTRIBUTES });
    props.queue.grantSendMessages(this.requestSweeper);
    // Receiving hides a message for the reader's own visibility timeout; nothing changes it afterwards.
    this.requestSweeper.addToRolePolicy(new PolicyStatement({ actions: ['sqs:ReceiveMessage'], resources: [props.deadLetterQueue.queueArn] }));
    new Rule(this, 'RequestSweepSchedule', {
      description: 'Ends every accepted request: fails dead-lettered requests, enqueues again those stuck pending',
      schedule: Schedule.rate(Duration.seconds(SWEEP_INTERVAL_SECONDS)),
      targets: [new LambdaFunction(this.requestSweeper, { retryAttempts: 0 })],
    });
    // Blocklist check: BatchGetItem on consent states, and nothing else.
    allow(this.api.blocklistCheck, consent, ['BatchGetItem'], { partitions: [phone] });
    allow(this.blocklistCheckInvoke, consent, ['BatchGetItem'], { partitions: [phone] });
    // Webhook: read its secrets, and enqueue automatic events. Of the tables, only the user ids' partitions:
    // read pairings, and keep a signal whose user id has none (on the condition that it has none).
    props.webhookSecret.grantRead(this.api.whatsappWebhook);
    props.queue.grantSendMessages(this.api.whatsappWebhook);
    allow(this.api.whatsappWebhook, consent, ['GetItem', 'BatchGetItem', 'ConditionCheckItem'], { partitions: [user] });
    allow(this.api.whatsappWebhook, consent, ['PutItem'], { partitions: [user], attributes: UNRESOLVED_ATTRIBUTES });
    // Imports: record the import (its partition with the pages of its rows, and the idempotency key),
    // take the numbers' sequences, write each row's request (and, in batches, its pointer) as the API
    // writes its requests, read them back for progress, and enqueue.
    const { blocklistImport } = CONSENT_PARTITIONS;
    allow(this.api.blocklistImports, consent, ['GetItem'], { partitions: [idempotency] });
    allow(this.api.blocklistImports, consent, ['BatchGetItem'], { partitions: [phone] });
    allow(this.api.blocklistImports, consent, ['Query'], { partitions: [blocklistImport] });
    allow(this.api.blocklistImports, consent, ['PutItem'], { partitions: [phone, idempotency, blocklistImport], attributes: IMPORT_ATTRIBUTES });
    // A number's sequence counter that already exists (the API or an earlier import took one) is raised
    // in place, inside the transaction that reserves a page's sequences.
    allow(this.api.blocklistImports, consent, ['UpdateItem'], { partitions: [phone], attributes: IMPORT_ATTRIBUTES });
    allow(this.api.blocklistImports, consent, ['BatchWriteItem'], { partitions: [requestPointer], attributes: IMPORT_ATTRIBUTES });
    props.queue.grantSendMessages(this.api.blocklistImports);
    // Blocklist: query the blocked numbers' shards of the list index, and nothing else.
    allow(this.api.blocklist, consent, ['Query'], { partitions: [BLOCKED_LIST], indexNames: [props.listIndexName] });
    // Review: list held blocks and unresolved signals from their index (whose partitions are the two
    // lists' names), find a number's held blocks, enqueue releases, and discard: delete the held entry
    // and put the discard's audit entry (append-only, like the processor's, under `attribute_not_exists(pk)`).
    allow(this.api.blocklistReview, consent, ['Query'], { partitions: [phone, ...LISTS], indexNames: [props.listIndexName] });
    allow(this.api.blocklistReview, consent, ['DeleteItem'], { partitions: [phone] });
    allow(this.api.blocklistReview, props.auditTable, ['PutItem'], { partitions: [phone] });
    props.queue.grantSendMessages(this.api.blocklistReview);
    // Personal data (export): read a number's partition in both tables, the pairings of the user ids
    // seen with it and the signals kept under them, and the pages of the imports its requests came
    // from. It reads, and writes nothing.
    allow(this.api.personalData, consent, ['Query'], { partitions: [phone, user, blocklistImport] });
    allow(this.api.personalData, consent, ['BatchGetItem'], { partitions: [user] });
    allow(this.api.personalData, props.auditTable, ['Query'], { partitions: [phone] });
    // Personal data (erasure): the one role that may delete history entries, and it runs only the
    // erasure. It reads as the export does, and the state, requests and profiles again; it replaces
    // the state with a suppression record (or deletes it), takes the number off profiles and off import
    // pages (writing each again without it), and deletes the number's items: on its
    // partition, the requests' pointers and idempotency keys, its user ids' pairings and the signals
    // kept under them, and its history entries. On the audit table it may put nothing but the erasure
    // log's entries, under a number's hash, and it alone reads the log's key.
    const eraser = this.api.personalDataEraser;
    allow(eraser, consent, ['Query'], { partitions: [phone, user, blocklistImport] });
    allow(eraser, consent, ['BatchGetItem'], { partitions: [user] });
    allow(eraser, consent, ['GetItem'], { partitions: [phone, profile, blocklistImport] });
    allow(eraser, consent, ['PutItem'], { partitions: [phone, profile, blocklistImport] });
    allow(eraser, consent, ['DeleteItem'], { partitions: [phone, requestPointer, idempotency, user] });
    allow(eraser, props.auditTable, ['Query', 'DeleteItem'], { partitions: [AUDIT_PARTITIONS.phone] });
    allow(eraser, props.auditTable, ['PutItem'], { partitions: [AUDIT_PARTITIONS.erasure] });
    props.erasureLogSecret.grantRead(eraser);
    // History: query the audit and its by-profile index (whose partitions are profile ids, which no
    // prefix describes); look the profile up in the consent table.
    allow(this.api.history, props.auditTable, ['Query'], { indexNames: props.auditIndexNames });
    allow(this.api.history, consent, ['GetItem'], { partitions: [profile] });

    // The processor writes consent state: it reads a state and whether a profile holds a number, writes
    // the state and the request's status, and puts audit entries, and nothing else on the audit: no role
    // may update or delete an entry. IAM cannot forbid a PutItem that overwrites one (no condition key
    // sees whether the item exists); the processor's `attribute_not_exists(pk)` condition does.
    // It also puts held blocks and deletes them when released, reads, raises and checks the guard's
    // counters, and remembers user ids' pairings and settles the signals that waited for them.
    allow(this.processor, consent, ['GetItem', 'PutItem'], { partitions: [phone] });
    allow(this.processor, consent, ['Query', 'DeleteItem'], { partitions: [phone, user] });
    allow(this.processor, consent, ['UpdateItem'], { partitions: [phone, guard, user] });
    allow(this.processor, consent, ['BatchGetItem', 'ConditionCheckItem'], { partitions: [guard] });
    allow(this.processor, props.auditTable, ['PutItem'], { partitions: [phone] });
    // A recipient who changed number takes their keyword and marketing preference along: the processor
    // queues them for the new number.
    props.queue.grantSendMessages(this.processor);
    // Change publisher: the audit table's stream, new entries whose outcome is `applied` only (the filter
    // spares invocations for the rest), in order per shard; a failed record is retried with those after it.
    props.changeEventsBus.grantPutEventsTo(this.changePublisher);
    this.changePublisherFailures = new Queue(this, 'ChangePublisherFailures', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.changePublisherFailures).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter destination of the change publisher’s stream mapping',
    });
    Validations.of(this.changePublisher.role!).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason: "dynamodb:ListStreams, which the stream mapping needs, takes no resource but '*'; the other stream actions are on the audit table's stream only",
    });
    this.changePublisher.addEventSource(
      new DynamoEventSource(props.auditTable, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        retryAttempts: 100,
        reportBatchItemFailures: true,
        onFailure: new SqsDlq(this.changePublisherFailures),
        filters: [FilterCriteria.filter({ eventName: FilterRule.isEqual('INSERT'), dynamodb: { NewImage: { outcome: { S: FilterRule.isEqual('applied') } } } })],
      }),
    );
    this.processor.addEventSource(
      new SqsEventSource(props.queue, {
        batchSize: 10,
        // Only the failed records (and, on FIFO, the rest of their number's group) come back.
        reportBatchItemFailures: true,
        maxConcurrency: PROCESSOR_MAX_CONCURRENCY,
      }),
    );
  }
}

interface Restriction {
  /** Indexes of the table the actions may also use. */
  readonly indexNames?: readonly string[];
  /** `dynamodb:LeadingKeys` patterns: the partition key of every item read or written must match one. */
  readonly partitions?: readonly string[];
  /** `dynamodb:Attributes`: every attribute a request names (item, key, update and condition) must be one of these. */
  readonly attributes?: readonly string[];
}

/** Allows DynamoDB actions on a table and, when named, on some of its indexes, its partitions and attributes. */
function allow(fn: ConsentFunction, table: ITable, actions: readonly string[], only: Restriction = {}): void {
  const conditions: Record<string, Record<string, readonly string[]>> = {};
  if (only.partitions) conditions['ForAllValues:StringLike'] = { 'dynamodb:LeadingKeys': only.partitions };
  if (only.attributes) conditions['ForAllValues:StringEquals'] = { 'dynamodb:Attributes': only.attributes };
  fn.addToRolePolicy(
    new PolicyStatement({
      actions: actions.map((action) => `dynamodb:${action}`),
      resources: [table.tableArn, ...(only.indexNames ?? []).map((index) => `${table.tableArn}/index/${index}`)],
      conditions,
    }),
  );
}

/** `consentRequests` → `ConsentRequestsFunction`. */
function constructId(name: FunctionName): string {
  return `${name.charAt(0).toUpperCase()}${name.slice(1)}Function`;
}
