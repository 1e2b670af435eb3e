// Figures and lists the documentation states about the deployed system, read from the docs and checked against the
// code or the synthesized template, so that a change to one fails here until the other follows (README.md's
// construct members and handlers, infra/README.md's alarms and permissions, docs/*.md's configuration tables).
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { costTables, readCostInputs } from '../../harness/cost-model.ts';
import { CONFIG_DEFAULTS, ENV, type Setting } from '../../lambdas/config.ts';
import { CATEGORIES } from '../../lambdas/domain/classification.ts';
import { classifyBounce } from '../../lambdas/domain/classify.ts';
import { actionsOf, logicalId, roleStatements, synthesize } from '../support/synth.ts';

const ROOT = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, ROOT), 'utf8');
/** The text of a markdown section, from its heading to the next heading of the same or a higher level. */
function section(path: string, heading: string): string {
  const text = read(path);
  const level = /^#+/.exec(heading)?.[0] ?? '##';
  const start = text.indexOf(`\n${heading}\n`);
  expect(start, `${path}: ${heading}`).toBeGreaterThan(-1);
  const rest = text.slice(start + heading.length + 2);
  const end = rest.search(new RegExp(`^#{1,${level.length}} `, 'm'));
  return end === -1 ? rest : rest.slice(0, end);
}

const { stack, template } = synthesize();
const system = stack.bounceProcessor;

describe('README "Add to an existing CDK app"', () => {
  it('lists every public member of the SesBounceProcessor construct, and only those', () => {
    const table = section('README.md', '## Add to an existing CDK app');
    const documented = [...table.matchAll(/^\| (`[A-Za-z]+`(?:, `[A-Za-z]+`)*) \|/gm)].flatMap((row) =>
      [...(row[1] ?? '').matchAll(/`([A-Za-z]+)`/g)].map((name) => name[1] ?? ''),
    );
    const members = Object.keys(system).filter((key) => key !== 'node');
    expect(documented.sort()).toEqual(members.sort());
  });
});

describe('README "Project layout"', () => {
  it('names every Lambda entry point in lambdas/handlers/, with their number', () => {
    const row = /^\| `lambdas\/handlers\/` \| the (\w+) Lambda entry points: ([^|]+) \|$/m.exec(
      read('README.md'),
    );
    expect(row).not.toBeNull();
    const handlers = readdirSync(new URL('lambdas/handlers/', ROOT)).filter((file) => file.endsWith('.ts'));
    const named = (row?.[2] ?? '').split(', ');
    const NUMBERS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight'];
    expect([row?.[1], named.length]).toEqual([NUMBERS[handlers.length], handlers.length]);
  });
});

