// classifyBounce against real diagnostics (test/fixtures/diagnostics), every registry code and every code of the
// seed guide. The corpus expectations were written per string from its wording and source, before the classifier
// was run on it. Cases of the validation split (see harness/diagnostics-corpus.ts) are not asserted one by
// one (no rule may be written from them). The tuning half of the `unseen-*` files (v2 and v3) is asserted as a whole too: those
// cases were collected to measure the classifier on new text, rules are written from their misses (each with its own
// test in classify-rules.test.ts), and a miss left is a measured miss, not a reason to relabel. Both splits must
// hold the figures last measured, and the accuracy table in README.md and BENCHMARKS.md must be the one
// `npm run bench:accuracy` prints.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COLUMNS, report, scoreCorpus } from '../../harness/accuracy.ts';
import {
  inputOf,
  loadDiagnosticsCorpus,
  splitOf,
  UNSEEN_FILE_PREFIX,
} from '../../harness/diagnostics-corpus.ts';
import { heldOutAnswers } from '../../harness/held-out.ts';
import { CATEGORIES, type Category } from '../../lambdas/domain/classification.ts';
import { classifierWithTextRules, classifyBounce } from '../../lambdas/domain/classify.ts';
import { REGISTRY_CODES } from '../../lambdas/domain/registry.ts';
import { TEXT_RULES } from '../../lambdas/domain/rules/index.ts';

const corpus = loadDiagnosticsCorpus();
const tuning = corpus.filter((e) => (e.split ?? 'tuning') === 'tuning');
/** The tuning cases asserted one by one: all but the `unseen-*` files' (measured as a whole below). */
const tunedOneByOne = tuning.filter((e) => !e.file.startsWith(UNSEEN_FILE_PREFIX));

