import { CfnOutput, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { autoBlockCodesSchema } from '../shared/domain/provider-errors.js';
import { auditTable, consentQueue, consentTable, routes } from './resources.js';
import { ConsentApi } from './constructs/consent-api.js';
import { ConsentAuth } from './constructs/consent-auth.js';
import { ConsentData } from './constructs/consent-data.js';
import { LOG_LEVELS, type LogLevel } from './constructs/consent-function.js';
import { ConsentFunctions } from './constructs/consent-functions.js';

/**
 * Context keys (`cdk synth -c key=value` or `cdk.json`) that tune a deployment without code changes.
 */
export const CONTEXT = {
  /** Powertools log level of every function; default `INFO`. */
  logLevel: 'logLevel',
  /** Prefix of the hosted Cognito domain; default derived from the stack name and account. */
  cognitoDomainPrefix: 'cognitoDomainPrefix',
  /** Comma-separated callback URLs of the user client; default `http://localhost:3000/callback`. */
  callbackUrls: 'callbackUrls',
  /** E-mail address subscribed to the alarm topic; default none. */
  alarmEmail: 'alarmEmail',
  /** `AUTO_BLOCK_CODES` of the webhook (comma-separated error codes, or `none`); default the code table. */
  autoBlockCodes: 'autoBlockCodes',
} as const;

/**
 * The whole service in one stack: the stateful resources (tables, queues), the functions with their
 * permissions, Cognito, and the HTTP API, each a construct joined to the others by typed props.
 */
export class WhatsAppConsentStack extends Stack {
  public readonly data: ConsentData;
  public readonly webhookSecret: Secret;
  public readonly functions: ConsentFunctions;
  public readonly auth: ConsentAuth;
  public readonly api: ConsentApi;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    this.data = new ConsentData(this, 'Data', { consentTable, auditTable, consentQueue, alarmEmail: this.alarmEmail() });

    // Deployed with a generated verify token and an empty app secret: the handshake works at once, and
    // callbacks are refused until an operator stores Meta's app secret (README, "Deploying").
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

    this.functions = new ConsentFunctions(this, 'Functions', {
      consentTable: this.data.consentTable,
      auditTable: this.data.auditTable,
      auditIndexNames: auditTable.globalSecondaryIndexes.map((index) => index.indexName),
      queue: this.data.queue,
      maxReceiveCount: consentQueue.maxReceiveCount,
      webhookSecret: this.webhookSecret,
      autoBlockCodes: this.autoBlockCodes(),
      logLevel: this.logLevel(),
    });

    this.auth = new ConsentAuth(this, 'Auth', {
      domainPrefix: this.cognitoDomainPrefix(),
      callbackUrls: this.callbackUrls(),
    });

    this.api = new ConsentApi(this, 'Api', {
      routes,
      functions: this.functions.api,
      userPool: this.auth.userPool,
      clients: [this.auth.userClient, this.auth.machineClient],
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
      BlocklistCheckFunctionName: {
        value: this.functions.blocklistCheckInvoke.functionName,
        description: 'Lambda that campaign functions invoke with { phones } to learn which are blocked',
      },
      WebhookUrl: { value: `${this.api.url}webhooks/whatsapp`, description: 'Callback URL to give Meta' },
      WebhookSecretArn: { value: this.webhookSecret.secretArn, description: 'Secret holding the Meta app secret and verify token' },
    };
    for (const [id, output] of Object.entries(outputs)) new CfnOutput(this, id, output);
  }

  private logLevel(): LogLevel {
    const value: unknown = this.node.tryGetContext(CONTEXT.logLevel) ?? 'INFO';
    const level = LOG_LEVELS.find((candidate) => candidate === String(value).toUpperCase());
    if (!level) throw new Error(`Context ${CONTEXT.logLevel} must be one of ${LOG_LEVELS.join(', ')}; got ${String(value)}`);
    return level;
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
    const parsed = autoBlockCodesSchema.safeParse(String(value));
    if (!parsed.success) throw new Error(`Context ${CONTEXT.autoBlockCodes}: ${parsed.error.issues[0]?.message}`);
    return String(value);
  }

  private callbackUrls(): string[] {
    const configured: unknown = this.node.tryGetContext(CONTEXT.callbackUrls);
    const urls = typeof configured === 'string' ? configured.split(',').map((url) => url.trim()).filter(Boolean) : [];
    return urls.length > 0 ? urls : ['http://localhost:3000/callback'];
  }
}
