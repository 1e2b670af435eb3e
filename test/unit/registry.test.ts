import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  codeTitle,
  explainCode,
  REGISTRY,
  REGISTRY_CODES,
  USABLE_AS,
} from '../../lambdas/domain/registry.ts';
import { PROVIDER_CODES } from '../../lambdas/domain/registry-providers.ts';
import { parseEnhancedStatusCode } from '../../lambdas/domain/status-code.ts';

interface IanaRow {
  code: string;
  title: string;
  rfc: string | null;
  usableAs: string;
}
interface SeedRow {
  code: string;
  guideBounce: 'soft' | 'hard';
  guideTitle: string;
  disputed: boolean;
}

const fixture = <T>(name: string): T =>
  JSON.parse(readFileSync(new URL(`../fixtures/registry/${name}`, import.meta.url), 'utf8')) as T;

const iana = fixture<{ codes: IanaRow[] }>('iana-registry.json').codes;
const seed = fixture<{ codes: SeedRow[] }>('seed-bounce-codes.json').codes;

const concrete = (registryCode: string, klass: number) => registryCode.replace(/^X/, String(klass));

describe('the registry table', () => {
  it('lists every IANA code up to X.7.30, in registry order', () => {
    // Prepare / Act
    const codes = [...REGISTRY_CODES];

    // Assess
    expect(codes).toEqual(iana.map((row) => row.code));
    expect(codes).toHaveLength(81);
    expect(codes.at(-1)).toBe('X.7.30');
  });

  it('uses only the defined usable-as values', () => {
    for (const entry of REGISTRY) expect(USABLE_AS).toContain(entry.usableAs);
  });
});

describe('explainCode over every registry code and class', () => {
  const cases = iana.flatMap((row) =>
    [2, 4, 5].map((klass) => ({ ...row, klass, code: concrete(row.code, klass) })),
  );

  it.each(cases)('$code: $title', ({ code, klass, title, rfc, usableAs, code: registryCode }) => {
    // Act
    const explanation = explainCode(code);

    // Assess
    expect(explanation.code).toBe(code);
    expect(explanation.known).toBe(true);
    expect(explanation.source).toBe('registry');
    expect(explanation.title).toBe(title);
    expect(explanation.class).toBe(klass);
    expect(explanation.registryCode).toBe(registryCode.replace(/^\d/, 'X'));
    if (rfc !== null) expect(explanation.rfc).toContain(rfc);
    expect(explanation.usableAs).toBe(usableAs);
    expect(explanation.meaning.length).toBeGreaterThan(20);
    expect(explanation.typicalCauses.length).toBeGreaterThan(0);
    expect(explanation.whatToDo.length).toBeGreaterThan(10);
    expect(explanation.classTitle).toBe(
      { 2: 'Success', 4: 'Persistent transient failure', 5: 'Permanent failure' }[klass],
    );
    expect(codeTitle(code)).toBe(title);
  });
});

describe('the doubtful rows, as checked against the IANA registry', () => {
  it.each([
    ['5.1.10', 'RFC 7505', '556'],
    ['2.3.6', 'RFC 6710', '250 or 251'],
    ['4.7.28', 'draft-levine-mailbomb-header', 'not given'],
  ])('%s cites %s with basic reply %s', (code, rfc, basicReply) => {
    const explanation = explainCode(code);

    expect(explanation.rfc).toContain(rfc);
    expect(explanation.basicReply).toBe(basicReply);
  });

  it('does not attribute X.7.28 to RFC 8098', () => {
    expect(explainCode('4.7.28').rfc).not.toContain('8098');
  });
});

describe('every code of the seed guide', () => {
  const disputed = new Set(seed.filter((row) => row.disputed).map((row) => row.code));

  it('has 89 codes, 12 of them disputed', () => {
    expect(seed).toHaveLength(89);
    expect([...disputed].sort()).toEqual(
      [
        '4.1.5',
        '4.2.0',
        '4.2.2',
        '4.3.0',
        '4.4.3',
        '4.7.25',
        '5.1.5',
        '5.2.0',
        '5.2.1',
        '5.2.2',
        '5.3.0',
        '5.4.3',
      ].sort(),
    );
  });

  it.each(seed)(
    '$code ("$guideTitle") is explained from the registry',
    ({ code, guideTitle, disputed: isDisputed }) => {
      // Act
      const explanation = explainCode(code);

      // Assess
      expect(explanation.code).toBe(code);
      expect(explanation.known).toBe(true);
      if (isDisputed) {
        const correction = explanation.guideCorrection ?? '';
        expect(correction.toLowerCase()).toContain(guideTitle.toLowerCase());
        expect(correction.toLowerCase()).toContain(explanation.title.toLowerCase());
      } else {
        expect(explanation.guideCorrection).toBeNull();
      }
    },
  );

  it('corrects no code outside the disputed ones', () => {
    const corrected = [...REGISTRY_CODES]
      .flatMap((code) => [2, 4, 5].map((klass) => concrete(code, klass)))
      .filter((code) => explainCode(code).guideCorrection !== null);

    expect(corrected.sort()).toEqual([...disputed].sort());
  });

  it('explains why 5.2.2 is soft although the guide lists it as hard', () => {
    const explanation = explainCode('5.2.2');

    expect(explanation.usableAs).toBe('transient');
    expect(explanation.classNote).toMatch(/temporary/);
    expect(explanation.guideCorrection).toMatch(/soft bounce/);
  });
});

