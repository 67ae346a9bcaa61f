import { App, Stack, type CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { ENV } from '../../shared/config.js';
import { GROUPS } from '../../infra/constructs/consent-auth.js';
import { auditTable, consentQueue, consentTable, functions, PROCESSOR_TIMEOUT_SECONDS, routes } from '../../infra/resources.js';
import { WhatsAppConsentStack } from '../../infra/stack.js';

/*
 * Assertions on the synthesized CloudFormation template. The stack is synthesized once (which bundles
 * every function with the local esbuild) and each test inspects one promise the stack makes.
 */

type Resource = { Type: string; Properties?: Record<string, unknown>; DeletionPolicy?: string; UpdateReplacePolicy?: string };
type Statement = { Effect: string; Action: string | string[]; Resource?: unknown };

let stack: WhatsAppConsentStack;
let template: Template;
let resources: Record<string, Resource>;

beforeAll(() => {
  const app = new App();
  stack = new WhatsAppConsentStack(app, 'TestStack');
  template = Template.fromStack(stack);
  resources = (template.toJSON() as { Resources: Record<string, Resource> }).Resources;
});

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

/** Every logical id that a CloudFormation value mentions through `Ref` or `Fn::GetAtt`. */
function referencedIds(value: unknown): Set<string> {
  const ids = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (node === null || typeof node !== 'object') return;
    for (const [key, inner] of Object.entries(node)) {
      if (key === 'Ref' && typeof inner === 'string') ids.add(inner);
      else if (key === 'Fn::GetAtt' && Array.isArray(inner) && typeof inner[0] === 'string') ids.add(inner[0]);
      else visit(inner);
    }
  };
  visit(value);
  return ids;
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

function actionsOf(statement: Statement): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

/** Whether an IAM action pattern (with `*` and `?` wildcards) covers the action. */
function covers(pattern: string, action: string): boolean {
  const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
  return regex.test(action);
}

/** A statement applies to a table when it names it (or one of its indexes), or when it names every resource. */
function appliesTo(statement: Statement, tableId: string): boolean {
  const targets = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
  return targets.some((target) => target === '*') || referencedIds(statement.Resource).has(tableId);
}

function policyOfRole(roleId: string): string {
  const match = ofType('AWS::IAM::Policy').find(([, policy]) =>
    referencedIds(policy.Properties?.['Roles']).has(roleId),
  );
  if (!match) throw new Error(`No policy attached to ${roleId}`);
  return match[0];
}

function roleOf(functionId: string): string {
  const [roleId] = referencedIds(resource(functionId).Properties?.['Role']);
  if (!roleId) throw new Error(`${functionId} has no role`);
  return roleId;
}

describe('functions', () => {
  it('deploys one function per entry of `functions`, each on Node.js 22 and arm64', () => {
    const deployed = ofType('AWS::Lambda::Function');
    expect(deployed).toHaveLength(Object.keys(functions).length);
    for (const [, fn] of deployed) {
      expect(fn.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], Handler: 'index.handler' });
    }
  });

  it('gives each function exactly the settings its handler reads, named as shared/config.ts names them', () => {
    const common = ['POWERTOOLS_SERVICE_NAME', 'POWERTOOLS_LOG_LEVEL', 'NODE_OPTIONS'];
    const expected = {
      profiles: [ENV.consentTableName],
      consentRequests: [ENV.consentTableName, ENV.consentQueueUrl],
      history: [ENV.consentTableName, ENV.auditTableName],
      health: [],
      whatsappWebhook: [ENV.consentQueueUrl, ENV.whatsappSecretId],
      blocklistCheck: [ENV.consentTableName],
      blocklistCheckInvoke: [ENV.consentTableName],
      processor: [ENV.consentTableName, ENV.auditTableName, ENV.maxReceiveCount],
    };
    const byName = { ...stack.functions.api, processor: stack.functions.processor, blocklistCheckInvoke: stack.functions.blocklistCheckInvoke };
    expect(Object.keys(expected).sort()).toEqual(Object.keys(functions).sort());

    for (const [name, settings] of Object.entries(expected)) {
      const fn = byName[name as keyof typeof byName];
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
    const withContext = (logLevel: string) =>
      new WhatsAppConsentStack(new App({ context: { logLevel, 'aws:cdk:bundling-stacks': [] } }), 'LogLevelStack');

    const debug = Template.fromStack(withContext('debug'));
    type Fn = { Properties: { Environment: { Variables: Record<string, unknown> } } };
    const levels = Object.values(debug.findResources('AWS::Lambda::Function')).map(
      (fn) => (fn as Fn).Properties.Environment.Variables['POWERTOOLS_LOG_LEVEL'],
    );
    expect(levels).toEqual(Object.keys(functions).map(() => 'DEBUG'));
    expect(() => withContext('verbose')).toThrow(/logLevel/);
  });

  it('passes the `autoBlockCodes` context to the webhook alone, and refuses a malformed list', () => {
    const withContext = (autoBlockCodes: string) =>
      new WhatsAppConsentStack(new App({ context: { autoBlockCodes, 'aws:cdk:bundling-stacks': [] } }), 'AutoBlockStack');

    const configured = withContext('131026,131049');
    type Fn = { Properties: { Environment: { Variables: Record<string, unknown> } } };
    const values = Object.values(Template.fromStack(configured).findResources('AWS::Lambda::Function'))
      .map((fn) => (fn as Fn).Properties.Environment.Variables[ENV.autoBlockCodes])
      .filter((value) => value !== undefined);
    expect(values).toEqual(['131026,131049']);
    expect(() => withContext('every failure')).toThrow(/autoBlockCodes/);
  });

  it('gives the processor its shared timeout and the API functions 10 seconds', () => {
    expect(resource(logicalId(stack.functions.processor)).Properties?.['Timeout']).toBe(PROCESSOR_TIMEOUT_SECONDS);
    for (const fn of Object.values(stack.functions.api)) {
      expect(resource(logicalId(fn)).Properties?.['Timeout']).toBe(10);
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
    expect(logGroupIds.size).toBe(Object.keys(functions).length);
  });

  it('feeds the processor from the FIFO queue with partial batch responses', () => {
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
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

  it('alarms as soon as one message reaches the dead-letter queue', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(stack.data.deadLetterQueue), 'QueueName'] } }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [{ Ref: logicalId(stack.data.alarmTopic) }],
      OKActions: [{ Ref: logicalId(stack.data.alarmTopic) }],
    });
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

  it('grants nobody a way to update or delete audit entries', () => {
    const auditId = logicalId(stack.data.auditTable);
    const onAudit = allStatements().filter(({ statement }) => statement.Effect === 'Allow' && appliesTo(statement, auditId));

    // Guards the guard: the filter must find the statements that the processor and history need.
    expect(onAudit.length).toBeGreaterThanOrEqual(2);
    for (const { policy, statement } of onAudit) {
      for (const pattern of actionsOf(statement)) {
        const forbidden = auditWrites.filter((action) => covers(pattern, action));
        expect({ policy, pattern, forbidden }).toEqual({ policy, pattern, forbidden: [] });
      }
    }
  });

  it('lets only the processor put audit entries', () => {
    const auditId = logicalId(stack.data.auditTable);
    const processorPolicy = policyOfRole(roleOf(logicalId(stack.functions.processor)));
    const putters = allStatements()
      .filter(({ statement }) => statement.Effect === 'Allow' && appliesTo(statement, auditId))
      .filter(({ statement }) => actionsOf(statement).some((pattern) => covers(pattern, 'dynamodb:PutItem')))
      .map(({ policy }) => policy);

    expect(new Set(putters)).toEqual(new Set([processorPolicy]));
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

  it('gives each function exactly the DynamoDB actions its adapters call, table by table', () => {
    const consentId = logicalId(stack.data.consentTable);
    const auditId = logicalId(stack.data.auditTable);
    const expected: Record<string, { consent: string[]; audit: string[] }> = {
      profiles: { consent: ['BatchGetItem', 'DeleteItem', 'GetItem', 'PutItem', 'Query'], audit: [] },
      consentRequests: { consent: ['DeleteItem', 'GetItem', 'PutItem', 'UpdateItem'], audit: [] },
      history: { consent: ['GetItem'], audit: ['Query'] },
      health: { consent: [], audit: [] },
      whatsappWebhook: { consent: [], audit: [] },
      blocklistCheck: { consent: ['BatchGetItem'], audit: [] },
      blocklistCheckInvoke: { consent: ['BatchGetItem'], audit: [] },
      processor: { consent: ['GetItem', 'PutItem', 'Query', 'UpdateItem'], audit: ['PutItem'] },
    };
    const byName = { ...stack.functions.api, processor: stack.functions.processor, blocklistCheckInvoke: stack.functions.blocklistCheckInvoke };
    expect(Object.keys(expected).sort()).toEqual(Object.keys(functions).sort());

    for (const [name, tables] of Object.entries(expected)) {
      const role = roleOf(logicalId(byName[name as keyof typeof byName]));
      const policies = new Set(
        ofType('AWS::IAM::Policy').filter(([, policy]) => referencedIds(policy.Properties?.['Roles']).has(role)).map(([id]) => id),
      );
      const actionsOn = (tableId: string) =>
        [...new Set(
          allStatements()
            .filter(({ policy, statement }) => policies.has(policy) && referencedIds(statement.Resource).has(tableId))
            .flatMap(({ statement }) => actionsOf(statement))
            .filter((action) => action.startsWith('dynamodb:'))
            .map((action) => action.slice('dynamodb:'.length)),
        )].sort();
      expect({ name, consent: actionsOn(consentId), audit: actionsOn(auditId) }).toEqual({ name, ...tables });
    }
  });

  it('lets only the consent-request and webhook functions send to the queue', () => {
    const queueId = logicalId(stack.data.queue);
    const senders = allStatements()
      .filter(({ statement }) => statement.Effect === 'Allow' && referencedIds(statement.Resource).has(queueId))
      .filter(({ statement }) => actionsOf(statement).some((pattern) => covers(pattern, 'sqs:SendMessage')))
      .map(({ policy }) => policy);

    expect(new Set(senders)).toEqual(
      new Set([
        policyOfRole(roleOf(logicalId(stack.functions.api.consentRequests))),
        policyOfRole(roleOf(logicalId(stack.functions.api.whatsappWebhook))),
      ]),
    );
  });

  it('lets the check functions do nothing but BatchGetItem on the consent table', () => {
    const consentId = logicalId(stack.data.consentTable);
    for (const fn of [stack.functions.api.blocklistCheck, stack.functions.blocklistCheckInvoke]) {
      const policy = policyOfRole(roleOf(logicalId(fn)));
      const statements = allStatements().filter((found) => found.policy === policy && !isOwnLogWrite(found.statement));

      expect(statements.map(({ statement }) => actionsOf(statement))).toEqual([['dynamodb:BatchGetItem']]);
      expect([...referencedIds(statements[0]?.statement.Resource)]).toEqual([consentId]);
    }
  });

  it('lets only the webhook read its secret, and gives the webhook no table access at all', () => {
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
    expect(webhookActions.filter((action) => action.startsWith('dynamodb:'))).toEqual([]);
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

  it('gives the health function no permissions beyond writing its own logs', () => {
    const healthRole = roleOf(logicalId(stack.functions.api.health));
    const statements = allStatements().filter(({ policy }) => policy === policyOfRole(healthRole));

    expect(statements.length).toBeGreaterThan(0);
    expect(statements.every(({ statement }) => isOwnLogWrite(statement))).toBe(true);
  });

  it('lets every function write only to its own log group, with no managed policy', () => {
    for (const [id, fn] of ofType('AWS::Lambda::Function')) {
      const role = resource(roleOf(id));
      const [logGroupId] = referencedIds((fn.Properties?.['LoggingConfig'] as { LogGroup?: unknown } | undefined)?.LogGroup);
      const logStatements = allStatements().filter(
        ({ policy, statement }) => policy === policyOfRole(roleOf(id)) && actionsOf(statement).some((action) => action.startsWith('logs:')),
      );

      expect(role.Properties?.['ManagedPolicyArns']).toBeUndefined();
      expect(logGroupId).toBeDefined();
      expect(logStatements.map(({ statement }) => [...referencedIds(statement.Resource)])).toEqual([[logGroupId]]);
    }
  });
});

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
    expect(open.sort()).toEqual(['GET /health', 'GET /webhooks/whatsapp', 'POST /webhooks/whatsapp']);
  });

  it('deploys every route of the spec, and no other', () => {
    const deployed = ofType('AWS::ApiGatewayV2::Route').map(([, route]) => route.Properties?.['RouteKey']);

    expect(deployed.sort()).toEqual(
      [
        'PUT /profiles/{profileId}',
        'GET /profiles/{profileId}/whatsapp',
        'POST /profiles/{profileId}/whatsapp/{phone}/block',
        'POST /profiles/{profileId}/whatsapp/{phone}/unblock',
        'GET /requests/{requestId}',
        'GET /profiles/{profileId}/whatsapp/history',
        'GET /numbers/{phone}/history',
        'POST /blocklist/check',
        'GET /webhooks/whatsapp',
        'POST /webhooks/whatsapp',
        'GET /health',
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
    expect(Object.values(GROUPS).sort()).toEqual(['profile-admins', 'whatsapp-blocklist-editors']);
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
  });

  it('gives the machine client a secret, the client-credentials flow and every custom scope', () => {
    const client = resource(logicalId(stack.auth.machineClient)).Properties;
    const scopes = JSON.stringify(client?.['AllowedOAuthScopes']);

    expect(client).toMatchObject({ GenerateSecret: true, AllowedOAuthFlows: ['client_credentials'] });
    for (const scope of ['/edit', '/check', '/write']) expect(scopes).toContain(scope);
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
        'WebhookUrl',
        'WebhookSecretArn',
        'BlocklistCheckFunctionName',
        'AlarmTopicArn',
      ]),
    );
  });
});
