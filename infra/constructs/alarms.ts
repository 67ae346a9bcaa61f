import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, MathExpression, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/** What differs between the service's alarms. */
export interface NotifyingAlarmProps {
  readonly alarmDescription: string;
  readonly metric: IMetric;
  readonly threshold: number;
  readonly evaluationPeriods: number;
}

/**
 * An alarm of this service: it fires when the metric reaches the threshold, counts no data as nothing
 * happening (no failures, no held blocks, an empty queue), and notifies the topic when it fires and
 * when it is over.
 */
export function notifyingAlarm(scope: Construct, id: string, topic: ITopic, props: NotifyingAlarmProps): Alarm {
  const alarm = new Alarm(scope, id, {
    ...props,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
  alarm.addAlarmAction(new SnsAction(topic));
  alarm.addOkAction(new SnsAction(topic));
  return alarm;
}

/**
 * An alarm as soon as one message waits in a queue that should stay empty (a dead-letter queue): each
 * such message is something that gave up and needs a person. Messages count whether visible or not:
 * whatever reads such a queue (the request sweeper reads the events' one every minute, a redrive, a
 * person looking) hides what it received for a while, and the alarm must not see an empty queue then.
 */
export function alarmOnAnyMessage(scope: Construct, id: string, queue: IQueue, description: string, topic: ITopic): Alarm {
  return notifyingAlarm(scope, id, topic, {
    alarmDescription: description,
    metric: messagesWaiting(queue, 'Messages waiting'),
    threshold: 1,
    evaluationPeriods: 1,
  });
}

/** The messages a queue holds, per minute, whether visible or hidden by whatever received them last. */
export function messagesWaiting(queue: IQueue, label: string): MathExpression {
  const period = Duration.minutes(1);
  return sumOf(
    label,
    { visible: queue.metricApproximateNumberOfMessagesVisible({ period }), hidden: queue.metricApproximateNumberOfMessagesNotVisible({ period }) },
    period,
  );
}

/** The sum of a few metrics over `period`, each named in the expression by its key. */
export function sumOf(label: string, usingMetrics: Record<string, IMetric>, period: Duration): MathExpression {
  return new MathExpression({ label, expression: Object.keys(usingMetrics).join(' + '), usingMetrics, period });
}
