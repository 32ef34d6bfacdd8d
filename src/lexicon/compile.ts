/**
 * Compiles lexicon sources into ONE automaton plus the flat tables the matcher verifies candidates with.
 *
 * Every term is folded with the same Folder as the text, so terms and text agree on width, case, script,
 * look-alikes and repeats (a term `ass` becomes units `a s` with run requirements [1, 2]). Patterns:
 * - TERM    the folded term itself, plus its other spellings: digits as written (`pk10`) and regional
 *           variants folding leaves alone (`躺著` for 躺着, see Folder.keptVariants);
 * - PINYIN  toneless pinyin spellings of all-CJK terms (`网赌` → `wangdu`), syllable starts remembered;
 * - ALIAS   Latin stand-ins for a character (`v信` for 微信, see LATIN_ALIASES);
 *   (mixed spellings such as `约pao` need no patterns: the matcher respells the text, see respell.ts)
 * - ALLOW   allow-list phrases: a match inside or cutting through one is dropped;
 * - WORD    ordinary words that veto a same-sound match on their characters (读博 vs 赌博).
 * The automaton runs with the homophone `canonical` table, so same-sound characters reach TERM and ALIAS
 * patterns without patterns of their own; the matcher checks afterwards which characters really differ.
 * One-unit patterns can be left out of the automaton for the matcher to look up (singleUnitLookup).
 */
import type { Category } from '../contracts/types.js';
import { CATEGORIES } from '../contracts/types.js';
import { createFoldBuffer, createFolder } from '../fold/index.js';
import type { FoldBuffer } from '../fold/types.js';
import { EV_LEET, GAP_NONE } from '../fold/types.js';
import { buildAutomatonFlat } from './automaton.js';
import { createEnglishPinyinStoplist } from './english-stoplist.js';
import { HOMOPHONE_TRAP_WORDS, LATIN_ALIASES, dictionaryWords, relevantTrapWords } from './homophone.js';
import type { LexiconTables } from './matcher.js';
import {
  BOUNDARY_CJK,
  BOUNDARY_LATIN,
  BOUNDARY_NONE,
  KIND_ALIAS,
  KIND_ALLOW,
  KIND_PINYIN,
  KIND_TERM,
  KIND_WORD,
  MARK_READING,
  MARK_WORD_BREAK,
  TERM_DRY_RUN,
  TERM_NOT_PLAIN,
  TERM_PHONETIC,
} from './kinds.js';
import { LexiconMatcher, isLatinWordUnit, singleUnitPattern } from './matcher.js';
import type { PhoneticTables } from './pinyin.js';
import { PinyinSpeller, createPhoneticTables, isCjkUnit } from './pinyin.js';
import { SyllableRespeller } from './respell.js';
import type { BoundaryMode, CompiledLexicon, LexiconSources, LexiconWarning, TermSource } from './types.js';
import { DEFAULT_SEVERITY } from './types.js';
import { lexiconVersion } from './version.js';

/** What the compiler needs from the shared Folder (src/fold): the same folding for terms and for text. */
export interface LexiconFolder {
  /**
   * Folds into `buf`. Mixed pinyin spellings (`约pao`) are only read where it sets `buf.lettersGlued`, as
   * this package's Folder does.
   */
  fold(text: string, buf: FoldBuffer): FoldBuffer;
  /** Folder.keptVariants: characters folding leaves alone that regional text writes for another (著 for 着). */
  readonly keptVariants?: ReadonlyMap<number, number>;
}

