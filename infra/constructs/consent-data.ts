import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { alarmOnAnyMessage } from './alarms.js';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { AttributeType, BillingMode, ProjectionType, StreamViewType, Table, type Attribute } from 'aws-cdk-lib/aws-dynamodb';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { KeyAttribute, QueueDefinition, TableDefinition } from '../resources.js';

/** The stateful half of the service, described in `infra/resources.ts`. */
export interface ConsentDataProps {
  /** Consent state, requests, profiles and idempotency keys. */
  readonly consentTable: TableDefinition;
  /** The append-only audit, with its per-profile index. */
  readonly auditTable: TableDefinition;
  /** The FIFO queue of consent events and the settings of its FIFO dead-letter queue. */
  readonly consentQueue: QueueDefinition;
  /**
   * Who hears of the dead-letter alarm by e-mail (they confirm the subscription once).
   * @default - nobody yet; subscribe to the topic later
   */
  readonly alarmEmail?: string;
}

/**
 * Tables and queues: everything whose loss would lose data. Kept apart from the functions and the API,
 * which can be replaced at any time, and built only from the shared definitions, so that the local
 * stack (`infra/local/provision.ts`) and AWS cannot drift apart.
 */
export class ConsentData extends Construct {
  public readonly consentTable: Table;
  public readonly auditTable: Table;
  public readonly queue: Queue;
  public readonly deadLetterQueue: Queue;
  /** Fires as soon as one event has given up: its request is `failed` and someone should look. */
  public readonly deadLetterAlarm: Alarm;
  /** Where the alarm notifies; subscribe people or a chat integration to it. */
  public readonly alarmTopic: Topic;

  constructor(scope: Construct, id: string, props: ConsentDataProps) {
    super(scope, id);

    // Both tables outlive the stack (RETAIN): losing the consent table would make blocked numbers sendable.
    this.consentTable = tableFrom(this, props.consentTable, { deletionProtection: false });
    // The audit is append-only evidence: deletion protection also stops a manual delete or a replacement.
    this.auditTable = tableFrom(this, props.auditTable, { deletionProtection: true });

    const queue = props.consentQueue;
    this.deadLetterQueue = new Queue(this, `${queue.id}DeadLetters`, {
      // A FIFO queue can only redrive to a FIFO dead-letter queue.
      fifo: true,
      retentionPeriod: Duration.seconds(queue.deadLetterRetentionSeconds),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    this.queue = new Queue(this, queue.id, {
      fifo: true,
      // The publisher sends the event id as deduplication id, so a retried send is dropped by id, not by body.
      contentBasedDeduplication: false,
      visibilityTimeout: Duration.seconds(queue.visibilityTimeoutSeconds),
      retentionPeriod: Duration.seconds(queue.retentionSeconds),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: queue.maxReceiveCount },
    });

    // Encrypted with a key of our own: CloudWatch may not use the AWS-managed SNS key to publish.
    const alarmKey = new Key(this, 'AlarmTopicKey', {
      description: 'Encrypts the alarm topic of the WhatsApp consent service',
      enableKeyRotation: true,
    });
    alarmKey.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.alarmTopic = new Topic(this, 'AlarmTopic', {
      displayName: 'WhatsApp consent service alarms',
      masterKey: alarmKey,
      enforceSSL: true,
    });
    if (props.alarmEmail) this.alarmTopic.addSubscription(new EmailSubscription(props.alarmEmail));
    this.deadLetterAlarm = alarmOnAnyMessage(
      this,
      'DeadLetterAlarm',
      this.deadLetterQueue,
      'Consent events reached the dead-letter queue: their requests failed and need a redrive.',
      this.alarmTopic,
    );
  }
}

function tableFrom(scope: Construct, definition: TableDefinition, options: { deletionProtection: boolean }): Table {
  const table = new Table(scope, definition.id, {
    partitionKey: attribute(definition.partitionKey),
    sortKey: attribute(definition.sortKey),
    billingMode: BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    deletionProtection: options.deletionProtection,
    removalPolicy: RemovalPolicy.RETAIN,
    timeToLiveAttribute: definition.timeToLiveAttribute,
    ...(definition.stream ? { stream: StreamViewType.NEW_IMAGE } : {}),
  });
  for (const index of definition.globalSecondaryIndexes) {
    table.addGlobalSecondaryIndex({
      indexName: index.indexName,
      partitionKey: attribute(index.partitionKey),
      sortKey: attribute(index.sortKey),
      // History pages are read from the index alone; projecting less would cost a second read per entry.
      projectionType: ProjectionType.ALL,
    });
  }
  return table;
}

function attribute(key: KeyAttribute): Attribute {
  return { name: key.name, type: key.type === 'S' ? AttributeType.STRING : AttributeType.NUMBER };
}
