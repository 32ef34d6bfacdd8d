/**
 * Compiles lexicon sources into ONE automaton plus the flat tables the matcher verifies candidates with.
 *
 * Every term is folded with the same Folder as the text, so terms and text agree on width, case, script,
 * look-alikes and repeats (a term `ass` becomes units `a s` with run requirements [1, 2]). Patterns:
 * - TERM    the folded term itself, plus its other spellings: digits as written (`pk10`) and regional
 *           variants folding leaves alone (`躺著` for 躺着, see Folder.keptVariants);
 * - PINYIN  toneless pinyin spellings of all-CJK terms (`网赌` → `wangdu`), syllable starts remembered;
 * - ALIAS   Latin stand-ins for a character (`v信` for 微信, see LATIN_ALIASES);
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
import { buildAutomaton } from './automaton.js';
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
  LexiconMatcher,
  MARK_WORD_BREAK,
  singleUnitPattern,
  TERM_DRY_RUN,
  TERM_NOT_PLAIN,
  TERM_PHONETIC,
  isLatinWordUnit,
} from './matcher.js';
import type { PhoneticTables } from './pinyin.js';
import { createPhoneticTables, isCjkUnit, pinyinForms } from './pinyin.js';
import type { BoundaryMode, CompiledLexicon, LexiconSources, LexiconWarning, TermSource } from './types.js';
import { DEFAULT_SEVERITY } from './types.js';
import { lexiconVersion } from './version.js';

/** What the compiler needs from the shared Folder (src/fold): the same folding for terms and for text. */
export interface LexiconFolder {
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

interface TermEntry {
  source: TermSource;
  /** Index of the term's own (TERM) pattern in the pattern table. */
  pattern: number;
  /** Its other spellings (TERM patterns too): digits kept literal (literalDigits), regional variants. */
  spellings: number[];
}

/**
 * Patterns in growable flat arrays (one allocation per doubling, not per pattern): pattern p's units are
 * [offset[p], offset[p] + length[p]) of `codes`/`run`/`mark`.
 */
class PatternTable {
  count = 0;
  units = 0;
  codes = new Uint16Array(1024);
  run = new Uint16Array(1024);
  mark = new Uint8Array(1024);
  offset = new Int32Array(256);
  kind = new Uint8Array(256);
  owner = new Int32Array(256);
  left = new Uint8Array(256);
  right = new Uint8Array(256);

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
    return this.#folder.fold(term, this.#buf);
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
  const table = new PatternTable();