describe('the corpus of real diagnostics', () => {
  it('is large, sourced and well formed', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(1255);
    for (const entry of corpus) {
      expect(entry.source.length).toBeGreaterThan(5);
      expect(entry.diagnosticCode.length).toBeGreaterThan(0);
      expect(CATEGORIES).toContain(entry.expected.category);
    }
    const unique = new Set(
      corpus.map((e) => `${e.status ?? ''}|${e.bounceSubType ?? ''}|${e.diagnosticCode}`),
    );
    expect(unique.size).toBe(corpus.length);
  });

  it('keeps every split case where the seeded hash of its text put it', () => {
    const withSplit = corpus.filter((e) => e.split !== undefined);
    expect(withSplit.length).toBeGreaterThan(0);
    for (const entry of withSplit)
      expect(entry.split, entry.diagnosticCode).toBe(splitOf(entry.diagnosticCode, entry.file));
    expect(withSplit.filter((e) => e.split === 'validation').length).toBeGreaterThanOrEqual(150);
  });

  it.each(tunedOneByOne.map((e) => [`${e.file}: ${e.diagnosticCode.slice(0, 90)}`, e] as const))(
    '%s',
    (_name, entry) => {
      // Act
      const c = classifyBounce(inputOf(entry));
      // Assess
      expect({ category: c.category, verdict: c.verdict, suppress: c.suppress }).toEqual(entry.expected);
    },
  );

  // Issue #11's target for the validation split is hard/soft >= 97% with no false suppression. The floors are the
  // figures measured when the splits were last scored, so a change can only hold or improve them: never lower them,
  // never move or relabel a case to meet them. Validation v3 (the `unseen-v3-*` files) was split off and scored
  // before any rule was written after it existed; it is reported on its own, and so are validation v4 (`unseen-v4-*`)
  // validation v5 (`unseen-v5-*`), validation v6 (`unseen-v6-*`), validation v7 (`unseen-v7-*`), validation v8
  // (`unseen-v8-*`), validation v9 (`unseen-v9-*`), validation v10 (`unseen-v10-*`), validation v11 (`unseen-v11-*`)
  // validation v12 (`unseen-v12-*`) and validation v13 (`unseen-v13-*`). The tuning figures include the v4 to v13 tuning
  // halves as scored on arrival.
  // The held-out tuning column (each source's own phrases left out while its cases are classified) is an estimate of
  // the classifier on sources it was not tuned on.
  const FLOORS = {
    tuning: { hardSoft: 974, wrongSuppressions: 2, falseSenderSuppressions: 0 },
    tuningHeldOut: { hardSoft: 965, wrongSuppressions: 3, falseSenderSuppressions: 0 },
    validation: { hardSoft: 181, wrongSuppressions: 2, falseSenderSuppressions: 1 },
    validationV3: { hardSoft: 104, wrongSuppressions: 2, falseSenderSuppressions: 0 },
    validationV4: { hardSoft: 64, wrongSuppressions: 2, falseSenderSuppressions: 1 },
    validationV5: { hardSoft: 57, wrongSuppressions: 0, falseSenderSuppressions: 0 },
    validationV6: { hardSoft: 19, wrongSuppressions: 0, falseSenderSuppressions: 0 },
    validationV7: { hardSoft: 8, wrongSuppressions: 0, falseSenderSuppressions: 0 },
    validationV8: { hardSoft: 31, wrongSuppressions: 0, falseSenderSuppressions: 0 },
    validationV9: { hardSoft: 15, wrongSuppressions: 2, falseSenderSuppressions: 1 },
    validationV10: { hardSoft: 20, wrongSuppressions: 0, falseSenderSuppressions: 0 },
    validationV11: { hardSoft: 31, wrongSuppressions: 0, falseSenderSuppressions: 0 },
    validationV12: { hardSoft: 17, wrongSuppressions: 0, falseSenderSuppressions: 0 },
    validationV13: { hardSoft: 9, wrongSuppressions: 0, falseSenderSuppressions: 0 },
  } as const;

  it.each(COLUMNS)('holds the measured floor on the %s split', (split) => {
    // Act
    const s = scoreCorpus()[split];
    // Assess
    expect(s.hardSoftRight).toBeGreaterThanOrEqual(FLOORS[split].hardSoft);
    expect(s.falseSenderSuppressions).toBeLessThanOrEqual(FLOORS[split].falseSenderSuppressions);
    expect(s.suppressed - s.suppressedRightly).toBeLessThanOrEqual(FLOORS[split].wrongSuppressions);
  });

  it('is measured as README.md and BENCHMARKS.md say', () => {
    const expected = report(scoreCorpus());
    for (const doc of ['README.md', 'BENCHMARKS.md']) {
      const text = readFileSync(join(import.meta.dirname, '..', '..', doc), 'utf8');
      expect(text, doc).toContain(expected);
    }
  });

  it('exercises every text rule with at least one real string', () => {
    const ruleOf = (evidence: string): string | undefined => /^text rule (\S+)/.exec(evidence)?.[1];
    const decidedBy = new Set(tuning.map((e) => ruleOf(classifyBounce(inputOf(e)).evidence)));
    // A weak rule may decide real strings only where a source's own phrase is held out (rate-word: the word "rate"
    // contradicting Gmail's X.2.1 once Gmail's phrase is gone): the held-out classification exercises it.
    const { answers } = heldOutAnswers(tuning, TEXT_RULES, classifierWithTextRules);
    const decidedHeldOut = new Set(answers.map((c) => ruleOf(c.evidence)));
    const untested = TEXT_RULES.filter(
      (r) => !decidedBy.has(r.id) && !(r.weak === true && decidedHeldOut.has(r.id)),
    ).map((r) => r.id);
    expect(untested).toEqual([]);
  });

  it('covers every category that text can decide', () => {
    const seen = new Set(corpus.map((e) => e.expected.category));
    expect(CATEGORIES.filter((c) => !seen.has(c))).toEqual([]);
  });
});

