/**
 * The compiled Aho-Corasick automaton that the lexicon matcher runs over folded text.
 *
 * Layout, chosen for a scan loop that is a handful of typed-array reads per code unit and allocates nothing:
 * - alphabet compression: one Uint16Array(65536) maps a code unit to its class; class 0 means "in no
 *   pattern", which sends the scan straight back to the root without touching the automaton. The optional
 *   `canonical` table (e.g. homophones → one representative) is composed into this map at build time, so it
 *   costs nothing per character;
 * - a dense root row (class → depth-1 state), because most transitions in chat text start at the root;
 * - below the root, a double array with the four per-state words interleaved in one Int32Array
 *   [base, check, fail, emit] so a transition usually touches a single cache line;
 * - failure links resolved at build time; outputs via dictionary-suffix links: emit[s] is the first state
 *   on s's failure chain (s included) that ends a pattern, and each such state links to the next one, so
 *   overlapping and nested patterns are all reported without walking non-emitting states.
 */
import { ConfigError } from '../contracts/errors.js';
import type { FlatPatterns } from './automaton-trie.js';
import { ROOT, buildTrie } from './automaton-trie.js';
import { placeDoubleArray } from './automaton-double-array.js';

/** Growable hit list, reused across scans: entries [0, count) are valid. */
export interface MatchHits {
  /** Index of the matched pattern in the array given to `buildAutomaton`. */
  pattern: Int32Array;
  /** Index of the last code unit of the occurrence (inclusive). */
  end: Int32Array;
  count: number;
}

export interface CompiledAutomaton {
  readonly patternCount: number;
  /** Trie states, root included. */
  readonly stateCount: number;
  /** Distinct code classes after `canonical`, plus class 0 ("in no pattern"). */
  readonly classCount: number;
  /** Bytes held by the automaton's tables (the 128 KiB class map included). */
  readonly byteLength: number;
  /**
   * Scan codes[0..length). For every occurrence of every pattern (overlapping and nested included, via
   * output/dictionary-suffix links) append (patternIndex, endUnitInclusive). Returns hits.count. Resets
   * hits.count first. Hits come in order of their end unit; for one end unit, longer patterns first, and
   * duplicates of one pattern in input order.
   */
  scan(codes: Uint16Array, length: number, hits: MatchHits): number;
}

export interface BuildAutomatonOptions {
  /**
   * A 65536-entry table code → canonical code, applied to the patterns AND to the scanned text (e.g. to merge
   * homophones). Scanning stays one lookup per unit: the table is composed into the class map.
   */
  canonical?: Uint16Array;
}

const CODE_UNITS = 0x10000;
/** Per-state words in the interleaved table. */
const STRIDE = 4;
const BASE = 0;
const CHECK = 1;
const FAIL = 2;
const EMIT = 3;

export function createMatchHits(initialCapacity = 64): MatchHits {
  const capacity = Math.max(1, initialCapacity | 0);
  return { pattern: new Int32Array(capacity), end: new Int32Array(capacity), count: 0 };
}

/** The UTF-16 code units of a string, e.g. to build patterns or scan text that is not folded. */
export function toCodeUnits(text: string): Uint16Array {
  const codes = new Uint16Array(text.length);
  for (let i = 0; i < text.length; i++) codes[i] = text.charCodeAt(i);
  return codes;
}

export function buildAutomaton(
  patterns: readonly ArrayLike<number>[],
  options: BuildAutomatonOptions = {},
): CompiledAutomaton {
  return buildAutomatonFlat(flatten(patterns), options);
}

/**
 * The same automaton from patterns laid out in one flat array (what the lexicon compiler holds anyway):
 * no per-pattern views to make. Units must be UTF-16 code units (a Uint16Array guarantees it).
 */