describe('infra/README.md permissions table, "granted to"', () => {
  const grantedTo = new Map(
    [
      ...read('infra/README.md').matchAll(/^\| `([a-z-]+:[A-Za-z]+)` \| `[^`]+` \| [^|]+ \| ([^|]+) \|/gm),
    ].map((row) => [row[1] ?? '', row[2] ?? '']),
  );
  // How the column names each function of the default stack.
  const functions = {
    processor: system.processorFunction,
    worker: system.suppressionWorkerFunction,
    'query API': system.queryFunction,
    'events publisher': system.eventsPublisherFunction,
    'counter rollup': system.counterRollupFunction,
  };

  it.each(Object.entries(functions))('names the %s for every action its role is granted', (name, fn) => {
    expect(fn).toBeDefined();
    const actions = new Set(actionsOf(roleStatements(template, fn ? logicalId(stack, fn) : '')));
    const unnamed = [...actions].filter((action) => {
      const cell = grantedTo.get(action) ?? '';
      return !cell.includes('every function') && !cell.includes(name.replace(' API', ''));
    });
    expect(unnamed).toEqual([]);
  });
});

describe('infra/README.md fixed monthly cost: alarms', () => {
  /** CloudWatch bills an alarm per metric it reads: a metric-math alarm's MetricStat entries, else its one metric. */
  function alarmMetrics(settings: Record<string, unknown>): { alarms: number; metrics: number } {
    const alarms = Object.values(synthesize(settings).template.findResources('AWS::CloudWatch::Alarm'));
    const metrics = alarms.map(
      (alarm) =>
        (alarm.Properties.Metrics as { MetricStat?: unknown }[] | undefined)?.filter((m) => m.MetricStat)
          .length ?? 1,
    );
    return { alarms: alarms.length, metrics: metrics.reduce((a, b) => a + b, 0) };
  }
  const prose = read('infra/README.md');

  it('prices the alarm metrics of a stack without the events publisher, and those the publisher adds', () => {
    const fixed = /(\d+) alarm metrics × \$0\.10 = \$(\d+\.\d\d) \((\d+) alarms;/.exec(prose);
    const added = /Fixed: (\d+) more alarms, \$(\d+\.\d\d) a month\./.exec(prose);
    const base = alarmMetrics({ eventBus: 'none' });
    const withEvents = alarmMetrics({});
    expect(fixed?.slice(1).map(Number)).toEqual([
      base.metrics,
      Math.round(base.metrics * 10) / 100,
      base.alarms,
    ]);
    expect(added?.slice(1).map(Number)).toEqual([
      withEvents.metrics - base.metrics,
      Math.round((withEvents.metrics - base.metrics) * 10) / 100,
    ]);
  });
});

describe('docs/data-model.md "Configuration"', () => {
  const rows = [
    ...section(
      'docs/data-model.md',
      '## Configuration (every function: one module, `lambdas/config.ts`)',
    ).matchAll(/^\| ((?:`[A-Z_]+`(?:, )?)+)\s*\| ([^|]+?)\s*\|/gm),
  ].map((row) => ({
    names: [...(row[1] ?? '').matchAll(/`([A-Z_]+)`/g)].map((n) => n[1] ?? ''),
    value: row[2] ?? '',
  }));

  it('lists every environment variable of lambdas/config.ts, and only those', () => {
    expect(rows.flatMap((row) => row.names).sort()).toEqual(Object.values(ENV).sort());
  });

  it.each(Object.entries(CONFIG_DEFAULTS).filter(([key]) => key !== 'metricsNamespace'))(
    'gives %s the default the code uses',
    (key, value) => {
      const row = rows.find((r) => r.names.length === 1 && r.names[0] === ENV[key as Setting]);
      expect(row?.value.replaceAll('`', '')).toBe(String(value));
    },
  );
});

describe('docs/api.md "Configuration": the IAM the query function needs', () => {
  it("names exactly the DynamoDB and SES actions of the query function's role", () => {
    const text = section(
      'docs/api.md',
      '## Configuration (lambdas/config.ts, the one configuration module of every function)',
    );
    const named = [
      ...(/^IAM the function needs:([\s\S]*?)\.$/m.exec(text)?.[1] ?? '').matchAll(
        /`((?:dynamodb|ses):\w+)`/g,
      ),
    ].map((m) => m[1] ?? '');
    const granted = actionsOf(roleStatements(template, logicalId(stack, system.queryFunction))).filter(
      (action) => action.startsWith('dynamodb:') || action.startsWith('ses:'),
    );
    expect(named.sort()).toEqual([...new Set(granted)].sort());
  });
});

describe('infra/README.md "Upgrading": the operator IAM of the upgrade commands', () => {
  /** The DynamoDB actions an adapter can send: the lib-dynamodb commands it imports. */
  function actionsSentBy(path: string): string[] {
    const imports = /import \{([^}]*)\} from '@aws-sdk\/lib-dynamodb'/.exec(read(path))?.[1] ?? '';
    const ACTION: Record<string, string> = { Query: 'Query', Scan: 'Scan', BatchGet: 'BatchGetItem' };
    return [...imports.matchAll(/(?<!type )\b(\w+)Command\b(?!Output)/g)]
      .map((m) => `dynamodb:${ACTION[m[1] ?? ''] ?? `${m[1]}Item`}`)
      .sort();
  }
  /** The actions named after `anchor` in the Upgrading bullet, up to the end of its sentence's parenthesis. */
  function actionsNamed(anchor: RegExp): string[] {
    const text = read('infra/README.md');
    const start = text.search(anchor);
    expect(start, String(anchor)).toBeGreaterThan(-1);
    const clause = /^[\s\S]*?\)/.exec(text.slice(start))?.[0] ?? '';
    return [...clause.matchAll(/`(dynamodb:\w+)`/g)].map((m) => m[1] ?? '').sort();
  }

  it('backfill-expiry (counters and summaries)', () => {
    expect(actionsNamed(/credentials for both need/)).toEqual(
      actionsSentBy('lambdas/adapters/dynamo-counter-expiry.ts'),
    );
  });

  it('backfill-pointers', () => {
    expect(actionsNamed(/erased pointers for the tombstones; operator credentials need/)).toEqual(
      actionsSentBy('lambdas/adapters/dynamo-pointer-backfill.ts'),
    );
  });
});

