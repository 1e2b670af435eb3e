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
  /**
   * Dense transitions, indexed by `state + class` where a state is stored pre-multiplied by the number of classes.
   * A negative entry `~next` means "go to next, and next ends at least one phrase".
   */
  private readonly delta: Int32Array;
  private readonly classes: number;
  /** The state entered by the virtual leading space. */
  private readonly start: number;
  /** For each state (by index), where its phrase list starts in `outputs`, or -1. */
  private readonly outStart: Int32Array;
  /** Phrase ids per state, each list terminated by -1. */
  private readonly outputs: Int32Array;
  /** Generation stamp per phrase, so each scan reports a phrase once without clearing an array. */
  private readonly seen: Uint32Array;
  private generation = 0;

  constructor(phrases: readonly string[]) {
    const folded = phrases.map(foldPhrase);

    // Character classes: one per distinct folded character used by some phrase; 0 for everything else.
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
    const lastClass: number[] = [OTHER];
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
          lastClass.push(cls);
        }
        state = next;
      }
      (ends[state] as number[]).push(id);
    });

    // Breadth-first: failure links, dense transitions, outputs merged along the failure chain.
    const states = edges.length;
    const next = new Int32Array(states * classes);
    const fail = new Int32Array(states);
    const merged: number[][] = ends.map((list) => [...list]);
    const queue: number[] = [];
    for (const [cls, child] of edges[0] as Map<number, number>) {
      next[cls] = child;
      queue.push(child);
    }
    for (let head = 0; head < queue.length; head++) {
      const state = queue[head] as number;
      const failOut = merged[fail[state] as number] as number[];
      if (failOut.length > 0) (merged[state] as number[]).push(...failOut);
      const row = edges[state] as Map<number, number>;
      for (let cls = 0; cls < classes; cls++) {
        const child = row.get(cls);
        const viaFail = next[(fail[state] as number) * classes + cls] as number;
        if (child === undefined) {
          next[state * classes + cls] = viaFail;
        } else {
          next[state * classes + cls] = child;
          fail[child] = viaFail;
          queue.push(child);
        }
      }
    }
    // Runs of whitespace count as one space: a state entered by a space stays put on another space. (Phrases are
    // folded, so none contains two spaces in a row, and after a space the automaton is always in such a state.)
    for (let state = 1; state < states; state++) {
      if (lastClass[state] === SPACE) next[state * classes + SPACE] = state;
    }

    const outStart = new Int32Array(states).fill(-1);
    const outputs: number[] = [];
    merged.forEach((list, state) => {
      if (list.length === 0) return;
      outStart[state] = outputs.length;
      outputs.push(...list, -1);
    });

    const delta = new Int32Array(states * classes);
    for (let i = 0; i < delta.length; i++) {
      const target = next[i] as number;
      delta[i] = outStart[target] === -1 ? target * classes : ~(target * classes);
    }

    this.classOf = classOf;
    this.classes = classes;
    this.delta = delta;
    const first = next[SPACE] as number;
    this.start = first * classes;
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
    const { classOf, delta } = this;
    this.generation = this.generation === 0xffffffff ? 1 : this.generation + 1;
    if (this.generation === 1) this.seen.fill(0);
    const end = Math.min(text.length, limit);
    let count = 0;
    let state = this.start;
    for (let i = 0; i <= end; i++) {
      const cls = i < end ? (classOf[text.charCodeAt(i)] as number) : SPACE;
      const target = delta[state + cls] as number;
      if (target >= 0) {
        state = target;
      } else {
        state = ~target;
        count = this.record(state, count);
      }
    }
    return count;
  }

  private record(state: number, count: number): number {
    const { outputs, seen, found, generation } = this;
    let at = this.outStart[(state / this.classes) | 0] as number;
    let n = count;
    for (let id = outputs[at] as number; id >= 0; id = outputs[++at] as number) {
      if (seen[id] !== generation) {
        seen[id] = generation;
        found[n++] = id;
      }
    }
    return n;
  }

  /** Whether phrase `id` was found by the last scan. */
  has(id: number): boolean {
    return this.seen[id] === this.generation;
  }
}
