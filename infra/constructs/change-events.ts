import { Duration, Validations } from 'aws-cdk-lib';
import { EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { alarmOnAnyMessage } from './alarms.js';
import { CHANGE_EVENT_DETAIL_TYPE, CHANGE_EVENT_SOURCE } from '../../shared/domain/change-events.js';

/** How long undelivered events wait in a dead-letter queue for someone to look. */
const DEAD_LETTER_RETENTION = Duration.days(14);

export interface ChangeEventsProps {
  /** Notified when change events could not be delivered. */
  readonly alarmTopic: ITopic;
}

/**
 * Where other systems learn of applied changes: the EventBridge bus the change publisher puts them on
 * (`source` `whatsapp-consent`, `detail-type` `WhatsApp Consent Changed`), and a rule that feeds a
 * queue ready for consumers. Every queue is encrypted and refuses plain HTTP; events the rule cannot
 * deliver, and messages consumers keep failing on, go to dead-letter queues, and either raises the alarm.
 */
export class ChangeEvents extends Construct {
  public readonly bus: EventBus;
  /** The consumers' queue: one message per applied change (at least once; drop repeats by `detail.eventId`). */
  public readonly queue: Queue;
  public readonly deadLetterQueue: Queue;
  /** Events the rule could not put on the consumers' queue. */
  public readonly undeliveredQueue: Queue;

  constructor(scope: Construct, id: string, props: ChangeEventsProps) {
    super(scope, id);
    this.bus = new EventBus(this, 'Bus', { description: 'Applied changes of WhatsApp consent, for other systems' });

    const secureQueue = (queueId: string, extra: ConstructorParameters<typeof Queue>[2] = {}) =>
      new Queue(this, queueId, { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true, ...extra });
    this.deadLetterQueue = secureQueue('ConsumerDeadLetters', { retentionPeriod: DEAD_LETTER_RETENTION });
    this.undeliveredQueue = secureQueue('Undelivered', { retentionPeriod: DEAD_LETTER_RETENTION });
    Validations.of(this.undeliveredQueue).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue of the rule’s target',
    });
    this.queue = secureQueue('ConsumerQueue', {
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: 5 },
    });

    new Rule(this, 'ConsentChanged', {
      eventBus: this.bus,
      description: 'Every applied WhatsApp consent change, to the consumers queue',
      eventPattern: { source: [CHANGE_EVENT_SOURCE], detailType: [CHANGE_EVENT_DETAIL_TYPE] },
      targets: [new SqsQueue(this.queue, { deadLetterQueue: this.undeliveredQueue, retryAttempts: 185, maxEventAge: Duration.hours(24) })],
    });

    alarmOnAnyMessage(this, 'UndeliveredAlarm', this.undeliveredQueue, 'Change events could not be delivered to the consumers queue', props.alarmTopic);
    alarmOnAnyMessage(this, 'ConsumerDeadLetterAlarm', this.deadLetterQueue, 'A consumer kept failing on change events', props.alarmTopic);
  }
}
