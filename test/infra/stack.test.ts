import { jest } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { BatchGetItemCommand, ConditionalCheckFailedException, DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type BatchGetCommandInput,
  type GetCommandInput,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { App, Lazy, Stack, type CfnElement } from 'aws-cdk-lib';
import { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { UserPool } from 'aws-cdk-lib/aws-cognito';
import { Code, Function as LambdaFunction, Runtime, type IFunction } from 'aws-cdk-lib/aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { ReceiveMessageCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Metafile } from 'esbuild';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import type { IConstruct } from 'constructs';
import { ENV } from '../../shared/config.js';
import { METRIC, STATUS_METRIC } from '../../shared/metric-names.js';
import { acceptConsentRequest } from '../../shared/domain/accept-consent-request.js';
import { sweepRequests } from '../../shared/domain/sweep-requests.js';
import { applyConsentEvent } from '../../shared/domain/apply-consent-event.js';
import { learnPairing } from '../../shared/domain/whatsapp/learn-pairing.js';
import { receiveConsentSignals } from '../../shared/domain/whatsapp/receive-signals.js';
import { discardHeldBlocks, releaseHeldBlocks } from '../../shared/domain/review-held-blocks.js';
import { failureClassifier } from '../../shared/domain/whatsapp/provider-errors.js';
import { DynamoGuardCounter } from '../../shared/adapters/guard-counter.js';
import { DynamoHeldBlockStore } from '../../shared/adapters/held-block-store.js';
import { DynamoUserDirectory } from '../../shared/adapters/user-directory.js';
import { DynamoBlockedNumbersIndex } from '../../shared/adapters/blocked-numbers-index.js';
import { DynamoImportStore } from '../../shared/adapters/import-store.js';
import { acceptBlocklistImport } from '../../shared/domain/imports/accept-import.js';
import { importProgress } from '../../shared/domain/imports/import-progress.js';
import type { EventPublisher } from '../../shared/domain/ports.js';
import { exportPersonalData } from '../../shared/domain/personal-data/number-records.js';
import { erasePersonalData } from '../../shared/domain/personal-data/erase-personal-data.js';
import { deleteProfile, replaceProfile, viewNumberConsent, viewProfileConsent } from '../../shared/domain/profiles.js';
import { ConsentApi, ROUTE_THROTTLES, type ConsentApiProps } from '../../infra/constructs/consent-api.js';
import { GROUPS } from '../../infra/constructs/consent-auth.js';
import { ConsoleHosting } from '../../infra/constructs/console-hosting.js';
import { auditTable, consentQueue, consentTable, functions, PROCESSOR_TIMEOUT_SECONDS, routes } from '../../infra/resources.js';
import { WhatsAppConsentStack, type WhatsAppConsentStackProps } from '../../infra/stack.js';
import { BUNDLING, PROJECT_ROOT } from '../../infra/constructs/consent-function.js';
import { callerWith, OTHER_PHONE, PHONE, sampleAutomaticEvent, sampleEvent, sampleState } from '../unit/support/samples.js';
import { consoleBuild, CONSOLE_SCRIPT, type ConsoleBuild } from './console-build.js';

// The adapters build their clients when imported, and the SDK needs a region for that.
process.env.AWS_REGION ??= 'us-east-1';
const { DynamoAuditReader } = await import('../../shared/adapters/audit-reader.js');
const { DynamoConsentStateStore } = await import('../../shared/adapters/consent-state-store.js');
const { DynamoEventLedger } = await import('../../shared/adapters/event-ledger.js');
const { DynamoNumberRecords } = await import('../../shared/adapters/personal-data/number-records-store.js');
const { DynamoNumberEraser } = await import('../../shared/adapters/personal-data/number-eraser.js');
const { DynamoErasureLog } = await import('../../shared/adapters/personal-data/erasure-log.js');
const { DynamoProfileStore } = await import('../../shared/adapters/profile-store.js');
const { DynamoRequestStore } = await import('../../shared/adapters/request-store.js');
const { newId, systemClock } = await import('../../shared/adapters/runtime.js');
const { blocklistChecker } = await import('../../shared/blocklist.js');
const { SqsDeadLetterReader } = await import('../../shared/adapters/sqs-dead-letter-reader.js');
const { SqsEventPublisher } = await import('../../shared/adapters/sqs-event-publisher.js');

/*
 * Assertions on the synthesized CloudFormation template. The stack is synthesized once (which bundles
 * every function with the local esbuild) and each test inspects one promise the stack makes.
 */

type Resource = {
  Type: string;
  Properties?: Record<string, unknown>;
  DependsOn?: string | string[];
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
};
type Condition = Record<string, Record<string, string | string[]>>;
type Statement = { Effect: string; Action: string | string[]; Resource?: unknown; Principal?: unknown; Condition?: Condition };

let build: ConsoleBuild;
let app: App;
let stack: WhatsAppConsentStack;
let template: Template;
let resources: Record<string, Resource>;

beforeAll(() => {
  build = consoleBuild();
  app = new App();
  stack = new WhatsAppConsentStack(app, 'TestStack', { consoleAssetsPath: build.path });
  template = Template.fromStack(stack);
  resources = (template.toJSON() as { Resources: Record<string, Resource> }).Resources;
});

afterAll(() => build.remove());

/** A second synthesis without bundling, for tests of settings that do not reach the function code. */
function unbundledStack(id: string, context: Record<string, unknown>, props: WhatsAppConsentStackProps = {}): WhatsAppConsentStack {
  const unbundled = new App({ context: { ...context, 'aws:cdk:bundling-stacks': [] } });
  return new WhatsAppConsentStack(unbundled, id, { consoleAssetsPath: build.path, ...props });
}

/**
 * The properties of an alarm, to the alarm topic, on the first message waiting in a queue that should
 * stay empty, whether it is visible or hidden by whatever received it last.
 */
function anyMessageAlarmOn(queue: IConstruct): Record<string, unknown> {
  const queueMetric = (name: string) =>
    Match.objectLike({
      MetricStat: {
        Metric: { MetricName: name, Namespace: 'AWS/SQS', Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(queue), 'QueueName'] } }] },
        Period: 60,
        Stat: 'Maximum',
      },
      ReturnData: false,
    });
  return {
    Metrics: Match.arrayWith([
      Match.objectLike({ Expression: 'visible + hidden', ReturnData: true }),
      queueMetric('ApproximateNumberOfMessagesVisible'),
      queueMetric('ApproximateNumberOfMessagesNotVisible'),
    ]),
    Threshold: 1,
    EvaluationPeriods: 1,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    TreatMissingData: 'notBreaching',
    AlarmActions: [{ Ref: logicalId(stack.data.alarmTopic) }],
    OKActions: [{ Ref: logicalId(stack.data.alarmTopic) }],
  };
}

/** The logical id of a construct's CloudFormation resource. */
function logicalId(construct: IConstruct): string {
  return Stack.of(construct).getLogicalId(construct.node.defaultChild as CfnElement);
}

function resource(id: string): Resource {
  const found = resources[id];
  if (!found) throw new Error(`No resource ${id} in the template`);
  return found;
}

function ofType(type: string): [string, Resource][] {
  return Object.entries(resources).filter(([, r]) => r.Type === type);
}

/** Every logical id that a CloudFormation value mentions through `Ref`, `Fn::GetAtt` or `Fn::Sub`. */
function referencedIds(value: unknown): Set<string> {
  const ids = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (node === null || typeof node !== 'object') return;
    for (const [key, inner] of Object.entries(node)) {
      if (key === 'Ref' && typeof inner === 'string') ids.add(inner);
      else if (key === 'Fn::GetAtt' && Array.isArray(inner) && typeof inner[0] === 'string') ids.add(inner[0]);
      else if (key === 'Fn::Sub') {
        const [text, variables] = Array.isArray(inner) ? inner : [inner, {}];
        for (const [, name] of String(text).matchAll(/\$\{([^}.!]+)/g)) if (!name?.startsWith('AWS::')) ids.add(name ?? '');
        visit(variables);
      } else visit(inner);
    }
  };
  visit(value);
  return ids;
}

/**
 * A CloudFormation value as text, with `<Id>` for a reference and `<Id.Attribute>` for an attribute, so
 * that tokens can be compared with what the template means: `https://<Distribution.DomainName>`.
 */
function render(value: unknown): string {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  const node = value as Record<string, unknown>;
  if (typeof node['Ref'] === 'string') return `<${node['Ref']}>`;
  const getAtt = node['Fn::GetAtt'];
  if (Array.isArray(getAtt)) return `<${getAtt.join('.')}>`;
  const join = node['Fn::Join'];
  if (Array.isArray(join)) return (join[1] as unknown[]).map(render).join(String(join[0]));
  throw new Error(`Cannot render ${JSON.stringify(value)}`);
}

/** Every IAM statement of the template, with the policy that holds it. */
function allStatements(): { policy: string; statement: Statement }[] {
  const found: { policy: string; statement: Statement }[] = [];
  const collect = (policy: string, document: unknown) => {
    const statements = (document as { Statement?: Statement[] } | undefined)?.Statement ?? [];
    for (const statement of statements) found.push({ policy, statement });
  };
  for (const [id, policy] of ofType('AWS::IAM::Policy')) collect(id, policy.Properties?.['PolicyDocument']);
  for (const [id, role] of ofType('AWS::IAM::Role')) {
    for (const inline of (role.Properties?.['Policies'] as { PolicyDocument: unknown }[] | undefined) ?? []) {
      collect(id, inline.PolicyDocument);
    }
  }
  return found;
}

/** The statement `LogGroup.grantWrite` makes: a function writing its own log streams. */
function isOwnLogWrite(statement: Statement): boolean {
  return actionsOf(statement).every((action) => action === 'logs:CreateLogStream' || action === 'logs:PutLogEvents');
}

/** The statement active tracing adds to every function's role: X-Ray's actions take no resource. */
function isTraceWrite(statement: Statement): boolean {
  return actionsOf(statement).every((action) => action === 'xray:PutTraceSegments' || action === 'xray:PutTelemetryRecords');
}

/** What every function may do: write its own logs and its traces. */
function isBaseline(statement: Statement): boolean {
  return isOwnLogWrite(statement) || isTraceWrite(statement);
}

function actionsOf(statement: Statement): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

/** Whether an IAM action pattern (with `*` and `?` wildcards) covers the action; actions ignore case. */
function covers(pattern: string, action: string): boolean {
  return wildcard(pattern, 'i').test(action);
}

/** IAM's `*` and `?` wildcards as a regular expression. */
function wildcard(pattern: string, flags = ''): RegExp {
  return new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, flags);
}

/** A statement applies to a table when it names it (or one of its indexes), or when it names every resource. */
function appliesTo(statement: Statement, tableId: string): boolean {
  const targets = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
  return targets.some((target) => target === '*') || referencedIds(statement.Resource).has(tableId);
}

function policyOfRole(roleId: string): string {
  const [policy, ...others] = policiesOfRole(roleId);
  if (!policy || others.length > 0) throw new Error(`${roleId} has ${others.length + (policy ? 1 : 0)} policies, not one`);
  return policy;
}

function policiesOfRole(roleId: string): string[] {
  return ofType('AWS::IAM::Policy')
    .filter(([, policy]) => referencedIds(policy.Properties?.['Roles']).has(roleId))
    .map(([id]) => id);
}

/** Every statement of a function's role but those that write its own log group and its traces. */
function statementsOfFunction(functionId: string): Statement[] {
  const policies = new Set(policiesOfRole(roleOf(functionId)));
  return allStatements()
    .filter(({ policy, statement }) => policies.has(policy) && !isBaseline(statement))
    .map(({ statement }) => statement);
}

/** The function behind each custom resource of a type (its `ServiceToken`). */
function handlersOf(type: string): Set<string> {
  return new Set(ofType(type).flatMap(([, custom]) => [...referencedIds(custom.Properties?.['ServiceToken'])]));
}

function onlyHandlerOf(type: string): string {
  const [handler, ...others] = handlersOf(type);
  if (!handler || others.length > 0) throw new Error(`${type} has ${others.length + (handler ? 1 : 0)} handlers, not one`);
  return handler;
}

/** The functions that run at deployment time only, behind the console's custom resources. */
function deploymentHandlers(): Set<string> {
  return new Set([...handlersOf('Custom::CDKBucketDeployment'), ...handlersOf('Custom::HttpApiCors')]);
}

function roleOf(functionId: string): string {
  const [roleId] = referencedIds(resource(functionId).Properties?.['Role']);
  if (!roleId) throw new Error(`${functionId} has no role`);
  return roleId;
}

type FunctionName = keyof typeof functions;

function functionNamed(name: FunctionName): IFunction {
  const byName: Record<FunctionName, IFunction> = {
    ...stack.functions.api,
    processor: stack.functions.processor,
    blocklistCheckInvoke: stack.functions.blocklistCheckInvoke,
    requestSweeper: stack.functions.requestSweeper,
    changePublisher: stack.functions.changePublisher,
  };
  return byName[name];
}

/**
 * A function's DynamoDB permissions as `table:Action` → the condition of the one statement that grants
 * it (`null`: none). An action granted by two statements on one table is an error: their conditions
 * would add up.
 */
/**
 * The esbuild metafile of a function's bundle, written beside it in the synthesized assembly: every
 * module that went into the bundle, by path.
 */
function bundleMetafile(fn: IFunction): Metafile {
  return JSON.parse(readFileSync(join(bundleDirectory(fn), 'index.meta.json'), 'utf8')) as Metafile;
}

/** Where the synthesized assembly holds a function's bundle (`index.mjs`). */
function bundleDirectory(fn: IFunction): string {
  const code = resource(logicalId(fn)).Properties?.['Code'] as { S3Key?: unknown } | undefined;
  const hash = /^([0-9a-f]{64})\.zip$/.exec(String(code?.S3Key))?.[1];
  if (!hash) throw new Error(`${logicalId(fn)} has no bundled asset`);
  return join(app.outdir, `asset.${hash}`);
}

function dynamoGrantsOf(name: FunctionName): Record<string, Condition | null> {
  const tables = { consent: logicalId(stack.data.consentTable), audit: logicalId(stack.data.auditTable) };
  const grants: Record<string, Condition | null> = {};
  for (const statement of statementsOfFunction(logicalId(functionNamed(name)))) {
    for (const action of actionsOf(statement).filter((pattern) => pattern.startsWith('dynamodb:'))) {
      for (const [table, id] of Object.entries(tables)) {
        if (!referencedIds(statement.Resource).has(id)) continue;
        const key = `${table}:${action.slice('dynamodb:'.length)}`;
        if (key in grants) throw new Error(`${name}: ${key} is granted by more than one statement`);
        grants[key] = statement.Condition ?? null;
      }
    }
  }
  return grants;
}

