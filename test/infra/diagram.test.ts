// The architecture diagram (README.md "Deploy" and infra/README.md, one mermaid block in both) states figures of the
// default stack: batch sizes, batching windows, concurrency, receives before a dead-letter queue, retries before a
// failure queue, the SES actions each function sends, one node per function. They are read here from the block and
// checked against the synthesized template, so the picture cannot drift from what `cdk deploy` creates (it had: it
// still said batches of 10, reserved concurrency 1 and a worker reading the suppression list after all three changed).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { actionsOf, logicalId, roleStatements, synthesize } from '../support/synth.ts';

const { stack, template } = synthesize();
const { parts } = stack;

function diagramOf(path: string): string {
  const text = readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
  const block = /```mermaid\n([\s\S]*?)```/.exec(text)?.[1];
  expect(block, path).toBeDefined();
  return block ?? '';
}
const diagram = diagramOf('infra/README.md');

/** The numbers of the first line of the diagram that matches `pattern`, as numbers. */
function figures(pattern: RegExp): number[] {
  const match = pattern.exec(diagram);
  expect(match, String(pattern)).not.toBeNull();
  return (match?.slice(1) ?? []).map(Number);
}

type Properties = Record<string, unknown> & {
  BatchSize?: number;
  MaximumBatchingWindowInSeconds?: number;
  TumblingWindowInSeconds?: number;
  MaximumRetryAttempts?: number;
  ScalingConfig?: { MaximumConcurrency?: number };
};

/** The event source mapping that feeds a function (by the function's logical id). */
function mappingOf(functionId: string): Properties {
  const mappings = Object.values(template.findResources('AWS::Lambda::EventSourceMapping')).filter(
    (m) => JSON.stringify(m.Properties.FunctionName) === JSON.stringify({ Ref: functionId }),
  );
  expect(mappings, functionId).toHaveLength(1);
  return mappings[0]?.Properties ?? {};
}

function maxReceiveCountOf(queueId: string): number | undefined {
  return template.findResources('AWS::SQS::Queue')[queueId]?.Properties?.RedrivePolicy?.maxReceiveCount;
}

/** SES actions granted to a function's role. */
function sesActionsOf(functionId: string): string[] {
  return actionsOf(roleStatements(template, functionId))
    .filter((a) => a.startsWith('ses:'))
    .sort();
}

/** "Put/DeleteSuppressedDestination" → ses:PutSuppressedDestination, ses:DeleteSuppressedDestination (sorted). */
function actionsIn(label: string): string[] {
  const [verbs = '', noun = ''] = /^([A-Za-z/]+?)(SuppressedDestination)$/.exec(label)?.slice(1) ?? [];
  return verbs
    .split('/')
    .map((verb) => `ses:${verb}${noun}`)
    .sort();
}

const processorId = logicalId(stack, parts.processor.function.function);
const workerId = logicalId(stack, parts.suppression.function.function);
const queryId = logicalId(stack, parts.queryApi.function.function);
const rollupId = logicalId(stack, parts.counterRollup.function.function);
const publisher = parts.eventsPublisher;

describe('the architecture diagram', () => {
  it('is the same block in README.md and infra/README.md', () => {
    expect(diagramOf('README.md')).toBe(diagram);
  });

  it("states the processor's batches, batching window, concurrency and receives before the dead-letter queue", () => {
    const mapping = mappingOf(processorId);
    const [batch, window, concurrency] = figures(
      /Q -->\|"batches ≤ (\d+) or (\d+) s, partial failures,<br\/>max concurrency (\d+)"\| P\[/,
    );
    expect([batch, window, concurrency]).toEqual([
      mapping.BatchSize,
      mapping.MaximumBatchingWindowInSeconds,
      mapping.ScalingConfig?.MaximumConcurrency,
    ]);
    expect(figures(/Q -\. "after (\d+) receives" \.-> DLQ/)).toEqual([
      maxReceiveCountOf(logicalId(stack, parts.processor.queue)),
    ]);
  });

  it("states the suppression worker's batches, concurrency and receives before its dead-letter queue", () => {
    const mapping = mappingOf(workerId);
    expect(figures(/SQ -->\|"batches ≤ (\d+), max concurrency (\d+)"\| W\[/)).toEqual([
      mapping.BatchSize,
      mapping.ScalingConfig?.MaximumConcurrency,
    ]);
    expect(figures(/SQ -\. "after (\d+) receives" \.-> SDLQ/)).toEqual([
      maxReceiveCountOf(logicalId(stack, parts.suppression.queue)),
    ]);
  });

  it("states the stream functions' windows and retries before their failure queues", () => {
    const rollup = mappingOf(rollupId);
    expect(figures(/windows of (\d+) s"\| CR\[/)).toEqual([rollup.TumblingWindowInSeconds]);
    expect(figures(/CR -\. "after (\d+) retries" \.-> CFQ/)).toEqual([rollup.MaximumRetryAttempts]);
    expect(publisher).toBeDefined();
    if (publisher === undefined) return;
    const events = mappingOf(logicalId(stack, publisher.function.function));
    expect(figures(/EP -\. "after (\d+) retries" \.-> EFQ/)).toEqual([events.MaximumRetryAttempts]);
  });

  it('names exactly the SES suppression-list actions each function is granted', () => {
    const label = (from: string) =>
      new RegExp(`${from} -->\\|"([A-Za-z/]+)"\\| SL\\[?`).exec(diagram)?.[1] ?? '';
    expect(actionsIn(label('W'))).toEqual(sesActionsOf(workerId));
    expect(actionsIn(label('QF'))).toEqual(
      sesActionsOf(queryId).filter((a) => a.endsWith('SuppressedDestination')),
    );
  });

  it('draws one node per function of the stack, on the runtime and architecture it deploys', () => {
    const functions = Object.values(template.findResources('AWS::Lambda::Function'));
    const nodes = diagram.match(/\["[^"]*λ[^"]*"\]/g) ?? [];
    expect(nodes).toHaveLength(functions.length);
    const runtimes = new Set(
      functions.map((f) => `${f.Properties.Runtime} ${f.Properties.Architectures?.[0]}`),
    );
    expect([...runtimes]).toEqual([expect.stringMatching(/^nodejs\d+\.x arm64$/)]);
    expect(diagram).toContain([...runtimes][0]);
  });
});