// Registry code → what a bare `status` with that code (and nothing else) should be read as.
// Judged from the registry meanings (RFC 3463 and successors); codes that report success or say nothing get
// "undetermined" or their subject's category.
const REGISTRY_EXPECTATIONS: Readonly<Record<string, Category>> = {
  'X.0.0': 'undetermined',
  'X.1.0': 'undetermined',
  'X.1.1': 'unknown-recipient',
  'X.1.2': 'unknown-domain',
  'X.1.3': 'unknown-recipient',
  'X.1.4': 'remote-system-error',
  'X.1.5': 'undetermined',
  'X.1.6': 'mailbox-moved',
  'X.1.7': 'sender-rejected',
  'X.1.8': 'sender-rejected',
  'X.1.9': 'undetermined',
  'X.1.10': 'domain-rejects-mail',
  'X.2.0': 'undetermined',
  'X.2.1': 'mailbox-disabled',
  'X.2.2': 'mailbox-full',
  'X.2.3': 'message-too-large',
  'X.2.4': 'remote-system-error',
  'X.3.0': 'remote-system-error',
  'X.3.1': 'remote-system-error',
  'X.3.2': 'remote-system-error',
  'X.3.3': 'protocol-error',
  'X.3.4': 'message-too-large',
  'X.3.5': 'remote-system-error',
  'X.3.6': 'remote-system-error',
  'X.4.0': 'network-error',
  'X.4.1': 'network-error',
  'X.4.2': 'network-error',
  'X.4.3': 'network-error',
  'X.4.4': 'unknown-domain',
  'X.4.5': 'remote-system-error',
  'X.4.6': 'remote-system-error',
  'X.4.7': 'expired',
  'X.5.0': 'protocol-error',
  'X.5.1': 'protocol-error',
  'X.5.2': 'protocol-error',
  'X.5.3': 'rate-limited',
  'X.5.4': 'protocol-error',
  'X.5.5': 'protocol-error',
  'X.5.6': 'protocol-error',
  'X.6.0': 'content-rejected',
  'X.6.1': 'content-rejected',
  'X.6.2': 'content-rejected',
  'X.6.3': 'content-rejected',
  'X.6.4': 'content-rejected',
  'X.6.5': 'content-rejected',
  'X.6.6': 'content-rejected',
  'X.6.7': 'protocol-error',
  'X.6.8': 'protocol-error',
  'X.6.9': 'protocol-error',
  'X.6.10': 'protocol-error',
  'X.7.0': 'policy-violation',
  'X.7.1': 'policy-violation',
  'X.7.2': 'policy-violation',
  'X.7.3': 'security-error',
  'X.7.4': 'security-error',
  'X.7.5': 'security-error',
  'X.7.6': 'security-error',
  'X.7.7': 'security-error',
  'X.7.8': 'security-error',
  'X.7.9': 'security-error',
  'X.7.10': 'sender-authentication',
  'X.7.11': 'security-error',
  'X.7.12': 'policy-violation',
  'X.7.13': 'mailbox-disabled',
  'X.7.14': 'security-error',
  'X.7.15': 'policy-violation',
  'X.7.16': 'message-too-large',
  'X.7.17': 'mailbox-moved',
  'X.7.18': 'mailbox-moved',
  'X.7.19': 'security-error',
  'X.7.20': 'sender-authentication',
  'X.7.21': 'sender-authentication',
  'X.7.22': 'sender-authentication',
  'X.7.23': 'sender-authentication',
  'X.7.24': 'sender-authentication',
  'X.7.25': 'sender-blocked',
  'X.7.26': 'sender-authentication',
  'X.7.27': 'sender-rejected',
  'X.7.28': 'rate-limited',
  'X.7.29': 'sender-authentication',
  'X.7.30': 'sender-authentication',
};
// X.4.4 is "unable to route": SES sends a dead domain as 5.4.4; as 4.4.4 it is a routing failure.
const CLASS_4_EXCEPTIONS: Readonly<Record<string, Category>> = {
  'X.4.4': 'network-error',
  'X.2.1': 'rate-limited',
};
const HARD_AS_5XX = new Set([
  'X.1.1',
  'X.1.2',
  'X.1.3',
  'X.1.6',
  'X.1.10',
  'X.2.1',
  'X.4.4',
  'X.7.13',
  'X.7.17',
  'X.7.18',
]);

describe('every registry code as a bare status', () => {
  it('has an expectation for each registry code (imported from the registry)', () => {
    expect(Object.keys(REGISTRY_EXPECTATIONS).sort()).toEqual([...REGISTRY_CODES].sort());
  });

  it.each(REGISTRY_CODES.map((code) => [code]))('%s', (code) => {
    for (const klass of ['4', '5']) {
      // Prepare
      const status = code.replace('X', klass);
      // Act
      const c = classifyBounce({ status });
      // Assess
      const expected =
        klass === '4'
          ? (CLASS_4_EXCEPTIONS[code] ?? REGISTRY_EXPECTATIONS[code])
          : REGISTRY_EXPECTATIONS[code];
      expect(c.category).toBe(expected);
      expect(c.code).toBe(status);
      expect(c.codeTitle).not.toBeNull();
      expect(c.verdict).toBe(klass === '5' && HARD_AS_5XX.has(code) ? 'hard' : 'soft');
      expect(c.suppress).toBe(c.verdict === 'hard');
    }
  });
});

