/**
 * Lexicons: load directories of term lists, compile them (plain, pinyin and same-sound forms + allow-list)
 * into one automaton, and match folded text with evasion reporting. See docs/lexicons.md.
 */
import { fileURLToPath } from 'node:url';
import type { CompileOptions } from './compile.js';
import { compileLexicon } from './compile.js';
import type { LexiconInput, ReadOptions } from './load.js';
import { readLexiconSources } from './load.js';
import type { CompiledLexicon, LexiconWarning } from './types.js';

export type {
  AllowSource,
  BoundaryMode,
  CompiledLexicon,
  LexiconSources,
  LexiconWarning,
  LexiconWarningCode,
  TermAttributes,
  TermSource,
} from './types.js';
export { DEFAULT_SEVERITY, MAX_SEVERITY, MIN_SEVERITY } from './types.js';
export type { CompileOptions, LexiconFolder } from './compile.js';
export { compileLexicon, MAX_PINYIN_FORMS, MIN_PINYIN_LETTERS } from './compile.js';
export type { LexiconInput, ReadOptions, ReadResult } from './load.js';
export { readLexiconSources } from './load.js';
export { parseLexiconFile } from './parse.js';
export type { ParsedFile, ParsedLine } from './parse.js';
export { categoryForFileName, KONSHENG_CATEGORIES } from './third-party.js';
export { lexiconVersion } from './version.js';
export type { PhoneticTables, PinyinForm } from './pinyin.js';
export { createPhoneticTables, pinyinForms } from './pinyin.js';
export { HOMOPHONE_TRAP_WORDS, LATIN_ALIASES } from './homophone.js';
export type { CompiledAutomaton, MatchHits } from './automaton.js';
export { buildAutomaton, createMatchHits } from './automaton.js';

export interface LoadOptions extends ReadOptions, CompileOptions {}

export interface LoadResult {
  lexicon: CompiledLexicon;
  /** Everything skipped or repaired while reading and compiling, for the CLI to print. */
  warnings: LexiconWarning[];
  /** Files read, in load order. */
  files: string[];
  /** Milliseconds spent compiling (reading excluded). */
  compileMs: number;
}

/**
 * Reads and compiles lexicon inputs (directories, files, or files with a category; several merge) plus extra
 * allow files. Every warning, from reading or compiling, is returned and also passed to `onWarning` when
 * given. Throws ConfigError(LEXICON_INVALID) only for a path that does not exist.
 */
export function loadLexicons(inputs: readonly LexiconInput[], options: LoadOptions = {}): LoadResult {
  const { sources, warnings, files } = readLexiconSources(inputs, options);
  const userWarn = options.onWarning;
  if (userWarn) for (const warning of warnings) userWarn(warning);
  const started = performance.now();
  const lexicon = compileLexicon(sources, {
    ...options,
    onWarning: (warning) => {
      warnings.push(warning);
      userWarn?.(warning);
    },
  });
  return { lexicon, warnings, files, compileMs: performance.now() - started };
}

/** The directory of the default lexicons shipped with modstream (`lexicons/` at the package root). */
export function defaultLexiconDir(): string {
  // src/lexicon/index.ts and dist/lexicon/index.js both sit two levels below the package root.
  return fileURLToPath(new URL('../../lexicons', import.meta.url));
}