export interface CompileOptions {
  /** The Folder that will also fold the texts (default: a new `createFolder()`). */
  folder?: LexiconFolder;
  /** Pinyin tables, shareable between compiles (default: built here, about 0.1 s). */
  tables?: PhoneticTables;
  /** Pinyin, same-sound and Latin stand-in matching (default true). Per term: `phonetic=off`. */
  phonetic?: boolean;
  /** Extra ordinary words that veto same-sound matches (added to the built-in list and dictionary). */
  homophoneWords?: Iterable<string>;
  /**
   * Also veto same-sound matches with opencc-js's phrase table (about 49k phrases) as ordinary words.
   * Default false: measured on our sets and COLD it removed no false hit the built-in list and the
   * two-character edge rule did not already remove, cost 0.4 points of phonetic recall (its table holds
   * fragments such as 合采, 发漂) and adds ~27k patterns to a 64k-term lexicon (docs/lexicons.md).
   */
  dictionary?: boolean;
  /** Receives EMPTY_AFTER_FOLD warnings for terms/phrases that fold to nothing. */
  onWarning?: (warning: LexiconWarning) => void;
  /**
   * Find one-unit patterns by a table lookup instead of in the automaton (same results, see compileLexicon).
   * Default: when the lexicon has at least 32 one-unit CJK patterns and phonetic matching is on.
   */
  singleUnitLookup?: boolean;
}

/** One-unit CJK patterns from which on the matcher looks them up instead of the automaton (see compile). */
const SINGLE_UNIT_LOOKUP_MIN = 32;

/** Pinyin spellings shorter than this hit too much ordinary Latin text. */
export const MIN_PINYIN_LETTERS = 5;
/** Spellings per term: reading in context, default reading, each with ü as v and as u. */
export const MAX_PINYIN_FORMS = 4;

/** The distinct terms, as parallel arrays (100k small objects would only feed the garbage collector). */
class TermEntries {
  count = 0;
  /** The term's source (merged: see addTerms). */
  readonly source: TermSource[] = [];
  /** Index of the term's own (TERM) pattern in the pattern table. */
  readonly pattern: Int32Array;
  /** Its other spellings (TERM patterns too): digits kept literal (literalDigits), regional variants. Rare. */
  readonly spellings = new Map<number, number[]>();

  /** `capacity`: the number of sources; each adds at most one term. */
  constructor(capacity: number) {
    this.pattern = new Int32Array(capacity);
  }

  add(source: TermSource, pattern: number): number {
    this.source.push(source);
    this.pattern[this.count] = pattern;
    return this.count++;
  }
}

/**
 * Patterns in growable flat arrays (one allocation per doubling, not per pattern): pattern p's units are
 * [offset[p], offset[p] + length[p]) of `codes`/`run`/`mark`.
 */
class PatternTable {
  count = 0;
  units = 0;
  codes: Uint16Array;
  run: Uint16Array;
  mark: Uint8Array;
  offset: Int32Array;
  kind: Uint8Array;
  owner: Int32Array;
  left: Uint8Array;
  right: Uint8Array;

  /** Room for about this many patterns and units from the start (the arrays still grow when needed). */
  constructor(patterns: number, units: number) {
    const p = Math.max(256, patterns);
    const u = Math.max(1024, units);
    this.codes = new Uint16Array(u);
    this.run = new Uint16Array(u);
    this.mark = new Uint8Array(u);
    this.offset = new Int32Array(p);
    this.kind = new Uint8Array(p);
    this.owner = new Int32Array(p);
    this.left = new Uint8Array(p);
    this.right = new Uint8Array(p);
  }

  /** Appends a pattern copied from `codes`/`run` [0, length); returns its index. */
  add(kind: number, owner: number, codes: ArrayLike<number>, run: ArrayLike<number>, length: number): number {
    if (this.count + 2 > this.offset.length) this.#growPatterns();
    while (this.units + length > this.codes.length) this.#growUnits();
    const p = this.count++;
    const at = this.units;
    for (let i = 0; i < length; i++) {
      this.codes[at + i] = codes[i];
      this.run[at + i] = run[i] || 1;
    }
    this.units += length;
    this.offset[p] = at;
    this.offset[p + 1] = this.units;
    this.kind[p] = kind;
    this.owner[p] = owner;
    this.left[p] = BOUNDARY_NONE;
    this.right[p] = BOUNDARY_NONE;
    return p;
  }

  setBoundaries(p: number, mode: BoundaryMode | undefined): void {
    this.left[p] = boundaryAt(this.codes[this.offset[p]], mode);
    this.right[p] = boundaryAt(this.codes[this.offset[p + 1] - 1], mode);
  }

  length(p: number): number {
    return this.offset[p + 1] - this.offset[p];
  }