describe('functions', () => {
  it('deploys one function per entry of `functions`, each on Node.js 24 and arm64, besides the two deployment handlers', () => {
    const handlers = deploymentHandlers();
    const deployed = ofType('AWS::Lambda::Function').filter(([id]) => !handlers.has(id));

    expect(handlers.size).toBe(2);
    expect(deployed).toHaveLength(Object.keys(functions).length);
    for (const [, fn] of deployed) {
      expect(fn.Properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], Handler: 'index.handler' });
    }
  });

  it('runs the tests, bundles the functions and names in .nvmrc the Node.js major that Lambda runs them on', () => {
    const [[, fn] = ['', {}]] = ofType('AWS::Lambda::Function').filter(([id]) => !deploymentHandlers().has(id));
    const lambdaMajor = /^nodejs(\d+)\.x$/.exec(String(fn.Properties?.['Runtime']))?.[1];

    expect({
      jestWorker: process.versions.node.split('.')[0],
      esbuildTarget: BUNDLING.target,
      nvmrc: readFileSync(join(PROJECT_ROOT, '.nvmrc'), 'utf8').trim(),
    }).toEqual({ jestWorker: lambdaMajor, esbuildTarget: `node${lambdaMajor}`, nvmrc: lambdaMajor });
  });

  it('gives each function exactly the settings its handler reads, named as shared/config.ts names them', () => {
    const common = ['POWERTOOLS_SERVICE_NAME', 'POWERTOOLS_LOG_LEVEL', 'NODE_OPTIONS'];
    const expected = {
      profiles: [ENV.consentTableName, ENV.auditTableName],
      consentRequests: [ENV.consentTableName, ENV.consentQueueUrl],
      history: [ENV.consentTableName, ENV.auditTableName],
      health: [],
      openapi: [],
      whatsappWebhook: [ENV.consentTableName, ENV.consentQueueUrl, ENV.whatsappSecretId],
      blocklistCheck: [ENV.consentTableName],
      blocklistCheckInvoke: [ENV.consentTableName],
      blocklist: [ENV.consentTableName],
      blocklistImports: [ENV.consentTableName, ENV.consentQueueUrl],
      blocklistReview: [ENV.consentTableName, ENV.auditTableName, ENV.consentQueueUrl],
      processor: [ENV.consentTableName, ENV.auditTableName, ENV.consentQueueUrl, ENV.maxReceiveCount],
      requestSweeper: [ENV.consentTableName, ENV.consentQueueUrl, ENV.deadLetterQueueUrl],
      changePublisher: [ENV.changeEventsBusName],
      personalData: [ENV.consentTableName, ENV.auditTableName],
      personalDataEraser: [ENV.consentTableName, ENV.auditTableName, ENV.erasureLogSecretId],
    };
    expect(Object.keys(expected).sort()).toEqual(Object.keys(functions).sort());

    for (const [name, settings] of Object.entries(expected)) {
      const fn = functionNamed(name as FunctionName);
      const variables = (resource(logicalId(fn)).Properties?.['Environment'] as { Variables: Record<string, unknown> }).Variables;
      expect(Object.keys(variables).sort()).toEqual([...common, ...settings].sort());
      expect(variables).toMatchObject({ POWERTOOLS_SERVICE_NAME: 'whatsapp-consent', POWERTOOLS_LOG_LEVEL: 'INFO' });
    }
    const processorVariables = (resource(logicalId(stack.functions.processor)).Properties?.['Environment'] as {
      Variables: Record<string, unknown>;
    }).Variables;
    expect(processorVariables[ENV.maxReceiveCount]).toBe(String(consentQueue.maxReceiveCount));
    expect(referencedIds(processorVariables[ENV.auditTableName])).toEqual(new Set([logicalId(stack.data.auditTable)]));
  });

  it('takes the log level from the `logLevel` context, and refuses one Powertools does not know', () => {
    // A second synthesis without bundling: only the environment is under test here.
    const withContext = (logLevel: string) => unbundledStack('LogLevelStack', { logLevel });

    const debug = Template.fromStack(withContext('debug'));
    type Fn = { Properties: { Environment?: { Variables: Record<string, unknown> } } };
    const levels = Object.values(debug.findResources('AWS::Lambda::Function'))
      .map((fn) => (fn as Fn).Properties.Environment?.Variables['POWERTOOLS_LOG_LEVEL'])
      .filter((level) => level !== undefined);
    expect(levels).toEqual(Object.keys(functions).map(() => 'DEBUG'));
    expect(() => withContext('verbose')).toThrow(/logLevel/);
  });

  it('passes the `autoBlockCodes` context to the webhook alone, and refuses a malformed list', () => {
    const withContext = (autoBlockCodes: string) => unbundledStack('AutoBlockStack', { autoBlockCodes });

    const configured = withContext('131026,131049');
    type Fn = { Properties: { Environment?: { Variables: Record<string, unknown> } } };
    const values = Object.values(Template.fromStack(configured).findResources('AWS::Lambda::Function'))
      .map((fn) => (fn as Fn).Properties.Environment?.Variables[ENV.autoBlockCodes])
      .filter((value) => value !== undefined);
    expect(values).toEqual(['131026,131049']);
    expect(() => withContext('every failure')).toThrow(/autoBlockCodes/);
  });

  it('gives the processor its shared timeout, the imports and the erasure 29 seconds and the other API functions 10', () => {
    expect(resource(logicalId(stack.functions.processor)).Properties?.['Timeout']).toBe(PROCESSOR_TIMEOUT_SECONDS);
    for (const [name, fn] of Object.entries(stack.functions.api)) {
      // An import of 10,000 rows records and enqueues them within the call, and an erasure deletes a long
      // history item by item, up to API Gateway's 30 seconds.
      const long = ['blocklistImports', 'personalDataEraser'].includes(name);
      expect({ name, timeout: resource(logicalId(fn)).Properties?.['Timeout'] }).toEqual({ name, timeout: long ? 29 : 10 });
    }
  });

  it('sends every function to its own log group that expires its logs', () => {
    const logGroupIds = new Set<string>();
    for (const [id, fn] of ofType('AWS::Lambda::Function')) {
      const [logGroupId] = referencedIds((fn.Properties?.['LoggingConfig'] as { LogGroup?: unknown } | undefined)?.LogGroup);
      if (!logGroupId) throw new Error(`${id} has no log group of its own`);
      expect(resource(logGroupId).Properties?.['RetentionInDays']).toBe(30);
      logGroupIds.add(logGroupId);
    }
    expect(logGroupIds.size).toBe(ofType('AWS::Lambda::Function').length);
  });

  it('ships /openapi.json beside its bundle, with its ETag written in: its cold start reads no document and hashes nothing', async () => {
    const metafile = bundleMetafile(stack.functions.api.openapi);
    const outputs = Object.values(metafile.outputs);
    const imports = outputs.flatMap((output) => output.imports.map((imported) => imported.path));
    const json = outputs.flatMap((output) => Object.entries(output.inputs).filter(([input, { bytesInOutput }]) => input.endsWith('.json') && bytesInOutput > 0));
    expect({ json, imports }).toEqual({ json: [], imports: [] });
    expect(statSync(join(bundleDirectory(stack.functions.api.openapi), 'index.mjs')).size).toBeLessThan(10_000);
    expect(readFileSync(join(bundleDirectory(stack.functions.api.openapi), 'openapi.json'), 'utf8')).toBe(readFileSync(join(PROJECT_ROOT, 'openapi.json'), 'utf8'));

    // The bundle as deployed answers as the handler run from source does: the same bytes, the same ETag.
    const served = (headers: Record<string, string>) => {
      const event = JSON.stringify({ routeKey: 'GET /openapi.json', headers });
      const bundle = pathToFileURL(join(bundleDirectory(stack.functions.api.openapi), 'index.mjs')).href;
      const run = spawnSync(process.execPath, ['--input-type=module', '-e', `const { handler } = await import(${JSON.stringify(bundle)}); console.log(JSON.stringify(await handler(${event})));`], { encoding: 'utf8' });
      if (run.status !== 0) throw new Error(run.stderr);
      return JSON.parse(run.stdout) as { statusCode: number; headers: Record<string, string>; body?: string };
    };
    const { handler: fromSource } = await import('../../functions/openapi/handler.js');
    const expected = await fromSource({ routeKey: 'GET /openapi.json', headers: {} } as never);
    const bundled = served({});
    expect(bundled).toEqual(expected);
    expect(JSON.parse(bundled.body ?? '')).toEqual(JSON.parse(readFileSync(join(PROJECT_ROOT, 'openapi.json'), 'utf8')));
    expect(served({ 'if-none-match': String(expected.headers?.['etag']) }).statusCode).toBe(304);
  });

  it('ships the files a bundle reads (the phone metadata, the OpenAPI document) beside the bundles that read them, as files, not code', () => {
    const shipped = Object.keys(functions).map((name) => {
      const fn = functionNamed(name as FunctionName);
      const { inputs, outputs } = bundleMetafile(fn);
      // The SDK's clients bundle their package.json (for their version); the rest is data to read.
      const json = Object.values(outputs).flatMap((output) =>
        Object.entries(output.inputs).filter(([input, { bytesInOutput }]) => input.endsWith('.json') && !input.endsWith('/package.json') && bytesInOutput > 0),
      );
      const files = readdirSync(bundleDirectory(fn)).filter((file) => file.endsWith('.json') && file !== 'index.meta.json');
      return { name, json, files, readsPhones: 'shared/domain/phone.ts' in inputs };
    });

    expect(shipped.filter(({ readsPhones }) => readsPhones).length).toBeGreaterThan(10);
    expect(shipped).toEqual(
      shipped.map(({ name, readsPhones }) => ({ name, json: [], files: name === 'openapi' ? ['openapi.json'] : readsPhones ? ['metadata.max.json'] : [], readsPhones })),
    );
  });

  it('bundles no classic zod into any function: their schemas are built with `zod/mini`, which a cold start loads in a fraction of the time', () => {
    const classicZod = /node_modules\/zod\/v4\/classic\//;
    const found = Object.keys(functions).map((name) => {
      const outputs = Object.values(bundleMetafile(functionNamed(name as FunctionName)).outputs);
      const bundled = outputs.flatMap((output) => Object.entries(output.inputs).filter(([, { bytesInOutput }]) => bytesInOutput > 0).map(([input]) => input));
      return { name, bundled: bundled.length > 0, classic: bundled.filter((input) => classicZod.test(input)) };
    });

    expect(found).toEqual(Object.keys(functions).map((name) => ({ name, bundled: true, classic: [] })));
  });

  it('feeds the processor from the FIFO queue with partial batch responses', () => {
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 2);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [logicalId(stack.data.queue), 'Arn'] },
      FunctionName: { Ref: logicalId(stack.functions.processor) },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 10,
      ScalingConfig: { MaximumConcurrency: 5 },
    });
  });
});

describe('queues', () => {
  it('redrives the FIFO queue to a FIFO dead-letter queue after maxReceiveCount deliveries', () => {
    const queue = resource(logicalId(stack.data.queue)).Properties;
    const deadLetters = resource(logicalId(stack.data.deadLetterQueue)).Properties;

    expect(queue).toMatchObject({
      FifoQueue: true,
      ContentBasedDeduplication: false,
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [logicalId(stack.data.deadLetterQueue), 'Arn'] },
        maxReceiveCount: 5,
      },
    });
    expect(deadLetters).toMatchObject({ FifoQueue: true, MessageRetentionPeriod: consentQueue.deadLetterRetentionSeconds });
  });

  it('keeps a message invisible for at least six processor timeouts, so a slow batch is not delivered twice', () => {
    const visibility = resource(logicalId(stack.data.queue)).Properties?.['VisibilityTimeout'];
    expect(visibility).toBeGreaterThanOrEqual(6 * PROCESSOR_TIMEOUT_SECONDS);
    expect(visibility).toBe(consentQueue.visibilityTimeoutSeconds);
  });

  it('refuses unencrypted transport and encrypts at rest on both queues', () => {
    for (const queue of [stack.data.queue, stack.data.deadLetterQueue]) {
      const id = logicalId(queue);
      expect(resource(id).Properties?.['SqsManagedSseEnabled']).toBe(true);
      const statements = ofType('AWS::SQS::QueuePolicy')
        .filter(([, policy]) => referencedIds(policy.Properties?.['Queues']).has(id))
        .flatMap(([, policy]) => (policy.Properties?.['PolicyDocument'] as { Statement: unknown[] }).Statement);
      expect(statements).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Action: 'sqs:*',
          Principal: { AWS: '*' },
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      );
    }
  });

  it('alarms as soon as one message reaches the dead-letter queue, visible or hidden by a reader', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', anyMessageAlarmOn(stack.data.deadLetterQueue));
  });

  it("alarms on the first automatic block the guard held, from the processor's metric, to the same topic", () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'AutoBlocksHeld',
      Namespace: 'WhatsappConsent',
      Dimensions: [{ Name: 'service', Value: 'whatsapp-consent' }],
      Statistic: 'Sum',
      Period: 60,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: logicalId(stack.data.alarmTopic) }],
      OKActions: [{ Ref: logicalId(stack.data.alarmTopic) }],
    });
  });

  it('takes the guard from the context, and refuses a limit the processor would refuse', () => {
    expect(() => unbundledStack('GuardStack', { autoBlockGuardLimit: '-1' })).toThrow(/autoBlockGuardLimit/);
    const tuned = Template.fromStack(unbundledStack('TunedGuardStack', { autoBlockGuardLimit: '50', autoBlockGuardWindowSeconds: '120' }));
    tuned.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ AUTO_BLOCK_GUARD_LIMIT: '50', AUTO_BLOCK_GUARD_WINDOW_SECONDS: '120' }) },
    });
  });

  it('publishes applied changes from the audit stream to a bus, whose rule feeds an encrypted, TLS-only consumers queue with dead letters', () => {
    const streamMapping = ofType('AWS::Lambda::EventSourceMapping').find(
      ([, mapping]) => JSON.stringify(mapping.Properties?.['FunctionName']) === JSON.stringify({ Ref: logicalId(stack.functions.changePublisher) }),
    )?.[1];
    expect(streamMapping?.Properties).toMatchObject({
      EventSourceArn: { 'Fn::GetAtt': [logicalId(stack.data.auditTable), 'StreamArn'] },
      StartingPosition: 'TRIM_HORIZON',
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ eventName: ['INSERT'], dynamodb: { NewImage: { outcome: { S: ['applied'] } } } }) }] },
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [logicalId(stack.functions.changePublisherFailures), 'Arn'] } } },
    });
    template.hasResourceProperties('AWS::DynamoDB::Table', { StreamSpecification: { StreamViewType: 'NEW_IMAGE' } });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: logicalId(stack.changeEvents.bus) },
      EventPattern: { source: ['whatsapp-consent'], 'detail-type': ['WhatsApp Consent Changed'] },
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [logicalId(stack.changeEvents.queue), 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [logicalId(stack.changeEvents.undeliveredQueue), 'Arn'] } },
        }),
      ],
    });
    expect(resource(logicalId(stack.changeEvents.queue)).Properties).toMatchObject({
      SqsManagedSseEnabled: true,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [logicalId(stack.changeEvents.deadLetterQueue), 'Arn'] }, maxReceiveCount: 5 },
    });
    for (const queue of [stack.changeEvents.undeliveredQueue, stack.changeEvents.deadLetterQueue, stack.functions.changePublisherFailures]) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', anyMessageAlarmOn(queue));
    }
    const publisherPolicy = policyOfRole(roleOf(logicalId(stack.functions.changePublisher)));
    const putters = allStatements()
      .filter(({ statement }) => actionsOf(statement).includes('events:PutEvents'))
      .map(({ policy, statement }) => [policy, [...referencedIds(statement.Resource)]]);
    expect(putters).toEqual([[publisherPolicy, [logicalId(stack.changeEvents.bus)]]]);
  });

  it('notifies through an encrypted, TLS-only SNS topic that CloudWatch may publish to', () => {
    const topic = resource(logicalId(stack.data.alarmTopic));
    const [keyId] = referencedIds(topic.Properties?.['KmsMasterKeyId']);
    const keyPolicy = JSON.stringify(resource(keyId ?? '').Properties?.['KeyPolicy']);

    expect(keyId).toBeDefined();
    expect(keyPolicy).toContain('cloudwatch.amazonaws.com');
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });
});

