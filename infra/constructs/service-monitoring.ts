import { Duration } from 'aws-cdk-lib';
import type { IHttpStage } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  LogQueryVisualizationType,
  LogQueryWidget,
  Metric,
  Stats,
  type Alarm,
  type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { Function as LambdaFunction, IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { messagesWaiting, notifyingAlarm, sumOf } from './alarms.js';
import { METRIC, METRICS_NAMESPACE, SERVICE_NAME, STATUS_METRIC } from '../../shared/metric-names.js';

export interface ServiceMonitoringProps {
  /** Where every alarm notifies, when it fires and when it is over. */
  readonly alarmTopic: ITopic;
  /** The consent events' FIFO queue and its dead-letter queue. */
  readonly queue: IQueue;
  readonly deadLetterQueue: IQueue;
  readonly processor: IFunction;
  readonly webhook: IFunction;
  /** Every function of the service, by name, for the errors, throttles, durations and cold starts. */
  readonly functions: Readonly<Record<string, LambdaFunction>>;
  /** The HTTP API's stage. */
  readonly apiStage: IHttpStage;
  /**
   * How long the oldest consent event may wait in the queue before the alarm fires: an editor's change
   * stays pending that long. The processor applies thousands of events a minute, so a queue this old is
   * stuck or starved, not busy.
   * @default Duration.minutes(5)
   */
  readonly maxQueuedEventAge?: Duration;
}

/** Five minutes: the period of the alarms that sum events, long enough to count a burst as one. */
const SUM_PERIOD = Duration.minutes(5);

/**
 * What operators watch: a CloudWatch dashboard of the service's own metrics (what Powertools Metrics
 * writes in the functions) beside the queues', the functions' and the API's, and the alarms that call
 * for a person, each notifying the alarm topic.
 */
export class ServiceMonitoring extends Construct {
  public readonly dashboard: Dashboard;
  /** The processor failed on events, or crashed. */
  public readonly processorErrorsAlarm: Alarm;
  /** A consent event has waited too long in the queue. */
  public readonly queuedEventAgeAlarm: Alarm;
  /** The webhook answered Meta with 5xx, or its function failed (which API Gateway answers with 5xx). */
  public readonly webhookErrorsAlarm: Alarm;
  /** The auto-block guard held automatic blocks. */
  public readonly guardAlarm: Alarm;

  constructor(scope: Construct, id: string, props: ServiceMonitoringProps) {
    super(scope, id);
    const topic = props.alarmTopic;

    this.processorErrorsAlarm = notifyingAlarm(this, 'ProcessorErrorsAlarm', topic, {
      alarmDescription:
        'The processor failed on consent events or crashed: SQS delivers them again, and dead-letters them in the end. Read the processor’s ERROR logs',
      metric: sumOf('Failed events and function errors', {
        failed: serviceMetric(METRIC.eventsFailed, { period: SUM_PERIOD }),
        errors: props.processor.metricErrors({ period: SUM_PERIOD, statistic: Stats.SUM }),
      }, SUM_PERIOD),
      threshold: 1,
      evaluationPeriods: 1,
    });

    const maxAge = props.maxQueuedEventAge ?? Duration.minutes(5);
    this.queuedEventAgeAlarm = notifyingAlarm(this, 'QueuedEventAgeAlarm', topic, {
      alarmDescription: `A consent event has waited in the queue for more than ${maxAge.toHumanString()}: changes stay pending. Is the processor failing, throttled or out of concurrency?`,
      metric: props.queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(1), statistic: Stats.MAXIMUM }),
      threshold: maxAge.toSeconds(),
      // Three minutes in a row: one old message that a retry is about to clear does not call anyone.
      evaluationPeriods: 3,
    });

    this.webhookErrorsAlarm = notifyingAlarm(this, 'WebhookErrorsAlarm', topic, {
      alarmDescription:
        'The WhatsApp webhook answered 5xx, or its function failed or was throttled: Meta retries, so failures are late, and lost after its retries end. Read the webhook’s ERROR logs',
      metric: sumOf('Webhook 5xx answers, function errors and throttles', {
        answers: serviceMetric(METRIC.webhookServerErrors, { period: SUM_PERIOD }),
        errors: props.webhook.metricErrors({ period: SUM_PERIOD, statistic: Stats.SUM }),
        throttles: props.webhook.metricThrottles({ period: SUM_PERIOD, statistic: Stats.SUM }),
      }, SUM_PERIOD),
      // A single failed callback is retried by Meta and lost nothing; five in five minutes are a pattern.
      threshold: 5,
      evaluationPeriods: 1,
    });

    // The guard holds blocks only when something is wrong (an outage at the provider, most likely), and
    // held blocks wait for an editor: any held block in a minute raises the alarm.
    this.guardAlarm = notifyingAlarm(this, 'AutoBlockGuardAlarm', topic, {
      alarmDescription: 'The auto-block guard held automatic blocks: review them in the console (Held blocks), then release or discard them',
      metric: serviceMetric(METRIC.heldBlocks, { period: Duration.minutes(1) }),
      threshold: 1,
      evaluationPeriods: 1,
    });

    this.dashboard = new Dashboard(this, 'Dashboard', { defaultInterval: Duration.hours(3) });
    this.dashboard.addWidgets(
      new AlarmStatusWidget({
        title: 'Alarms',
        alarms: [this.processorErrorsAlarm, this.queuedEventAgeAlarm, this.webhookErrorsAlarm, this.guardAlarm],
        width: 24,
        height: 3,
      }),
    );
    this.dashboard.addWidgets(
      graph('Block and unblock requests accepted', [serviceMetric(METRIC.requestsAccepted)]),
      graph('Consent events by outcome', [
        serviceMetric(METRIC.eventsApplied),
        serviceMetric(METRIC.eventsUnchanged),
        serviceMetric(METRIC.eventsSuperseded),
        serviceMetric(METRIC.eventsDuplicate),
        serviceMetric(METRIC.eventsFailed),
      ]),
      graph('What recipients and the provider changed', [
        serviceMetric(METRIC.automaticBlocks),
        serviceMetric(METRIC.heldBlocks),
        serviceMetric(METRIC.optOuts),
        serviceMetric(METRIC.stopKeywords),
        serviceMetric(METRIC.unresolvedRecipients),
      ]),
    );
    this.dashboard.addWidgets(
      graph(
        'Webhook delivery statuses by class',
        Object.values(STATUS_METRIC).map((name) => serviceMetric(name)),
        [serviceMetric(METRIC.webhookServerErrors), serviceMetric(METRIC.callbackItemsUnreadable)],
      ),
      graph('Campaign checks: numbers', [serviceMetric(METRIC.numbersChecked), serviceMetric(METRIC.numbersBlocked)]),
      graph(
        'Consent queue',
        [props.queue.metricApproximateNumberOfMessagesVisible({ statistic: Stats.MAXIMUM }), messagesWaiting(props.deadLetterQueue, 'Dead-lettered')],
        [props.queue.metricApproximateAgeOfOldestMessage({ statistic: Stats.MAXIMUM, label: 'Age of oldest (s)' })],
      ),
    );
    const functions = Object.entries(props.functions);
    this.dashboard.addWidgets(
      graph('Function errors and throttles', functions.flatMap(([name, fn]) => [fn.metricErrors({ label: `${name} errors` }), fn.metricThrottles({ label: `${name} throttles` })])),
      graph('Function duration, p99 (ms)', functions.map(([name, fn]) => fn.metricDuration({ statistic: Stats.p(99), label: name }))),
      graph(
        'HTTP API',
        [props.apiStage.metricCount(), props.apiStage.metricClientError({ label: '4xx' }), props.apiStage.metricServerError({ label: '5xx' })],
        [props.apiStage.metricLatency({ statistic: Stats.p(99), label: 'Latency p99 (ms)' })],
      ),
    );
    // Cold starts as Lambda reports them (the init duration of each REPORT line that has one), the same
    // span as the `Init` subsegment of the function's X-Ray traces: what a request waits for when no
    // warm instance is free, and what the bundles are kept small for (`npm run size`).
    this.dashboard.addWidgets(
      new LogQueryWidget({
        title: 'Cold starts by function: count and init duration (ms)',
        logGroupNames: functions.map(([, fn]) => fn.logGroup.logGroupName),
        queryLines: [
          'filter @type = "REPORT" and ispresent(@initDuration)',
          'stats count(*) as coldStarts, pct(@initDuration, 50) as initP50, pct(@initDuration, 99) as initP99, max(@initDuration) as initMax by @log',
          'sort initP99 desc',
        ],
        view: LogQueryVisualizationType.TABLE,
        width: 24,
        height: 6,
      }),
    );
  }
}

/** A metric the functions write with Powertools Metrics: its namespace, and the `service` dimension Powertools adds. */
export function serviceMetric(name: string, options: { period?: Duration } = {}): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName: name,
    dimensionsMap: { service: SERVICE_NAME },
    statistic: Stats.SUM,
    period: options.period ?? Duration.minutes(1),
  });
}

function graph(title: string, left: IMetric[], right: IMetric[] = []): GraphWidget {
  return new GraphWidget({ title, left, right, width: 8, height: 6 });
}
