// Checks each alarm of a synthesized template against what really produces its metric: for the app's own
// namespace, an EMF document the handlers printed (same namespace, name, dimension set and values) or a log line
// that the template's metric filter counts; for AWS/* namespaces, a resource of this stack (or SES's account-level
// reputation metrics). Returns one line per alarm metric that nothing emits.
import { type JsonLine, jsonLines } from '../support/captured-output.ts';
import type { synthesize } from '../support/synth.ts';

type Synthesized = ReturnType<typeof synthesize>;
type Json = JsonLine;

interface AlarmMetric {
  Namespace: string;
  MetricName: string;
  Dimensions?: { Name: string; Value: unknown }[];
}

/**
 * SES publishes these per account, without dimensions, in AWS/SES
 * (https://docs.aws.amazon.com/ses/latest/dg/reputation-dashboard-cloudwatch-alarm.html).
 */
const SES_ACCOUNT_METRICS = ['Reputation.BounceRate', 'Reputation.ComplaintRate'];

function metricsOf(alarm: Json): AlarmMetric[] {
  const metrics = alarm.Metrics as { MetricStat?: { Metric: AlarmMetric } }[] | undefined;
  if (metrics === undefined) return [alarm as unknown as AlarmMetric];
  return metrics.flatMap((metric) => (metric.MetricStat ? [metric.MetricStat.Metric] : []));
}

/** `{ ($.a = "x") && ($.b = "y") }` as field/value conditions; null for anything else. */
function conjunctionOf(pattern: string): [string, string][] | null {
  const inner = pattern
    .trim()
    .replace(/^\{\s*/, '')
    .replace(/\s*\}$/, '');
  const parts = inner.split(/\s*&&\s*/);
  const conditions = parts.map((part) => /^\(\$\.([\w.]+) = "([^"]*)"\)$/.exec(part));
  if (conditions.some((match) => match === null)) return null;
  return conditions.map((match) => [match?.[1] ?? '', match?.[2] ?? '']);
}

export function evaluateAlarmSources(synthesized: Synthesized, output: readonly string[]): string[] {
  const { template } = synthesized;
  const lines = jsonLines(output);
  const emf = lines.filter((line) => typeof line._aws === 'object');
  const functions = template.findResources('AWS::Lambda::Function');
  // Lambda reports IteratorAge only for functions a stream (DynamoDB, Kinesis) event source mapping invokes.
  const streamConsumers = new Set(
    Object.values(template.findResources('AWS::Lambda::EventSourceMapping'))
      .filter((mapping) => JSON.stringify(mapping.Properties.EventSourceArn).includes('StreamArn'))
      .map((mapping) => String(mapping.Properties.FunctionName?.Ref)),
  );
  const queues = template.findResources('AWS::SQS::Queue');
  const filters = Object.values(template.findResources('AWS::Logs::MetricFilter')).map((f) => f.Properties);
  const problems: string[] = [];

  const emitted = (metric: AlarmMetric): boolean => {
    const dimensions = metric.Dimensions ?? [];
    if (metric.Namespace === 'AWS/Lambda') {
      const ref = (dimensions[0]?.Value as { Ref?: string } | undefined)?.Ref;
      return (
        dimensions.length === 1 &&
        dimensions[0]?.Name === 'FunctionName' &&
        ref !== undefined &&
        ref in functions &&
        (metric.MetricName !== 'IteratorAge' || streamConsumers.has(ref))
      );
    }
    if (metric.Namespace === 'AWS/SQS') {
      const getAtt = (dimensions[0]?.Value as { 'Fn::GetAtt'?: string[] } | undefined)?.['Fn::GetAtt'];
      return dimensions.length === 1 && getAtt?.[1] === 'QueueName' && (getAtt[0] ?? '') in queues;
    }
    if (metric.Namespace === 'AWS/SES') {
      return dimensions.length === 0 && SES_ACCOUNT_METRICS.includes(metric.MetricName);
    }
    const filter = filters.find(
      (f) =>
        f.MetricTransformations[0].MetricName === metric.MetricName &&
        f.MetricTransformations[0].MetricNamespace === metric.Namespace,
    );
    if (filter !== undefined) {
      const conditions = conjunctionOf(String(filter.FilterPattern));
      return (
        dimensions.length === 0 &&
        conditions !== null &&
        lines.some((line) => conditions.every(([field, value]) => line[field] === value))
      );
    }
    const names = dimensions.map((d) => d.Name).sort();
    return emf.some((doc) => {
      const directives = (doc._aws as { CloudWatchMetrics?: Json[] }).CloudWatchMetrics ?? [];
      return directives.some(
        (directive) =>
          directive.Namespace === metric.Namespace &&
          (directive.Metrics as { Name: string }[]).some((m) => m.Name === metric.MetricName) &&
          (directive.Dimensions as string[][]).some(
            (set) => JSON.stringify([...set].sort()) === JSON.stringify(names),
          ) &&
          dimensions.every((d) => doc[d.Name] === d.Value),
      );
    });
  };

  for (const [id, alarm] of Object.entries(template.findResources('AWS::CloudWatch::Alarm'))) {
    for (const metric of metricsOf(alarm.Properties)) {
      if (!emitted(metric)) {
        problems.push(
          `${id}: ${metric.Namespace} ${metric.MetricName} ${JSON.stringify(metric.Dimensions ?? [])}`,
        );
      }
    }
  }
  return problems;
}