  view(p: number): Uint16Array {
    return this.codes.subarray(this.offset[p], this.offset[p + 1]);
  }

  #growPatterns(): void {
    const size = this.offset.length * 2;
    this.offset = grow(new Int32Array(size), this.offset);
    this.kind = grow(new Uint8Array(size), this.kind);
    this.owner = grow(new Int32Array(size), this.owner);
    this.left = grow(new Uint8Array(size), this.left);
    this.right = grow(new Uint8Array(size), this.right);
  }

  #growUnits(): void {
    const size = this.codes.length * 2;
    this.codes = grow(new Uint16Array(size), this.codes);
    this.run = grow(new Uint16Array(size), this.run);
    this.mark = grow(new Uint8Array(size), this.mark);
  }
}

/**
 * A flat (sequential) copy of a string. Terms are slices of the lexicon files' text; folding them trains
 * V8's feedback for the folder's loop on sliced strings, and the code it then optimizes for the messages
 * (flat strings from JSON.parse) ran about 60 % slower per unit (18.8 vs 11.4 ns) for the whole life of the
 * process. Folding flat copies keeps that loop specialised for what it mostly sees.
 */
function flatCopy(s: string): string {
  // V8 copies substrings shorter than 13 units (SlicedString::kMinLength): only longer ones can be slices.
  return s.length < 13 ? s : (JSON.parse(JSON.stringify(s)) as string);
}

function grow<T extends Uint8Array | Uint16Array | Int32Array>(into: T, from: T): T {
  into.set(from as never);
  return into;
}

/** Folds terms through one private buffer: only the units and runs are kept, copied into the table. */
class TermFolding {
  readonly #folder: LexiconFolder;
  readonly #buf: FoldBuffer = createFoldBuffer(64);
  constructor(folder: LexiconFolder) {
    this.#folder = folder;
  }
  /** Folds `term`; the result stays valid in `codes`/`run` [0, length) until the next call. */
  fold(term: string): FoldBuffer {
    return this.#folder.fold(flatCopy(term), this.#buf);
  }
}

export function compileLexicon(sources: LexiconSources, options: CompileOptions = {}): CompiledLexicon {
  const folder = options.folder ?? createFolder();
  const phonetic = options.phonetic !== false;
  const warn = options.onWarning ?? (() => {});
  const tables = phonetic ? (options.tables ?? createPhoneticTables()) : undefined;
  const allowSources = sources.allow ?? [];
  const version = sources.version ?? lexiconVersion(sources.terms, allowSources);
  const folding = new TermFolding(folder);
  const table = new PatternTable(...expectedSize(sources.terms, allowSources.length, tables !== undefined));

  const terms = addTerms(sources.terms, folding, table, warn, regionalSpellings(folder.keptVariants));
  const homophoneTerms = tables ? addPhoneticPatterns(terms, table, tables, folding) : [];

  for (const entry of allowSources) {
    const phrase = typeof entry === 'string' ? entry : entry.phrase;
    const folded = folding.fold(phrase);
    if (folded.length === 0) {
      warn({
        file: typeof entry === 'string' ? '' : (entry.file ?? ''),
        line: typeof entry === 'string' ? 0 : (entry.line ?? 0),
        code: 'EMPTY_AFTER_FOLD',
        message: `allow phrase "${phrase}" folds to nothing (skipped)`,
      });
      continue;
    }
    markWordBreaks(table, table.add(KIND_ALLOW, 0, folded.codes, folded.run, folded.length), folded);
  }

  if (tables && homophoneTerms.length > 0) {
    const candidates: string[] = [...HOMOPHONE_TRAP_WORDS];
    if (options.dictionary === true) candidates.push(...dictionaryWords());
    if (options.homophoneWords) candidates.push(...options.homophoneWords);
    const units = { codes: table.codes, offset: table.offset, patterns: homophoneTerms };
    for (const word of relevantTrapWords(candidates, units, tables)) {
      const folded = folding.fold(word);
      if (folded.length === 0) continue;
      markWordBreaks(table, table.add(KIND_WORD, 0, folded.codes, folded.run, folded.length), folded);
    }
  }

  // One-unit patterns can only ever verify on the very same unit, but in the automaton a CJK one is reached
  // through its same-sound class by every character of its syllable (konsheng's 仂 and 泐 by every 了): with
  // hundreds of them that is dozens of dead hits per message. Past a few dozen, the matcher finds them with a
  // plain table lookup instead (one probe per text unit, which costs more than a handful of dead hits).
  const singleUnitLookup =
    options.singleUnitLookup ??
    (tables !== undefined && countCjkSingleUnitPatterns(table) >= SINGLE_UNIT_LOOKUP_MIN);
  let skip: Uint8Array | undefined;
  if (singleUnitLookup) {
    skip = new Uint8Array(table.count);
    for (let p = 0; p < table.count; p++) skip[p] = singleUnitPattern(table.kind[p], table.length(p)) ? 1 : 0;
  }
  const automaton = buildAutomatonFlat(
    { count: table.count, codes: table.codes, offset: table.offset, skip },
    tables ? { canonical: tables.canonical } : {},
  );
  const present = new Set<string>();
  for (let t = 0; t < terms.count; t++) present.add(terms.source[t].category);
  const categories = CATEGORIES.filter((c) => present.has(c));
  return new LexiconMatcher({
    version,
    termCount: terms.count,
    categories,
    folder,
    buffer: createFoldBuffer(256),
    automaton,
    singleUnitLookup,
    // Mixed spellings (`约pao`) are read by respelling the text, for terms with same-sound matching.
    respeller: tables && homophoneTerms.length > 0 ? new SyllableRespeller(tables) : undefined,
    tables: packTables(table, terms),
  });
}