export function buildAutomatonFlat(
  patterns: FlatPatterns,
  options: BuildAutomatonOptions = {},
): CompiledAutomaton {
  const canonical = checkCanonical(options.canonical);
  const { classOf, classCount, totalUnits } = assignClasses(patterns, canonical);

  // The class map the scan uses (canonical composed in) is also what the trie is built with.
  const classMap = composeClassMap(classOf, canonical);

  // 1. Trie over class sequences (breadth-first ids, consecutive children), a double-array cell for every node.
  // (Each step is a function of its own: the build runs once, and V8 compiles loops that run once far more
  // cheaply in small functions than inside one large one.)
  const trie = buildTrie(patterns, classMap, classCount, totalUnits);
  const stateCount = trie.nodeCount;
  const { cell, base, cellCount } = placeDoubleArray(stateCount, trie.firstChild, trie.label, classCount);

  // 2. The transition table (cell space): base and check.
  const table = transitionTable(cellCount, stateCount, cell, base, trie.parent);

  // 3. Outputs, then failure and dictionary-suffix links in one breadth-first pass over the table.
  const outputs = collectOutputs(trie.terminal, stateCount);
  resolveLinks(table, stateCount, cell, trie.parent, trie.label, outputs);

  const rootRow = rootTransitions(trie.firstChild, trie.label, cell, classCount);

  return new DoubleArrayAutomaton(
    patterns.count,
    stateCount,
    classCount,
    classMap,
    rootRow,
    table,
    outputs.start,
    outputs.next,
    outputs.patterns,
  );
}

function composeClassMap(classOf: Uint16Array, canonical: Uint16Array | undefined): Uint16Array {
  const classMap = new Uint16Array(CODE_UNITS);
  for (let code = 0; code < CODE_UNITS; code++) classMap[code] = classOf[canonical ? canonical[code] : code];
  return classMap;
}

function transitionTable(
  cellCount: number,
  stateCount: number,
  cell: Int32Array,
  base: Int32Array,
  parent: Int32Array,
): Int32Array {
  const table = new Int32Array(cellCount * STRIDE);
  for (let c = 0; c < cellCount; c++) {
    table[c * STRIDE + CHECK] = -1; // free cell: no state has -1 as its cell
    table[c * STRIDE + EMIT] = -1;
  }
  for (let node = 0; node < stateCount; node++) {
    const at = cell[node] * STRIDE;
    table[at + BASE] = base[node];
    table[at + CHECK] = node === ROOT ? -1 : cell[parent[node]];
  }
  return table;
}

/** Validates the patterns (UTF-16 code units only) and copies them into one flat array. */
function flatten(patterns: readonly ArrayLike<number>[]): FlatPatterns {
  const offset = new Int32Array(patterns.length + 1);
  for (let p = 0; p < patterns.length; p++) {
    const units = patterns[p];
    if (units == null || typeof units.length !== 'number') {
      throw new ConfigError('LEXICON_INVALID', `patterns[${p}]`, 'is not an array of UTF-16 code units');
    }
    for (let i = 0; i < units.length; i++) {
      const unit = units[i];
      if (unit !== (unit & 0xffff)) {
        throw new ConfigError(
          'LEXICON_INVALID',
          `patterns[${p}][${i}]`,
          `is not a UTF-16 code unit: ${unit}`,
        );
      }
    }
    offset[p + 1] = offset[p] + units.length;
  }
  const codes = new Uint16Array(offset[patterns.length]);
  for (let p = 0; p < patterns.length; p++) codes.set(patterns[p], offset[p]);
  return { count: patterns.length, codes, offset };
}

/**
 * fail[s]: the cell of the longest proper suffix of s's string that is also a trie state; emit[s]: the emit
 * id of the first state on that chain (s included) that ends a pattern, each emit id linking to the next one
 * (outputs.next). Node ids are in BFS order, so the parent's links and the fail target's emit are ready
 * first; lookups run on the double array itself (one add and one compare each).
 */