// The 89 codes of the marketing guide our users know (see ../shared/reference/seed-bounce-codes.md).
const SEED_SOFT = [
  '4.0.0',
  '4.1.0',
  '4.1.1',
  '4.1.2',
  '4.1.3',
  '4.1.4',
  '4.1.5',
  '4.1.6',
  '4.1.7',
  '4.1.8',
  '4.2.0',
  '4.2.1',
  '4.2.2',
  '4.3.0',
  '4.3.1',
  '4.3.2',
  '4.3.3',
  '4.4.0',
  '4.4.1',
  '4.4.2',
  '4.4.3',
  '4.4.4',
  '4.4.5',
  '4.4.6',
  '4.4.7',
  '4.5.0',
  '4.5.1',
  '4.5.2',
  '4.5.3',
  '4.5.4',
  '4.5.5',
  '4.6.0',
  '4.6.1',
  '4.6.2',
  '4.6.3',
  '4.6.4',
  '4.6.5',
  '4.7.0',
  '4.7.1',
  '4.7.2',
  '4.7.25',
];
const SEED_HARD = [
  '5.0.0',
  '5.1.0',
  '5.1.1',
  '5.1.2',
  '5.1.3',
  '5.1.4',
  '5.1.5',
  '5.1.6',
  '5.1.7',
  '5.1.8',
  '5.2.0',
  '5.2.1',
  '5.2.2',
  '5.2.3',
  '5.2.4',
  '5.3.0',
  '5.3.1',
  '5.3.2',
  '5.3.3',
  '5.3.4',
  '5.4.0',
  '5.4.1',
  '5.4.2',
  '5.4.3',
  '5.4.4',
  '5.4.5',
  '5.4.6',
  '5.4.7',
  '5.5.0',
  '5.5.1',
  '5.5.2',
  '5.5.3',
  '5.5.4',
  '5.5.5',
  '5.6.0',
  '5.6.1',
  '5.6.2',
  '5.6.3',
  '5.6.4',
  '5.6.5',
  '5.7.0',
  '5.7.1',
  '5.7.2',
  '5.7.3',
  '5.7.4',
  '5.7.5',
  '5.7.6',
  '5.7.7',
];

describe('every code of the seed guide', () => {
  it('lists the 89 codes', () => {
    expect(SEED_SOFT).toHaveLength(41);
    expect(SEED_HARD).toHaveLength(48);
  });

  it.each(SEED_SOFT.map((code) => [code]))("guide's soft %s is soft", (status) => {
    const c = classifyBounce({ status, bounceType: 'Transient' });
    expect(c).toMatchObject({ verdict: 'soft', suppress: false, code: status });
  });

  it("of the guide's 48 'hard' codes only a dead address or domain is hard", () => {
    const hard = SEED_HARD.filter(
      (status) => classifyBounce({ status, bounceType: 'Permanent' }).verdict === 'hard',
    );
    expect(hard).toEqual([
      '5.0.0',
      '5.1.0',
      '5.1.1',
      '5.1.2',
      '5.1.3',
      '5.1.5',
      '5.1.6',
      '5.2.0',
      '5.2.1',
      '5.4.4',
    ]);
    // 5.0.0, 5.1.0, 5.1.5 and 5.2.0 say nothing specific: hard only because SES said Permanent, never suppressed.
    for (const status of ['5.0.0', '5.1.0', '5.1.5', '5.2.0']) {
      expect(classifyBounce({ status, bounceType: 'Permanent' })).toMatchObject({
        category: 'undetermined',
        suppress: false,
      });
    }
  });

  it.each<[string, Category, 'hard' | 'soft']>([
    ['5.2.2', 'mailbox-full', 'soft'], // guide: "mailbox not accepting messages"; registry: mailbox full, transient
    ['5.2.1', 'mailbox-disabled', 'hard'], // guide: "mailbox full"
    ['5.1.5', 'undetermined', 'soft'], // guide: "mailbox not accepting"; registry: a success detail
    ['4.7.25', 'sender-blocked', 'soft'], // guide: "spam filter triggered"; registry: reverse DNS failed
    ['5.4.3', 'network-error', 'soft'], // guide: "routing server failure"; registry: directory server failure
    ['5.3.0', 'remote-system-error', 'soft'], // guide: "mail system full"
  ])('where the guide is wrong the registry decides: %s → %s', (status, category, verdict) => {
    expect(classifyBounce({ status })).toMatchObject({ category, verdict });
  });
});
