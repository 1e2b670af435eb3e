// Alarms and a dashboard for operators: dead-letter queues not empty, function errors and throttles, a stuck
// suppression queue, and the bounce/complaint rates SES reviews accounts on (SES's own reputation metrics and the
// processor's hard-bounce share), all to one alarm topic with an optional e-mail subscription.
import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  LogQueryVisualizationType,
  LogQueryWidget,
  MathExpression,
  Metric,
  SingleValueWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { FilterPattern, type ILogGroup, MetricFilter } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** The processor's CloudWatch metrics (Powertools EMF, lambdas/adapters/processor-lambda.ts) and log fields. */
export interface ProcessorTelemetry {
  /** Count of recorded events, dimensions `service` and `typeDimension` (bounce, complaint, delivery). */
  readonly eventsRecorded: string;
  readonly typeDimension: string;
  /** Count of classified bounces, dimensions `service`, `verdictDimension` and `categoryDimension`. */
  readonly bouncesClassified: string;
  readonly verdictDimension: string;
  readonly categoryDimension: string;
  /** The processor's structured log line for each recorded event, with `type`, `verdict` and `domain` fields. */
  readonly eventLogMessage: string;
}

export interface ObservabilityProps {
  readonly metricsNamespace: string;
  readonly serviceName: string;
  readonly telemetry: ProcessorTelemetry;
  /** The processor's log group: hard bounces are counted from it and the dashboard queries top domains in it. */
  readonly processorLogGroup: ILogGroup;
  readonly deadLetterQueues: Readonly<Record<string, IQueue>>;
  readonly suppressionQueue: IQueue;
  readonly processor: IFunction;
  readonly worker: IFunction;
  readonly queryFunction: IFunction;
  /** The events publisher and its failure queue (absent with `eventBus` `none`). */
  readonly eventsPublisher?: { readonly function: IFunction; readonly failureQueue: IQueue };
  /** The counter rollup and its failure queue. */
  readonly counterRollup: { readonly function: IFunction; readonly failureQueue: IQueue };
  readonly hardBounceRateThreshold: number;
  readonly complaintRateThreshold: number;
  readonly rateMinimumVolume: number;
  /**
   * Whether SES publishes delivery events: they are the denominator of the processor's hard-bounce share and
   * complaint rate. Without them those two alarms are not created (a complaint rate over no deliveries never
   * fires; a hard-bounce share over bounces alone fires on any 100 bounces): SES's own reputation alarms remain.
   */
  readonly deliveriesPublished: boolean;
  readonly alarmEmail?: string | undefined;
}

/** The service principal CloudWatch alarms publish to SNS as. */
const CLOUDWATCH_ALARMS_PRINCIPAL = 'cloudwatch.amazonaws.com';

const PERIOD = Duration.minutes(5);
const RATE_PERIOD = Duration.hours(1);

/** Metric the hard-bounce log filter counts into (in the processor's namespace). */
const HARD_BOUNCE_METRIC = 'HardBouncesLogged';