function resolveLinks(
  table: Int32Array,
  stateCount: number,
  cell: Int32Array,
  parent: Int32Array,
  label: Uint16Array,
  outputs: Outputs,
): void {
  const { emitIdOfNode, next } = outputs;
  table[0 * STRIDE + FAIL] = 0;
  table[0 * STRIDE + EMIT] = -1; // the root ends no pattern (empty patterns are never reported)
  for (let node = 1; node < stateCount; node++) {
    const at = cell[node];
    const from = cell[parent[node]];
    let fail = 0; // depth 1, or no suffix state at all
    if (from !== 0) {
      const cls = label[node];
      let f = table[from * STRIDE + FAIL];
      for (;;) {
        const to = table[f * STRIDE + BASE] + cls;
        if (table[to * STRIDE + CHECK] === f) {
          fail = to;
          break;
        }
        if (f === 0) break;
        f = table[f * STRIDE + FAIL];
      }
    }
    table[at * STRIDE + FAIL] = fail;
    const inherited = table[fail * STRIDE + EMIT];
    const own = emitIdOfNode[node];
    if (own >= 0) next[own] = inherited;
    table[at * STRIDE + EMIT] = own >= 0 ? own : inherited;
  }
}

function checkCanonical(canonical: Uint16Array | undefined): Uint16Array | undefined {
  if (canonical === undefined) return undefined;
  if (!(canonical instanceof Uint16Array) || canonical.length !== CODE_UNITS) {
    throw new ConfigError('LEXICON_INVALID', 'canonical', 'must be a Uint16Array of 65536 entries');
  }
  return canonical;
}

/**
 * Classes 1..K-1 for the code units that occur in patterns (after `canonical`), most frequent first so that
 * the double array packs densely; everything else is class 0.
 */
function assignClasses(
  patterns: FlatPatterns,
  canonical: Uint16Array | undefined,
): { classOf: Uint16Array; classCount: number; totalUnits: number } {
  const { count, codes, offset, skip } = patterns;
  const frequency = new Int32Array(CODE_UNITS);
  let totalUnits = 0;
  for (let p = 0; p < count; p++) {
    if (skip !== undefined && skip[p] !== 0) continue;
    const end = offset[p + 1];
    for (let i = offset[p]; i < end; i++) frequency[canonical ? canonical[codes[i]] : codes[i]]++;
    totalUnits += end - offset[p];
  }
  const present: number[] = [];
  for (let code = 0; code < CODE_UNITS; code++) if (frequency[code] > 0) present.push(code);
  if (present.length >= CODE_UNITS) {
    // Class 0 is reserved for "in no pattern", so at most 65535 distinct units fit the Uint16 class map.
    throw new ConfigError('LEXICON_INVALID', 'patterns', 'use more than 65535 distinct code units');
  }
  present.sort((a, b) => frequency[b] - frequency[a] || a - b);
  const classOf = new Uint16Array(CODE_UNITS);
  for (let k = 0; k < present.length; k++) classOf[present[k]] = k + 1;
  return { classOf, classCount: present.length + 1, totalUnits };
}

interface Outputs {
  /** The emit id of the patterns ending at a node, -1 for none. */
  emitIdOfNode: Int32Array;
  /** Patterns of emit id e: patterns[start[e] .. start[e+1]), in pattern order. */
  start: Int32Array;
  patterns: Int32Array;
  /** next[e]: the next emit id on the failure chain, or -1 (filled by resolveLinks). */
  next: Int32Array;
}

/** One emit id per node where patterns end, numbered by first pattern; the patterns of each, in order. */
function collectOutputs(terminal: Int32Array, stateCount: number): Outputs {
  const emitIdOfNode = new Int32Array(stateCount).fill(-1);
  let emitCount = 0;
  let outputCount = 0;
  for (let p = 0; p < terminal.length; p++) {
    const node = terminal[p];
    if (node < 0) continue;
    outputCount++;
    if (emitIdOfNode[node] < 0) emitIdOfNode[node] = emitCount++;
  }
  const start = new Int32Array(emitCount + 1);
  for (let p = 0; p < terminal.length; p++) if (terminal[p] >= 0) start[emitIdOfNode[terminal[p]] + 1]++;
  for (let e = 0; e < emitCount; e++) start[e + 1] += start[e];
  const fillAt = start.slice(0, emitCount);
  const patterns = new Int32Array(outputCount);
  for (let p = 0; p < terminal.length; p++) {
    if (terminal[p] >= 0) patterns[fillAt[emitIdOfNode[terminal[p]]]++] = p;
  }
  return { emitIdOfNode, start, patterns, next: new Int32Array(emitCount).fill(-1) };
}