/**
 * Patterns and units a lexicon is likely to need, so the table does not grow (copying) a dozen times on the
 * way: measured on generated and real lists, pinyin and alias forms add about one pattern and 1.5x the units
 * per term. Too much only reserves untouched memory; too little only means growing.
 */
function expectedSize(terms: readonly TermSource[], allow: number, phonetic: boolean): [number, number] {
  let chars = 0;
  for (let t = 0; t < terms.length; t++) chars += terms[t].term.length;
  return phonetic ? [2 * terms.length + allow + 16, 3 * chars + 64] : [terms.length + allow + 16, chars + 64];
}

/**
 * Folds every term into the table, merging those that fold alike within a category (`FUCK` = `fuck`): the
 * first spelling names the rule, the last definition's attributes win.
 */
function addTerms(
  sources: readonly TermSource[],
  folding: TermFolding,
  table: PatternTable,
  warn: (warning: LexiconWarning) => void,
  regional: Uint16Array | null,
): TermEntries {
  const entries = new TermEntries(sources.length);
  const known = new FoldedTermIndex(sources.length);
  for (let s = 0; s < sources.length; s++) {
    const source = sources[s];
    const folded = folding.fold(source.term);
    const n = folded.length;
    if (n === 0) {
      warn({
        file: source.file ?? '',
        line: source.line ?? 0,
        code: 'EMPTY_AFTER_FOLD',
        message: `term "${source.term}" folds to nothing (skipped)`,
      });
      continue;
    }
    const slot = known.find(source.category, folded, entries, table);
    const index = known.entryAt(slot);
    if (index < 0) {
      const t = entries.count;
      known.claim(slot, t);
      const pattern = table.add(KIND_TERM, t, folded.codes, folded.run, n);
      markWordBreaks(table, pattern, folded);
      table.setBoundaries(pattern, source.boundary);
      entries.add(source, pattern);
      const digits = literalDigits(source.term, folded);
      const variant = regionalSpelling(folded, regional);
      if (digits !== null || variant !== null) {
        const spellings: number[] = [];
        if (digits !== null) spellings.push(addSpelling(table, t, digits, folded, source.boundary));
        if (variant !== null) spellings.push(addSpelling(table, t, variant, folded, source.boundary));
        entries.spellings.set(t, spellings);
      }
    } else {
      const first = entries.source[index];
      const merged = { ...source, term: first.term, file: first.file, line: first.line };
      entries.source[index] = merged;
      table.setBoundaries(entries.pattern[index], merged.boundary);
      for (const p of entries.spellings.get(index) ?? []) table.setBoundaries(p, merged.boundary);
    }
  }
  return entries;
}