describe('observability', () => {
  const topic = () => [{ Ref: logicalId(stack.data.alarmTopic) }];
  /** The metrics an alarm's expression reads, by their id in the expression. */
  const metricsOf = (alarm: Alarm) =>
    Object.fromEntries(
      ((resource(logicalId(alarm)).Properties?.['Metrics'] ?? []) as { Id: string; MetricStat?: { Metric: { MetricName: string; Namespace: string } } }[])
        .filter((metric) => metric.MetricStat)
        .map((metric) => [metric.Id, `${metric.MetricStat?.Metric.Namespace}/${metric.MetricStat?.Metric.MetricName}`]),
    );

  it('traces every function with X-Ray, the deployment handlers aside', () => {
    const handlers = deploymentHandlers();
    const deployed = ofType('AWS::Lambda::Function').filter(([id]) => !handlers.has(id));

    expect(deployed).toHaveLength(Object.keys(functions).length);
    for (const [, fn] of deployed) expect(fn.Properties?.['TracingConfig']).toEqual({ Mode: 'Active' });
  });

  it('bundles neither the X-Ray SDK nor Powertools Tracer into any function: Lambda records the traces itself', () => {
    const tracingLibraries = /node_modules\/(aws-xray-sdk[a-z-]*|@aws-lambda-powertools\/tracer)\//;
    const found = Object.keys(functions).map((name) => {
      const inputs = Object.keys(bundleMetafile(functionNamed(name as FunctionName)).inputs);
      return { name, inputs: inputs.length > 0, tracing: [...new Set(inputs.flatMap((input) => tracingLibraries.exec(input)?.[1] ?? []))] };
    });

    expect(found).toEqual(Object.keys(functions).map((name) => ({ name, inputs: true, tracing: [] })));
  });

  it('adds no layer unless asked, and the ADOT layer for Node.js to every function with `-c tracing=otel`', () => {
    type Fn = { Properties: { Layers?: unknown[]; Environment?: { Variables: Record<string, unknown> } } };
    const ours = (candidate: WhatsAppConsentStack) =>
      Object.values(Template.fromStack(candidate).findResources('AWS::Lambda::Function'))
        .map((fn) => (fn as Fn).Properties)
        .filter((properties) => properties.Environment?.Variables['POWERTOOLS_SERVICE_NAME'] !== undefined);

    expect(ours(stack).map((fn) => fn.Layers ?? [])).toEqual(Object.keys(functions).map(() => []));
    for (const value of [undefined, 'xray']) {
      const plain = ours(unbundledStack(`Tracing${value ?? 'Default'}Stack`, value === undefined ? {} : { tracing: value }));
      expect(plain.map((fn) => [fn.Layers, fn.Environment?.Variables['AWS_LAMBDA_EXEC_WRAPPER']])).toEqual(plain.map(() => [undefined, undefined]));
    }

    const otel = ours(unbundledStack('OtelStack', { tracing: 'otel' }));
    expect(otel).toHaveLength(Object.keys(functions).length);
    for (const fn of otel) {
      expect(fn.Environment?.Variables['AWS_LAMBDA_EXEC_WRAPPER']).toBe('/opt/otel-handler');
      expect((fn.Layers ?? []).map(render)).toEqual([expect.stringMatching(/^arn:aws:lambda:<AWS::Region>:\d+:layer:aws-otel-nodejs-arm64-ver-1-30-\d+:\d+$/)]);
    }
    expect(() => unbundledStack('UnknownTracingStack', { tracing: 'datadog' })).toThrow(/tracing/);
  });

  it('alarms on the processor\'s failed events and its function errors together', () => {
    const alarm = resource(logicalId(stack.monitoring.processorErrorsAlarm)).Properties;

    expect(alarm).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', AlarmActions: topic(), OKActions: topic() });
    expect(metricsOf(stack.monitoring.processorErrorsAlarm)).toEqual({ failed: 'WhatsappConsent/EventsFailed', errors: 'AWS/Lambda/Errors' });
    expect(JSON.stringify(alarm)).toContain(logicalId(stack.functions.processor));
  });

  it('alarms when the oldest queued consent event is five minutes old, three minutes in a row', () => {
    expect(resource(logicalId(stack.monitoring.queuedEventAgeAlarm)).Properties).toMatchObject({
      MetricName: 'ApproximateAgeOfOldestMessage',
      Namespace: 'AWS/SQS',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(stack.data.queue), 'QueueName'] } }],
      Statistic: 'Maximum',
      Threshold: 300,
      EvaluationPeriods: 3,
      AlarmActions: topic(),
      OKActions: topic(),
    });
  });

  it("alarms on the webhook's 5xx answers with its function's errors and throttles", () => {
    const alarm = resource(logicalId(stack.monitoring.webhookErrorsAlarm)).Properties;

    expect(alarm).toMatchObject({ Threshold: 5, AlarmActions: topic(), OKActions: topic() });
    expect(metricsOf(stack.monitoring.webhookErrorsAlarm)).toEqual({
      answers: 'WhatsappConsent/WebhookServerErrors',
      errors: 'AWS/Lambda/Errors',
      throttles: 'AWS/Lambda/Throttles',
    });
    expect(JSON.stringify(alarm)).toContain(logicalId(stack.functions.api.whatsappWebhook));
  });

  it("has a dashboard of the service's metrics in its namespace, the queue, the functions and the API", () => {
    const [[, dashboard] = ['', {}]] = ofType('AWS::CloudWatch::Dashboard');
    const body = JSON.stringify(dashboard.Properties?.['DashboardBody']);

    for (const name of [...Object.values(METRIC), ...Object.values(STATUS_METRIC)]) expect(body).toContain(`\\"WhatsappConsent\\",\\"${name}\\"`);
    for (const name of ['ApproximateAgeOfOldestMessage', 'ApproximateNumberOfMessagesNotVisible', 'Duration', 'Throttles', '5xx', 'Latency']) expect(body).toContain(`\\"${name}\\"`);
    // Dead letters as the alarm counts them: visible, and hidden by a reader (the request sweeper, every minute).
    expect(body).toContain('visible + hidden');
    for (const alarm of [stack.monitoring.processorErrorsAlarm, stack.monitoring.queuedEventAgeAlarm, stack.monitoring.webhookErrorsAlarm, stack.guardAlarm]) {
      expect(body).toContain(logicalId(alarm));
    }
  });

  it("shows every function's cold starts on the dashboard, from the init duration Lambda reports", () => {
    const [[, dashboard] = ['', {}]] = ofType('AWS::CloudWatch::Dashboard');
    const body = JSON.stringify(dashboard.Properties?.['DashboardBody']);
    const logGroupIds = ofType('AWS::Lambda::Function')
      .filter(([id]) => !deploymentHandlers().has(id))
      .flatMap(([, fn]) => [...referencedIds((fn.Properties?.['LoggingConfig'] as { LogGroup?: unknown } | undefined)?.LogGroup)]);

    expect(body).toContain('ispresent(@initDuration)');
    expect(body).toContain('@type = ');
    expect(logGroupIds).toHaveLength(Object.keys(functions).length);
    for (const id of logGroupIds) expect(body).toContain(`{\"Ref\":\"${id}\"}`);
  });
});

