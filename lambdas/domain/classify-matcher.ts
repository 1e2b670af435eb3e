// Finds which of a fixed set of phrases occur in a text, in one pass, without allocating.
// An Aho-Corasick automaton as a dense transition table, filled in lazily (construction builds only the trie and
// its failure links: cheap at cold start); case, accents and runs of whitespace are folded while scanning, so the
// classifier never lower-cases or copies a diagnostic. It knows nothing of bounces.

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

/** The folded form of UTF-16 unit `code` (not a surrogate), as a unit. ASCII without a string: it is most of it. */
function foldUnit(code: number): number {
  if (code < 0x80) return code >= 0x41 && code <= 0x5a ? code + 0x20 : code;
  // foldChar of one BMP unit is always one unit: a variant, the unit itself, its one-unit lower case, or a base.
  return foldChar(String.fromCharCode(code)).charCodeAt(0);
}

const ASCII = /^\p{ASCII}*$/u;
const ASCII_WHITESPACE_RUN = /[\t-\r ]+/g;

/** Normalises a phrase the way the scanner sees text: folded characters, single spaces. */
export function foldPhrase(phrase: string): string {
  // ASCII folds to its lower case with runs of whitespace made one space; only other text needs foldChar.
  if (ASCII.test(phrase)) return phrase.toLowerCase().replace(ASCII_WHITESPACE_RUN, ' ');
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

/** Whether a code point of `text` starts at `at` and spans two units (a valid surrogate pair). */
function isPair(text: string, at: number): boolean {
  const high = text.charCodeAt(at);
  const low = text.charCodeAt(at + 1);
  return high >= 0xd800 && high <= 0xdbff && low >= 0xdc00 && low <= 0xdfff;
}

/** The root of the trie. State 0 is never used, so that a table entry of 0 can mean "not worked out yet". */
const ROOT = 1;

export class PhraseMatcher {
  /** Phrase ids found by the last `scan`, in order of discovery; valid up to the returned count. */
  readonly found: Int32Array;
  /**
   * Character class per UTF-16 unit. ASCII is filled in by the constructor; every other unit is `unlearned` until
   * a scan first meets it (most never occur, and folding all 65,536 up front costs more than the rest of the
   * construction).
   */
  private readonly classOf: Uint8Array;
  /**
   * The class of a unit not worked out yet: one past the real classes. Its column in the table is always 0, so the
   * scan's hot path needs no test for it (it takes the slow path of an entry not worked out yet).
   */
  private readonly unlearned: number;
  /** Class per folded BMP character used by some phrase (0: none). */
  private readonly classOfFolded: Uint8Array;
  /**
   * The transitions of the Aho-Corasick automaton as a dense table, indexed by `state + class` where a state is
   * stored pre-multiplied by the row width (`stride`: the number of classes, plus the `unlearned` column). A negative entry `~next` means "go to next, and next ends at
   * least one phrase". An entry of 0 has not been worked out yet: the trie's own edges (and the whitespace loops)
   * are filled in by the constructor, every other entry the first time a scan needs it (it is the entry of the
   * nearest state on the failure chain that has one; the root's row is complete). Most are never needed, and
   * filling them all up front was most of the construction time.
   */
  private readonly delta: Int32Array;
  /** Failure link per state (by index). */
  private readonly fail: Int32Array;
  private readonly stride: number;
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

    // Character classes: one per distinct folded character (code point) used by some phrase, in order of first
    // use; 0 for everything else.
    const joined = folded.join(' '); // a space between, so no surrogate pair forms across two phrases
    const classOfFolded = new Uint8Array(0x10000);
    classOfFolded[0x20] = SPACE;
    let classes = 2;
    const distinct = new Set(joined);
    for (const ch of distinct) {
      // A character beyond the BMP counts as a class, like every other character of a phrase, but no single unit of a
      // text folds to it.
      if (ch === ' ') continue;
      if (ch.length === 1) classOfFolded[ch.charCodeAt(0)] = Math.min(classes, 0xff);
      classes++;
    }
    if (classes > 255) throw new Error(`PhraseMatcher: too many distinct characters (${classes - 1})`);
    this.classOfFolded = classOfFolded;
    const unlearned = classes;
    this.unlearned = unlearned;
    const stride = classes + 1;
    this.stride = stride;
    const classOf = new Uint8Array(0x10000).fill(unlearned);
    this.classOf = classOf;
    for (const code of WHITESPACE) classOf[code] = SPACE;
    for (let code = 0; code < 0x80; code++) classOf[code] = this.learn(code);
    for (const ch of distinct) {
      const code = ch.charCodeAt(0);
      if (classOf[code] === unlearned) this.learn(code);
    }
    const maxStates = joined.length + 2;

    // Trie, in the rows of the table: child of `state` on `cls` at `state * stride + cls`, 0 for none. Each state
    // also keeps the class it was entered by and its list of children.
    const table = new Int32Array(maxStates * stride);
    const lastClass = new Uint8Array(maxStates);
    const firstChild = new Int32Array(maxStates);
    const nextSibling = new Int32Array(maxStates);
    /** Phrase ids ending at each state, in phrase order. */
    const ends: (number[] | undefined)[] = [];
    let states = ROOT + 1;
    folded.forEach((phrase, id) => {
      let state = ROOT;
      for (let i = 0; i < phrase.length; i++) {
        // A code point in two units takes the class of its first (a lone surrogate: OTHER), as the scan sees it.
        const code = phrase.charCodeAt(i);
        if (code >= 0xd800 && code <= 0xdbff && isPair(phrase, i)) i++;
        const cls = classOf[code] as number;
        const at = state * stride + cls;
        let child = table[at] as number;
        if (child === 0) {
          child = states++;
          table[at] = child;
          lastClass[child] = cls;
          nextSibling[child] = firstChild[state] as number;
          firstChild[state] = child;
        }
        state = child;
      }
      const list = ends[state];
      if (list === undefined) ends[state] = [id];
      else list.push(id);
    });

    // Breadth-first: failure links (the longest proper suffix that is a trie state), and whether a state ends a
    // phrase (its own, or one along its failure chain).
    const fail = new Int32Array(states);
    fail[ROOT] = ROOT;
    const ending = new Uint8Array(states);
    if (ends[ROOT] !== undefined) ending[ROOT] = 1;
    const queue = new Int32Array(states);
    queue[0] = ROOT;
    let tail = 1;
    for (let head = 0; head < tail; head++) {
      const state = queue[head] as number;
      for (let child = firstChild[state] as number; child !== 0; child = nextSibling[child] as number) {
        const cls = lastClass[child] as number;
        let failTo = ROOT;
        if (state !== ROOT) {
          let via = fail[state] as number;
          while (via !== ROOT && table[via * stride + cls] === 0) via = fail[via] as number;
          failTo = (table[via * stride + cls] as number) || ROOT;
        }
        fail[child] = failTo;
        if (ends[child] !== undefined || ending[failTo]) ending[child] = 1;
        queue[tail++] = child;
      }
    }

    // The table's final entries: each trie edge, the root's every other class (back to the root), and the
    // whitespace loops. Runs of whitespace count as one space: a state entered by a space stays put on another
    // space. (Phrases are folded, so none contains two spaces in a row, and after a space the automaton is always in
    // such a state; failure links were followed above without these loops.)
    const encode = (target: number): number => (ending[target] ? ~(target * stride) : target * stride);
    for (let state = ROOT; state < states; state++) {
      const row = state * stride;
      for (let child = firstChild[state] as number; child !== 0; child = nextSibling[child] as number)
        table[row + (lastClass[child] as number)] = encode(child);
      if (lastClass[state] === SPACE && state !== ROOT) table[row + SPACE] = encode(state);
    }
    const rootRow = ROOT * stride;
    for (let cls = 0; cls < classes; cls++) {
      if (table[rootRow + cls] === 0) table[rootRow + cls] = encode(ROOT);
    }

    // Outputs merged along the failure chain, in breadth-first order: a state's own phrases, then its failure
    // state's list.
    const merged: (readonly number[] | undefined)[] = [];
    const outStart = new Int32Array(states).fill(-1);
    const outputs: number[] = [];
    for (let i = 0; i < states - ROOT; i++) {
      const state = queue[i] as number;
      if (!ending[state]) continue;
      const own = ends[state] ?? [];
      const inherited = state === ROOT ? undefined : merged[fail[state] as number];
      const list = inherited === undefined ? own : [...own, ...inherited];
      merged[state] = list;
      outStart[state] = outputs.length;
      outputs.push(...list, -1);
    }

    this.delta = table.subarray(0, states * stride);
    this.fail = fail;
    const first = table[rootRow + SPACE] as number;
    this.start = first < 0 ? ~first : first;
    this.outStart = outStart;
    this.outputs = Int32Array.from(outputs);
    this.seen = new Uint32Array(phrases.length);
    this.found = new Int32Array(phrases.length);
  }

  /** The class of UTF-16 unit `code`, worked out once and remembered in `classOf`. */
  private learn(code: number): number {
    let cls = OTHER;
    if (WHITESPACE.includes(code)) cls = SPACE;
    else if (code < 0xd800 || code > 0xdfff) cls = this.classOfFolded[foldUnit(code)] as number; // lone surrogates stay OTHER
    this.classOf[code] = cls;
    return cls;
  }

  /**
   * The table entry for `state` (pre-multiplied) on `cls` that is still 0: that of the nearest state along the
   * failure chain that has one, remembered for every state passed on the way.
   */
  private resolve(state: number, cls: number): number {
    const { delta, fail, stride } = this;
    let via = state / stride;
    while (delta[via * stride + cls] === 0) via = fail[via] as number;
    const entry = delta[via * stride + cls] as number;
    for (let at = state / stride; at !== via; at = fail[at] as number) delta[at * stride + cls] = entry;
    return entry;
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
    for (let i = 0; i < end; i++) {
      const target = delta[state + (classOf[text.charCodeAt(i)] as number)] as number;
      if (target > 0) {
        state = target;
        continue;
      }
      // Slow path (a phrase ends here, or the entry is not worked out yet): nothing kept live from the fast one.
      const code = text.charCodeAt(i);
      state = this.step(state, code, classOf[code] as number, target);
      if (state < 0) {
        state = ~state;
        count = this.record(state, count);
      }
    }
    // The virtual trailing space.
    state = this.step(state, 0x20, SPACE, delta[state + SPACE] as number);
    if (state < 0) count = this.record(~state, count);
    return count;
  }

  /** The table entry `target` for `state` on unit `code` of class `cls`, worked out if it is still 0. */
  private step(state: number, code: number, cls: number, target: number): number {
    if (target !== 0) return target;
    if (cls !== this.unlearned) return this.resolve(state, cls);
    const learnt = this.learn(code);
    const entry = this.delta[state + learnt] as number;
    return entry === 0 ? this.resolve(state, learnt) : entry;
  }

  private record(state: number, count: number): number {
    const { outputs, seen, found, generation } = this;
    let at = this.outStart[state / this.stride] as number;
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
