// The rule tables and the phrase matcher they compile into: integrity of the data, and matching semantics.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CATEGORIES } from '../../lambdas/domain/classification.ts';
import { compileCodePattern } from '../../lambdas/domain/classify.ts';
import { foldPhrase, PhraseMatcher } from '../../lambdas/domain/classify-matcher.ts';
import { CODE_RULES, SES_SUBTYPE_RULES, TEXT_RULES } from '../../lambdas/domain/rules/index.ts';

function found(matcher: PhraseMatcher, text: string, limit = 4096): number[] {
  const n = matcher.scan(text, limit);
  return Array.from(matcher.found.subarray(0, n)).sort((a, b) => a - b);
}

describe('PhraseMatcher', () => {
  const phrases = [
    'user unknown',
    'no such user',
    ' dd ',
    'boîte du destinataire pleine',
    'пользователь не найден',
    'he',
    'she',
  ];
  const matcher = new PhraseMatcher(phrases);

  it.each<[string, string, number[]]>([
    ['ignores case', 'USER Unknown', [0]],
    ['collapses runs of whitespace and line breaks', 'no\n  such\t\tuser', [1]],
    ['uses the virtual space at the edges as a word boundary', 'dd This user', [2]],
    ['does not match inside a word', 'address', []],
    ['folds Latin accents both ways', 'Boite du destinataire PLEINE', [3]],
    ['matches Cyrillic in any case', 'ПОЛЬЗОВАТЕЛЬ НЕ НАЙДЕН', [4]],
    ['reports overlapping phrases', 'she', [5, 6]],
    ['finds nothing in an empty text', '', []],
    [
      'treats lone surrogates and control characters as separators of nothing',
      '\ud800no such\u0000 user',
      [],
    ],
  ])('%s', (_name, text, expected) => {
    expect(found(matcher, text)).toEqual(expected);
  });

  it('reports each phrase once per scan and forgets the previous scan', () => {
    expect(found(matcher, 'user unknown, user unknown')).toEqual([0]);
    expect(matcher.has(0)).toBe(true);
    expect(found(matcher, 'xyz')).toEqual([]);
    expect(matcher.has(0)).toBe(false);
  });

  it('reads no further than the limit', () => {
    expect(found(matcher, `${'x'.repeat(100)} user unknown`, 100)).toEqual([]);
    expect(found(matcher, `${'x'.repeat(100)} user unknown`, 200)).toEqual([0]);
  });

  it('folds phrases the way it folds text', () => {
    expect(foldPhrase('Boîte  du\nDestinataire’s')).toBe("boite du destinataire's");
  });

  it('finds exactly the phrases a plain search of the folded text finds, whatever was scanned before (property-based)', () => {
    // The automaton fills in its transitions lazily, as scans need them: the answer must not depend on history.
    const piece = fc.constantFrom(
      'a',
      'b',
      'B',
      'ab',
      'é',
      'É',
      'ß',
      'я',
      'Я',
      ' ',
      '\n',
      '\u00a0',
      "'",
      '’',
      '-',
      '—',
    );
    const text = fc.array(piece, { maxLength: 30 }).map((parts) => parts.join(''));
    const phrase = fc
      .array(piece, { minLength: 1, maxLength: 5 })
      .map((parts) => parts.join(''))
      .filter((p) => foldPhrase(p).trim() !== '');
    fc.assert(
      fc.property(
        fc.uniqueArray(phrase, { minLength: 1, maxLength: 12 }),
        fc.array(text, { maxLength: 12 }),
        (list, texts) => {
          const m = new PhraseMatcher(list);
          for (const t of texts) {
            const haystack = foldPhrase(` ${t} `);
            const expected = list.flatMap((p, id) => (haystack.includes(foldPhrase(p)) ? [id] : []));
            expect(found(m, t, t.length)).toEqual(expected);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('rule tables', () => {
  it('give every text rule a unique id, a source and at least one phrase', () => {
    const ids = TEXT_RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of TEXT_RULES) {
      expect(rule.id).toMatch(/^[a-z0-9-]+$/);
      expect(rule.source.length).toBeGreaterThan(10);
      expect(rule.match.length).toBeGreaterThan(0);
      expect(CATEGORIES).toContain(rule.category);
    }
  });

  it('write phrases in their folded form, so what you read is what is matched', () => {
    const unfolded = TEXT_RULES.flatMap((r) =>
      [...r.match.flatMap((p) => (typeof p === 'string' ? [p] : [...p])), ...(r.unless ?? [])]
        .filter((p) => p.trim() === '' || foldPhrase(p) !== p)
        .map((p) => `${r.id}: "${p}"`),
    );
    expect(unfolded).toEqual([]);
  });

  it('never repeat a phrase within one category', () => {
    const seen = new Map<string, string>();
    const repeats: string[] = [];
    for (const rule of TEXT_RULES) {
      for (const phrase of rule.match) {
        const key = `${rule.category}|${rule.weak === true}|${JSON.stringify(phrase)}`;
        const other = seen.get(key);
        if (other !== undefined) repeats.push(`${JSON.stringify(phrase)} in ${other} and ${rule.id}`);
        seen.set(key, rule.id);
      }
    }
    expect(repeats).toEqual([]);
  });

  it('use only well-formed code patterns', () => {
    const patterns = [
      ...CODE_RULES.map((r) => r.code),
      ...TEXT_RULES.flatMap((r) => [...(r.codes ?? []), ...(r.notCodes ?? [])]),
    ];
    for (const pattern of patterns) expect(() => compileCodePattern(pattern)).not.toThrow();
    expect(() => compileCodePattern('5.x.1')).toThrow(/bad code pattern/);
  });

  it('compile code patterns into class, subject and detail range', () => {
    expect(compileCodePattern('X.7.606-649')).toEqual({ klass: null, subject: 7, lo: 606, hi: 649 });
    expect(compileCodePattern('5.4.4')).toEqual({ klass: 5, subject: 4, lo: 4, hi: 4 });
    expect(compileCodePattern('X.7')).toEqual({
      klass: null,
      subject: 7,
      lo: 0,
      hi: Number.POSITIVE_INFINITY,
    });
  });

  it('cover every SES bounce subtype documented by AWS', () => {
    const documented = ['General', 'NoEmail', 'Suppressed', 'OnAccountSuppressionList', 'MailboxFull'];
    const more = ['MessageTooLarge', 'ContentRejected', 'AttachmentRejected', 'Undetermined'];
    const mapped = SES_SUBTYPE_RULES.map((r) => r.bounceSubType);
    // General and Undetermined say nothing, so they have no row.
    expect([...documented, ...more].filter((s) => !mapped.includes(s))).toEqual(['General', 'Undetermined']);
  });
});