describe('tables', () => {
  it('builds both tables from infra/resources.ts: keys, TTL, indexes, on-demand, point-in-time recovery', () => {
    for (const [table, definition] of [
      [stack.data.consentTable, consentTable],
      [stack.data.auditTable, auditTable],
    ] as const) {
      const properties = resource(logicalId(table)).Properties;
      expect(properties).toMatchObject({
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        KeySchema: [
          { AttributeName: definition.partitionKey.name, KeyType: 'HASH' },
          { AttributeName: definition.sortKey.name, KeyType: 'RANGE' },
        ],
      });
      expect(properties?.['TimeToLiveSpecification']).toEqual(
        definition.timeToLiveAttribute ? { AttributeName: definition.timeToLiveAttribute, Enabled: true } : undefined,
      );
      expect(properties?.['GlobalSecondaryIndexes'] ?? []).toEqual(
        definition.globalSecondaryIndexes.map((index) => ({
          IndexName: index.indexName,
          KeySchema: [
            { AttributeName: index.partitionKey.name, KeyType: 'HASH' },
            { AttributeName: index.sortKey.name, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        })),
      );
    }
  });

  it('protects the audit table from deletion, and keeps both tables when the stack goes', () => {
    const audit = resource(logicalId(stack.data.auditTable));
    const consent = resource(logicalId(stack.data.consentTable));

    expect(audit.Properties?.['DeletionProtectionEnabled']).toBe(true);
    expect(audit).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    expect(consent).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });
});

describe('permissions', () => {
  /** Every action that could change or remove an audit entry (BatchWriteItem can delete). */
  const auditWrites = [
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
    'dynamodb:BatchWriteItem',
    'dynamodb:PartiQLUpdate',
    'dynamodb:PartiQLDelete',
    'dynamodb:DeleteTable',
    'dynamodb:UpdateTable',
  ];

  it('grants no role but the eraser a way to update or delete audit entries, and the eraser nothing but DeleteItem of a number\'s entries', () => {
    const auditId = logicalId(stack.data.auditTable);
    const eraserPolicy = policyOfRole(roleOf(logicalId(stack.functions.api.personalDataEraser)));
    const onAudit = allStatements().filter(({ statement }) => statement.Effect === 'Allow' && appliesTo(statement, auditId));
    const writes = onAudit.flatMap(({ policy, statement }) =>
      actionsOf(statement).flatMap((pattern) => auditWrites.filter((action) => covers(pattern, action)).map((action) => ({ policy, action, condition: statement.Condition }))),
    );

    // Guards the guard: the filter must find the statements that the processor, history and eraser need.
    expect(onAudit.length).toBeGreaterThanOrEqual(4);
    expect(writes).toEqual([
      { policy: eraserPolicy, action: 'dynamodb:DeleteItem', condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['PHONE#*'] } } },
    ]);
  });

  it('lets only the processor, and the review for discards of held blocks, put history entries; the eraser puts the erasure log\'s only', () => {
    const auditId = logicalId(stack.data.auditTable);
    const processorPolicy = policyOfRole(roleOf(logicalId(stack.functions.processor)));
    const reviewPolicy = policyOfRole(roleOf(logicalId(stack.functions.api.blocklistReview)));
    const eraserPolicy = policyOfRole(roleOf(logicalId(stack.functions.api.personalDataEraser)));
    const putters = allStatements()
      .filter(({ statement }) => statement.Effect === 'Allow' && appliesTo(statement, auditId))
      .filter(({ statement }) => actionsOf(statement).some((pattern) => covers(pattern, 'dynamodb:PutItem')));
    const onPartition = (partition: string) =>
      new Set(putters.filter(({ statement }) => conditionHolds(statement.Condition ?? {}, { leadingKeys: [partition], attributes: [] })).map(({ policy }) => policy));

    expect(new Set(putters.map(({ policy }) => policy))).toEqual(new Set([processorPolicy, reviewPolicy, eraserPolicy]));
    expect(onPartition(`PHONE#${PHONE}`)).toEqual(new Set([processorPolicy, reviewPolicy]));
    expect(onPartition('ERASURE#0a1b')).toEqual(new Set([eraserPolicy]));
  });

  it('lets only the eraser read the erasure log\'s key', () => {
    const secretId = logicalId(stack.erasureLogSecret);
    const readers = allStatements()
      .filter(({ statement }) => statement.Effect === 'Allow' && referencedIds(statement.Resource).has(secretId))
      .filter(({ statement }) => actionsOf(statement).some((pattern) => covers(pattern, 'secretsmanager:GetSecretValue')))
      .map(({ policy }) => policy);

    expect(new Set(readers)).toEqual(new Set([policyOfRole(roleOf(logicalId(stack.functions.api.personalDataEraser)))]));
    expect(resource(secretId)).toMatchObject({ DeletionPolicy: 'Retain', Properties: { GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true } } });
  });

  it('lets the history function query the audit and its by-profile index', () => {
    const auditId = logicalId(stack.data.auditTable);
    const historyPolicy = policyOfRole(roleOf(logicalId(stack.functions.api.history)));
    const statements = allStatements().filter(
      ({ policy, statement }) =>
        policy === historyPolicy && appliesTo(statement, auditId) && actionsOf(statement).includes('dynamodb:Query'),
    );

    expect(statements).toHaveLength(1);
    expect(JSON.stringify(statements[0]?.statement.Resource)).toContain('/index/byProfile');
    expect(JSON.stringify(statements[0]?.statement.Resource)).not.toContain('/index/*');
  });

  it('gives each function exactly the DynamoDB actions its adapters call, table by table, on its own partitions', () => {
    const on = (...partitions: string[]): Condition => ({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': partitions } });
    const writing = (attributes: string[], ...partitions: string[]): Condition => ({
      ...on(...partitions),
      'ForAllValues:StringEquals': { 'dynamodb:Attributes': attributes },
    });
    const profileAttributes = ['pk', 'sk', 'profileId', 'whatsappNumbers', 'updatedAt', 'updatedBy', 'phone'];
    const requestAttributes = [
      'pk', 'sk', 'requestId', 'status', 'action', 'phone', 'profileId', 'reason', 'requestedBy', 'requestedAt', 'appliedAt',
      'sequence', 'pendingShard', 'idempotencyKey', 'bodyHash', 'expiresAt', 'value',
    ];
    const expected: Record<FunctionName, Record<string, Condition | null>> = {
      profiles: {
        'consent:GetItem': on('PROFILE#*'),
        'consent:BatchGetItem': on('PHONE#*'),
        'consent:Query': on('PHONE#*'),
        'consent:PutItem': writing(profileAttributes, 'PROFILE#*', 'PHONE#*'),
        'consent:DeleteItem': on('PROFILE#*', 'PHONE#*'),
        'audit:Query': on('PHONE#*'),
      },
      consentRequests: {
        'consent:GetItem': on('PROFILE#*', 'PHONE#*', 'REQUEST#*', 'IDEMPOTENCY#*'),
        'consent:PutItem': writing(requestAttributes, 'PHONE#*', 'REQUEST#*', 'IDEMPOTENCY#*'),
        'consent:UpdateItem': writing(requestAttributes, 'PHONE#*'),
      },
      history: { 'consent:GetItem': on('PROFILE#*'), 'audit:Query': null },
      health: {},
      openapi: {},
      whatsappWebhook: {
        'consent:GetItem': on('BSUID#*'),
        'consent:BatchGetItem': on('BSUID#*'),
        'consent:ConditionCheckItem': on('BSUID#*'),
        'consent:PutItem': writing(['pk', 'sk', 'userId', 'receivedAt', 'event', 'listName', 'listedAt'], 'BSUID#*'),
      },
      blocklistCheck: { 'consent:BatchGetItem': on('PHONE#*') },
      blocklistCheckInvoke: { 'consent:BatchGetItem': on('PHONE#*') },
      blocklist: { 'consent:Query': on('BLOCKED#*') },
      blocklistImports: {
        'consent:GetItem': on('IDEMPOTENCY#*'),
        'consent:BatchGetItem': on('PHONE#*'),
        'consent:Query': on('IMPORT#*'),
        'consent:PutItem': writing([...requestAttributes, 'importId', 'rows', 'entries'], 'PHONE#*', 'IDEMPOTENCY#*', 'IMPORT#*'),
        'consent:UpdateItem': writing([...requestAttributes, 'importId', 'rows', 'entries'], 'PHONE#*'),
        'consent:BatchWriteItem': writing([...requestAttributes, 'importId', 'rows', 'entries'], 'REQUEST#*'),
      },
      blocklistReview: {
        'consent:Query': on('PHONE#*', 'HELD', 'UNRESOLVED'),
        'consent:DeleteItem': on('PHONE#*'),
        'audit:PutItem': on('PHONE#*'),
      },
      processor: {
        'consent:GetItem': on('PHONE#*'),
        'consent:PutItem': on('PHONE#*'),
        'consent:Query': on('PHONE#*', 'BSUID#*'),
        'consent:DeleteItem': on('PHONE#*', 'BSUID#*'),
        'consent:UpdateItem': on('PHONE#*', 'GUARD#*', 'BSUID#*'),
        'consent:BatchGetItem': on('GUARD#*'),
        'consent:ConditionCheckItem': on('GUARD#*'),
        'audit:PutItem': on('PHONE#*'),
      },
      requestSweeper: {
        'consent:Query': null,
        'consent:UpdateItem': writing(['pk', 'sk', 'status', 'pendingShard'], 'PHONE#*'),
      },
      // Reads the audit table's stream (granted on the stream), and no table.
      changePublisher: { 'audit:DescribeStream': null, 'audit:GetRecords': null, 'audit:GetShardIterator': null },
      personalData: {
        'consent:Query': on('PHONE#*', 'BSUID#*', 'IMPORT#*'),
        'consent:BatchGetItem': on('BSUID#*'),
        'audit:Query': on('PHONE#*'),
      },
      personalDataEraser: {
        'consent:Query': on('PHONE#*', 'BSUID#*', 'IMPORT#*'),
        'consent:BatchGetItem': on('BSUID#*'),
        'consent:GetItem': on('PHONE#*', 'PROFILE#*', 'IMPORT#*'),
        'consent:PutItem': on('PHONE#*', 'PROFILE#*', 'IMPORT#*'),
        'consent:DeleteItem': on('PHONE#*', 'REQUEST#*', 'IDEMPOTENCY#*', 'BSUID#*'),
        'audit:Query': on('PHONE#*'),
        'audit:DeleteItem': on('PHONE#*'),
        'audit:PutItem': on('ERASURE#*'),
      },
    };
    expect(Object.keys(expected).sort()).toEqual(Object.keys(functions).sort());

    for (const [name, grants] of Object.entries(expected)) {
      expect({ name, grants: dynamoGrantsOf(name as FunctionName) }).toEqual({ name, grants });
    }
  });

  it('lets only the consent-request, webhook, review, imports, request-sweeper and processor functions send to the queue', () => {
    const queueId = logicalId(stack.data.queue);
    const senders = allStatements()
      .filter(({ statement }) => statement.Effect === 'Allow' && referencedIds(statement.Resource).has(queueId))
      .filter(({ statement }) => actionsOf(statement).some((pattern) => covers(pattern, 'sqs:SendMessage')))
      .map(({ policy }) => policy);

    expect(new Set(senders)).toEqual(
      new Set([
        policyOfRole(roleOf(logicalId(stack.functions.api.consentRequests))),
        policyOfRole(roleOf(logicalId(stack.functions.api.whatsappWebhook))),
        policyOfRole(roleOf(logicalId(stack.functions.api.blocklistReview))),
        policyOfRole(roleOf(logicalId(stack.functions.api.blocklistImports))),
        policyOfRole(roleOf(logicalId(stack.functions.requestSweeper))),
        // What a recipient said on a number they left goes to their new number.
        policyOfRole(roleOf(logicalId(stack.functions.processor))),
      ]),
    );
  });

  it('runs the request sweeper every minute', () => {
    const sweeperId = logicalId(stack.functions.requestSweeper);
    const rules = ofType('AWS::Events::Rule').filter(([, rule]) => referencedIds(rule.Properties?.['Targets']).has(sweeperId));
    expect(rules.map(([, rule]) => rule.Properties?.['ScheduleExpression'])).toEqual(['rate(1 minute)']);
  });

  it('lets no function but the request sweeper touch the dead-letter queue', () => {
    const dlqId = logicalId(stack.data.deadLetterQueue);
    const policies = allStatements()
      .filter(({ statement }) => statement.Effect === 'Allow' && referencedIds(statement.Resource).has(dlqId))
      .map(({ policy }) => policy);
    expect(new Set(policies)).toEqual(new Set([policyOfRole(roleOf(logicalId(stack.functions.requestSweeper)))]));
  });

  it('lets the check functions do nothing but BatchGetItem on the consent table', () => {
    const consentId = logicalId(stack.data.consentTable);
    for (const fn of [stack.functions.api.blocklistCheck, stack.functions.blocklistCheckInvoke]) {
      const policy = policyOfRole(roleOf(logicalId(fn)));
      const statements = allStatements().filter((found) => found.policy === policy && !isBaseline(found.statement));

      expect(statements.map(({ statement }) => actionsOf(statement))).toEqual([['dynamodb:BatchGetItem']]);
      expect([...referencedIds(statements[0]?.statement.Resource)]).toEqual([consentId]);
      expect(statements[0]?.statement.Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['PHONE#*'] } });
    }
  });

  it("lets only the webhook read its secret, and gives the webhook no table access beyond user ids' partitions", () => {
    const secretId = logicalId(stack.webhookSecret);
    const webhookPolicy = policyOfRole(roleOf(logicalId(stack.functions.api.whatsappWebhook)));
    const readers = allStatements()
      .filter(({ statement }) => statement.Effect === 'Allow' && referencedIds(statement.Resource).has(secretId))
      .filter(({ statement }) => actionsOf(statement).some((pattern) => covers(pattern, 'secretsmanager:GetSecretValue')))
      .map(({ policy }) => policy);
    const webhookActions = allStatements()
      .filter(({ policy }) => policy === webhookPolicy)
      .flatMap(({ statement }) => actionsOf(statement));

    expect(new Set(readers)).toEqual(new Set([webhookPolicy]));
    expect(dynamoGrantsOf('whatsappWebhook')).toEqual({
      'consent:GetItem': { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['BSUID#*'] } },
      'consent:BatchGetItem': { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['BSUID#*'] } },
      'consent:ConditionCheckItem': { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['BSUID#*'] } },
      'consent:PutItem': {
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['BSUID#*'] },
        'ForAllValues:StringEquals': { 'dynamodb:Attributes': ['pk', 'sk', 'userId', 'receivedAt', 'event', 'listName', 'listedAt'] },
      },
    });
    expect(webhookActions.filter((action) => action.startsWith('dynamodb:')).sort()).toEqual(
      ['dynamodb:BatchGetItem', 'dynamodb:ConditionCheckItem', 'dynamodb:GetItem', 'dynamodb:PutItem'],
    );
  });

  it('keeps the webhook secrets out of the template: generated in Secrets Manager, read at run time', () => {
    const secret = resource(logicalId(stack.webhookSecret));
    const text = JSON.stringify(template.toJSON());

    expect(secret.Properties?.['GenerateSecretString']).toMatchObject({
      GenerateStringKey: 'verifyToken',
      SecretStringTemplate: JSON.stringify({ appSecret: '' }),
    });
    expect(secret.Properties?.['SecretString']).toBeUndefined();
    expect(text).not.toContain(ENV.whatsappAppSecret);
    expect(text).not.toContain(ENV.whatsappVerifyToken);
  });

  it('gives the health function no permissions beyond writing its own logs and traces', () => {
    const healthRole = roleOf(logicalId(stack.functions.api.health));
    const statements = allStatements().filter(({ policy }) => policy === policyOfRole(healthRole));

    expect(statements.map(({ statement }) => [isOwnLogWrite(statement), isTraceWrite(statement)])).toEqual([
      [true, false],
      [false, true],
    ]);
  });

  it('lets every function write only to its own log group, with no managed policy', () => {
    for (const [id, fn] of ofType('AWS::Lambda::Function')) {
      const role = resource(roleOf(id));
      const [logGroupId] = referencedIds((fn.Properties?.['LoggingConfig'] as { LogGroup?: unknown } | undefined)?.LogGroup);
      const policies = new Set(policiesOfRole(roleOf(id)));
      const logStatements = allStatements().filter(
        ({ policy, statement }) => policies.has(policy) && actionsOf(statement).some((action) => action.startsWith('logs:')),
      );

      expect(role.Properties?.['ManagedPolicyArns']).toBeUndefined();
      expect(logGroupId).toBeDefined();
      expect(logStatements.map(({ statement }) => [...referencedIds(statement.Resource)])).toEqual([[logGroupId]]);
    }
  });

  it('lets the console deployment read the CDK assets, write only the console bucket, and invalidate the distribution', () => {
    const bucketId = logicalId(stack.console.bucket);
    const statements = statementsOfFunction(onlyHandlerOf('Custom::CDKBucketDeployment'));
    const actions = [...new Set(statements.flatMap(actionsOf))].sort();
    const writers = statements.filter((statement) =>
      actionsOf(statement).some((pattern) => ['s3:PutObject', 's3:DeleteObject'].some((action) => covers(pattern, action))),
    );

    expect(actions).toEqual(
      [
        's3:GetObject*',
        's3:GetBucket*',
        's3:List*',
        's3:DeleteObject*',
        's3:PutObject',
        's3:PutObjectLegalHold',
        's3:PutObjectRetention',
        's3:PutObjectTagging',
        's3:PutObjectVersionTagging',
        's3:Abort*',
        'cloudfront:GetInvalidation',
        'cloudfront:CreateInvalidation',
      ].sort(),
    );
    expect(writers.map((statement) => [...referencedIds(statement.Resource)])).toEqual([[bucketId]]);
  });

  it("lets the CORS handler update the API and delete its CORS configuration, that API's and nothing else", () => {
    const apiId = logicalId(stack.api.httpApi);
    const statements = statementsOfFunction(onlyHandlerOf('Custom::HttpApiCors'));

    expect(statements.map((statement) => [actionsOf(statement), render(statement.Resource)])).toEqual([
      [['apigateway:PATCH'], `arn:<AWS::Partition>:apigateway:<AWS::Region>::/apis/<${apiId}>`],
      [['apigateway:DELETE'], `arn:<AWS::Partition>:apigateway:<AWS::Region>::/apis/<${apiId}>/cors`],
    ]);
  });
});

/**
 * The requests the adapters really send, checked against the synthesized policies. The local stack does
 * not enforce IAM, so a partition or attribute missing from a condition would first fail in AWS; here
 * each function's use cases run with the real adapters against a stubbed client, and every request they
 * make must be allowed by the function's own statements, as IAM would judge it.
 */
