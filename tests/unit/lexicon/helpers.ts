/** Shared fixtures for the lexicon tests: one Folder and one set of pinyin tables per test file. */
import type { Category, Reason } from '../../../src/contracts/types.js';
import { createFolder } from '../../../src/fold/index.js';
import type { CompileOptions, CompiledLexicon, TermSource } from '../../../src/lexicon/index.js';
import { compileLexicon, createPhoneticTables } from '../../../src/lexicon/index.js';

export const folder = createFolder();
export const tables = createPhoneticTables();

/** `['加微信', 'ads']` or a full TermSource. */
export type TermSpec = readonly [string, Category] | TermSource;

export function lexiconOf(
  terms: readonly TermSpec[],
  allow: readonly string[] = [],
  options: CompileOptions = {},
): CompiledLexicon {
  return compileLexicon(
    {
      terms: terms.map((t) => (Array.isArray(t) ? { term: t[0], category: t[1] } : (t as TermSource))),
      allow,
    },
    { folder, tables, ...options },
  );
}

export function matchAll(lexicon: CompiledLexicon, text: string): Reason[] {
  const out: Reason[] = [];
  lexicon.match(text, out);
  return out;
}

/** Compact view for assertions: `rule|match|evasion+evasion`. */
export function brief(lexicon: CompiledLexicon, text: string): string[] {
  return matchAll(lexicon, text).map((r) => `${r.rule}|${r.match}|${(r.evasion ?? []).join('+')}`);
}
