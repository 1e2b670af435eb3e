// The CDK app itself: a bad setting given as `-c key=value` (CDK passes context as CDK_CONTEXT_JSON) stops synth
// before anything is built, with the setting's name on stderr.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function runApp(context: Record<string, unknown>) {
  const { CDK_OUTDIR: _outdir, ...env } = process.env;
  return spawnSync(process.execPath, ['--import', 'tsx', 'infra/app.ts'], {
    cwd: ROOT,
    env: { ...env, CDK_CONTEXT_JSON: JSON.stringify(context) },
    encoding: 'utf8',
  });
}

describe('infra/app.ts', () => {
  it('exits 1 naming every bad setting', () => {
    const result = runApp({ dryRun: 'maybe', softBounceThreshold: '101' });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(
      /ses-bounce-processor: Invalid setting\(s\):[\s\S]*softBounceThreshold[\s\S]*dryRun/,
    );
  });

  it('exits 1 on a stack name CloudFormation would refuse', () => {
    const result = runApp({ stackName: 'has spaces' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('stackName must be a CloudFormation stack name');
  });
});