/** Another TERM pattern for entry `term`: `units` in place of the folded term's own. */
function addSpelling(
  table: PatternTable,
  term: number,
  units: Uint16Array,
  folded: FoldBuffer,
  boundary: BoundaryMode | undefined,
): number {
  const p = table.add(KIND_TERM, term, units, folded.run, folded.length);
  markWordBreaks(table, p, folded);
  table.setBoundaries(p, boundary);
  return p;
}

/**
 * Terms by (category, folded units, run requirements), in an open-addressing table of entry indices: the
 * same grouping a string key of the three would give, without making 100k key strings. A slot is found by
 * a hash of the folded term and confirmed against the units already in the pattern table.
 */
class FoldedTermIndex {
  readonly #slots: Int32Array; // entry index + 1; 0 = empty
  /** The hash of each slot's term: most probes are told apart here, without reading the term's units. */
  readonly #hashes: Int32Array;
  readonly #mask: number;
  /** The hash find() computed last, for claim(). */
  #hash = 0;

  constructor(terms: number) {
    let capacity = 16;
    while (capacity < terms * 2) capacity *= 2;
    this.#slots = new Int32Array(capacity);
    this.#hashes = new Int32Array(capacity);
    this.#mask = capacity - 1;
  }

  /** The slot holding the entry that folds like `folded` in `category`, or the empty slot to put it in. */
  find(category: string, folded: FoldBuffer, entries: TermEntries, table: PatternTable): number {
    const n = folded.length;
    const codes = folded.codes;
    const run = folded.run;
    let h = 0x811c9dc5;
    for (let i = 0; i < category.length; i++) h = Math.imul(h ^ category.charCodeAt(i), 0x01000193);
    for (let i = 0; i < n; i++) {
      h = Math.imul(h ^ codes[i], 0x01000193);
      if (run[i] > 1) h = Math.imul(h ^ (run[i] << 16) ^ i, 0x01000193);
    }
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    h ^= h >>> 12;
    this.#hash = h;
    for (let slot = h & this.#mask; ; slot = (slot + 1) & this.#mask) {
      const stored = this.#slots[slot];
      if (stored === 0) return slot;
      if (this.#hashes[slot] !== h) continue;
      const t = stored - 1;
      if (entries.source[t].category === category && sameUnits(table, entries.pattern[t], folded))
        return slot;
    }
  }

  /** The entry index in `slot`, -1 when empty. */
  entryAt(slot: number): number {
    return this.#slots[slot] - 1;
  }

  /** Puts `entry` in the empty slot the last find() returned. */
  claim(slot: number, entry: number): void {
    this.#slots[slot] = entry + 1;
    this.#hashes[slot] = this.#hash;
  }
}

/** Whether pattern p has exactly the folded units and (≥ 1) run requirements of `folded`. */
function sameUnits(table: PatternTable, p: number, folded: FoldBuffer): boolean {
  const n = folded.length;
  const at = table.offset[p];
  if (table.offset[p + 1] - at !== n) return false;
  for (let i = 0; i < n; i++) {
    if (table.codes[at + i] !== folded.codes[i] || table.run[at + i] !== (folded.run[i] || 1)) return false;
  }
  return true;
}

/**
 * PINYIN, ALIAS and reading patterns for every term with phonetic matching and at least two CJK characters;
 * returns their TERM patterns (the same-sound candidates relevantTrapWords looks for trap words against).
 */
function addPhoneticPatterns(
  terms: TermEntries,
  table: PatternTable,
  tables: PhoneticTables,
  folding: TermFolding,
): number[] {
  const speller = new PinyinSpeller(tables, {
    stoplist: createEnglishPinyinStoplist(),
    minLetters: MIN_PINYIN_LETTERS,
    maxForms: MAX_PINYIN_FORMS,
  });
  const aliases = aliasesBySyllable(tables);
  const homophoneTerms: number[] = [];
  for (let t = 0; t < terms.count; t++) {
    const source = terms.source[t];
    if (source.phonetic === false) continue;
    const pattern = terms.pattern[t];
    const from = table.offset[pattern];
    const to = table.offset[pattern + 1];
    const cjk = countCjkIn(table.codes, from, to);
    if (cjk < 2) continue;
    homophoneTerms.push(pattern);
    if (cjk === to - from) {
      const forms = speller.spell(table.codes, table.run, from, to);
      // The table may grow (and move) while the forms are added: they hold no views into it.
      for (let k = 0; k < forms.length; k++) {
        addPinyinPattern(table, t, forms[k].letters, forms[k].syllableStarts, folding);
      }
      const reading = speller.contextReading();
      const p =
        reading === null ? -1 : addReadingPattern(table, t, pattern, reading, tables, source.boundary);
      if (p >= 0) homophoneTerms.push(p); // its same-sound trap words too (炸蛋 for 炸弹)
    }
    addAliasPatterns(table, t, pattern, aliases, tables, source.boundary);
  }
  return homophoneTerms;
}

/**
 * A TERM pattern for a term whose reading in context differs from its characters' default readings (炸弹 is
 * zha dan, but 弹 alone reads tan, and the automaton merges characters by their default reading): the
 * characters read otherwise are replaced by the representative of the syllable read (MARK_READING), so that
 * same-sound swaps by that reading (炸蛋) and pinyin spelled in place (`炸dan`, respell.ts) reach the term.
 * Terms with repeats get none (the reading covers the expanded units). Returns the pattern, or -1 for none.
 */
function addReadingPattern(
  table: PatternTable,
  term: number,
  pattern: number,
  reading: Int32Array,
  tables: PhoneticTables,
  boundary: BoundaryMode | undefined,
): number {
  const from = table.offset[pattern];
  const length = table.length(pattern);
  for (let i = 0; i < length; i++) if (table.run[from + i] !== 1) return -1;
  const variant = table.view(pattern).slice();
  const run = table.run.slice(from, from + length);
  const mark = table.mark.slice(from, from + length); // word breaks (`中国 人民`) as the term has them
  let changed = false;
  for (let i = 0; i < length; i++) {
    if (reading[i] === tables.syllableOf[variant[i]]) continue;
    // A reading no character has as its default (shei, dei…) has no representative: nothing can reach it.
    if (tables.representative[reading[i]] === 0) return -1;
    variant[i] = tables.representative[reading[i]];
    mark[i] |= MARK_READING;
    changed = true;
  }
  if (!changed) return -1;
  const p = table.add(KIND_TERM, term, variant, run, length);
  table.setBoundaries(p, boundary);
  table.mark.set(mark, table.offset[p]);
  return p;
}

/** LATIN_ALIASES by syllable id, as code units: looked up once per syllable instead of once per unit. */
function aliasesBySyllable(tables: PhoneticTables): (readonly number[] | undefined)[] {
  return tables.syllables.map((syllable) => LATIN_ALIASES[syllable]?.map((alias) => alias.charCodeAt(0)));
}

/** A term of several words (`piss off`): the text may break words where the term does, or not at all. */
function markWordBreaks(table: PatternTable, pattern: number, folded: FoldBuffer): void {
  const at = table.offset[pattern];
  for (let u = 1; u < folded.length; u++) {
    if (folded.gap[u] !== GAP_NONE) table.mark[at + u] |= MARK_WORD_BREAK;
  }
}

/**
 * A term whose digits the folder read as leetspeak (`pk10` → `pkio`, `5g` → `sg`) also gets a pattern with
 * the digits as written, because the same digits in a text are only leet inside an unbroken Latin word:
 * `p.k.1.0` folds to `pk10`. Null when nothing was read as leet or a leet character is not a digit.
 */
function literalDigits(term: string, folded: FoldBuffer): Uint16Array | null {
  let variant: Uint16Array | null = null;
  for (let u = 0; u < folded.length; u++) {
    if ((folded.flags[u] & EV_LEET) === 0) continue;
    let digit = term.charCodeAt(folded.start[u]);
    if (digit >= 0xff10 && digit <= 0xff19) digit -= 0xfee0; // full-width digit
    if (digit < 0x30 || digit > 0x39 || folded.run[u] !== 1) return null;
    variant ??= folded.codes.slice(0, folded.length);
    variant[u] = digit;
  }
  return variant;
}

/** simplified → regional spelling, from Folder.keptVariants (着 → 著), by code unit (0: none); null if none. */
function regionalSpellings(keptVariants: ReadonlyMap<number, number> | undefined): Uint16Array | null {
  let regional: Uint16Array | null = null;
  for (const [variant, simplified] of keptVariants ?? []) {
    if (variant <= 0xffff && simplified <= 0xffff)
      (regional ??= new Uint16Array(0x10000))[simplified] = variant;
  }
  return regional;
}

/**
 * A term with a character that regional traditional text writes as another simplified character (躺着 as 躺著,
 * see Folder.keptVariants) also gets that spelling, since folding cannot tell 著名 from Taiwan's 躺著. Null
 * when the term has none.
 */
function regionalSpelling(folded: FoldBuffer, regional: Uint16Array | null): Uint16Array | null {
  if (regional === null) return null;
  let variant: Uint16Array | null = null;
  for (let u = 0; u < folded.length; u++) {
    const spelled = regional[folded.codes[u]];
    if (spelled === 0) continue;
    variant ??= folded.codes.slice(0, folded.length);
    variant[u] = spelled;
  }
  return variant;
}

function boundaryAt(code: number, mode: BoundaryMode | undefined): number {
  if (mode === 'any') return BOUNDARY_NONE;
  if (isLatinWordUnit(code)) return BOUNDARY_LATIN;
  return mode === 'word' ? BOUNDARY_CJK : BOUNDARY_NONE;
}

function countCjkSingleUnitPatterns(table: PatternTable): number {
  let n = 0;
  for (let p = 0; p < table.count; p++) {
    if (singleUnitPattern(table.kind[p], table.length(p)) && isCjkUnit(table.codes[table.offset[p]])) n++;
  }
  return n;
}

function countCjk(codes: Uint16Array): number {
  return countCjkIn(codes, 0, codes.length);
}

function countCjkIn(codes: Uint16Array, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) if (isCjkUnit(codes[i])) n++;
  return n;
}