  const terms = addTerms(sources.terms, folding, table, warn, regionalSpellings(folder.keptVariants));
  const homophoneTerms: Uint16Array[] = [];
  if (tables) {
    const stoplist = createEnglishPinyinStoplist();
    const formOptions = { stoplist, minLetters: MIN_PINYIN_LETTERS, maxForms: MAX_PINYIN_FORMS };
    for (let t = 0; t < terms.length; t++) {
      const { source, pattern } = terms[t];
      if (source.phonetic === false) continue;
      const codes = table.view(pattern);
      const cjk = countCjk(codes);
      if (cjk < 2) continue;
      const run = table.run.subarray(table.offset[pattern], table.offset[pattern + 1]);
      homophoneTerms.push(codes);
      if (cjk === codes.length) {
        for (const form of pinyinForms(expandRuns(codes, run), tables, formOptions)) {
          addPinyinPattern(table, t, form.letters, form.syllableStarts, folding);
        }
      }
      addAliasPatterns(table, t, pattern, tables, source.boundary);
    }
  }

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
    for (const word of relevantTrapWords(candidates, homophoneTerms, tables)) {
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
  const views: Uint16Array[] = new Array(table.count);
  const none = new Uint16Array(0);
  for (let p = 0; p < table.count; p++) {
    const lookedUp = singleUnitLookup && singleUnitPattern(table.kind[p], table.length(p));
    views[p] = lookedUp ? none : table.view(p);
  }
  const automaton = buildAutomaton(views, tables ? { canonical: tables.canonical } : {});
  const categories = CATEGORIES.filter((c) => terms.some((t) => t.source.category === c));
  return new LexiconMatcher({
    version,
    termCount: terms.length,
    categories,
    folder,
    buffer: createFoldBuffer(256),
    automaton,
    singleUnitLookup,
    tables: packTables(table, terms),
  });
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
  regional: ReadonlyMap<number, number>,
): TermEntry[] {
  const entries: TermEntry[] = [];
  const byKey = new Map<string, number>();
  for (const source of sources) {
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
    let key =
      source.category + '\u0000' + String.fromCharCode.apply(null, folded.codes.subarray(0, n) as never);
    for (let i = 0; i < n; i++) if (folded.run[i] > 1) key += `\u0000${i}:${folded.run[i]}`;
    const known = byKey.get(key);
    if (known === undefined) {
      byKey.set(key, entries.length);
      const pattern = table.add(KIND_TERM, entries.length, folded.codes, folded.run, n);
      markWordBreaks(table, pattern, folded);
      table.setBoundaries(pattern, source.boundary);
      const spellings: number[] = [];
      for (const units of [literalDigits(source.term, folded), regionalSpelling(folded, regional)]) {
        if (units === null) continue;
        const p = table.add(KIND_TERM, entries.length, units, folded.run, n);
        markWordBreaks(table, p, folded);
        table.setBoundaries(p, source.boundary);
        spellings.push(p);
      }
      entries.push({ source, pattern, spellings });
    } else {
      const entry = entries[known];
      const first = entry.source;
      entry.source = { ...source, term: first.term, file: first.file, line: first.line };
      table.setBoundaries(entry.pattern, entry.source.boundary);
      for (const p of entry.spellings) table.setBoundaries(p, entry.source.boundary);
    }
  }
  return entries;
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

/** simplified → regional spelling, from Folder.keptVariants (着 → 著). */
function regionalSpellings(keptVariants: ReadonlyMap<number, number> | undefined): Map<number, number> {
  const regional = new Map<number, number>();
  for (const [variant, simplified] of keptVariants ?? []) {
    if (variant <= 0xffff && simplified <= 0xffff) regional.set(simplified, variant);
  }
  return regional;
}

/**
 * A term with a character that regional traditional text writes as another simplified character (躺着 as 躺著,
 * see Folder.keptVariants) also gets that spelling, since folding cannot tell 著名 from Taiwan's 躺著. Null
 * when the term has none.
 */
function regionalSpelling(folded: FoldBuffer, regional: ReadonlyMap<number, number>): Uint16Array | null {
  if (regional.size === 0) return null;
  let variant: Uint16Array | null = null;
  for (let u = 0; u < folded.length; u++) {
    const spelled = regional.get(folded.codes[u]);
    if (spelled === undefined) continue;
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
  let n = 0;
  for (let i = 0; i < codes.length; i++) if (isCjkUnit(codes[i])) n++;
  return n;
}

function expandRuns(codes: Uint16Array, run: Uint16Array): number[] {
  const units: number[] = [];
  for (let i = 0; i < codes.length; i++) for (let r = 0; r < Math.max(1, run[i]); r++) units.push(codes[i]);
  return units;
}

/**
 * A pinyin spelling is folded like any text (so `yinni` gets the run requirement the folder will produce for
 * `yin ni`), and each unit where a syllable starts is marked: only there may the text have a gap.
 */
function addPinyinPattern(
  table: PatternTable,
  term: number,
  letters: string,
  syllableStarts: readonly number[],
  folding: TermFolding,
): void {
  const folded = folding.fold(letters);
  const n = folded.length;
  if (n === 0) return;
  let raw = 0;
  for (let u = 0; u < n; u++) raw += Math.max(1, folded.run[u]);
  if (raw !== letters.length) return; // the folder changed the spelling: syllable offsets would be wrong
  const p = table.add(KIND_PINYIN, term, folded.codes, folded.run, n);
  table.left[p] = BOUNDARY_LATIN;
  table.right[p] = BOUNDARY_LATIN;
  const at = table.offset[p];
  raw = 0;
  let next = 0;
  for (let u = 0; u < n; u++) {
    while (next < syllableStarts.length && syllableStarts[next] < raw) next++;
    if (next < syllableStarts.length && syllableStarts[next] === raw) table.mark[at + u] = 1;
    raw += Math.max(1, table.run[at + u]);
  }
}

/** `微信` → `v信`; at most two stand-ins per pattern; positions marked so the matcher knows they differ. */
function addAliasPatterns(
  table: PatternTable,
  term: number,
  pattern: number,
  tables: PhoneticTables,
  boundary: BoundaryMode | undefined,
): void {
  const length = table.length(pattern);
  const positions: { at: number; letter: number }[] = [];
  for (let i = 0; i < length; i++) {
    const code = table.codes[table.offset[pattern] + i];
    const syllable = tables.syllables[tables.syllableOf[code]];
    for (const alias of LATIN_ALIASES[syllable] ?? []) positions.push({ at: i, letter: alias.charCodeAt(0) });
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

function packTables(table: PatternTable, terms: readonly TermEntry[]): LexiconTables {
  const n = table.count;
  const categoryIndex = new Uint8Array(terms.length);
  const severity = new Uint8Array(terms.length);
  const flags = new Uint8Array(terms.length);
  const cjk = new Uint8Array(terms.length);
  const rule: string[] = [];
  const category: Category[] = [];
  for (let t = 0; t < terms.length; t++) {
    const s = terms[t].source;
    category.push(s.category);
    categoryIndex[t] = CATEGORIES.indexOf(s.category);
    severity[t] = s.severity ?? DEFAULT_SEVERITY[s.category];
    flags[t] =
      (s.dryRun ? TERM_DRY_RUN : 0) |
      (s.phonetic === false ? 0 : TERM_PHONETIC) |
      (s.plain === false ? TERM_NOT_PLAIN : 0);
    cjk[t] = Math.min(255, countCjk(table.view(terms[t].pattern)));
    rule.push(`${s.category}:${s.term}`);
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