describe('DynamoDB access, as the code makes it', () => {
  const TABLES = { consent: 'consent-table', audit: 'audit-table' } as const;
  const PROFILE_ID = 'profile-1';
  const documentClient = mockClient(DynamoDBDocumentClient);
  const lowLevelClient = mockClient(DynamoDBClient);
  const sqsClient = mockClient(SQSClient);
  const QUEUE_URLS = { queue: 'https://sqs.test/1/consent.fifo', deadLetters: 'https://sqs.test/1/consent-dead-letters.fifo' } as const;

  /** One item-level request as IAM sees it: the action, its table, its partition keys and attribute names. */
  type Access = { action: string; table: keyof typeof TABLES; index?: string; leadingKeys: string[]; attributes: string[] };

  /** What the stubbed table holds: a profile with one number, and a request's pointer. */
  function storedItem({ Key }: GetCommandInput): Record<string, unknown> | undefined {
    if (Key?.['pk'] === `PROFILE#${PROFILE_ID}`) {
      return { profileId: PROFILE_ID, whatsappNumbers: [PHONE], updatedAt: '2025-01-01T00:00:00.000Z', updatedBy: 'olga' };
    }
    if (String(Key?.['pk']).startsWith('REQUEST#')) return { phone: PHONE };
    return undefined;
  }

  const publisher = (fails: boolean): EventPublisher => ({
    publish: async () => {
      if (fails) throw new Error('queue unavailable');
    },
    publishAll: async () => undefined,
  });

  /** Items of a number's partition that lead a reader of its personal data elsewhere. */
  const personalDataItems = {
    pairing: { pk: `PHONE#${PHONE}`, sk: 'BSUID#US.1', userId: 'US.1', phone: PHONE, seenAt: '2025-01-01T00:00:00.000Z' },
    request: { ...sampleEvent(), pk: `PHONE#${PHONE}`, sk: `REQ#${sampleEvent().requestId}`, status: 'applied', importId: 'import-1' },
  };

  /** What each function's handler does with DynamoDB, through the same use cases and adapters. */
  const scenarios: Record<FunctionName, () => Promise<unknown>> = {
    profiles: async () => {
      const profiles = new DynamoProfileStore(TABLES.consent);
      const states = new DynamoConsentStateStore(TABLES.consent);
      const requests = new DynamoRequestStore(TABLES.consent);
      const caller = callerWith({ groups: new Set(['profile-admins']) });
      await replaceProfile(caller, { profileId: PROFILE_ID, whatsappNumbers: [OTHER_PHONE] }, { profiles, clock: systemClock });
      await replaceProfile(caller, { profileId: 'profile-new', whatsappNumbers: [PHONE] }, { profiles, clock: systemClock });
      const changes = new DynamoAuditReader(TABLES.audit);
      // The provider blocked PHONE last: a view reads that change's audit entry for its sender's number.
      const state = { ...sampleState(undefined, { source: 'automatic', updatedBy: 'whatsapp:1' }), pk: `PHONE#${PHONE}`, sk: 'STATE' };
      documentClient.on(BatchGetCommand).resolves({ Responses: { [TABLES.consent]: [state] } });
      await viewProfileConsent(PROFILE_ID, { profiles, states, requests, changes });
      await viewNumberConsent(PHONE, { states, requests, changes });
      await deleteProfile(PROFILE_ID, { profiles });
    },
    consentRequests: async () => {
      const deps = (fails: boolean) => ({
        profiles: new DynamoProfileStore(TABLES.consent),
        requests: new DynamoRequestStore(TABLES.consent),
        publisher: publisher(fails),
        clock: systemClock,
        newId,
      });
      const input = { profileId: PROFILE_ID, phone: PHONE, action: 'block' as const, reason: 'asked by phone' };
      await acceptConsentRequest(callerWith(), { ...input, idempotencyKey: undefined }, deps(false));
      // The queue is down: whatever the use case does about it (and whether it answers with an error),
      // its writes are what is under test here.
      await acceptConsentRequest(callerWith(), { ...input, idempotencyKey: 'key-1' }, deps(true)).catch(() => undefined);
      await new DynamoRequestStore(TABLES.consent).get(sampleEvent().requestId);
    },
    history: async () => {
      const audit = new DynamoAuditReader(TABLES.audit);
      await new DynamoProfileStore(TABLES.consent).get(PROFILE_ID);
      await audit.byPhone(PHONE, { limit: 10 });
      await audit.byProfile(PROFILE_ID, { limit: 10 });
    },
    health: async () => undefined,
    openapi: async () => undefined,
    whatsappWebhook: async () => {
      const directory = new DynamoUserDirectory(TABLES.consent);
      const failure = { status: 'failed', occurredAt: '2025-01-01T00:00:00.000Z', sender: { phoneNumberId: '1', displayPhoneNumber: undefined }, profileId: undefined };
      const errors = [{ code: 131026, text: 'Message undeliverable' }];
      await receiveConsentSignals(
        {
          statuses: [
            { ...failure, messageId: 'wamid.1', recipientId: undefined, userId: 'US.1', errors },
            { ...failure, messageId: 'wamid.2', recipientId: PHONE.slice(1), userId: 'US.2', errors },
          ],
          preferences: [],
        },
        { classify: failureClassifier(undefined), publisher: publisher(false), directory },
      );
      // The user id turns out to be paired already: the kept signal's condition fails, and the pairing is read.
      documentClient.on(TransactWriteCommand).rejects(new TransactionCanceledException({ message: 'cancelled', $metadata: {}, CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }] }));
      documentClient.on(GetCommand).resolves({ Item: { userId: 'US.1', phone: PHONE, recipientId: PHONE.slice(1), seenAt: '2025-01-01T00:00:00.000Z' } });
      await directory.keepUnresolved({ userId: 'US.1', receivedAt: '2025-01-01T00:00:00.000Z', event: sampleAutomaticEvent() });
    },
    blocklistImports: async () => {
      const deps = {
        imports: new DynamoImportStore(TABLES.consent),
        requests: new DynamoRequestStore(TABLES.consent),
        publisher: publisher(false),
        clock: systemClock,
        newId,
      };
      // PHONE has a sequence counter already (the API took one), which the import raises; OTHER_PHONE has none, which it creates.
      const counter = { pk: `PHONE#${PHONE}`, sk: 'SEQ' };
      documentClient.on(BatchGetCommand).callsFake((input: BatchGetCommandInput) => ({
        Responses: { [TABLES.consent]: (input.RequestItems?.[TABLES.consent]?.Keys ?? []).filter((key) => key['pk'] === counter.pk && key['sk'] === counter.sk).map((key) => ({ ...key, value: 3 })) },
      }));
      const csv = new TextEncoder().encode(`phone,action,reason\n${PHONE},block,Moved from the old provider\n${OTHER_PHONE},unblock,Asked again\n`);
      const accepted = await acceptBlocklistImport(callerWith(), { csv, idempotencyKey: 'import-1' }, deps);
      await importProgress(accepted.importId, deps).catch(() => undefined);
    },
    blocklist: async () => {
      const index = new DynamoBlockedNumbersIndex(TABLES.consent);
      await index.list({ source: 'automatic', reasonCode: '131026', changedAfter: '2025-01-01T00:00:00.000Z' }, { limit: 10 });
    },
    blocklistReview: async () => {
      const held = new DynamoHeldBlockStore(TABLES.consent, TABLES.audit);
      const directory = new DynamoUserDirectory(TABLES.consent);
      const heldBlock = { phone: PHONE, eventId: 'wa-held', sender: '1', reasonCode: '131026', failedAt: '2025-01-01T00:00:00.000Z', heldAt: '2025-01-01T00:00:01.000Z', event: sampleAutomaticEvent() };
      documentClient.on(QueryCommand).resolves({ Items: [{ ...keysOfHeld(), ...heldBlock }], Count: 1 });
      await held.list({ limit: 10 });
      await directory.listUnresolved({ limit: 10 });
      await directory.countUnresolved();
      const decision = { phones: [PHONE], reason: 'Outage' };
      await releaseHeldBlocks(callerWith(), decision, { held, publisher: publisher(false), clock: systemClock });
      await discardHeldBlocks(callerWith(), decision, { held, clock: systemClock });
    },
    blocklistCheck: () => blocklistChecker({ tableName: TABLES.consent }).check([PHONE, OTHER_PHONE]),
    blocklistCheckInvoke: () => blocklistChecker({ tableName: TABLES.consent }).check([PHONE, OTHER_PHONE]),
    processor: async () => {
      const held = new DynamoHeldBlockStore(TABLES.consent, TABLES.audit);
      const deps = {
        states: new DynamoConsentStateStore(TABLES.consent),
        ledger: new DynamoEventLedger(TABLES.consent, TABLES.audit),
        profiles: new DynamoProfileStore(TABLES.consent),
        clock: systemClock,
        held,
        directory: new DynamoUserDirectory(TABLES.consent),
      };
      const guard = (limit: number) => ({ settings: { limit, windowSeconds: 600 }, counter: new DynamoGuardCounter(TABLES.consent) });
      await applyConsentEvent(sampleEvent(), deps);
      // An automatic block with room in its sender's window (raised, and the bucket before checked), then one held.
      await applyConsentEvent(sampleAutomaticEvent({ alternatives: [OTHER_PHONE] }), { ...deps, guard: guard(10) });
      documentClient.on(BatchGetCommand).resolves({ Responses: { [TABLES.consent]: [{ pk: 'GUARD#1', sk: 'BUCKET#1', count: 1 }] } });
      await applyConsentEvent(sampleAutomaticEvent({ eventId: 'wa-held' }), { ...deps, guard: guard(0) });
      await applyConsentEvent(sampleAutomaticEvent({ eventId: 'wa-over' }), { ...deps, guard: { ...guard(1), counter: { read: async () => new Map([[Math.floor(Date.now() / 60_000), 1]]) } } });
      // A released block settles its held entry.
      documentClient.on(GetCommand).callsFake((input: GetCommandInput) => ({ Item: String(input.Key?.['sk']).startsWith('HELD#') ? { phone: PHONE, eventId: 'wa-held' } : storedItem(input) }));
      await applyConsentEvent(sampleAutomaticEvent({ eventId: 'wa-released', release: { heldEventId: 'wa-held', actor: { type: 'user', sub: 's', username: 'erin' }, reason: 'Confirmed', releasedAt: '2025-01-02T00:00:00.000Z' } }), deps);
      // A pairing, and the signal that waited for it.
      documentClient.on(QueryCommand).resolves({ Items: [{ userId: 'US.1', receivedAt: '2025-01-01T00:00:00.000Z', event: sampleAutomaticEvent({ eventId: 'wa-waited' }) }] });
      await learnPairing({ version: 1, eventId: 'wa-pair', source: 'pairing', userId: 'US.1', phone: PHONE, alternatives: [], recipientId: PHONE.slice(1), seenAt: '2025-01-01T00:00:00.000Z' }, deps);
      await new DynamoRequestStore(TABLES.consent).markFailed(PHONE, sampleEvent().requestId);
    },
    changePublisher: async () => undefined,
    personalData: async () => {
      // The number's partition holds a user id seen with it, still paired with it, and a request of an import.
      documentClient.on(QueryCommand).callsFake((input: QueryCommandInput) =>
        input.TableName === TABLES.consent && input.ExpressionAttributeValues?.[':pk'] === `PHONE#${PHONE}`
          ? { Items: [personalDataItems.pairing, personalDataItems.request] }
          : { Items: [] },
      );
      documentClient.on(BatchGetCommand).resolves({ Responses: { [TABLES.consent]: [{ pk: 'BSUID#US.1', sk: 'NUMBER', userId: 'US.1', phone: PHONE }] } });
      await exportPersonalData(PHONE, { reader: new DynamoNumberRecords(TABLES.consent, TABLES.audit), clock: systemClock });
    },
    personalDataEraser: async () => {
      // One item of every kind on the number's partition, each leading elsewhere: an import's page with
      // the number's row, a pairing that names it with a signal kept under it, a profile that holds it,
      // a history entry, and a request made with an idempotency key.
      const { state, request, pairing } = { ...personalDataItems, state: { ...sampleState(), pk: `PHONE#${PHONE}`, sk: 'STATE' } };
      const onNumber = [
        state, request, pairing,
        { pk: `PHONE#${PHONE}`, sk: `HOLDER#${PROFILE_ID}`, profileId: PROFILE_ID, phone: PHONE },
        { ...keysOfHeld(), phone: PHONE, eventId: 'wa-held' },
        { pk: `PHONE#${PHONE}`, sk: 'EVENT#wa-1', eventId: 'wa-1' },
        { pk: `PHONE#${PHONE}`, sk: 'SEQ', value: 3 },
      ];
      const page = { pk: 'IMPORT#import-1', sk: 'ACCEPTED#0000', entries: [{ line: 2, phone: PHONE, sequence: 1 }] };
      documentClient.on(QueryCommand).callsFake((input: QueryCommandInput) => {
        const pk = input.ExpressionAttributeValues?.[':pk'];
        if (input.TableName === TABLES.audit) return { Items: pk === `PHONE#${PHONE}` ? [{ pk, sk: '2025-01-01T00:00:00.000Z#wa-1' }] : [] };
        if (pk === `PHONE#${PHONE}`) return { Items: onNumber };
        if (pk === 'IMPORT#import-1') return { Items: [page] };
        if (pk === 'BSUID#US.1') return { Items: [{ pk, sk: 'UNRESOLVED#wa-2', userId: 'US.1', receivedAt: '2025-01-01T00:00:00.000Z', event: sampleAutomaticEvent({ eventId: 'wa-2' }) }] };
        return { Items: [] };
      });
      documentClient.on(BatchGetCommand).resolves({ Responses: { [TABLES.consent]: [{ pk: 'BSUID#US.1', sk: 'NUMBER', userId: 'US.1', phone: PHONE }] } });
      // An erasure of another number changes the import's page first: it is read again.
      documentClient
        .on(PutCommand, { Item: { pk: 'IMPORT#import-1' } })
        .rejectsOnce(new ConditionalCheckFailedException({ message: 'changed', $metadata: {} }))
        .resolves({});
      // The state as the suppression record left it, once written: the erasure ends after one pass.
      documentClient.on(GetCommand).callsFake((input: GetCommandInput) => {
        const sk = String(input.Key?.['sk']);
        if (sk === 'STATE') return { Item: { ...state, version: state.version + 1 } };
        if (sk.startsWith('REQ#')) return { Item: { ...request, idempotencyKey: { callerSub: 'sub-erin', key: 'key-1' } } };
        if (sk.startsWith('ACCEPTED#')) return { Item: page };
        return { Item: storedItem(input) };
      });
      const records = new DynamoNumberRecords(TABLES.consent, TABLES.audit);
      await erasePersonalData(callerWith({ groups: new Set(['privacy-officers']) }), { phone: PHONE, reason: 'Forget me' }, {
        reader: records,
        eraser: new DynamoNumberEraser(TABLES.consent, TABLES.audit, systemClock),
        states: new DynamoConsentStateStore(TABLES.consent),
        log: new DynamoErasureLog(TABLES.audit, async () => 'k'.repeat(32)),
        clock: systemClock,
        newId,
      });
    },
    requestSweeper: async () => {
      const requests = new DynamoRequestStore(TABLES.consent);
      // The dead-letter queue holds one request's event; the reader reads until the queue answers with none.
      sqsClient.on(ReceiveMessageCommand).resolvesOnce({ Messages: [{ Body: JSON.stringify(sampleEvent()) }] }).resolves({ Messages: [] });
      const deadLetters = new SqsDeadLetterReader(QUEUE_URLS.deadLetters);
      // One stale request besides the dead-lettered one: sent again, then marked enqueued.
      const stale = { requestId: 'req-stale', status: 'pending', action: 'block', phone: OTHER_PHONE, reason: 'r', requestedBy: { type: 'user', sub: 's', username: 'erin' }, requestedAt: '2025-01-01T00:00:00.000Z', sequence: 1 };
      documentClient.on(QueryCommand).resolves({ Items: [stale], Count: 1 });
      const publisher = new SqsEventPublisher(QUEUE_URLS.queue);
      await sweepRequests({ requests, publisher, deadLetters, clock: systemClock }, { resendAfterSeconds: 0, limit: 10 });
    },
  };

  /** Runs a function's scenario and returns every item-level request it made. */
  async function accessesOf(name: FunctionName): Promise<Access[]> {
    documentClient.reset();
    lowLevelClient.reset();
    sqsClient.reset();
    sqsClient.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    documentClient.on(GetCommand).callsFake((input: GetCommandInput) => ({ Item: storedItem(input) }));
    documentClient.on(BatchGetCommand).resolves({ Responses: {} });
    documentClient.on(QueryCommand).resolves({ Items: [], ScannedCount: 0 });
    documentClient.on(UpdateCommand).resolves({ Attributes: { value: 1 } });
    documentClient.on(TransactWriteCommand).resolves({});
    documentClient.on(BatchWriteCommand).resolves({ UnprocessedItems: {} });
    lowLevelClient.on(BatchGetItemCommand).resolves({ Responses: {} });
    await scenarios[name]();
    const commands = [...documentClient.calls(), ...lowLevelClient.calls()].map((call) => call.args[0] as unknown);
    return commands.flatMap((command) => accessesIn(command));
  }

  afterAll(() => {
    documentClient.restore();
    lowLevelClient.restore();
    sqsClient.restore();
  });

  /**
   * The SQS actions a function's scenario takes, as `queue sqs:Action` with IAM's action names (a batch
   * send is `sqs:SendMessage`). Run after its scenario.
   */
  function sqsActionsTaken(): string[] {
    const queueOf = (url: unknown) => Object.entries(QUEUE_URLS).find(([, known]) => known === url)?.[0] ?? `unknown queue ${String(url)}`;
    const actionOf = (command: object) => `sqs:${command.constructor.name.replace(/Command$/, '').replace(/Batch$/, '')}`;
    return sqsClient.calls().map((call) => {
      const command = call.args[0] as { input: { QueueUrl?: string } };
      return `${queueOf(command.input.QueueUrl)} ${actionOf(command)}`;
    });
  }

  /** The SQS actions a function's statements grant on each of the consent queues, as `queue sqs:Action`. */
  function sqsActionsGranted(name: FunctionName): string[] {
    const queues = { queue: logicalId(stack.data.queue), deadLetters: logicalId(stack.data.deadLetterQueue) };
    return statementsOfFunction(logicalId(functionNamed(name)))
      .filter((statement) => statement.Effect === 'Allow')
      .flatMap((statement) =>
        Object.entries(queues)
          .filter(([, id]) => referencedIds(statement.Resource).has(id))
          .flatMap(([queue]) => actionsOf(statement).map((action) => `${queue} ${action}`)),
      );
  }

  /** Whether one of a function's statements allows the request, as IAM evaluates the conditions used here. */
  function allowed(name: FunctionName, access: Access): boolean {
    const tableId = logicalId(access.table === 'consent' ? stack.data.consentTable : stack.data.auditTable);
    return statementsOfFunction(logicalId(functionNamed(name))).some(
      (statement) =>
        statement.Effect === 'Allow' &&
        actionsOf(statement).some((pattern) => covers(pattern, access.action)) &&
        referencedIds(statement.Resource).has(tableId) &&
        conditionHolds(statement.Condition ?? {}, access),
    );
  }

  it('allows every request each function makes, and the scenarios reach every kind of request', async () => {
    const kinds: Record<string, string[]> = {};
    for (const name of Object.keys(scenarios) as FunctionName[]) {
      const accesses = await accessesOf(name);
      const refused = accesses.filter((access) => !allowed(name, access));
      expect({ name, refused }).toEqual({ name, refused: [] });
      kinds[name] = [...new Set(accesses.map(kindOf))].sort();
    }

    // Each function's scenario covers the partitions its grants name (and so would notice one too few).
    expect(kinds).toEqual({
      profiles: [
        'BatchGetItem consent PHONE#', 'DeleteItem consent PHONE#', 'DeleteItem consent PROFILE#', 'GetItem consent PROFILE#', 'PutItem consent PHONE#',
        'PutItem consent PROFILE#', 'Query audit PHONE#', 'Query consent PHONE#',
      ],
      consentRequests: [
        'GetItem consent IDEMPOTENCY#', 'GetItem consent PHONE#', 'GetItem consent PROFILE#',
        'GetItem consent REQUEST#', 'PutItem consent IDEMPOTENCY#', 'PutItem consent PHONE#', 'PutItem consent REQUEST#',
        'UpdateItem consent PHONE#',
      ],
      history: ['GetItem consent PROFILE#', 'Query audit PHONE#', 'Query audit/byProfile (profile id)'],
      health: [],
      openapi: [],
      whatsappWebhook: ['BatchGetItem consent BSUID#', 'ConditionCheckItem consent BSUID#', 'GetItem consent BSUID#', 'PutItem consent BSUID#'],
      blocklistCheck: ['BatchGetItem consent PHONE#'],
      blocklistCheckInvoke: ['BatchGetItem consent PHONE#'],
      blocklist: ['Query consent/byList BLOCKED#'],
      blocklistImports: [
        'BatchGetItem consent PHONE#', 'BatchWriteItem consent REQUEST#', 'GetItem consent IDEMPOTENCY#', 'PutItem consent IDEMPOTENCY#',
        'PutItem consent IMPORT#', 'PutItem consent PHONE#', 'Query consent IMPORT#', 'UpdateItem consent PHONE#',
      ],
      blocklistReview: [
        'DeleteItem consent PHONE#', 'PutItem audit PHONE#', 'Query consent PHONE#', 'Query consent/byList HELD', 'Query consent/byList UNRESOLVED',
      ],
      processor: [
        'BatchGetItem consent GUARD#', 'ConditionCheckItem consent GUARD#', 'DeleteItem consent BSUID#', 'DeleteItem consent PHONE#',
        'GetItem consent PHONE#', 'PutItem audit PHONE#', 'PutItem consent PHONE#', 'Query consent BSUID#', 'Query consent PHONE#',
        'UpdateItem consent BSUID#', 'UpdateItem consent GUARD#', 'UpdateItem consent PHONE#',
      ],
      requestSweeper: ['Query consent/byPending PENDING#', 'UpdateItem consent PHONE#'],
      changePublisher: [],
      personalData: ['BatchGetItem consent BSUID#', 'Query audit PHONE#', 'Query consent BSUID#', 'Query consent IMPORT#', 'Query consent PHONE#'],
      personalDataEraser: [
        'BatchGetItem consent BSUID#', 'DeleteItem audit PHONE#', 'DeleteItem consent BSUID#', 'DeleteItem consent IDEMPOTENCY#',
        'DeleteItem consent PHONE#', 'DeleteItem consent REQUEST#', 'GetItem consent IMPORT#', 'GetItem consent PHONE#', 'GetItem consent PROFILE#',
        'PutItem audit ERASURE#', 'PutItem consent IMPORT#', 'PutItem consent PHONE#', 'PutItem consent PROFILE#', 'Query audit PHONE#',
        'Query consent BSUID#', 'Query consent IMPORT#', 'Query consent PHONE#',
      ],
    });
  });

  it('lets the request sweeper take exactly the SQS actions its code takes, on the queues it takes them on', async () => {
    await accessesOf('requestSweeper');
    const taken = new Set(sqsActionsTaken());
    // Guards the guard: the scenario read the dead letters and sent the stale request again.
    expect([...taken].sort()).toEqual(['deadLetters sqs:ReceiveMessage', 'queue sqs:SendMessage']);

    // `grantSendMessages` adds the queue's attributes and URL to what a sender may read; the code knows the
    // URL and reads no attribute, but that grant is the one every sender has. Any other action is unused.
    const granted = new Set(sqsActionsGranted('requestSweeper').filter((grant) => !['queue sqs:GetQueueAttributes', 'queue sqs:GetQueueUrl'].includes(grant)));
    expect([...granted].sort()).toEqual([...taken].sort());
  });

  it('lets no role but the processor (and the eraser, for suppression records) write an attribute that only a consent state has', async () => {
    const processorWrites = (await accessesOf('processor')).filter((access) => access.table === 'consent' && access.action !== 'dynamodb:GetItem');
    const stateAttributes = new Set(processorWrites.filter((access) => access.attributes.includes('blocked')).flatMap((access) => access.attributes));
    const otherWrites = [...(await accessesOf('profiles')), ...(await accessesOf('consentRequests'))].filter((access) =>
      ['dynamodb:PutItem', 'dynamodb:UpdateItem'].includes(access.action),
    );
    const shared = new Set(otherWrites.flatMap((access) => access.attributes));
    const stateOnly = [...stateAttributes].filter((attribute) => !shared.has(attribute));

    // Guards the guard: the processor's state put was found, and what makes a block is among its own.
    expect(stateOnly).toEqual(expect.arrayContaining(['blocked', 'source', 'version', 'registers']));
    for (const name of Object.keys(scenarios) as FunctionName[]) {
      // The eraser writes a suppression record in place of a state (README, "A person's data").
      if (name === 'processor' || name === 'personalDataEraser') continue;
      for (const action of ['dynamodb:PutItem', 'dynamodb:UpdateItem']) {
        const writesState = stateOnly.filter((attribute) =>
          allowed(name, { action, table: 'consent', leadingKeys: [`PHONE#${PHONE}`], attributes: ['pk', 'sk', attribute] }),
        );
        expect({ name, action, writesState }).toEqual({ name, action, writesState: [] });
      }
    }
  });

  it('cannot stop the profile and request roles from replacing or (profiles) deleting a state item: only the code keeps them off it', () => {
    const stateKey = [`PHONE#${PHONE}`];
    const replacement: Access = { action: 'dynamodb:PutItem', table: 'consent', leadingKeys: stateKey, attributes: ['pk', 'sk', 'phone'] };
    const deletion: Access = { action: 'dynamodb:DeleteItem', table: 'consent', leadingKeys: stateKey, attributes: ['pk', 'sk'] };

    // A put with only their own attributes onto `PHONE#…/STATE` replaces the state with one that has no `blocked`.
    expect(allowed('profiles', replacement)).toBe(true);
    expect(allowed('consentRequests', replacement)).toBe(true);
    expect(allowed('profiles', deletion)).toBe(true);
    expect(allowed('consentRequests', deletion)).toBe(false);
    // What IAM does stop: writing a block or moving a number's order, and any write outside their partitions.
    expect(allowed('consentRequests', { ...replacement, action: 'dynamodb:UpdateItem', attributes: ['pk', 'sk', 'blocked'] })).toBe(false);
    expect(allowed('consentRequests', { ...replacement, action: 'dynamodb:UpdateItem', attributes: ['pk', 'sk', 'lastSeq'] })).toBe(false);
    expect(allowed('profiles', { ...replacement, attributes: ['pk', 'sk', 'phone', 'blocked'] })).toBe(false);
    expect(allowed('profiles', { ...replacement, leadingKeys: ['IDEMPOTENCY#sub#key'] })).toBe(false);
    expect(allowed('consentRequests', { ...replacement, leadingKeys: ['PROFILE#p-1'] })).toBe(false);
    expect(allowed('history', { ...replacement, action: 'dynamodb:GetItem' })).toBe(false);
    expect(allowed('blocklistCheck', { ...replacement, action: 'dynamodb:BatchGetItem', leadingKeys: ['PROFILE#p-1'] })).toBe(false);
    // The processor may put audit entries, never update them; nothing in IAM sees whether a put overwrites.
    expect(allowed('processor', { ...replacement, table: 'audit' })).toBe(true);
    expect(allowed('processor', { ...replacement, table: 'audit', action: 'dynamodb:UpdateItem' })).toBe(false);
  });
});