function rootTransitions(
  firstChild: Int32Array,
  label: Uint16Array,
  cell: Int32Array,
  classCount: number,
): Int32Array {
  const row = new Int32Array(classCount); // 0 = stay at the root
  for (let child = firstChild[ROOT], end = firstChild[ROOT + 1]; child < end; child++) {
    row[label[child]] = cell[child];
  }
  return row;
}

class DoubleArrayAutomaton implements CompiledAutomaton {
  readonly patternCount: number;
  readonly stateCount: number;
  readonly classCount: number;
  readonly #classMap: Uint16Array;
  readonly #rootRow: Int32Array;
  readonly #table: Int32Array;
  readonly #emitStart: Int32Array;
  readonly #emitNext: Int32Array;
  readonly #emitPatterns: Int32Array;

  constructor(
    patternCount: number,
    stateCount: number,
    classCount: number,
    classMap: Uint16Array,
    rootRow: Int32Array,
    table: Int32Array,
    emitStart: Int32Array,
    emitNext: Int32Array,
    emitPatterns: Int32Array,
  ) {
    this.patternCount = patternCount;
    this.stateCount = stateCount;
    this.classCount = classCount;
    this.#classMap = classMap;
    this.#rootRow = rootRow;
    this.#table = table;
    this.#emitStart = emitStart;
    this.#emitNext = emitNext;
    this.#emitPatterns = emitPatterns;
  }

  get byteLength(): number {
    return (
      this.#classMap.byteLength +
      this.#rootRow.byteLength +
      this.#table.byteLength +
      this.#emitStart.byteLength +
      this.#emitNext.byteLength +
      this.#emitPatterns.byteLength
    );
  }

  scan(codes: Uint16Array, length: number, hits: MatchHits): number {
    if (!(length >= 0 && length <= codes.length)) {
      throw new RangeError(`scan length ${length} is outside 0..${codes.length}`);
    }
    const classMap = this.#classMap;
    const rootRow = this.#rootRow;
    const table = this.#table;
    const emitStart = this.#emitStart;
    const emitNext = this.#emitNext;
    const emitPatterns = this.#emitPatterns;
    let hitPattern = hits.pattern;
    let hitEnd = hits.end;
    let count = 0;
    let state = 0;

    for (let i = 0; i < length; i++) {
      const cls = classMap[codes[i]];
      if (cls === 0) {
        state = 0; // a unit in no pattern: every pattern in progress dies here
        continue;
      }
      for (;;) {
        if (state === 0) {
          state = rootRow[cls];
          break;
        }
        const next = table[state * STRIDE + BASE] + cls;
        if (table[next * STRIDE + CHECK] === state) {
          state = next;
          break;
        }
        state = table[state * STRIDE + FAIL];
      }
      let emit = table[state * STRIDE + EMIT];
      while (emit >= 0) {
        for (let k = emitStart[emit], kEnd = emitStart[emit + 1]; k < kEnd; k++) {
          if (count === hitPattern.length) {
            growHits(hits, count);
            hitPattern = hits.pattern;
            hitEnd = hits.end;
          }
          hitPattern[count] = emitPatterns[k];
          hitEnd[count] = i;
          count++;
        }
        emit = emitNext[emit];
      }
    }
    hits.count = count;
    return count;
  }
}

/** Doubles the hit arrays, keeping the first `count` entries. Only ever runs when a scan outgrows them. */
function growHits(hits: MatchHits, count: number): void {
  const capacity = Math.max(16, hits.pattern.length * 2);
  const pattern = new Int32Array(capacity);
  const end = new Int32Array(capacity);
  pattern.set(hits.pattern.subarray(0, count));
  end.set(hits.end.subarray(0, count));
  hits.pattern = pattern;
  hits.end = end;
}