export class Observability extends Construct {
  readonly alarmTopic: Topic;
  readonly alarms: Alarm[] = [];
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    this.alarmTopic = new Topic(this, 'AlarmTopic', {
      displayName: 'ses-bounce-processor alarms',
      enforceSSL: true,
    });
    // A topic policy replaces SNS's default policy (which let the account's principals publish): without this
    // statement CloudWatch could not deliver a single alarm. Only alarms of this account and region may publish
    // (aws:SourceAccount/aws:SourceArn against the confused deputy, as the SNS access-policy examples show:
    // https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html). The topic is not
    // KMS-encrypted: alarm messages carry alarm names and numbers only, and a CMK would need the same grant.
    const stack = Stack.of(this);
    this.alarmTopic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudWatchAlarmsOfThisAccount',
        principals: [new ServicePrincipal(CLOUDWATCH_ALARMS_PRINCIPAL)],
        actions: ['sns:Publish'],
        resources: [this.alarmTopic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: {
            'aws:SourceArn': stack.formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    if (props.alarmEmail !== undefined) {
      this.alarmTopic.addSubscription(new EmailSubscription(props.alarmEmail));
    }
    const action = new SnsAction(this.alarmTopic);
    const alarm = (alarmId: string, description: string, metric: IMetric, threshold: number, periods = 1) => {
      const created = new Alarm(this, alarmId, {
        metric,
        alarmDescription: description,
        threshold,
        evaluationPeriods: periods,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      created.addAlarmAction(action);
      created.addOkAction(action);
      this.alarms.push(created);
      return created;
    };

    for (const [name, queue] of Object.entries(props.deadLetterQueues)) {
      alarm(
        `${name}DeadLetterQueueNotEmpty`,
        `Messages are parked in the ${name} dead-letter queue: inspect them, fix the cause, then run \`npx ses-bounce redrive\`.`,
        queue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum' }),
        1,
      );
    }
    alarm(
      'SuppressionQueueStuck',
      'The oldest suppression change waited over 15 minutes: the worker is failing or SES is throttling.',
      props.suppressionQueue.metricApproximateAgeOfOldestMessage({ period: PERIOD, statistic: 'Maximum' }),
      15 * 60,
      3,
    );
    const functions: Record<string, IFunction> = {
      Processor: props.processor,
      SuppressionWorker: props.worker,
      QueryApi: props.queryFunction,
      ...(props.eventsPublisher ? { EventsPublisher: props.eventsPublisher.function } : {}),
      CounterRollup: props.counterRollup.function,
    };
    alarm(
      'CounterRollupFailureQueueNotEmpty',
      'The counter rollup gave up on a batch of stream records: the daily counters miss it. Fix the cause, then recount the batch from the stream within 24 hours (docs/data-model.md, "Daily counters").',
      props.counterRollup.failureQueue.metricApproximateNumberOfMessagesVisible({
        period: PERIOD,
        statistic: 'Maximum',
      }),
      1,
    );
    // The rollup waits up to its window for a batch; beyond 15 minutes it is failing or throttled.
    alarm(
      'CounterRollupIteratorAge',
      'The daily counters are over 15 minutes behind: the counter rollup is failing or throttled.',
      props.counterRollup.function.metric('IteratorAge', { period: PERIOD, statistic: 'Maximum' }),
      15 * 60 * 1000,
      3,
    );
    if (props.eventsPublisher) {
      alarm(
        'EventsFailureQueueNotEmpty',
        'The events publisher gave up on a batch of state changes: re-publish it from the stream within 24 hours (docs/events.md, "When publishing fails").',
        props.eventsPublisher.failureQueue.metricApproximateNumberOfMessagesVisible({
          period: PERIOD,
          statistic: 'Maximum',
        }),
        1,
      );
      // The age of the newest record when it reached the publisher: grows while a batch keeps failing.
      alarm(
        'EventsPublisherIteratorAge',
        'State-change events are over 5 minutes behind: the events publisher is failing or EventBridge throttles.',
        props.eventsPublisher.function.metric('IteratorAge', { period: PERIOD, statistic: 'Maximum' }),
        5 * 60 * 1000,
        3,
      );
    }
    for (const [name, fn] of Object.entries(functions)) {
      alarm(
        `${name}Errors`,
        `The ${name} function failed.`,
        fn.metricErrors({ period: PERIOD, statistic: 'Sum' }),
        1,
      );
    }
    // No function reserves concurrency, so a throttle means the account's concurrency ran out: alarm on each.
    for (const [name, fn] of Object.entries(functions)) {
      alarm(
        `${name}Throttles`,
        `The ${name} function was throttled (account concurrency exhausted?).`,
        fn.metricThrottles({ period: PERIOD, statistic: 'Sum' }),
        1,
      );
    }

    // SES's own account-level reputation metrics: exactly what SES reviews (bounce 5%, complaint 0.1%).
    const sesReputation = (metricName: string) =>
      new Metric({ namespace: 'AWS/SES', metricName, period: RATE_PERIOD, statistic: 'Maximum' });
    alarm(
      'SesReputationBounceRate',
      `SES account bounce rate over ${percent(props.hardBounceRateThreshold)} (SES reviews accounts at 5%).`,
      sesReputation('Reputation.BounceRate'),
      props.hardBounceRateThreshold,
    );
    alarm(
      'SesReputationComplaintRate',
      `SES account complaint rate over ${percent(props.complaintRateThreshold)} (SES reviews accounts at 0.1%).`,
      sesReputation('Reputation.ComplaintRate'),
      props.complaintRateThreshold,
    );

    const telemetry = props.telemetry;
    const eventsOfType = (type: string) =>
      new Metric({
        namespace: props.metricsNamespace,
        metricName: telemetry.eventsRecorded,
        dimensionsMap: { service: props.serviceName, [telemetry.typeDimension]: type },
        period: RATE_PERIOD,
        statistic: 'Sum',
      });
    // The processor's metrics break bounces down by verdict *and* category; an alarm cannot sum an open set of
    // dimension values, so hard bounces are counted from the processor's "event recorded" log lines instead.
    const hardBounceFilter = new MetricFilter(this, 'HardBounceFilter', {
      logGroup: props.processorLogGroup,
      metricNamespace: props.metricsNamespace,
      metricName: HARD_BOUNCE_METRIC,
      filterPattern: FilterPattern.all(
        FilterPattern.stringValue('$.message', '=', telemetry.eventLogMessage),
        FilterPattern.stringValue('$.type', '=', 'bounce'),
        FilterPattern.stringValue('$.verdict', '=', 'hard'),
      ),
      metricValue: '1',
      defaultValue: 0,
    });
    const hard = hardBounceFilter.metric({ period: RATE_PERIOD, statistic: 'Sum' });
    const bounces = eventsOfType('bounce');
    const complaints = eventsOfType('complaint');
    const deliveries = eventsOfType('delivery');
    // Below the minimum volume a rate says nothing (one bounce of two mails is 50%): report 0 there. Each alarm
    // lists only the metrics its expression reads (CloudWatch bills alarms per metric). Both rates need delivery
    // events as their denominator: without them (publishDeliveryEvents=false) the alarms are not created and
    // SES's own Reputation.* alarms above watch the same rates over all of the account's mail.
    if (props.deliveriesPublished) {
      const volume = 'FILL(deliveries,0)+FILL(bounces,0)';
      alarm(
        'HardBounceShare',
        `Hard bounces over ${percent(props.hardBounceRateThreshold)} of delivered+bounced mail in an hour (processor).`,
        new MathExpression({
          label: 'hard-bounce share',
          expression: `IF((${volume}) >= ${props.rateMinimumVolume}, FILL(hard,0)/(${volume}), 0)`,
          usingMetrics: { hard, bounces, deliveries },
          period: RATE_PERIOD,
        }),
        props.hardBounceRateThreshold,
      );
      alarm(
        'ComplaintRate',
        `Complaints over ${percent(props.complaintRateThreshold)} of delivered mail in an hour (processor).`,
        new MathExpression({
          label: 'complaint rate',
          expression: `IF(FILL(deliveries,0) >= ${props.rateMinimumVolume}, FILL(complaints,0)/FILL(deliveries,0), 0)`,
          usingMetrics: { complaints, deliveries },
          period: RATE_PERIOD,
        }),
        props.complaintRateThreshold,
      );
    }

    this.dashboard = this.buildDashboard(props, { hard, bounces, complaints, deliveries });
  }

  private buildDashboard(props: ObservabilityProps, perHour: Record<string, IMetric>): Dashboard {
    const telemetry = props.telemetry;
    const namespace = props.metricsNamespace;
    // Metrics Insights: one line per dimension value, without knowing the values in advance.
    const breakdown = (title: string, metricName: string, dimensions: readonly string[], groupBy: string) =>
      new GraphWidget({
        title,
        width: 8,
        left: [
          new MathExpression({
            expression:
              `SELECT SUM("${metricName}") FROM SCHEMA("${namespace}", ${dimensions.map((name) => `"${name}"`).join(', ')}) ` +
              `GROUP BY "${groupBy}" ORDER BY SUM() DESC LIMIT 20`,
            label: groupBy,
            period: Duration.hours(1),
          }),
        ],
      });
    const classified = ['service', telemetry.categoryDimension, telemetry.verdictDimension];
    const dashboard = new Dashboard(this, 'Dashboard', { defaultInterval: Duration.days(7) });
    dashboard.addWidgets(
      breakdown('Bounces by verdict', telemetry.bouncesClassified, classified, telemetry.verdictDimension),
      breakdown('Bounces by category', telemetry.bouncesClassified, classified, telemetry.categoryDimension),
      breakdown(
        'Events by type',
        telemetry.eventsRecorded,
        ['service', telemetry.typeDimension],
        telemetry.typeDimension,
      ),
    );
    dashboard.addWidgets(
      // Recipient domains are too many for metrics (each would be a billed custom metric): query the logs.
      new LogQueryWidget({
        title: 'Top recipient domains (bounces and complaints)',
        width: 12,
        height: 8,
        logGroupNames: [props.processorLogGroup.logGroupName],
        view: LogQueryVisualizationType.TABLE,
        queryLines: [
          `filter message = "${telemetry.eventLogMessage}" and type != "delivery"`,
          'stats count(*) as events by domain',
          'sort events desc',
          'limit 20',
        ],
      }),
      new GraphWidget({
        title: 'Events per hour',
        width: 12,
        height: 8,
        left: Object.entries(perHour).map(([label, metric]) =>
          metric instanceof Metric ? metric.with({ label }) : metric,
        ),
      }),
    );
    dashboard.addWidgets(
      new GraphWidget({
        title: 'SES reputation (account)',
        width: 8,
        left: ['Reputation.BounceRate', 'Reputation.ComplaintRate'].map(
          (metricName) =>
            new Metric({ namespace: 'AWS/SES', metricName, period: Duration.hours(1), statistic: 'Maximum' }),
        ),
      }),
      new SingleValueWidget({
        title: 'Dead-letter queues (messages)',
        width: 8,
        metrics: Object.entries(props.deadLetterQueues).map(([name, queue]) =>
          queue.metricApproximateNumberOfMessagesVisible({ label: name, statistic: 'Maximum' }),
        ),
      }),
      new GraphWidget({
        title: 'Function errors and throttles',
        width: 8,
        left: [props.processor, props.worker, props.queryFunction].map((fn) => fn.metricErrors()),
        right: [props.processor, props.worker, props.queryFunction].map((fn) => fn.metricThrottles()),
      }),
    );
    return dashboard;
  }
}

function percent(share: number): string {
  return `${Number((share * 100).toPrecision(3))}%`;
}