describe('class semantics against the detail', () => {
  it.each([
    ['5.1.1', null],
    ['4.1.1', /temporary problem/],
    ['5.2.2', /persistent transient/],
    ['4.2.2', null],
    ['2.1.5', null],
    ['5.1.5', /success detail/],
    ['2.1.1', /describes a failure/],
    ['5.2.1', null],
  ])('%s', (code, note) => {
    const explanation = explainCode(code);

    if (note === null) expect(explanation.classNote).toBeNull();
    else expect(explanation.classNote).toMatch(note);
  });

  it('sends a failure carrying a success detail to the diagnostic text', () => {
    expect(explainCode('5.1.5').whatToDo).toMatch(
      /^The class says delivery failed, but X\.1\.5 is a success detail/,
    );
    expect(explainCode('2.1.5').whatToDo).toMatch(/^Nothing/);
  });

  it.each([
    ['2.0.0', /succeeded/i],
    ['4.0.0', /temporary/i],
    ['5.0.0', /will not succeed/i],
  ])('%s carries the class meaning', (code, meaning) => {
    expect(explainCode(code).classMeaning).toMatch(meaning);
  });
});

describe('well-formed codes outside the registry', () => {
  it.each([
    ['5.1.99', 'subject', 'Addressing status'],
    ['4.3.77', 'subject', 'Mail system status'],
    ['5.6.500', 'subject', 'Message content or media status'],
    ['5.7.650', 'subject', 'Security or policy status'],
    ['5.9.99', 'class', null],
    ['2.8.1', 'class', null],
    ['4.999.999', 'class', null],
  ])('%s falls back to %s level', (code, source, subjectTitle) => {
    // Act
    const explanation = explainCode(code);

    // Assess
    expect(explanation.code).toBe(code);
    expect(explanation.known).toBe(false);
    expect(explanation.source).toBe(source);
    expect(explanation.subjectTitle).toBe(subjectTitle);
    expect(explanation.title).toMatch(/^Unregistered/);
    expect(explanation.meaning).toContain(explanation.classTitle ?? 'missing');
    expect(explanation.whatToDo.length).toBeGreaterThan(10);
    expect(codeTitle(code)).toBe(explanation.title);
  });

  it('says that subject 9 is undefined for 5.9.99', () => {
    expect(explainCode('5.9.99').meaning).toMatch(/Subject 9 is not defined/);
  });
});