/** Words of DynamoDB's expression language that are no attribute names. */
const EXPRESSION_WORDS = new Set([
  'set', 'remove', 'add', 'delete', 'and', 'or', 'not', 'between', 'in', 'attribute_exists', 'attribute_not_exists',
  'attribute_type', 'begins_with', 'contains', 'size', 'if_not_exists', 'list_append',
]);

/** The top-level attribute names an expression uses, with `#name` placeholders resolved. */
function attributesIn(expression: string | undefined, names: Record<string, string> = {}): string[] {
  return [...(expression ?? '').matchAll(/[#:]?[A-Za-z_]\w*/g)]
    .map(([token]) => token)
    .filter((token) => !token.startsWith(':') && !EXPRESSION_WORDS.has(token.toLowerCase()))
    .map((token) => (token.startsWith('#') ? (names[token] ?? token) : token));
}

type ItemRequest = {
  TableName?: string;
  Item?: Record<string, unknown>;
  Key?: Record<string, unknown>;
  UpdateExpression?: string;
  ConditionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
};

/** A partition key as the document client (a string) or the low-level client (`{ S }`) writes it. */
function partitionOf(key: Record<string, unknown> | undefined): string {
  const pk = key?.['pk'];
  return typeof pk === 'string' ? pk : String((pk as { S?: string } | undefined)?.S);
}

/** The item-level requests, as IAM authorizes them, that one SDK command makes. */
function accessesIn(command: unknown): { action: string; table: 'consent' | 'audit'; index?: string; leadingKeys: string[]; attributes: string[] }[] {
  const input = (command as { input: Record<string, any> }).input;
  const table = (name: unknown) => (name === 'audit-table' ? 'audit' : 'consent') as 'consent' | 'audit';
  const item = (action: string, request: ItemRequest) => ({
    action: `dynamodb:${action}`,
    table: table(request.TableName),
    leadingKeys: [partitionOf(request.Item ?? request.Key)],
    attributes: [
      ...new Set([
        ...Object.keys(request.Item ?? request.Key ?? {}),
        ...attributesIn(request.UpdateExpression, request.ExpressionAttributeNames),
        ...attributesIn(request.ConditionExpression, request.ExpressionAttributeNames),
      ]),
    ],
  });
  if (command instanceof GetCommand) return [item('GetItem', input)];
  if (command instanceof UpdateCommand) return [item('UpdateItem', input)];
  if (command instanceof DeleteCommand) return [item('DeleteItem', input)];
  if (command instanceof PutCommand) return [item('PutItem', input)];
  if (command instanceof TransactWriteCommand) {
    return (input['TransactItems'] as Record<string, ItemRequest>[]).map((entry) => {
      const [[kind, request] = ['', {}]] = Object.entries(entry);
      return item({ Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem', ConditionCheck: 'ConditionCheckItem' }[kind] ?? `unknown ${kind}`, request);
    });
  }
  if (command instanceof BatchWriteCommand) {
    return Object.entries(input['RequestItems'] as Record<string, { PutRequest?: { Item: Record<string, unknown> }; DeleteRequest?: { Key: Record<string, unknown> } }[]>).flatMap(
      ([name, requests]) =>
        requests.map((request) => {
          const item = request.PutRequest?.Item ?? request.DeleteRequest?.Key ?? {};
          return { action: 'dynamodb:BatchWriteItem', table: table(name), leadingKeys: [partitionOf(item)], attributes: Object.keys(item) };
        }),
    );
  }
  if (command instanceof BatchGetCommand || command instanceof BatchGetItemCommand) {
    return Object.entries(input['RequestItems'] as Record<string, { Keys: Record<string, unknown>[] }>).map(([name, request]) => ({
      action: 'dynamodb:BatchGetItem',
      table: table(name),
      leadingKeys: request.Keys.map(partitionOf),
      attributes: [],
    }));
  }
  if (command instanceof QueryCommand) {
    // The partition key is the attribute compared for equality first in the key condition.
    const [, placeholder] = /=\s*(:\w+)/.exec(String(input['KeyConditionExpression'])) ?? [];
    return [{
      action: 'dynamodb:Query',
      table: table(input['TableName']),
      index: input['IndexName'],
      leadingKeys: [String(input['ExpressionAttributeValues'][placeholder ?? ''])],
      attributes: [],
    }];
  }
  throw new Error(`No IAM reading of ${(command as object).constructor.name}; add one`);
}

/** The key of a held block's item, as a query of the review index returns it. */
function keysOfHeld() {
  return { pk: `PHONE#${PHONE}`, sk: 'HELD#wa-held', listName: 'HELD', listedAt: '2025-01-01T00:00:01.000Z' };
}

/** `PutItem consent PHONE#`: an access by action, table (and index) and partition prefix. */
function kindOf(access: { action: string; table: string; index?: string; leadingKeys: string[] }): string {
  const prefixOf = (key: string) => (key.includes('#') ? key.slice(0, key.indexOf('#') + 1) : /^[A-Z]+$/.test(key) ? key : '(profile id)');
  const prefixes = [...new Set(access.leadingKeys.map(prefixOf))];
  return `${access.action.slice('dynamodb:'.length)} ${access.table}${access.index ? `/${access.index}` : ''} ${prefixes.join(',')}`;
}

/**
 * IAM's evaluation of the conditions this stack uses, and nothing else: any other operator or key is an
 * error rather than a silent pass. `ForAllValues` holds when every value of the request matches one of
 * the statement's, so a request without values passes, as in IAM.
 */
function conditionHolds(condition: Condition, access: { leadingKeys: string[]; attributes: string[] }): boolean {
  const matchers: Record<string, (pattern: string, value: string) => boolean> = {
    'ForAllValues:StringLike': (pattern, value) => wildcard(pattern).test(value),
    'ForAllValues:StringEquals': (pattern, value) => pattern === value,
  };
  const valuesOf: Record<string, string[]> = { 'dynamodb:LeadingKeys': access.leadingKeys, 'dynamodb:Attributes': access.attributes };
  return Object.entries(condition).every(([operator, keys]) => {
    const matches = matchers[operator];
    if (!matches) throw new Error(`No evaluation of the condition operator ${operator}`);
    return Object.entries(keys).every(([key, patterns]) => {
      const values = valuesOf[key];
      if (!values) throw new Error(`No evaluation of the condition key ${key}`);
      const allowed = Array.isArray(patterns) ? patterns : [patterns];
      return values.every((value) => allowed.some((pattern) => matches(pattern, value)));
    });
  });
}

describe('HTTP API', () => {
  it('serves every route of infra/resources.ts, JWT-protected unless marked open', () => {
    const authorizerId = ofType('AWS::ApiGatewayV2::Authorizer')[0]?.[0];
    template.resourceCountIs('AWS::ApiGatewayV2::Route', routes.length);

    for (const route of routes) {
      template.hasResourceProperties(
        'AWS::ApiGatewayV2::Route',
        route.authorization === 'jwt'
          ? { RouteKey: `${route.method} ${route.path}`, AuthorizationType: 'JWT', AuthorizerId: { Ref: authorizerId } }
          : { RouteKey: `${route.method} ${route.path}`, AuthorizationType: 'NONE', AuthorizerId: Match.absent() },
      );
    }
    const open = routes.filter((route) => route.authorization === 'none').map((route) => `${route.method} ${route.path}`);
    expect(open.sort()).toEqual(['GET /health', 'GET /openapi.json', 'GET /webhooks/whatsapp', 'POST /webhooks/whatsapp']);
  });

  it('deploys every route of the spec, and no other', () => {
    const deployed = ofType('AWS::ApiGatewayV2::Route').map(([, route]) => route.Properties?.['RouteKey']);

    expect(deployed.sort()).toEqual(
      [
        'PUT /profiles/{profileId}',
        'DELETE /profiles/{profileId}',
        'GET /profiles/{profileId}/whatsapp',
        'POST /profiles/{profileId}/whatsapp/{phone}/block',
        'POST /profiles/{profileId}/whatsapp/{phone}/unblock',
        'GET /requests/{requestId}',
        'GET /profiles/{profileId}/whatsapp/history',
        'GET /numbers/{phone}',
        'GET /numbers/{phone}/history',
        'GET /numbers/{phone}/personal-data',
        'POST /numbers/{phone}/erase',
        'POST /blocklist/check',
        'GET /blocklist',
        'GET /blocklist/held',
        'POST /blocklist/held/release',
        'POST /blocklist/held/discard',
        'POST /blocklist/imports',
        'GET /blocklist/imports/{importId}',
        'GET /blocklist/unresolved',
        'GET /webhooks/whatsapp',
        'POST /webhooks/whatsapp',
        'GET /health',
        'GET /openapi.json',
      ].sort(),
    );
  });

  it('sends each route to the function that serves its group', () => {
    const routeResources = ofType('AWS::ApiGatewayV2::Route');
    for (const route of routes) {
      const [, found] = routeResources.find(([, r]) => r.Properties?.['RouteKey'] === `${route.method} ${route.path}`) ?? [];
      const [integrationId] = referencedIds(found?.Properties?.['Target']);
      const integration = resource(integrationId ?? 'missing');
      const target = referencedIds(integration.Properties?.['IntegrationUri']);

      expect(target).toEqual(new Set([logicalId(stack.functions.api[route.function])]));
    }
    template.resourceCountIs('AWS::ApiGatewayV2::Integration', new Set(routes.map((route) => route.function)).size);
  });

  it('accepts tokens of both app clients, issued by the user pool', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Audience: Match.arrayWith([{ Ref: logicalId(stack.auth.userClient) }, { Ref: logicalId(stack.auth.machineClient) }]),
        Issuer: Match.objectLike({
          'Fn::Join': ['', Match.arrayWith([{ Ref: logicalId(stack.auth.userPool) }])],
        }),
      },
    });
  });

  it('gives the webhook and the campaign check limits of their own, and leaves the other routes at 50 a second, burst 100', () => {
    const stage = resource(logicalId(stack.api.stage));
    const throttled = ['POST /webhooks/whatsapp', 'GET /webhooks/whatsapp', 'POST /blocklist/check'];
    const routeIds = ofType('AWS::ApiGatewayV2::Route')
      .filter(([, route]) => throttled.includes(String(route.Properties?.['RouteKey'])))
      .map(([id]) => id);

    expect(stage.Properties?.['DefaultRouteSettings']).toEqual({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 });
    expect(stage.Properties?.['RouteSettings']).toEqual({
      'POST /webhooks/whatsapp': { ThrottlingRateLimit: 3000, ThrottlingBurstLimit: 5000 },
      'GET /webhooks/whatsapp': { ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 },
      'POST /blocklist/check': { ThrottlingRateLimit: 200, ThrottlingBurstLimit: 400 },
    });
    // API Gateway refuses settings for a route that does not exist yet: the stage is created after them.
    expect(routeIds).toHaveLength(throttled.length);
    expect([stage.DependsOn ?? []].flat()).toEqual(expect.arrayContaining(routeIds));
  });

  it('takes other stage and route limits from its props, and refuses a limit for a route it does not serve', () => {
    const stageOf = (props: Partial<ConsentApiProps>) => {
      const scope = new Stack(new App(), 'ApiStack');
      const fn = new LambdaFunction(scope, 'Fn', { runtime: Runtime.NODEJS_24_X, handler: 'index.handler', code: Code.fromInline('//') });
      const apiFunctions: Record<string, IFunction> = Object.fromEntries(routes.map((route) => [route.function, fn]));
      const userPool = new UserPool(scope, 'Pool');
      const api = new ConsentApi(scope, 'Api', {
        routes,
        functions: apiFunctions as ConsentApiProps['functions'],
        userPool,
        clients: [userPool.addClient('Client')],
        ...props,
      });
      return Template.fromStack(scope).toJSON()['Resources'][logicalId(api.stage)] as Resource;
    };

    const overridden = stageOf({
      throttle: { rateLimit: 5, burstLimit: 10 },
      routeThrottles: { ...ROUTE_THROTTLES, 'POST /blocklist/check': { rateLimit: 20, burstLimit: 40 } },
    });
    expect(overridden.Properties?.['DefaultRouteSettings']).toEqual({ ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 });
    expect(overridden.Properties?.['RouteSettings']).toMatchObject({ 'POST /blocklist/check': { ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 } });
    expect(stageOf({ routeThrottles: {} }).Properties?.['RouteSettings']).toBeUndefined();
    expect(() => stageOf({ routeThrottles: { 'POST /webhooks/meta': { rateLimit: 1, burstLimit: 1 } } })).toThrow(/POST \/webhooks\/meta/);
  });

  it('deploys a throttled, access-logged default stage automatically', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      AccessLogSettings: {
        DestinationArn: { 'Fn::GetAtt': [logicalId(stack.api.accessLogs), 'Arn'] },
        Format: Match.stringLikeRegexp('\\$context\\.requestId'),
      },
    });
  });
});

