/**
 * Shapes shared by the lexicon loader, compiler and matcher. A lexicon goes through three stages:
 * files → `LexiconSources` (parsed terms + allow phrases, with where each came from) → `CompiledLexicon`
 * (one automaton + verification tables) → `Reason`s for a text.
 */
import type { Category, Reason } from '../contracts/types.js';
import type { FoldBuffer } from '../fold/types.js';

/** `word`: the term needs a word boundary at each end; `any`: it matches anywhere. */
export type BoundaryMode = 'word' | 'any';

/** Per-term settings, from the TAB tail of a lexicon line (`代开发票<TAB>severity=3 phonetic=off`). */
export interface TermAttributes {
  /** 1 (mild) .. 5 (severe). Defaults per category, see DEFAULT_SEVERITY. */
  severity?: number;
  /** Also match the term's pinyin and same-sound forms. Default on. */
  phonetic?: boolean;
  /** Default: `word` at the ends of a term that are Latin letters/digits, `any` at CJK ends. */
  boundary?: BoundaryMode;
  /** Report the match with `dryRun: true` (recorded, not enforced). */
  dryRun?: boolean;
  /**
   * `false` (`plain=off`): the plain spelling is an ordinary word (微信); report the term only when it was
   * written through a pinyin, same-sound or Latin stand-in spelling (薇信, V信, weixin). Default true.
   */
  plain?: boolean;
}

/** One lexicon term and where it came from. */
export interface TermSource extends TermAttributes {
  term: string;
  category: Category;
  /** For warnings: the file and 1-based line the term was read from. */
  file?: string;
  line?: number;
}

/** One allow-list phrase and where it came from. */
export interface AllowSource {
  phrase: string;
  file?: string;
  line?: number;
}

/** Everything the compiler needs: what `loadLexicons` reads from disk, or what a test builds in memory. */
export interface LexiconSources {
  terms: readonly TermSource[];
  allow?: readonly (string | AllowSource)[];
  /** Content hash; computed from terms + allow when absent. */
  version?: string;
}

export type LexiconWarningCode =
  | 'BOM'
  | 'CRLF'
  | 'BLANK_LINE'
  | 'DUPLICATE'
  | 'INVALID_UTF8'
  | 'EMPTY_AFTER_FOLD'
  | 'BAD_ATTRIBUTE'
  | 'UNKNOWN_FILE'
  | 'UNREADABLE';

/** A problem in a lexicon file that was skipped over: loading goes on. */
export interface LexiconWarning {
  file: string;
  /** 1-based line, 0 when the warning is about the whole file. */
  line: number;
  code: LexiconWarningCode;
  message: string;
}

/** A lexicon ready to match: one automaton over plain, pinyin and same-sound forms plus the allow-list. */
export interface CompiledLexicon {
  /** `sha256:<hex>` over the normalised content of every term and allow phrase, independent of load order. */
  readonly version: string;
  /** Distinct (category, folded term) entries. */
  readonly termCount: number;
  /** Categories that have at least one term. */
  readonly categories: readonly Category[];
  /** Patterns in the automaton (plain + pinyin + alias + allow + homophone-trap words). */
  readonly patternCount: number;
  /** Appends one Reason per match (detector `lexicon`) to `out`. Not re-entrant: one matcher per thread. */
  match(text: string, out: Reason[]): void;
  /** Same, for a text already folded into `buf` by the same Folder (lets the pipeline fold once). */
  matchFolded(text: string, buf: FoldBuffer, out: Reason[]): void;
}

/** Severity used when a term has no `severity=` attribute. */
export const DEFAULT_SEVERITY: Readonly<Record<Category, number>> = {
  illegal: 4,
  porn: 3,
  violence: 4,
  gambling: 3,
  political: 3,
  ads: 2,
  phishing: 4,
  abuse: 2,
  rumor: 2,
  privacy: 3,
  secret: 3,
  flood: 1,
};

export const MIN_SEVERITY = 1;
export const MAX_SEVERITY = 5;