/**
 * A pinyin spelling is folded like any text (so `yinni` gets the run requirement the folder will produce for
 * `yinni`), and each unit where a syllable starts is marked: only there may the text have a gap. Where a
 * syllable starts with the letter the previous one ends with (`yin ni`, `wang gou`), the text folds the two
 * letters into one unit when they are written together and keeps them apart when a gap splits the word
 * (the folder never folds a repeat into the word before it across a gap), so such a spelling gets a second
 * pattern, with the letters apart, for the spaced form.
 */
function addPinyinPattern(
  table: PatternTable,
  term: number,
  letters: string,
  syllableStarts: readonly number[],
  folding: TermFolding,
): void {
  if (!addFoldedPinyin(table, term, letters, syllableStarts, folding)) return;
  let spaced = '';
  let from = 0;
  for (const at of syllableStarts) {
    if (at > 0 && at < letters.length && letters[at] === letters[at - 1]) {
      spaced += letters.slice(from, at) + ' ';
      from = at;
    }
  }
  if (from > 0) addFoldedPinyin(table, term, spaced + letters.slice(from), syllableStarts, folding);
}

/**
 * Adds one pinyin pattern: `spelling` is the letters, possibly with spaces at some syllable starts. Returns
 * false when the folder changed the spelling (syllable offsets would be wrong).
 */
