import { join } from 'node:path';
import { CfnOutput, Duration, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import { CorsHttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { keywordListSchema } from '../shared/domain/whatsapp/keywords.js';
import { autoBlockCodesSchema } from '../shared/domain/whatsapp/provider-errors.js';
import { ENV, readConfig } from '../shared/config.js';
import { auditTable, consentQueue, consentTable, PENDING_INDEX, LIST_INDEX, routes } from './resources.js';
import { ConsentApi } from './constructs/consent-api.js';
import { ConsentAuth } from './constructs/consent-auth.js';
import { ConsentData } from './constructs/consent-data.js';
import { LOG_LEVELS, PROJECT_ROOT, TRACING_MODES, type LogLevel, type TracingMode } from './constructs/consent-function.js';
import { ConsentFunctions } from './constructs/consent-functions.js';
import { ChangeEvents } from './constructs/change-events.js';
import { alarmOnAnyMessage } from './constructs/alarms.js';
import { ServiceMonitoring } from './constructs/service-monitoring.js';
import { ConsoleHosting } from './constructs/console-hosting.js';
import { HttpApiCors } from './constructs/http-api-cors.js';

/**
 * Context keys (`cdk synth -c key=value` or `cdk.json`) that tune a deployment without code changes.
 */
export const CONTEXT = {
  /** Powertools log level of every function; default `INFO`. */
  logLevel: 'logLevel',
  /** `xray` (Lambda's active tracing, the default) or `otel` (the same, plus the ADOT layer on every function). */
  tracing: 'tracing',
  /** Prefix of the hosted Cognito domain; default derived from the stack name and account. */
  cognitoDomainPrefix: 'cognitoDomainPrefix',
  /**
   * Comma-separated callback URLs of the user client besides the console's own in CloudFront (for a
   * host page that embeds the console's elements, say); default none, so the deployed client trusts no
   * address but its own console. Each URL's directory (`…/console/`) is allowed as a sign-out URL: the
   * console's sign-out returns there.
   */
  callbackUrls: 'callbackUrls',
  /** E-mail address subscribed to the alarm topic; default none. */
  alarmEmail: 'alarmEmail',
  /** `AUTO_BLOCK_CODES` of the webhook (comma-separated error codes, or `none`); default the code table. */
  autoBlockCodes: 'autoBlockCodes',
  /** `OPT_OUT_KEYWORDS` and `OPT_IN_KEYWORDS` of the webhook (comma-separated words); default the usual words. */
  optOutKeywords: 'optOutKeywords',
  optInKeywords: 'optInKeywords',
  /** `AUTO_BLOCK_GUARD_LIMIT` and `AUTO_BLOCK_GUARD_WINDOW_SECONDS` of the processor; default 500 in 600 s. */
  autoBlockGuardLimit: 'autoBlockGuardLimit',
  autoBlockGuardWindowSeconds: 'autoBlockGuardWindowSeconds',
} as const;

export interface WhatsAppConsentStackProps extends StackProps {
  /**
   * The operator console's static build, which `npm run build:console` writes.
   * @default `<project root>/web/dist`
   */
  readonly consoleAssetsPath?: string;
}

/**
 * The requests the console's browser sends to the API, which CORS must let through: bearer tokens in
 * `authorization` rather than cookies, JSON bodies, and idempotency keys on block and unblock.
 */
const CONSOLE_REQUESTS = {
  allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.PUT, CorsHttpMethod.POST, CorsHttpMethod.OPTIONS],
  allowHeaders: ['authorization', 'content-type', 'idempotency-key', 'accept'],
  // The blocklist's CSV pages name the next one in `Link`, which the console's download follows.
  exposeHeaders: ['link'],
  allowCredentials: false,
  maxAge: Duration.hours(1),
};

/**
 * The whole service in one stack: the stateful resources (tables, queues), the functions with their
 * permissions, Cognito, the HTTP API and the operator console, each a construct joined to the others by
 * typed props.
 */
export class WhatsAppConsentStack extends Stack {
  public readonly data: ConsentData;
  public readonly webhookSecret: Secret;
  /** The key of the erasure log's hashes of numbers; only the eraser function may read it. */
  public readonly erasureLogSecret: Secret;
  public readonly functions: ConsentFunctions;
  public readonly auth: ConsentAuth;
  public readonly api: ConsentApi;
  public readonly console: ConsoleHosting;
  /** The bus of applied changes, and the queue ready for consumers. */
  public readonly changeEvents: ChangeEvents;
  /** The dashboard, and the alarms on errors, the queue's age and the auto-block guard. */
  public readonly monitoring: ServiceMonitoring;
  /** Raised when the auto-block guard holds automatic blocks; notifies the alarm topic. */
  public readonly guardAlarm: Alarm;

  constructor(scope: Construct, id: string, props: WhatsAppConsentStackProps = {}) {
    super(scope, id, props);

    this.data = new ConsentData(this, 'Data', { consentTable, auditTable, consentQueue, alarmEmail: this.alarmEmail() });

    // Deployed with a generated verify token and an empty app secret: the handshake works at once, and
    // callbacks are refused until an operator stores Meta's app secret (docs/integrations.md, "Setting it up").
    this.webhookSecret = new Secret(this, 'WhatsAppWebhookSecret', {
      description: 'WhatsApp webhook: Meta app secret (appSecret) and subscription verify token (verifyToken)',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ appSecret: '' }),
        generateStringKey: 'verifyToken',
        excludePunctuation: true,
        passwordLength: 40,
      },
    });
    Validations.of(this.webhookSecret).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SMG4',
      reason:
        "Meta issues the app secret and rotates it in its app dashboard; no rotation Lambda can. Store the new " +
        'value with put-secret-value and the webhook reads it within five minutes',
    });

    // The key of the erasure log's hashes of numbers. Kept when the stack goes, and never rotated: the
    // log finds a number's erasures by its hash under this key (README, "A person's data").
    this.erasureLogSecret = new Secret(this, 'ErasureLogKey', {
      description: "Erasure log: the HMAC-SHA256 key of the hashes of erased numbers. Never change it: past entries are found by it",
      generateSecretString: { excludePunctuation: true, passwordLength: 64 },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.erasureLogSecret).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SMG4',
      reason: "A rotated key would hash a number differently, and the erasure log could no longer find the number's past erasures",
    });

    this.changeEvents = new ChangeEvents(this, 'ChangeEvents', { alarmTopic: this.data.alarmTopic });
    this.functions = new ConsentFunctions(this, 'Functions', {
      changeEventsBus: this.changeEvents.bus,
      consentTable: this.data.consentTable,
      auditTable: this.data.auditTable,
      auditIndexNames: auditTable.globalSecondaryIndexes.map((index) => index.indexName),
      queue: this.data.queue,
      deadLetterQueue: this.data.deadLetterQueue,
      pendingIndexName: PENDING_INDEX,
      listIndexName: LIST_INDEX,
      maxReceiveCount: consentQueue.maxReceiveCount,
      webhookSecret: this.webhookSecret,
      erasureLogSecret: this.erasureLogSecret,
      autoBlockCodes: this.autoBlockCodes(),
      optOutKeywords: this.keywords(CONTEXT.optOutKeywords),
      optInKeywords: this.keywords(CONTEXT.optInKeywords),
      autoBlockGuardLimit: this.guardSetting('autoBlockGuardLimit'),
      autoBlockGuardWindowSeconds: this.guardSetting('autoBlockGuardWindowSeconds'),
      logLevel: this.logLevel(),
      tracing: this.tracing(),
    });
    alarmOnAnyMessage(
      this,
      'ChangePublisherFailuresAlarm',
      this.functions.changePublisherFailures,
      'The change publisher gave up on stream records: replay them from the stream (24 hours) before they are trimmed',
      this.data.alarmTopic,
    );

    const callbackUrls = this.callbackUrls();
    this.auth = new ConsentAuth(this, 'Auth', {
      domainPrefix: this.cognitoDomainPrefix(),
      callbackUrls,
      logoutUrls: callbackUrls.map((url) => new URL('./', url).href),
    });

    this.api = new ConsentApi(this, 'Api', {
      routes,
      functions: this.functions.api,
      userPool: this.auth.userPool,
      clients: [this.auth.userClient, this.auth.machineClient],
    });

    this.monitoring = new ServiceMonitoring(this, 'Monitoring', {
      alarmTopic: this.data.alarmTopic,
      queue: this.data.queue,
      deadLetterQueue: this.data.deadLetterQueue,
      processor: this.functions.processor,
      webhook: this.functions.api.whatsappWebhook,
      functions: this.functions.all,
      apiStage: this.api.stage,
    });
    this.guardAlarm = this.monitoring.guardAlarm;

    this.console = new ConsoleHosting(this, 'Console', {
      assetsPath: props.consoleAssetsPath ?? join(PROJECT_ROOT, 'web', 'dist'),
      config: {
        // The endpoint has no trailing slash, unlike the stage URL.
        apiUrl: this.api.httpApi.apiEndpoint,
        auth: {
          kind: 'cognito',
          authority: this.auth.issuer,
          clientId: this.auth.userClient.userPoolClientId,
          domain: this.auth.domain.baseUrl(),
        },
      },
    });
    // The console's address is known only now: after the API and Cognito, which its policy names.
    this.auth.addRedirectUrls({ callbackUrl: this.console.callbackUrl, logoutUrl: this.console.url });
    new HttpApiCors(this, 'ConsoleCors', {
      httpApi: this.api.httpApi,
      corsPreflight: { allowOrigins: [this.console.origin], ...CONSOLE_REQUESTS },
    });

    this.outputs();
  }

  private outputs(): void {
    const outputs: Record<string, { value: string; description: string }> = {
      ApiUrl: { value: this.api.url, description: 'Base URL of the HTTP API' },
      UserPoolId: { value: this.auth.userPool.userPoolId, description: 'Cognito user pool of operators and clients' },
      UserClientId: { value: this.auth.userClient.userPoolClientId, description: 'App client for people (authorization code)' },
      MachineClientId: {
        value: this.auth.machineClient.userPoolClientId,
        description: 'App client for back-office jobs (client credentials; its secret is in the Cognito console)',
      },
      TokenEndpoint: { value: this.auth.tokenEndpoint, description: 'OAuth token endpoint of the hosted Cognito domain' },
      ConsentQueueUrl: { value: this.data.queue.queueUrl, description: 'FIFO queue of consent events' },
      DeadLetterQueueUrl: { value: this.data.deadLetterQueue.queueUrl, description: 'FIFO dead-letter queue of consent events' },
      AlarmTopicArn: { value: this.data.alarmTopic.topicArn, description: 'SNS topic of the dead-letter alarm' },
      ConsentTableName: { value: this.data.consentTable.tableName, description: 'Consent state, requests, profiles' },
      AuditTableName: { value: this.data.auditTable.tableName, description: 'Append-only audit' },
      ChangeEventsBusName: { value: this.changeEvents.bus.eventBusName, description: 'EventBridge bus of applied consent changes' },
      ChangeEventsQueueUrl: { value: this.changeEvents.queue.queueUrl, description: 'Queue of applied consent changes, ready for consumers' },
      BlocklistCheckFunctionName: {
        value: this.functions.blocklistCheckInvoke.functionName,
        description: 'Lambda that campaign functions invoke with { phones } to learn which are blocked',
      },
      WebhookUrl: { value: `${this.api.url}webhooks/whatsapp`, description: 'Callback URL to give Meta' },
      WebhookSecretArn: { value: this.webhookSecret.secretArn, description: 'Secret holding the Meta app secret and verify token' },
      ErasureLogKeyArn: { value: this.erasureLogSecret.secretArn, description: "Secret holding the key of the erasure log's hashes of numbers" },
      ConsoleUrl: { value: this.console.url, description: 'The operator console' },
      ConsoleBucketName: { value: this.console.bucket.bucketName, description: "Bucket of the console's build (under console/)" },
      ConsoleDistributionId: { value: this.console.distribution.distributionId, description: 'CloudFront distribution of the console' },
    };
    for (const [id, output] of Object.entries(outputs)) new CfnOutput(this, id, output);
  }

  private logLevel(): LogLevel {
    const value: unknown = this.node.tryGetContext(CONTEXT.logLevel) ?? 'INFO';
    const level = LOG_LEVELS.find((candidate) => candidate === String(value).toUpperCase());
    if (!level) throw new Error(`Context ${CONTEXT.logLevel} must be one of ${LOG_LEVELS.join(', ')}; got ${String(value)}`);
    return level;
  }

  private tracing(): TracingMode {
    const value: unknown = this.node.tryGetContext(CONTEXT.tracing) ?? 'xray';
    const mode = TRACING_MODES.find((candidate) => candidate === value);
    if (!mode) throw new Error(`Context ${CONTEXT.tracing} must be one of ${TRACING_MODES.join(', ')}; got ${String(value)}`);
    return mode;
  }

  /**
   * Cognito domain prefixes are global per region, so the default includes the account; the stack name
   * tells two stages in one account apart. Cognito refuses prefixes containing "aws", "amazon" or "cognito".
   */
  private cognitoDomainPrefix(): string {
    const configured: unknown = this.node.tryGetContext(CONTEXT.cognitoDomainPrefix);
    if (typeof configured === 'string' && configured.length > 0) return configured;
    const base = this.stackName.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/aws|amazon|cognito/g, 'x');
    return `${base}-${this.account}`;
  }

  private alarmEmail(): string | undefined {
    const value: unknown = this.node.tryGetContext(CONTEXT.alarmEmail);
    return typeof value === 'string' && value.includes('@') ? value : undefined;
  }

  private autoBlockCodes(): string | undefined {
    const value: unknown = this.node.tryGetContext(CONTEXT.autoBlockCodes);
    if (value === undefined) return undefined;
    const parsed = autoBlockCodesSchema().safeParse(String(value));
    if (!parsed.success) throw new Error(`Context ${CONTEXT.autoBlockCodes}: ${parsed.error.issues[0]?.message}`);
    return String(value);
  }

  /** A guard setting from the context, checked as the processor will read it. */
  private guardSetting(name: 'autoBlockGuardLimit' | 'autoBlockGuardWindowSeconds'): string | undefined {
    const value: unknown = this.node.tryGetContext(CONTEXT[name]);
    if (value === undefined) return undefined;
    try {
      readConfig([name], { [ENV[name]]: String(value) });
    } catch (error) {
      throw new Error(`Context ${CONTEXT[name]}: ${(error as Error).message}`);
    }
    return String(value);
  }

  private keywords(key: string): string | undefined {
    const value: unknown = this.node.tryGetContext(key);
    if (value === undefined) return undefined;
    const parsed = keywordListSchema([]).safeParse(String(value));
    if (!parsed.success) throw new Error(`Context ${key}: ${parsed.error.issues[0]?.message}`);
    return String(value);
  }

  private callbackUrls(): string[] {
    const configured: unknown = this.node.tryGetContext(CONTEXT.callbackUrls);
    const urls = typeof configured === 'string' ? configured.split(',').map((url) => url.trim()).filter(Boolean) : [];
    const invalid = urls.find((url) => !URL.canParse(url));
    if (invalid !== undefined) throw new Error(`Context ${CONTEXT.callbackUrls}: ${invalid} is not a URL`);
    return urls;
  }
}