describe('Cognito', () => {
  it('lets only administrators create users', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', { AdminCreateUserConfig: { AllowAdminCreateUserOnly: true } });
  });

  it('has the permission groups that the API checks', () => {
    for (const groupName of Object.values(GROUPS)) {
      template.hasResourceProperties('AWS::Cognito::UserPoolGroup', { GroupName: groupName });
    }
    expect(Object.values(GROUPS).sort()).toEqual(['privacy-officers', 'profile-admins', 'whatsapp-blocklist-editors']);
  });

  it('has the resource-server scopes that the API checks', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolResourceServer', {
      Identifier: 'whatsapp-blocklist',
      Scopes: Match.arrayWith([Match.objectLike({ ScopeName: 'edit' }), Match.objectLike({ ScopeName: 'check' })]),
    });
    template.hasResourceProperties('AWS::Cognito::UserPoolResourceServer', {
      Identifier: 'profiles',
      Scopes: [Match.objectLike({ ScopeName: 'write' })],
    });
    template.hasResourceProperties('AWS::Cognito::UserPoolResourceServer', {
      Identifier: 'privacy',
      Scopes: [Match.objectLike({ ScopeName: 'manage' })],
    });
  });

  it('gives the machine client a secret, the client-credentials flow and every custom scope', () => {
    const client = resource(logicalId(stack.auth.machineClient)).Properties;
    const scopes = JSON.stringify(client?.['AllowedOAuthScopes']);

    expect(client).toMatchObject({ GenerateSecret: true, AllowedOAuthFlows: ['client_credentials'] });
    for (const scope of ['/edit', '/check', '/write', '/manage']) expect(scopes).toContain(scope);
  });

  it('lets users sign in with a code but never grants them a permission scope in place of a group', () => {
    const client = resource(logicalId(stack.auth.userClient)).Properties;

    expect(client).toMatchObject({ AllowedOAuthFlows: ['code'], GenerateSecret: false });
    // Custom scopes would appear as references to a resource server; only the standard ones may be here.
    expect(client?.['AllowedOAuthScopes']).toEqual(['openid', 'email', 'profile']);
  });

  it('hosts a Cognito domain for the token endpoint', () => {
    template.resourceCountIs('AWS::Cognito::UserPoolDomain', 1);
  });
});