function addFoldedPinyin(
  table: PatternTable,
  term: number,
  spelling: string,
  syllableStarts: readonly number[],
  folding: TermFolding,
): boolean {
  const folded = folding.fold(spelling);
  const n = folded.length;
  if (n === 0) return false;
  // Offsets in the letters alone, the spaces left out.
  const letterAt = new Int32Array(spelling.length + 1);
  let letters = 0;
  for (let i = 0; i < spelling.length; i++) {
    letterAt[i] = letters;
    if (spelling[i] !== ' ') letters++;
  }
  let raw = 0;
  for (let u = 0; u < n; u++) raw += Math.max(1, folded.run[u]);
  if (raw !== letters) return false;
  const starts = Array.from(folded.start.subarray(0, n), (start) => letterAt[start]);
  const p = table.add(KIND_PINYIN, term, folded.codes, folded.run, n);
  table.left[p] = BOUNDARY_LATIN;
  table.right[p] = BOUNDARY_LATIN;
  const at = table.offset[p];
  for (let u = 0; u < n; u++) {
    if (syllableStarts.includes(starts[u])) table.mark[at + u] = 1;
  }
  return true;
}

/** `微信` → `v信`; at most two stand-ins per pattern; positions marked so the matcher knows they differ. */
function addAliasPatterns(
  table: PatternTable,
  term: number,
  pattern: number,
  aliases: readonly (readonly number[] | undefined)[],
  tables: PhoneticTables,
  boundary: BoundaryMode | undefined,
): void {
  const length = table.length(pattern);
  const from = table.offset[pattern];
  let found = false;
  for (let i = 0; i < length && !found; i++)
    found = aliases[tables.syllableOf[table.codes[from + i]]] !== undefined;
  if (!found) return; // nearly every term: no stand-in for any of its syllables
  const positions: { at: number; letter: number }[] = [];
  for (let i = 0; i < length; i++) {
    for (const letter of aliases[tables.syllableOf[table.codes[from + i]]] ?? [])
      positions.push({ at: i, letter });
  }
  if (positions.length === 0 || positions.length > 2) return;
  const subsets = positions.length === 1 ? [[0]] : [[0], [1], [0, 1]];
  for (const subset of subsets) {
    if (subset.length === 2 && positions[0].at === positions[1].at) continue;
    const variant = table.view(pattern).slice();
    const run = table.run.slice(table.offset[pattern], table.offset[pattern + 1]);
    for (const k of subset) variant[positions[k].at] = positions[k].letter;
    if (countCjk(variant) === 0) continue;
    const p = table.add(KIND_ALIAS, term, variant, run, length);
    table.setBoundaries(p, boundary);
    for (const k of subset) table.mark[table.offset[p] + positions[k].at] = 1;
  }
}

