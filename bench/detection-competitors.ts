/**
 * The matchers the detection benchmark compares. Each one is built from the lexicon's terms and returns a
 * function text → number of detections, doing the work its API needs to produce matches (positions or
 * words), so that a rate is never bought by skipping results.
 */
import { createRequire } from 'node:module';
import { AhoCorasick as MonyoneAhoCorasick } from '@monyone/aho-corasick/fast';
import ModernAhoCorasick from 'modern-ahocorasick';
import { Mint } from 'mint-filter';
import { buildAutomaton, createMatchHits, toCodeUnits } from '../src/lexicon/automaton.js';
import type { Reason } from '../src/contracts/types.js';

export interface BenchLexicon {
  /** Distinct raw terms, for every matcher. */
  terms: string[];
  /** Where the lexicon lives on disk (a lexicon directory or a third-party list directory), for loadLexicons. */
  path: string;
}

export type CountMatches = (text: string) => number;

export interface Competitor {
  id: string;
  label: string;
  /** What its detections mean, for the table's notes. */
  semantics: string;
  /**
   * Loads the modules `build` needs (what the others import statically). The worker runs it before the
   * build is timed and reports its time apart: module loading is process start-up, not building a lexicon.
   */
  prepare?(): Promise<void>;
  build(lexicon: BenchLexicon): Promise<CountMatches> | CountMatches;
}

const require = createRequire(import.meta.url);

/** Our automaton over the raw text (no folding): must report exactly what @monyone reports. */
const automatonRaw: Competitor = {
  id: 'automaton',
  label: 'modstream automaton only (no folding)',
  semantics: 'all occurrences, overlapping',
  build({ terms }) {
    const automaton = buildAutomaton(terms.map(toCodeUnits));
    const hits = createMatchHits(256);
    let codes = new Uint16Array(4096);
    return (text) => {
      const length = text.length;
      if (length > codes.length) codes = new Uint16Array(length * 2);
      for (let i = 0; i < length; i++) codes[i] = text.charCodeAt(i);
      return automaton.scan(codes, length, hits);
    };
  },
};

/** Our path: fold the text (all foldings), scan the folded units with an automaton over the folded terms. */
const foldScan: Competitor = {
  id: 'fold-scan',
  label: 'modstream fold + automaton',
  semantics: 'all occurrences in the folded text (sees through disguises)',
  async prepare() {
    await import('../src/fold/index.js');
  },
  async build({ terms }) {
    const { createFolder, createFoldBuffer } = await import('../src/fold/index.js');
    const folder = createFolder();
    const patterns: Uint16Array[] = [];
    for (const term of terms) {
      const folded = folder.foldTerm(term);
      if (folded.length > 0) patterns.push(folded.codes);
    }
    const automaton = buildAutomaton(patterns);
    const hits = createMatchHits(256);
    const buf = createFoldBuffer(4096);
    return (text) => {
      folder.fold(text, buf);
      return automaton.scan(buf.codes, buf.length, hits);
    };
  },
};

/** The whole lexicon stage as the pipeline runs it: fold, scan (plain + pinyin + same-sound), verify → Reasons. */
const lexiconMatch: Competitor = {
  id: 'lexicon',
  label: 'modstream lexicon.match (all folding + phonetic + verification)',
  semantics: 'Reasons after boundaries, allow-list, same-category containment',
  async prepare() {
    await import('../src/lexicon/index.js');
  },
  async build({ path }) {
    const { loadLexicons } = await import('../src/lexicon/index.js');
    const { lexicon } = loadLexicons([path]);
    const out: Reason[] = [];
    return (text) => {
      out.length = 0;
      lexicon.match(text, out);
      return out.length;
    };
  },
};

const monyone: Competitor = {
  id: 'monyone',
  label: '@monyone/aho-corasick/fast (double array)',
  semantics: 'all occurrences, overlapping',
  build({ terms }) {
    const matcher = new MonyoneAhoCorasick(terms);
    return (text) => matcher.matchInText(text).length;
  },
};

const modern: Competitor = {
  id: 'modern',
  label: 'modern-ahocorasick',
  semantics: 'all occurrences, overlapping, on grapheme-cluster boundaries',
  build({ terms }) {
    const matcher = new ModernAhoCorasick(terms);
    return (text) => matcher.search(text).length;
  },
};

const mint: Competitor = {
  id: 'mint',
  label: 'mint-filter',
  semantics: 'one word per end position (misses nested/overlapping terms), case-insensitive',
  build({ terms }) {
    const matcher = new Mint(terms);
    return (text) => matcher.filter(text, { replace: false }).words.length;
  },
};

interface NpmAhoCorasick {
  add(word: string, data: unknown): void;
  build_fail(): void;
  search(text: string, callback: (word: string, data: unknown, offset: number) => void): void;
}

const npmAhoCorasick: Competitor = {
  id: 'aho-corasick',
  label: 'aho-corasick (npm)',
  semantics: 'all occurrences, overlapping',
  build({ terms }) {
    const AhoCorasick = require('aho-corasick') as new () => NpmAhoCorasick;
    const matcher = new AhoCorasick();
    for (const term of terms) matcher.add(term, term);
    matcher.build_fail();
    let found = 0;
    const onMatch = (): void => {
      found++;
    };
    return (text) => {
      found = 0;
      matcher.search(text, onMatch);
      return found;
    };
  },
};

/** One alternation of every term, longest first: the "just use a regex" baseline. */
const regexAlternation: Competitor = {
  id: 'regex',
  label: 'naive alternation RegExp',
  semantics: 'leftmost-longest, non-overlapping',
  build({ terms }) {
    const escaped = [...terms]
      .sort((a, b) => b.length - a.length)
      .map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    const pattern = new RegExp(escaped.join('|'), 'g');
    return (text) => {
      pattern.lastIndex = 0;
      let found = 0;
      while (pattern.exec(text) !== null) found++;
      return found;
    };
  },
};

export const COMPETITORS: readonly Competitor[] = [
  lexiconMatch,
  foldScan,
  automatonRaw,
  monyone,
  modern,
  mint,
  npmAhoCorasick,
  regexAlternation,
];

export function competitorById(id: string): Competitor {
  const found = COMPETITORS.find((c) => c.id === id);
  if (!found) throw new Error(`unknown competitor ${id}; known: ${COMPETITORS.map((c) => c.id).join(', ')}`);
  return found;
}
