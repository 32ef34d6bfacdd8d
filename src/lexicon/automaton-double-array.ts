/**
 * Double-array placement of the build trie: every node gets a cell, and every node with children a `base`
 * such that its child along class c sits in cell base + c. A transition is then one add and one compare
 * (check[base[s] + c] === s) — no hashing, no per-node objects, no search over sibling lists.
 *
 * Placement is first-fit over free cells, widest nodes first. Classes are numbered by pattern frequency
 * (frequent characters get small numbers), so most nodes' children cluster at low offsets and pack densely.
 */
import { ROOT } from './automaton-trie.js';

export interface Placement {
  /** cell[n]: the double-array cell of trie node n (cell[ROOT] = 0). */
  cell: Int32Array;
  /** base[n]: offset of n's children; 0 for leaves (base + c = c stays in bounds, and no check names a leaf). */
  base: Int32Array;
  /** Cells needed so that base[n] + c stays in bounds for every node and every class c < classCount. */
  cellCount: number;
}

/**
 * @param firstChild children of node n are the ids firstChild[n] .. firstChild[n + 1] - 1 (breadth-first ids)
 * @param label label[n]: the class on the edge into n
 */
export function placeDoubleArray(
  nodeCount: number,
  firstChild: Int32Array,
  label: Uint16Array,
  classCount: number,
): Placement {
  const cell = new Int32Array(nodeCount);
  const base = new Int32Array(nodeCount);
  const free = new FreeCells(Math.max(1024, nodeCount * 2 + classCount * 2));
  free.take(0); // the root's cell
  const { wideNodes, singleNodes } = byDegreeDescending(nodeCount, firstChild);
  const wide = placeWide(wideNodes, firstChild, label, classCount, free, cell, base);
  const single = placeSingle(singleNodes, firstChild, label, classCount, free, cell, base);
  const maxBase = Math.max(wide.maxBase, single.maxBase);
  const maxCell = Math.max(wide.maxCell, single.maxCell);
  cell[ROOT] = 0;
  return { cell, base, cellCount: Math.max(maxCell + 1, maxBase + classCount) };
}

interface Extent {
  maxBase: number;
  maxCell: number;
}

/** Nodes with several children: first fit over free cells, resuming per degree bucket. */
function placeWide(
  nodes: Int32Array,
  firstChild: Int32Array,
  label: Uint16Array,
  classCount: number,
  free: FreeCells,
  cell: Int32Array,
  base: Int32Array,
): Extent {
  let maxBase = 0;
  let maxCell = 0;
  const childClasses = new Int32Array(classCount);
  // Where the last node of each degree bucket was placed: nodes of similar degree resume their search there
  // instead of re-trying the densely packed front, which keeps placement near-linear for wide alphabets.
  const resumeAt = new Int32Array(DEGREE_BUCKETS);
  for (let k = 0; k < nodes.length; k++) {
    const node = nodes[k];
    const from = firstChild[node];
    const degree = firstChild[node + 1] - from;

    let minClass = classCount;
    for (let j = 0; j < degree; j++) {
      const cls = label[from + j];
      childClasses[j] = cls;
      if (cls < minClass) minClass = cls;
    }

    // First free cell f whose base f - minClass fits every child.
    const bucket = degreeBucket(degree);
    let f = free.next(Math.max(minClass, resumeAt[bucket]), classCount);
    for (;;) {
      const b = f - minClass;
      let fits = true;
      for (let j = 0; j < degree; j++) {
        if (!free.isFree(b + childClasses[j])) {
          fits = false;
          break;
        }
      }
      if (fits) break;
      f = free.next(f + 1, classCount);
    }
    resumeAt[bucket] = f;

    const b = f - minClass;
    base[node] = b;
    if (b > maxBase) maxBase = b;
    for (let j = 0; j < degree; j++) {
      const c = b + childClasses[j];
      free.take(c);
      cell[from + j] = c;
      if (c > maxCell) maxCell = c;
    }
  }
  return { maxBase, maxCell };
}

/**
 * Nodes with one child (most of them), placed after all wider ones: the child takes the first free cell at
 * or after its class, which is nearly always the first free cell of all — a cursor that only moves forward.
 */