describe('README "How processing works": the settings table', () => {
  const rows = [
    ...section('README.md', '## How processing works').matchAll(
      /^\| ((?:`[A-Z_]+`(?: \/ )?)+) \| ([^|]+?) \|/gm,
    ),
  ].map((row) => ({
    names: [...(row[1] ?? '').matchAll(/`([A-Z_]+)`/g)].map((n) => n[1] ?? ''),
    values: (row[2] ?? '').split(' / ').map((value) => value.split(' (')[0]?.trim()),
  }));
  const byVariable = new Map(
    rows.flatMap((row) => row.names.map((name, i) => [name, row.values[i]] as const)),
  );

  it.each(Object.entries(CONFIG_DEFAULTS).filter(([key]) => byVariable.has(ENV[key as Setting])))(
    'gives %s the default the code uses',
    (key, value) => {
      expect(byVariable.get(ENV[key as Setting])).toBe(String(value));
    },
  );

  it('has the table', () => {
    expect(byVariable.size).toBeGreaterThanOrEqual(8);
  });
});

describe('routes and categories the docs name', () => {
  const DOCS = [
    'README.md',
    'infra/README.md',
    ...readdirSync(new URL('docs/', ROOT))
      .filter((f) => f.endsWith('.md'))
      .map((f) => `docs/${f}`),
  ];
  const openapi = JSON.parse(read('docs/openapi.json')) as { paths: Record<string, Record<string, unknown>> };
  /** `/recipients/{email}` and `/recipients/{x}` are one route. */
  const shape = (path: string) => path.replace(/\{[^}]+\}/g, '{}');
  const served = new Set(
    Object.entries(openapi.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((m) => `${m.toUpperCase()} ${shape(path)}`),
    ),
  );
  // The local stack's own routes (README "Run it locally", docs/events.md "Locally").
  const LOCAL_ONLY = new Set(['POST /sns', 'GET /local/events']);

  it.each(DOCS)('%s names only routes the query API serves', (path) => {
    const named = [
      ...read(path).matchAll(
        /`((?:GET|PUT|POST|DELETE|PATCH)(?:[|/\\]+(?:GET|PUT|POST|DELETE))*) (\/[^`?\s…]*)/g,
      ),
    ].flatMap((m) =>
      (m[1] ?? '')
        .split(/[|/\\]+/)
        .filter(Boolean)
        .map((method) => `${method} ${m[2] ?? ''}`),
    );
    const unknown = named.filter((route) => {
      if (LOCAL_ONLY.has(route)) return false;
      const [method = '', rawPath = ''] = route.split(' ');
      // A concrete path segment stands for a parameter (`PUT /allowlist/bücher.example`).
      const candidates = [...served].filter((r) => r.startsWith(`${method} `));
      // `GET /recipients/…`: any route under that prefix.
      if (rawPath.endsWith('/')) return !candidates.some((r) => r.startsWith(`${method} ${rawPath}`));
      const segments = rawPath.replace(/\/$/, '').split('/');
      return !candidates.some((r) => {
        const want = (r.split(' ')[1] ?? '').split('/');
        return (
          want.length === segments.length &&
          want.every(
            (s, i) => s === '{}' || shape(segments[i] ?? '') === s || (segments[i] ?? '').startsWith('{'),
          )
        );
      });
    });
    expect(unknown).toEqual([]);
  });

  it("docs/events.md's examples name categories the classifier has", () => {
    const named = [...read('docs/events.md').matchAll(/"category": "([^"]+)"/g)].map((m) => m[1] ?? '');
    expect(named.length).toBeGreaterThan(0);
    expect(named.filter((category) => !(CATEGORIES as readonly string[]).includes(category))).toEqual([]);
  });
});

describe('infra/README.md storage prose quotes the retention table', () => {
  // The table itself is the cost model's output (test/unit/cost-model.test.ts); the prose must say what it says.
  const prose = read('infra/README.md');
  const row = (days: number) =>
    new RegExp(`^\\| ${days} \\| (\\d+\\.\\d\\d) \\| (\\d+\\.\\d\\d) \\|$`, 'm').exec(
      prose.split('Storage by retention')[1] ?? '',
    );
  const flat = prose.replace(/\s+/g, ' ');
  // A missing figure names itself, not the whole README.
  const quoted = (figure: string) => expect(flat.includes(figure), figure).toBe(true);

  it('90 days', () => {
    const [, low, high] = row(90) ?? [];
    expect(low).toBe(high);
    quoted(`90 days costs $${low} at either volume`);
  });

  it('400 days', () => {
    const [, low, high] = row(400) ?? [];
    quoted(`At 400 days this version's items give $${low} and $${high} (the retention table)`);
    quoted(`keeping 400 days ($${low} at 1 M/month, $${high} at 50 M/month)`);
  });
});