describe('provider codes', () => {
  it.each([
    ['5.7.501', /spam abuse/i, 'Microsoft'],
    ['5.7.502', /banned sender/i, 'Microsoft'],
    ['5.7.503', /banned sender/i, 'Microsoft'],
    ['5.7.505', /banned recipient/i, 'Microsoft'],
    ['5.7.506', /bad helo/i, 'Microsoft'],
    ['5.7.507', /rejected by recipient/i, 'Microsoft'],
    ['5.7.508', /ipv6/i, 'Microsoft'],
    ['5.7.509', /dmarc/i, 'Microsoft'],
    ['5.7.510', /ipv6/i, 'Microsoft'],
    ['5.7.511', /banned sender/i, 'Microsoft'],
    ['5.7.606', /banned sending ip/i, 'Microsoft'],
    ['5.7.625', /banned sending ip/i, 'Microsoft'],
    ['5.7.649', /banned sending ip/i, 'Microsoft'],
    ['5.7.700', /tenant banned/i, 'Microsoft'],
    ['5.7.705', /tenant has exceeded threshold/i, 'Microsoft'],
    ['5.7.708', /traffic not accepted/i, 'Microsoft'],
    ['5.7.749', /tenant banned/i, 'Microsoft'],
    ['5.7.750', /unregistered domains/i, 'Microsoft'],
    ['4.7.500', /try again later/i, 'Microsoft'],
    ['4.7.650', /rate limited due to IP reputation/i, 'Outlook.com'],
    ['4.7.651', /rate limited due to IP reputation/i, 'Outlook.com'],
    ['4.7.699', /try again later/i, 'Microsoft'],
    ['4.7.850', /IP under evaluation/i, 'Microsoft'],
    ['4.4.316', /connection refused/i, 'Microsoft'],
    ['5.4.300', /expired/i, 'Microsoft'],
    ['5.2.121', /per-hour/i, 'Microsoft'],
    ['5.6.11', /bare line feeds/i, 'Microsoft'],
    ['4.7.323', /DANE/i, 'Microsoft'],
  ])('%s is explained with the provider meaning', (code, title, provider) => {
    // Act
    const explanation = explainCode(code);

    // Assess
    expect(explanation.source).toBe('provider');
    expect(explanation.known).toBe(false);
    expect(explanation.title).toMatch(title);
    expect(explanation.provider?.provider).toContain(provider);
    expect(explanation.provider?.source).toMatch(/^https:\/\//);
    expect(codeTitle(code)).toBe(explanation.title);
  });

  it('does not apply a class-specific provider meaning to the other class', () => {
    expect(explainCode('4.7.705').source).toBe('subject');
    expect(explainCode('5.7.500').source).toBe('subject');
  });

  it('mentions provider reuse on registry codes', () => {
    expect(explainCode('5.1.10').notes.join(' ')).toMatch(/RecipientNotFound/);
    expect(explainCode('5.2.2').notes.join(' ')).toMatch(/Submission quota exceeded/);
  });

  it.each(PROVIDER_CODES)(
    'range $subject.$detailFrom-$detailTo keeps its most specific title',
    (provider) => {
      const klass = provider.klass ?? 5;
      for (const detail of [provider.detailFrom, provider.detailTo]) {
        const explanation = explainCode(`${klass}.${provider.subject}.${detail}`);
        expect(explanation.source).toBe('provider');
        const sameRangeOrNarrower = PROVIDER_CODES.filter(
          (p) =>
            (p.klass === null || p.klass === klass) &&
            p.subject === provider.subject &&
            detail >= p.detailFrom &&
            detail <= p.detailTo &&
            p.detailTo - p.detailFrom <= provider.detailTo - provider.detailFrom,
        );
        expect(sameRangeOrNarrower.map((p) => p.title)).toContain(explanation.title);
      }
    },
  );
});

describe('malformed input never throws', () => {
  const tenMegabytes = `550 ${'x'.repeat(10 * 1024 * 1024)} 5.1.1`;
  it.each([
    ['empty', '', /empty/],
    ['blank', '   \t ', /empty/],
    ['null', null, /No code/],
    ['undefined', undefined, /No code/],
    ['a number', 42, /number/],
    ['an object', { code: '5.1.1' }, /object/],
    ['two parts', '5.1', /three numbers/],
    ['four parts', '5.1.1.1', /three numbers|contains/],
    ['class 9', '9.9.9', /class must be 2/],
    ['class 1', '1.1.1', /class must be 2/],
    ['four-digit subject', '5.1000.1', /at most three digits/],
    ['letters', 'abc', /three numbers/],
    ['a word in place of detail', '5.1.x', /detail "x" is not a number/],
    ['control characters', '5.1.\u00001', /not a number/],
    ['a bell', '\u0007', /three numbers/],
    ['non-ASCII digits', '٥.١.١', /not a number/],
    ['a diagnostic text', 'smtp; 550 5.1.1 user unknown', /contains 5\.1\.1/],
    ['registry notation', 'X.2.2', /ask for 4\.2\.2 \(temporary\) or 5\.2\.2/],
    ['ten megabytes', tenMegabytes, /text of \d+ characters/],
  ])('%s', (_name, input, reason) => {
    // Act
    const explanation = explainCode(input);

    // Assess
    expect(explanation.code).toBeNull();
    expect(explanation.source).toBe('malformed');
    expect(explanation.title).toBe('Not an enhanced status code');
    expect(explanation.meaning).toMatch(reason);
    expect(explanation.input.length).toBeLessThanOrEqual(400);
    expect([...explanation.input].every((char) => (char.codePointAt(0) ?? 0) >= 0x20)).toBe(true);
    expect(codeTitle(input as string)).toBeNull();
  });

  it('holds for arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (text) => {
        const explanation = explainCode(text);
        const parsed = parseEnhancedStatusCode(text);
        expect(explanation.code).toBe(parsed?.code ?? null);
        expect(explanation.title.length).toBeGreaterThan(0);
      }),
      { numRuns: 500 },
    );
  });
});

describe('parseEnhancedStatusCode', () => {
  it.each([
    ['5.1.1', { klass: 5, subject: 1, detail: 1, code: '5.1.1' }],
    [' 4.7.650\n', { klass: 4, subject: 7, detail: 650, code: '4.7.650' }],
    ['2.01.005', { klass: 2, subject: 1, detail: 5, code: '2.1.5' }],
  ])('parses %j', (text, expected) => {
    expect(parseEnhancedStatusCode(text)).toEqual(expected);
  });

  it.each([
    '',
    '5.1',
    '5.1.1.',
    '.5.1.1',
    '3.1.1',
    '5.1.1 user unknown',
    '5,1,1',
    '5.1.1234',
    '+5.1.1',
    null,
    511,
  ])('rejects %j', (text) => {
    expect(parseEnhancedStatusCode(text)).toBeNull();
  });
});
