// Builds the stack for template tests: asset bundling is skipped (CI's `cdk synth` bundles for real), so a test
// file synthesizes in about a second. Call once per file.
import { App, CfnElement, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { resolveSettings } from '../../infra/props.ts';
import { SesBounceProcessorStack } from '../../infra/stack.ts';

export const TEST_ENV = { account: '123456789012', region: 'eu-west-1' } as const;

export function synthesize(settings: Record<string, unknown> = {}): {
  stack: SesBounceProcessorStack;
  template: Template;
} {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new SesBounceProcessorStack(app, 'Test', {
    settings: resolveSettings(settings),
    env: TEST_ENV,
  });
  return { stack, template: Template.fromStack(stack) };
}

/** The logical id of a construct's CloudFormation resource, for `{ Ref }` / `Fn::GetAtt` matching. */
export function logicalId(stack: Stack, construct: IConstruct): string {
  const resource = construct instanceof CfnElement ? construct : construct.node.defaultChild;
  if (!(resource instanceof CfnElement))
    throw new Error(`${construct.node.path} has no CloudFormation resource`);
  return stack.getLogicalId(resource);
}

/** A statement of an IAM policy in the template, as CloudFormation writes it. */
export interface PolicyStatement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

/** The statements of every inline policy attached to a function's role (the function by its logical id). */
export function roleStatements(template: Template, functionId: string): PolicyStatement[] {
  const roleId =
    template.findResources('AWS::Lambda::Function')[functionId]?.Properties?.Role?.['Fn::GetAtt']?.[0];
  if (typeof roleId !== 'string') throw new Error(`no role found for function ${functionId}`);
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((policy) => policy.Properties.Roles.some((role: { Ref: string }) => role.Ref === roleId))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as PolicyStatement[]);
}

/** The actions of statements, one entry per action. */
export function actionsOf(statements: readonly PolicyStatement[]): string[] {
  return statements.flatMap((statement) =>
    Array.isArray(statement.Action) ? statement.Action : [statement.Action],
  );
}
