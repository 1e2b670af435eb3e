// infra/README.md "Routing the state-change events": the CDK snippet, taken from the README as it is written,
// compiled and run against the SesBounceProcessor construct, gives a rule per target on the construct's bus that
// matches the events' source and detail-types, and an ARN-named bus when `eventBus` names one.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { transformSync } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { SesBounceProcessor } from '../../infra/construct.ts';
import { DETAIL_TYPES, EVENT_SOURCE } from '../../lambdas/domain/state-change-events.ts';
import { TEST_ENV } from '../support/synth.ts';
import { EVENT_BUS_ARN } from './setting-combinations.ts';

const readme = readFileSync(new URL('../../infra/README.md', import.meta.url), 'utf8');
const section = readme.slice(readme.indexOf('## Routing the state-change events'));
const snippet = /```ts\n([\s\S]*?)```/.exec(section)?.[1] ?? '';

type RouteEvents = (stack: Stack, system: SesBounceProcessor) => void;

function routeEvents(): RouteEvents {
  const { code } = transformSync(snippet, { loader: 'ts', format: 'cjs' });
  const module = { exports: {} as { routeEvents?: RouteEvents } };
  new Function('require', 'module', 'exports', code)(createRequire(import.meta.url), module, module.exports);
  const exported = module.exports.routeEvents;
  if (!exported) throw new Error('the README snippet exports no routeEvents');
  return exported;
}

function synthesize(props: { eventBus?: string }) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Consumer', { env: TEST_ENV });
  const system = new SesBounceProcessor(stack, 'Bounces', props);
  routeEvents()(stack, system);
  return Template.fromStack(stack);
}

describe('infra/README.md event routing snippet', () => {
  it('routes to an SQS queue, a Lambda function and an API destination on the default bus', () => {
    // Act
    const template = synthesize({});
    // Assess
    const rules = Object.values(template.findResources('AWS::Events::Rule'));
    expect(rules).toHaveLength(3);
    for (const rule of rules) {
      expect(rule.Properties.EventBusName).toBe('default');
      expect(rule.Properties.EventPattern.source).toEqual([EVENT_SOURCE]);
      for (const detailType of rule.Properties.EventPattern['detail-type'])
        expect(DETAIL_TYPES).toContain(detailType);
    }
    template.resourceCountIs('AWS::Events::ApiDestination', 1);
    template.hasResourceProperties('AWS::Events::Rule', {
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('CrmSync'), 'Arn'] } })],
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('OnComplaint'), 'Arn'] } })],
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      Targets: [Match.objectLike({ InputPath: '$.detail' })],
    });
  });

  it('puts the rules on the bus eventBus names', () => {
    // Act
    const template = synthesize({ eventBus: EVENT_BUS_ARN });
    // Assess
    for (const rule of Object.values(template.findResources('AWS::Events::Rule'))) {
      expect(rule.Properties.EventBusName).toBe('crm');
    }
  });
});