function packTables(table: PatternTable, terms: TermEntries): LexiconTables {
  const n = table.count;
  const categoryIndex = new Uint8Array(terms.count);
  const severity = new Uint8Array(terms.count);
  const flags = new Uint8Array(terms.count);
  const cjk = new Uint8Array(terms.count);
  const rule: string[] = [];
  const category: Category[] = [];
  const indexOf = new Map<string, number>(CATEGORIES.map((c, i) => [c, i]));
  const rulePrefix = new Map<string, string>();
  for (let t = 0; t < terms.count; t++) {
    const s = terms.source[t];
    category.push(s.category);
    categoryIndex[t] = indexOf.get(s.category) ?? -1;
    severity[t] = s.severity ?? DEFAULT_SEVERITY[s.category];
    flags[t] =
      (s.dryRun ? TERM_DRY_RUN : 0) |
      (s.phonetic === false ? 0 : TERM_PHONETIC) |
      (s.plain === false ? TERM_NOT_PLAIN : 0);
    const p = terms.pattern[t];
    cjk[t] = Math.min(255, countCjkIn(table.codes, table.offset[p], table.offset[p + 1]));
    let prefix = rulePrefix.get(s.category);
    if (prefix === undefined) rulePrefix.set(s.category, (prefix = `${s.category}:`));
    rule.push(prefix + s.term);
  }
  // Views, not copies: the matcher repacks them (pattern-records.ts) and keeps only `kind` (a copy), so
  // copying here would only raise the compile's peak memory.
  return {
    kind: table.kind.slice(0, n),
    owner: table.owner.subarray(0, n),
    left: table.left.subarray(0, n),
    right: table.right.subarray(0, n),
    offset: table.offset.subarray(0, n + 1),
    codes: table.codes.subarray(0, table.units),
    run: table.run.subarray(0, table.units),
    mark: table.mark.subarray(0, table.units),
    termCategory: category,
    termCategoryIndex: categoryIndex,
    termSeverity: severity,
    termFlags: flags,
    termCjk: cjk,
    termRule: rule,
  };
}