describe('console', () => {
  /** Part of the template, read by the assertions only. */
  type Json = Record<string, any>;
  type Event = { request: { method: string; uri: string; querystring: Record<string, unknown>; headers: Record<string, unknown> } };
  type Directives = Map<string, string[]>;

  function distributionConfig(): Json {
    return resource(logicalId(stack.console.distribution)).Properties?.['DistributionConfig'] as Json;
  }

  function contentSecurityPolicy(): Directives {
    const config = ofType('AWS::CloudFront::ResponseHeadersPolicy')[0]?.[1].Properties?.['ResponseHeadersPolicyConfig'] as Json;
    const text = render(config['SecurityHeadersConfig']['ContentSecurityPolicy']['ContentSecurityPolicy']);
    return new Map(text.split(';').map((directive) => {
      const [name = '', ...sources] = directive.trim().split(/\s+/);
      return [name, sources];
    }));
  }

  /** The viewer-request function as CloudFront runs it: its deployed source, evaluated. */
  function viewerRequest(): (event: Event) => Json {
    const [[, fn] = ['', undefined]] = ofType('AWS::CloudFront::Function');
    return runInNewContext(`${String(fn?.Properties?.['FunctionCode'])}\nhandler;`) as (event: Event) => Json;
  }

  function request(uri: string, querystring: Record<string, unknown> = {}): Event {
    return { request: { method: 'GET', uri, querystring, headers: { host: { value: 'd111111abcdef8.cloudfront.net' } } } };
  }

  function bucketPolicyStatements(bucketId: string): Statement[] {
    const [, policy] = ofType('AWS::S3::BucketPolicy').find(([, p]) => referencedIds(p.Properties?.['Bucket']).has(bucketId)) ?? [];
    return (policy?.Properties?.['PolicyDocument'] as { Statement: Statement[] }).Statement;
  }

  const consoleOrigin = () => `https://<${logicalId(stack.console.distribution)}.DomainName>`;
  const apiEndpoint = () => `<${logicalId(stack.api.httpApi)}.ApiEndpoint>`;
  const cognitoDomain = () => `https://<${logicalId(stack.auth.domain)}>.auth.<AWS::Region>.amazoncognito.com`;

  it('keeps the bucket private: public access blocked, TLS enforced, encrypted, no website hosting', () => {
    const id = logicalId(stack.console.bucket);
    const bucket = resource(id).Properties;

    expect(bucket).toMatchObject({
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      LoggingConfiguration: { DestinationBucketName: { Ref: logicalId(stack.console.accessLogs) } },
    });
    expect(bucket?.['WebsiteConfiguration']).toBeUndefined();
    expect(bucketPolicyStatements(id)).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
  });

  it("logs the bucket's requests into a private bucket that S3 log delivery alone may write, for 90 days", () => {
    const logsId = logicalId(stack.console.accessLogs);
    const logs = resource(logsId).Properties;
    const allows = bucketPolicyStatements(logsId).filter((statement) => statement.Effect === 'Allow');

    expect(logs).toMatchObject({
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      LifecycleConfiguration: { Rules: [{ ExpirationInDays: 90, Status: 'Enabled' }] },
    });
    expect(logs?.['AccessControl']).toBeUndefined();
    expect(allows).toHaveLength(1);
    expect(allows[0]).toMatchObject({ Action: 's3:PutObject', Principal: { Service: 'logging.s3.amazonaws.com' } });
    expect(render((allows[0]?.Condition as Json)['ArnLike']['aws:SourceArn'])).toBe(`<${logicalId(stack.console.bucket)}.Arn>`);
  });

  it('lets only this distribution read the bucket, through origin access control', () => {
    const bucketId = logicalId(stack.console.bucket);
    const distributionId = logicalId(stack.console.distribution);
    const [[oacId, oac] = ['', undefined], ...otherOacs] = ofType('AWS::CloudFront::OriginAccessControl');
    const [origin, ...otherOrigins] = distributionConfig()['Origins'] as Json[];
    const allows = bucketPolicyStatements(bucketId).filter((statement) => statement.Effect === 'Allow');

    expect(otherOacs).toEqual([]);
    expect(oac?.Properties?.['OriginAccessControlConfig']).toMatchObject({ OriginAccessControlOriginType: 's3', SigningBehavior: 'always' });
    expect(otherOrigins).toEqual([]);
    expect(origin).toMatchObject({ OriginAccessControlId: { 'Fn::GetAtt': [oacId, 'Id'] }, S3OriginConfig: { OriginAccessIdentity: '' } });
    expect(referencedIds(origin?.['DomainName'])).toEqual(new Set([bucketId]));
    expect(allows).toHaveLength(1);
    expect(allows[0]).toMatchObject({ Action: 's3:GetObject', Principal: { Service: 'cloudfront.amazonaws.com' } });
    expect(render((allows[0]?.Condition as Json)['StringEquals']['AWS:SourceArn'])).toBe(
      `arn:<AWS::Partition>:cloudfront::<AWS::AccountId>:distribution/<${distributionId}>`,
    );
  });

  it('redirects HTTP to HTTPS, serves HTTP/2 and HTTP/3 from price class 100, and only GET and HEAD', () => {
    const config = distributionConfig();

    expect(config).toMatchObject({
      Enabled: true,
      HttpVersion: 'http2and3',
      PriceClass: 'PriceClass_100',
      DefaultCacheBehavior: { ViewerProtocolPolicy: 'redirect-to-https', AllowedMethods: ['GET', 'HEAD'] },
    });
  });

  it('sends HSTS for two years, nosniff, DENY framing and no referrer with every response', () => {
    const [[policyId, policy] = ['', undefined]] = ofType('AWS::CloudFront::ResponseHeadersPolicy');
    const headers = (policy?.Properties?.['ResponseHeadersPolicyConfig'] as Json)['SecurityHeadersConfig'];

    expect(distributionConfig()['DefaultCacheBehavior']['ResponseHeadersPolicyId']).toEqual({ Ref: policyId });
    expect(headers).toMatchObject({
      StrictTransportSecurity: { AccessControlMaxAgeSec: 63_072_000, IncludeSubdomains: true, Override: true },
      ContentTypeOptions: { Override: true },
      FrameOptions: { FrameOption: 'DENY', Override: true },
      ReferrerPolicy: { ReferrerPolicy: 'no-referrer', Override: true },
    });
  });

  it('lets the console connect to the API and the Cognito domain and nowhere else, and load only its own files', () => {
    const directives = contentSecurityPolicy();

    expect(directives.get('connect-src')).toEqual([apiEndpoint(), cognitoDomain()]);
    expect([...directives.values()].flat().filter((source) => source.includes('*'))).toEqual([]);
    expect(Object.fromEntries(directives)).toEqual({
      'default-src': ["'none'"],
      'script-src': ["'self'"],
      'style-src': ["'self'"],
      'img-src': ["'self'", 'data:'],
      'font-src': ["'self'"],
      'manifest-src': ["'self'"],
      'connect-src': [apiEndpoint(), cognitoDomain()],
      'base-uri': ["'none'"],
      'form-action': ["'self'"],
      'frame-ancestors': ["'none'"],
      'object-src': ["'none'"],
    });
  });

  it('serves index.html for the console routes, the files as they are, and redirects / to /console/', () => {
    const handler = viewerRequest();

    for (const route of ['/console/', '/console/profiles/p-1', '/console/numbers/%2B420777123456', '/console/callback']) {
      expect({ route, uri: handler(request(route))['uri'] }).toEqual({ route, uri: '/console/index.html' });
    }
    for (const file of [`/console/assets/${CONSOLE_SCRIPT}`, '/console/config.json', '/console/index.html']) {
      expect({ file, uri: handler(request(file))['uri'] }).toEqual({ file, uri: file });
    }
    for (const path of ['/', '/console']) {
      expect({ path, response: handler(request(path)) }).toEqual({
        path,
        response: { statusCode: 301, statusDescription: 'Moved Permanently', headers: { location: { value: '/console/' } } },
      });
    }
    // The authorization code stays in the query string, for the console to read.
    expect(handler(request('/console/callback', { code: { value: 'c' } }))).toMatchObject({ querystring: { code: { value: 'c' } } });
  });

  it('runs the function on viewer requests, before the cache, with the JavaScript 2.0 runtime', () => {
    const [[functionId, fn] = ['', undefined]] = ofType('AWS::CloudFront::Function');

    expect(fn?.Properties?.['FunctionConfig']).toMatchObject({ Runtime: 'cloudfront-js-2.0' });
    expect(distributionConfig()['DefaultCacheBehavior']['FunctionAssociations']).toEqual([
      { EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [functionId, 'FunctionARN'] } },
    ]);
  });

  it("writes config.json with the stack's API URL and Cognito sign-in settings", () => {
    const [deployment] = ofType('Custom::CDKBucketDeployment')
      .map(([, custom]) => custom.Properties as { SourceObjectKeys: string[]; SourceMarkers?: Record<string, unknown>[] })
      .filter((properties) => properties.SourceMarkers !== undefined);
    const configIndex = deployment?.SourceMarkers?.findIndex((markers) => Object.keys(markers).length > 0) ?? -1;
    const key = deployment?.SourceObjectKeys[configIndex] ?? '';
    let text = readFileSync(join(app.outdir, `asset.${key.replace(/\.zip$/, '')}`, 'config.json'), 'utf8');
    for (const [marker, value] of Object.entries(deployment?.SourceMarkers?.[configIndex] ?? {})) text = text.replaceAll(marker, render(value));

    expect(JSON.parse(text)).toEqual({
      apiUrl: apiEndpoint(),
      auth: {
        kind: 'cognito',
        authority: `https://cognito-idp.<AWS::Region>.amazonaws.com/<${logicalId(stack.auth.userPool)}>`,
        clientId: `<${logicalId(stack.auth.userClient)}>`,
        domain: cognitoDomain(),
      },
    });
  });

  it('caches the hashed assets for a year, revalidates the rest, and clears CloudFront after a deployment', () => {
    const deployments = ofType('Custom::CDKBucketDeployment').map(([, custom]) => custom.Properties ?? {});
    const assets = deployments.find((properties) => properties['DestinationBucketKeyPrefix'] === 'console/assets/');
    const entry = deployments.find((properties) => properties['DestinationBucketKeyPrefix'] === 'console/');

    expect(deployments).toHaveLength(2);
    expect(assets).toMatchObject({ Prune: false, SystemMetadata: { 'cache-control': 'public, max-age=31536000, immutable' } });
    expect(entry).toMatchObject({
      Prune: true,
      Exclude: ['assets/*'],
      SystemMetadata: { 'cache-control': 'no-cache' },
      DistributionId: { Ref: logicalId(stack.console.distribution) },
      DistributionPaths: ['/console/*'],
    });
  });

  it('lets Cognito send people back to the deployed console only, by default', () => {
    const client = resource(logicalId(stack.auth.userClient)).Properties;

    expect((client?.['CallbackURLs'] as unknown[]).map(render)).toEqual([`${consoleOrigin()}/console/callback`]);
    expect((client?.['LogoutURLs'] as unknown[]).map(render)).toEqual([`${consoleOrigin()}/console/`]);
  });

  it('takes more callback URLs from the `callbackUrls` context, each with its directory as sign-out URL', () => {
    const configured = unbundledStack('CallbackStack', { callbackUrls: 'https://ops.example.com/console/callback' });
    const client = Template.fromStack(configured).findResources('AWS::Cognito::UserPoolClient', {
      Properties: { AllowedOAuthFlows: ['code'] },
    });
    const properties = (Object.values(client)[0] as Resource).Properties;

    expect((properties?.['CallbackURLs'] as unknown[]).map(render)).toContain('https://ops.example.com/console/callback');
    expect((properties?.['LogoutURLs'] as unknown[]).map(render)).toContain('https://ops.example.com/console/');
    expect(() => unbundledStack('BadCallbackStack', { callbackUrls: 'ops.example.com' })).toThrow(/callbackUrls/);
  });

  it('allows exactly the console origin on the API, with the methods and headers the console sends, and no cookies', () => {
    const [[, cors] = ['', undefined], ...others] = ofType('Custom::HttpApiCors');
    const call = (phase: string) => JSON.parse(render(cors?.Properties?.[phase])) as Json;

    expect(others).toEqual([]);
    expect(call('Update')).toEqual(call('Create'));
    expect(call('Create')).toMatchObject({
      service: 'ApiGatewayV2',
      action: 'UpdateApi',
      parameters: {
        ApiId: `<${logicalId(stack.api.httpApi)}>`,
        CorsConfiguration: {
          AllowOrigins: [consoleOrigin()],
          AllowMethods: ['GET', 'PUT', 'POST', 'OPTIONS'],
          AllowHeaders: ['authorization', 'content-type', 'idempotency-key', 'accept'],
          MaxAge: 3600,
          AllowCredentials: false,
        },
      },
    });
    // The console reads the CSV pages' `Link` to the next page; no other header is exposed.
    expect(call('Create')['parameters']['CorsConfiguration']['ExposeHeaders']).toEqual(['link']);
    expect(call('Delete')).toMatchObject({ action: 'DeleteCorsConfiguration', parameters: { ApiId: `<${logicalId(stack.api.httpApi)}>` } });
    // Nothing else sets CORS: the API resource itself has none.
    expect(resource(logicalId(stack.api.httpApi)).Properties?.['CorsConfiguration']).toBeUndefined();
  });

  it('is the configuration the CORS paragraph of docs/operations.md describes: methods, request headers and exposed headers', () => {
    const [[, cors] = ['', undefined]] = ofType('Custom::HttpApiCors');
    const configured = (JSON.parse(render(cors?.Properties?.['Create'])) as Json)['parameters']['CorsConfiguration'];
    const operations = readFileSync(new URL('../../docs/operations.md', import.meta.url), 'utf8');
    const paragraph = operations.split('\n\n').find((text) => text.startsWith('**CORS, the content security policy')) ?? '';
    /** The words between a clause's opening and the next semicolon, each backticked name in it, or each capitalised one. */
    const clause = (opening: string) => new RegExp(`${opening}([^;]*);`).exec(paragraph.replace(/\s+/g, ' '))?.[1] ?? '';
    const backticked = (text: string) => [...text.matchAll(/`([^`]+)`/g)].map(([, name]) => name!.toLowerCase());

    expect(paragraph).not.toBe('');
    expect(clause('methods ').match(/[A-Z]{3,}/g)).toEqual(configured['AllowMethods']);
    expect(backticked(clause('request headers '))).toEqual(configured['AllowHeaders']);
    // "no exposed headers" names none.
    expect(backticked(clause('(?:no )?exposed headers'))).toEqual(configured['ExposeHeaders']);
  });

  it('has no dependency cycle, though the API allows the distribution and the distribution names the API', () => {
    // Template refuses a template that CloudFormation could not deploy for a cycle.
    expect(() => Template.fromJSON(template.toJSON())).not.toThrow();
  });

  it('would have a cycle with CORS on the HttpApi itself, which is why a custom resource sets it', () => {
    // Guards the guard: the same check finds the cycle that `corsPreflight` would make.
    const cyclic = new Stack(new App(), 'CyclicStack');
    let hosting: ConsoleHosting | undefined;
    const api = new HttpApi(cyclic, 'Api', {
      corsPreflight: { allowOrigins: [Lazy.string({ produce: () => hosting?.origin })] },
    });
    hosting = new ConsoleHosting(cyclic, 'Console', {
      assetsPath: build.path,
      config: { apiUrl: api.apiEndpoint, auth: { kind: 'cognito', authority: 'https://a', clientId: 'c', domain: 'https://d' } },
    });
    // Synthesis reports the cycle as a warning of CloudFormation's own rules; only the refusal matters here.
    const warnings = jest.spyOn(console, 'error').mockImplementation(() => undefined);

    try {
      expect(() => Template.fromStack(cyclic)).toThrow(/dependency cycle: .*ConsoleDistribution.*ConsoleHeaders/);
    } finally {
      warnings.mockRestore();
    }
  });

  it('refuses to synthesize without the console build, and says how to make it', () => {
    expect(() => unbundledStack('NoBuildStack', {}, { consoleAssetsPath: join(build.path, 'missing') })).toThrow(
      /npm run build:console/,
    );
  });
});

describe('outputs', () => {
  it('publishes what a client or operator needs to find the deployment', () => {
    const outputs = Object.keys(template.toJSON()['Outputs'] as Record<string, unknown>);
    expect(outputs).toEqual(
      expect.arrayContaining([
        'ApiUrl',
        'UserPoolId',
        'UserClientId',
        'MachineClientId',
        'ConsentQueueUrl',
        'DeadLetterQueueUrl',
        'ConsentTableName',
        'AuditTableName',
        'ChangeEventsBusName',
        'ChangeEventsQueueUrl',
        'WebhookUrl',
        'WebhookSecretArn',
        'ErasureLogKeyArn',
        'BlocklistCheckFunctionName',
        'AlarmTopicArn',
        'ConsoleUrl',
        'ConsoleBucketName',
        'ConsoleDistributionId',
      ]),
    );
  });

  it("gives the console's address with its path, where the hosted logout also returns", () => {
    const outputs = template.toJSON()['Outputs'] as Record<string, { Value: unknown }>;

    expect(render(outputs['ConsoleUrl']?.Value)).toBe(`https://<${logicalId(stack.console.distribution)}.DomainName>/console/`);
    expect(outputs['ConsoleDistributionId']?.Value).toEqual({ Ref: logicalId(stack.console.distribution) });
    expect(outputs['ConsoleBucketName']?.Value).toEqual({ Ref: logicalId(stack.console.bucket) });
  });
});
