// A redeploy after an upgrade must not replace anything: CloudFormation replaces a resource whose logical id
// changes, and the table is retained, not moved, so a new id would orphan it and start an empty one. The standalone
// stack's logical ids and resource types are pinned here (test/infra/logical-ids.json, recorded before the stack
// became a thin wrapper around the SesBounceProcessor construct) for the defaults and for every optional setting on.
// Resources added later (the events publisher, its failure queue and alarms of #16; the counter rollup, its
// failure queue, output and alarms of #13) are appended to the pin; no
// pinned id may change or go. One id is a hash by design: the API Gateway deployment's (CDK hashes the API's template into it, with the
// construct paths when `cdk synth` adds path metadata), so it changes with every API change and once with the move
// into the construct; CloudFormation then creates a new deployment for the stage. Its hash is left out here.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { synthesize } from '../support/synth.ts';
import { OPTIONAL_SETTINGS } from './setting-combinations.ts';

const pinned = JSON.parse(readFileSync(new URL('./logical-ids.json', import.meta.url), 'utf8')) as Record<
  string,
  string[]
>;

/** "LogicalId Type" of every resource, sorted; outputs as "LogicalId Output". */
function logicalIds(settings: Record<string, unknown>): string[] {
  const template = synthesize(settings).template.toJSON() as {
    Resources: Record<string, { Type: string }>;
    Outputs?: Record<string, unknown>;
  };
  return [
    ...Object.entries(template.Resources).map(
      ([id, resource]) => `${withoutDeploymentHash(id)} ${resource.Type}`,
    ),
    ...Object.keys(template.Outputs ?? {}).map((id) => `${id} Output`),
  ].sort();
}

function withoutDeploymentHash(id: string): string {
  return id.replace(/^(QueryApiDeployment[0-9A-F]{8})[0-9a-f]{32}$/, '$1');
}

const ALL_OPTIONS = Object.assign(
  {},
  ...Object.values(OPTIONAL_SETTINGS).filter((s) => !('existingTopicArn' in s)),
);

describe('standalone stack logical ids', () => {
  it('are unchanged for the defaults', () => {
    expect(logicalIds({})).toEqual(pinned.defaults);
  });

  it('are unchanged with every optional setting but an existing topic on', () => {
    expect(logicalIds(ALL_OPTIONS)).toEqual(pinned.allOptions);
  });

  it('are unchanged with an existing topic', () => {
    expect(logicalIds(OPTIONAL_SETTINGS.existingTopic ?? {})).toEqual(pinned.existingTopic);
  });
});
