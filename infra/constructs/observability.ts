// Alarms and a dashboard for operators: dead-letter queues not empty, function errors and throttles, a stuck
// suppression queue, and the bounce/complaint rates SES reviews accounts on (SES's own reputation metrics and the
// processor's hard-bounce share), all to one alarm topic with an optional e-mail subscription.
import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  SingleValueWidget,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** The processor's CloudWatch metrics (Powertools EMF) the alarms and dashboard read. */
export interface ProcessorMetricNames {
  /** Metric counting recorded events, with one dimension per breakdown below. */
  readonly events: string;
  readonly hardBounces: string;
  readonly softBounces: string;
  readonly complaints: string;
  readonly deliveries: string;
  /** Dimension names of `events` used for the dashboard breakdowns. */
  readonly verdictDimension: string;
  readonly categoryDimension: string;
  readonly domainDimension: string;
}

export interface ObservabilityProps {
  readonly metricsNamespace: string;
  readonly serviceName: string;
  readonly metricNames: ProcessorMetricNames;
  readonly deadLetterQueues: Readonly<Record<string, IQueue>>;
  readonly suppressionQueue: IQueue;
  readonly processor: IFunction;
  readonly worker: IFunction;
  readonly queryFunction: IFunction;
  readonly hardBounceRateThreshold: number;
  readonly complaintRateThreshold: number;
  readonly rateMinimumVolume: number;
  readonly alarmEmail?: string | undefined;
}

const PERIOD = Duration.minutes(5);
const RATE_PERIOD = Duration.hours(1);

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
    };
    for (const [name, fn] of Object.entries(functions)) {
      alarm(
        `${name}Errors`,
        `The ${name} function failed.`,
        fn.metricErrors({ period: PERIOD, statistic: 'Sum' }),
        1,
      );
    }
    // The worker runs with reserved concurrency 1 and its SQS poller is throttled by design; alarm on its queue age.
    for (const [name, fn] of Object.entries({ Processor: props.processor, QueryApi: props.queryFunction })) {
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

    const processorMetric = (metricName: string) =>
      new Metric({
        namespace: props.metricsNamespace,
        metricName,
        dimensionsMap: { service: props.serviceName },
        period: RATE_PERIOD,
        statistic: 'Sum',
      });
    const names = props.metricNames;
    const usingMetrics = {
      hard: processorMetric(names.hardBounces),
      soft: processorMetric(names.softBounces),
      complaints: processorMetric(names.complaints),
      deliveries: processorMetric(names.deliveries),
    };
    // Below the minimum volume a rate says nothing (one bounce of two mails is 50%): report 0 there.
    const volume = 'FILL(deliveries,0)+FILL(hard,0)+FILL(soft,0)';
    alarm(
      'HardBounceShare',
      `Hard bounces over ${percent(props.hardBounceRateThreshold)} of delivered+bounced mail in an hour (processor metrics).`,
      new MathExpression({
        label: 'hard-bounce share',
        expression: `IF((${volume}) >= ${props.rateMinimumVolume}, FILL(hard,0)/(${volume}), 0)`,
        usingMetrics,
        period: RATE_PERIOD,
      }),
      props.hardBounceRateThreshold,
    );
    alarm(
      'ComplaintRate',
      `Complaints over ${percent(props.complaintRateThreshold)} of delivered mail in an hour (processor metrics).`,
      new MathExpression({
        label: 'complaint rate',
        expression: `IF(FILL(deliveries,0) >= ${props.rateMinimumVolume}, FILL(complaints,0)/FILL(deliveries,0), 0)`,
        usingMetrics,
        period: RATE_PERIOD,
      }),
      props.complaintRateThreshold,
    );

    this.dashboard = this.buildDashboard(props, usingMetrics);
  }

  private buildDashboard(props: ObservabilityProps, rates: Record<string, Metric>): Dashboard {
    const names = props.metricNames;
    const namespace = props.metricsNamespace;
    // Metrics Insights: one line per dimension value, no need to know the values in advance.
    const breakdown = (dimension: string, label: string, limit: number) =>
      new GraphWidget({
        title: `Events by ${label}`,
        width: 8,
        left: [
          new MathExpression({
            expression: `SELECT SUM("${names.events}") FROM SCHEMA("${namespace}", service, "${dimension}") GROUP BY "${dimension}" ORDER BY SUM() DESC LIMIT ${limit}`,
            label,
            period: Duration.hours(1),
          }),
        ],
      });
    const dashboard = new Dashboard(this, 'Dashboard', { defaultInterval: Duration.days(7) });
    dashboard.addWidgets(
      new TextWidget({
        markdown: `# ses-bounce-processor\nEvents from namespace \`${namespace}\`; alarms go to the alarm topic.`,
        width: 24,
        height: 2,
      }),
    );
    dashboard.addWidgets(
      breakdown(names.verdictDimension, 'verdict', 10),
      breakdown(names.categoryDimension, 'category', 20),
      breakdown(names.domainDimension, 'top recipient domains', 10),
    );
    dashboard.addWidgets(
      new GraphWidget({
        title: 'Events per hour',
        width: 12,
        left: Object.entries(rates).map(([label, metric]) => metric.with({ label })),
      }),
      new GraphWidget({
        title: 'SES reputation (account)',
        width: 12,
        left: ['Reputation.BounceRate', 'Reputation.ComplaintRate'].map(
          (metricName) =>
            new Metric({ namespace: 'AWS/SES', metricName, period: Duration.hours(1), statistic: 'Maximum' }),
        ),
      }),
    );
    dashboard.addWidgets(
      new SingleValueWidget({
        title: 'Dead-letter queues (messages)',
        width: 12,
        metrics: Object.entries(props.deadLetterQueues).map(([name, queue]) =>
          queue.metricApproximateNumberOfMessagesVisible({ label: name, statistic: 'Maximum' }),
        ),
      }),
      new GraphWidget({
        title: 'Function errors and throttles',
        width: 12,
        left: [props.processor, props.worker, props.queryFunction].map((fn) => fn.metricErrors()),
        right: [props.processor, props.queryFunction].map((fn) => fn.metricThrottles()),
      }),
    );
    return dashboard;
  }
}

function percent(share: number): string {
  return `${Number((share * 100).toPrecision(3))}%`;
}
