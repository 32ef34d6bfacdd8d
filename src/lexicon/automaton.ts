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
import type { ChildLists } from './automaton-trie.js';
import { ROOT, breadthFirstOrder, buildTrie, childLists } from './automaton-trie.js';
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
  const canonical = checkCanonical(options.canonical);
  const { classOf, classCount, totalUnits } = assignClasses(patterns, canonical);

  // 1. Trie over class sequences, its shape, and a double-array cell for every node.
  const trie = buildTrie(patterns, canonical, classOf, totalUnits);
  const stateCount = trie.nodeCount;
  const children = childLists(trie);
  const order = breadthFirstOrder(children, stateCount);
  const { cell, base, cellCount } = placeDoubleArray(order, children, trie.label, classCount);

  // 2. The transition table (cell space): base and check, then failure links resolved over it.
  const table = new Int32Array(cellCount * STRIDE);
  for (let c = 0; c < cellCount; c++) {
    table[c * STRIDE + CHECK] = -1; // free cell: no state has -1 as its cell
    table[c * STRIDE + EMIT] = -1;
  }
  const parent = trie.parent;
  for (let node = 0; node < stateCount; node++) {
    const at = cell[node] * STRIDE;
    table[at + BASE] = base[node];
    table[at + CHECK] = node === ROOT ? -1 : cell[parent[node]];
  }
  resolveFailureLinks(table, order, cell, parent, trie.label);

  // 3. Outputs and dictionary-suffix links.
  const outputs = collectOutputs(trie.terminal, stateCount, order, cell, table);
  for (let node = 0; node < stateCount; node++) table[cell[node] * STRIDE + EMIT] = outputs.emitOf[node];

  const rootRow = rootTransitions(children, trie.label, cell, classCount);
  const classMap = new Uint16Array(CODE_UNITS);
  for (let code = 0; code < CODE_UNITS; code++) classMap[code] = classOf[canonical ? canonical[code] : code];

  return new DoubleArrayAutomaton(
    patterns.length,
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

/**
 * fail[s]: the cell of the longest proper suffix of s's string that is also a trie state. BFS order makes the
 * parent's link ready first; lookups run on the double array itself (one add and one compare each).
 */
function resolveFailureLinks(
  table: Int32Array,
  order: Int32Array,
  cell: Int32Array,
  parent: Int32Array,
  label: Uint16Array,
): void {
  table[0 * STRIDE + FAIL] = 0;
  for (let k = 1; k < order.length; k++) {
    const node = order[k];
    const at = cell[node];
    const from = cell[parent[node]];
    if (from === 0) {
      table[at * STRIDE + FAIL] = 0; // depth 1
      continue;
    }
    const cls = label[node];
    let f = table[from * STRIDE + FAIL];
    for (;;) {
      const next = table[f * STRIDE + BASE] + cls;
      if (table[next * STRIDE + CHECK] === f) {
        table[at * STRIDE + FAIL] = next;
        break;
      }
      if (f === 0) {
        table[at * STRIDE + FAIL] = 0;
        break;
      }
      f = table[f * STRIDE + FAIL];
    }
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
  patterns: readonly ArrayLike<number>[],
  canonical: Uint16Array | undefined,
): { classOf: Uint16Array; classCount: number; totalUnits: number } {
  const frequency = new Int32Array(CODE_UNITS);
  let totalUnits = 0;
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
      frequency[canonical ? canonical[unit] : unit]++;
    }
    totalUnits += units.length;
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
  /** emitOf[node]: emit id of the first state on node's failure chain (node included) ending a pattern, or -1. */
  emitOf: Int32Array;
  /** Patterns of emit id e: patterns[start[e] .. start[e+1]). */
  start: Int32Array;
  patterns: Int32Array;
  /** next[e]: the next emit id on the failure chain, or -1. */
  next: Int32Array;
}

function collectOutputs(
  terminal: Int32Array,
  stateCount: number,
  order: Int32Array,
  cell: Int32Array,
  table: Int32Array,
): Outputs {
  const ownCount = new Int32Array(stateCount);
  let outputCount = 0;
  for (let p = 0; p < terminal.length; p++) {
    if (terminal[p] >= 0) {
      ownCount[terminal[p]]++;
      outputCount++;
    }
  }
  // Emit ids in BFS order, so a state's dictionary link (shallower) always has its id already.
  const emitIdOfNode = new Int32Array(stateCount).fill(-1);
  let emitCount = 0;
  for (let k = 0; k < stateCount; k++) {
    const node = order[k];
    if (ownCount[node] > 0) emitIdOfNode[node] = emitCount++;
  }
  const start = new Int32Array(emitCount + 1);
  for (let node = 0; node < stateCount; node++) {
    const id = emitIdOfNode[node];
    if (id >= 0) start[id + 1] = ownCount[node];
  }
  for (let e = 0; e < emitCount; e++) start[e + 1] += start[e];
  const fillAt = start.slice(0, emitCount);
  const patterns = new Int32Array(outputCount);
  for (let p = 0; p < terminal.length; p++) {
    if (terminal[p] >= 0) patterns[fillAt[emitIdOfNode[terminal[p]]]++] = p;
  }

  // emitOf, kept per cell while walking BFS (the fail target is a cell), then read back per node.
  const emitOfCell = new Int32Array(table.length / STRIDE).fill(-1);
  const emitOf = new Int32Array(stateCount).fill(-1);
  const next = new Int32Array(emitCount).fill(-1);
  for (let k = 1; k < stateCount; k++) {
    const node = order[k];
    const at = cell[node];
    const inherited = emitOfCell[table[at * STRIDE + FAIL]]; // the root's is -1
    const own = emitIdOfNode[node];
    if (own >= 0) next[own] = inherited;
    emitOfCell[at] = own >= 0 ? own : inherited;
    emitOf[node] = emitOfCell[at];
  }
  return { emitOf, start, patterns, next };
}

function rootTransitions(
  children: ChildLists,
  label: Uint16Array,
  cell: Int32Array,
  classCount: number,
): Int32Array {
  const row = new Int32Array(classCount); // 0 = stay at the root
  for (let k = children.start[ROOT], end = children.start[ROOT + 1]; k < end; k++) {
    const child = children.list[k];
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
