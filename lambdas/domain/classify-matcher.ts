// Finds which of a fixed set of phrases occur in a text, in one pass, without allocating.
// An Aho-Corasick automaton compiled to a dense table; case, accents and runs of whitespace are folded
// while scanning, so the classifier never lower-cases or copies a diagnostic. It knows nothing of bounces.

const OTHER = 0;
const SPACE = 1;

/** Characters treated as one space: ASCII whitespace, NBSP and the Unicode line/paragraph separators. */
const WHITESPACE = [0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0x85, 0xa0, 0x2028, 0x2029, 0x3000];

/** Typographic variants folded onto their ASCII look-alike, so ’ in a reply matches ' in a phrase. */
const VARIANTS: Readonly<Record<string, string>> = {
  '\u2018': "'",
  '\u2019': "'",
  '\u201a': "'",
  '\u02bc': "'",
  '\u201c': '"',
  '\u201d': '"',
  '\u2010': '-',
  '\u2011': '-',
  '\u2013': '-',
  '\u2014': '-',
};

/** The folded form of one character: lower case, Latin accents removed, variants unified. */
function foldChar(ch: string): string {
  const variant = VARIANTS[ch];
  if (variant !== undefined) return variant;
  const lower = ch.toLowerCase();
  if (lower.length !== 1) return ch;
  const code = lower.charCodeAt(0);
  // Latin-1 Supplement and Latin Extended-A/B letters decompose to an ASCII base plus marks (é → e).
  if (code >= 0xc0 && code <= 0x24f) {
    const base = lower.normalize('NFD').charAt(0);
    if (base >= 'a' && base <= 'z') return base;
  }
  return lower;
}

/** Normalises a phrase the way the scanner sees text: folded characters, single spaces. */
export function foldPhrase(phrase: string): string {
  let out = '';
  let lastSpace = false;
  for (const ch of phrase) {
    const code = ch.charCodeAt(0);
    if (WHITESPACE.includes(code)) {
      if (!lastSpace) out += ' ';
      lastSpace = true;
      continue;
    }
    lastSpace = false;
    out += foldChar(ch);
  }
  return out;
}

export class PhraseMatcher {
  /** Phrase ids found by the last `scan`, in order of discovery; valid up to the returned count. */
  readonly found: Int32Array;
  private readonly classOf: Uint8Array;
  private readonly classes: number;
  private readonly delta: Uint16Array | Int32Array;
  /** For each state, the index in `outputs` where its phrase list starts, or -1 when it ends none. */
  private readonly outStart: Int32Array;
  /** Phrase ids per state, each list terminated by -1. */
  private readonly outputs: Int32Array;
  /** Generation stamp per phrase, so each scan reports a phrase once without clearing an array. */
  private readonly seen: Uint32Array;
  private generation = 0;

  constructor(phrases: readonly string[]) {
    const folded = phrases.map(foldPhrase);

    // Character classes: one per distinct folded character used by some phrase.
    const classOf = new Uint8Array(0x10000);
    const classByChar = new Map<string, number>([[' ', SPACE]]);
    for (const phrase of folded) {
      for (const ch of phrase) {
        if (!classByChar.has(ch)) classByChar.set(ch, classByChar.size + 1);
      }
    }
    if (classByChar.size + 1 > 255)
      throw new Error(`PhraseMatcher: too many distinct characters (${classByChar.size})`);
    for (let code = 0; code < 0x10000; code++) {
      if (code >= 0xd800 && code <= 0xdfff) continue; // lone surrogates stay OTHER
      const cls = classByChar.get(foldChar(String.fromCharCode(code)));
      if (cls !== undefined) classOf[code] = cls;
    }
    for (const code of WHITESPACE) classOf[code] = SPACE;
    const classes = classByChar.size + 1;

    // Trie.
    const edges: Map<number, number>[] = [new Map()];
    const ends: number[][] = [[]];
    folded.forEach((phrase, id) => {
      let state = 0;
      for (const ch of phrase) {
        const cls = classOf[ch.charCodeAt(0)] ?? OTHER;
        const row = edges[state] as Map<number, number>;
        let next = row.get(cls);
        if (next === undefined) {
          next = edges.length;
          row.set(cls, next);
          edges.push(new Map());
          ends.push([]);
        }
        state = next;
      }
      (ends[state] as number[]).push(id);
    });

    // Breadth-first: failure links, dense transitions, outputs merged along the failure chain.
    const states = edges.length;
    const delta = states < 0x10000 ? new Uint16Array(states * classes) : new Int32Array(states * classes);
    const fail = new Int32Array(states);
    const merged: number[][] = ends.map((list) => [...list]);
    const queue: number[] = [];
    for (const [cls, next] of edges[0] as Map<number, number>) {
      delta[cls] = next;
      queue.push(next);
    }
    for (let head = 0; head < queue.length; head++) {
      const state = queue[head] as number;
      const failOut = merged[fail[state] as number] as number[];
      if (failOut.length > 0) (merged[state] as number[]).push(...failOut);
      const row = edges[state] as Map<number, number>;
      for (let cls = 0; cls < classes; cls++) {
        const next = row.get(cls);
        const viaFail = delta[(fail[state] as number) * classes + cls] as number;
        if (next === undefined) {
          delta[state * classes + cls] = viaFail;
        } else {
          delta[state * classes + cls] = next;
          fail[next] = viaFail;
          queue.push(next);
        }
      }
    }

    const outStart = new Int32Array(states).fill(-1);
    const outputs: number[] = [];
    merged.forEach((list, state) => {
      if (list.length === 0) return;
      outStart[state] = outputs.length;
      outputs.push(...list, -1);
    });

    this.classOf = classOf;
    this.classes = classes;
    this.delta = delta;
    this.outStart = outStart;
    this.outputs = Int32Array.from(outputs);
    this.seen = new Uint32Array(phrases.length);
    this.found = new Int32Array(phrases.length);
  }

  /**
   * Scans `text` up to `limit` UTF-16 units and records which phrases occur. The text is read as if a space
   * stood before and after it, so a phrase may use a leading or trailing space as a word boundary.
   * Returns how many distinct phrases were found (their ids are in `found[0..count)`).
   */
  scan(text: string, limit: number): number {
    const { classOf, classes, delta, outStart, outputs, seen, found } = this;
    this.generation = this.generation === 0xffffffff ? 1 : this.generation + 1;
    if (this.generation === 1) seen.fill(0);
    const generation = this.generation;
    const end = Math.min(text.length, limit);
    let count = 0;
    let state = delta[SPACE] as number;
    let lastSpace = true;
    for (let i = 0; i <= end; i++) {
      let cls: number;
      if (i === end) {
        if (lastSpace) break;
        cls = SPACE;
      } else {
        cls = classOf[text.charCodeAt(i)] as number;
        if (cls === SPACE) {
          if (lastSpace) continue;
          lastSpace = true;
        } else {
          lastSpace = false;
        }
      }
      state = delta[state * classes + cls] as number;
      let at = outStart[state] as number;
      if (at < 0) continue;
      for (let id = outputs[at] as number; id >= 0; id = outputs[++at] as number) {
        if (seen[id] !== generation) {
          seen[id] = generation;
          found[count++] = id;
        }
      }
    }
    return count;
  }

  /** Whether phrase `id` was found by the last scan. */
  has(id: number): boolean {
    return this.seen[id] === this.generation;
  }
}