describe("samples/README.md's expected handling of single bounces", () => {
  // Rows whose handling is the classifier's alone (streaks, complaints and deliveries are the policy's).
  const rows = [
    ...read('samples/README.md').matchAll(
      /^\| ([\d, ]+?)\s+\| [^|]+\| ((?:hard|soft|sender-side|never)[^|]*?)\s+\|$/gm,
    ),
  ];
  const sample = (n: string) =>
    readdirSync(new URL('samples/', ROOT)).find((file) => file.startsWith(`${n.padStart(2, '0')}-`)) ?? '';

  it.each(rows.map((row) => [row[1] ?? '', row[2] ?? '']))('samples %s: %s', (files, handling) => {
    for (const n of files.split(', ')) {
      const document = JSON.parse(read(`samples/${sample(n)}`));
      const bounce = document.bounce;
      for (const recipient of bounce.bouncedRecipients) {
        const classification = classifyBounce({
          ...recipient,
          bounceType: bounce.bounceType,
          bounceSubType: bounce.bounceSubType,
        });
        const expected = {
          verdict: /^(hard|soft)\b/.exec(handling)?.[1] ?? 'soft',
          suppress: /^hard → suppress/.test(handling),
          // Only where the row says so: a sender-side case may also be described by its cause alone.
          ...(handling.includes('sender-side') ? { sender: true } : {}),
        };
        expect(
          {
            verdict: classification.verdict,
            suppress: classification.suppress,
            ...(handling.includes('sender-side') ? { sender: classification.blame === 'sender' } : {}),
          },
          `${sample(n)}: ${classification.category}`,
        ).toEqual(expected);
      }
    }
  });

  it('finds the rows', () => {
    expect(rows.length).toBeGreaterThanOrEqual(12);
  });
});

describe('README "Development"', () => {
  it('names every benchmark script of package.json', () => {
    const scripts = Object.keys(
      (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts,
    );
    const text = section('README.md', '## Development');
    // Named as `npm run bench:x` or `bench:x` (the list after the first one).
    const named = (name: string) => text.includes(`\`${name}\``) || text.includes(`npm run ${name}\``);
    expect(scripts.filter((name) => name.startsWith('bench:') && !named(name))).toEqual([]);
  });
});

describe("docs/data-model.md quotes the measured bounce's write units", () => {
  it('as bench/cost-inputs.json holds them (the figure infra/README.md quotes too)', () => {
    const after = readCostInputs().after;
    const units = after.units[after.defaults.high] ?? after.units.high;
    const figure = `a hard bounce costs ${units.bounce.write.toFixed(2)} write units`;
    expect(read('docs/data-model.md').replace(/\s+/g, ' ').includes(figure), figure).toBe(true);
  });
});

describe('infra/README.md settings table quotes the cost model', () => {
  it("processorMaxBatchingWindow's saving at 1 M/month is the cost table's", () => {
    const total = /^\| \*\*total\*\* \| (.+) \|$/m
      .exec(costTables(readCostInputs()))?.[1]
      ?.split(' | ')
      .map((cell) => cell.replaceAll('*', ''));
    const [, low, lowWindow1] = total ?? [];
    const row = /^\| `processorMaxBatchingWindow` .*$/m.exec(read('infra/README.md'))?.[0] ?? '';
    const figure = `$${low} instead of $${lowWindow1} per million sent to process`;
    expect(row.includes(figure), figure).toBe(true);
  });
});

describe("README's GET /bounces row", () => {
  it('names exactly the parameters of the OpenAPI document', () => {
    const row = /^\| `GET \/bounces` \| (.*) \|$/m.exec(read('README.md'))?.[1] ?? '';
    const named = [...row.matchAll(/`([a-zA-Z]+)`/g)].map((m) => m[1] ?? '');
    const openapi = JSON.parse(read('docs/openapi.json')) as {
      paths: Record<string, { get: { parameters: { name: string }[] } }>;
    };
    expect(named.sort()).toEqual(openapi.paths['/bounces']?.get.parameters.map((p) => p.name).sort());
  });
});