function placeSingle(
  nodes: Int32Array,
  firstChild: Int32Array,
  label: Uint16Array,
  classCount: number,
  free: FreeCells,
  cell: Int32Array,
  base: Int32Array,
): Extent {
  let maxBase = 0;
  let maxCell = 0;
  for (let k = 0; k < nodes.length; k++) {
    const node = nodes[k];
    const child = firstChild[node];
    const cls = label[child];
    const c = free.firstFreeFrom(cls, classCount);
    const b = c - cls;
    base[node] = b;
    if (b > maxBase) maxBase = b;
    free.take(c);
    cell[child] = c;
    if (c > maxCell) maxCell = c;
  }
  return { maxBase, maxCell };
}

/**
 * The set of free cells, with "next free cell at or after i" in near-constant time: a union-find whose
 * links jump over runs of used cells (path halving), so placement never re-walks the packed front.
 */
class FreeCells {
  #used: Uint8Array;
  /**
   * Union-find links stored as distances: cell i's link is i + skip[i], and 0 means "itself". Zero-filled
   * memory is then a valid start (no identity fill, no page of it touched before it is needed).
   */
  #skip: Int32Array;
  /** No free cell before it (firstFreeFrom). */
  #cursor = 0;

  constructor(capacity: number) {
    this.#used = new Uint8Array(capacity);
    this.#skip = new Int32Array(capacity);
  }

  isFree(i: number): boolean {
    return this.#used[i] === 0;
  }

  /**
   * The first free cell ≥ min, like next(min, headroom), for callers that never free cells: it keeps a cursor
   * on the first free cell of all, which is the answer whenever it is ≥ min.
   */
  firstFreeFrom(min: number, headroom: number): number {
    const used = this.#used;
    let at = this.#cursor;
    while (at < used.length && used[at] === 1) at++;
    this.#cursor = at;
    return at >= min ? this.next(at, headroom) : this.next(min, headroom);
  }

  take(i: number): void {
    this.#used[i] = 1;
    this.#skip[i] = 1;
  }

  /** The first free cell ≥ i; guarantees `headroom` more cells exist after it. */
  next(i: number, headroom: number): number {
    this.#ensure(i + headroom + 2);
    let skip = this.#skip;
    let at = i;
    for (;;) {
      const link = at + skip[at];
      if (link === at) break;
      if (link + 1 >= skip.length) {
        this.#ensure(link + headroom + 2);
        skip = this.#skip;
      }
      const hop = link + skip[link]; // path halving: point `at` past the next used run too
      skip[at] = hop - at;
      at = hop;
    }
    this.#ensure(at + headroom + 1);
    return at;
  }

  #ensure(size: number): void {
    if (size <= this.#used.length) return;
    let capacity = this.#used.length * 2;
    while (capacity < size) capacity *= 2;
    const used = new Uint8Array(capacity);
    used.set(this.#used);
    const skip = new Int32Array(capacity);
    skip.set(this.#skip);
    this.#used = used;
    this.#skip = skip;
  }
}

const DEGREE_BUCKETS = 18;

/** Buckets 0..17 by powers of two: 1, 2-3, 4-7, ... */
function degreeBucket(degree: number): number {
  return Math.min(DEGREE_BUCKETS - 1, 31 - Math.clz32(degree));
}

/**
 * Nodes that have children, widest first (BFS order among equals): wide nodes are the hard ones to fit and
 * claim the empty space first; the many single-child nodes then fill the holes left between them.
 */
function byDegreeDescending(
  nodeCount: number,
  firstChild: Int32Array,
): { wideNodes: Int32Array; singleNodes: Int32Array } {
  let wide = 0;
  let single = 0;
  let maxDegree = 1;
  for (let node = 0; node < nodeCount; node++) {
    const degree = firstChild[node + 1] - firstChild[node];
    if (degree === 1) single++;
    else if (degree > 1) {
      wide++;
      if (degree > maxDegree) maxDegree = degree;
    }
  }
  const singleNodes = new Int32Array(single);
  const unsorted = new Int32Array(wide);
  const startOfDegree = new Int32Array(maxDegree + 2);
  for (let node = 0, s = 0, w = 0; node < nodeCount; node++) {
    const degree = firstChild[node + 1] - firstChild[node];
    if (degree === 1) singleNodes[s++] = node;
    else if (degree > 1) {
      unsorted[w++] = node;
      startOfDegree[maxDegree - degree + 1]++;
    }
  }
  for (let d = 0; d <= maxDegree; d++) startOfDegree[d + 1] += startOfDegree[d];
  const wideNodes = new Int32Array(wide);
  for (let k = 0; k < wide; k++) {
    const node = unsorted[k];
    wideNodes[startOfDegree[maxDegree - (firstChild[node + 1] - firstChild[node])]++] = node;
  }
  return { wideNodes, singleNodes };
}
