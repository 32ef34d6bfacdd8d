/**
 * Double-array placement of the build trie: every node gets a cell, and every node with children a `base`
 * such that its child along class c sits in cell base + c. A transition is then one add and one compare
 * (check[base[s] + c] === s) — no hashing, no per-node objects, no search over sibling lists.
 *
 * Placement is first-fit over free cells, widest nodes first. Classes are numbered by pattern frequency
 * (frequent characters get small numbers), so most nodes' children cluster at low offsets and pack densely.
 */
import type { ChildLists } from './automaton-trie.js';
import { ROOT } from './automaton-trie.js';

export interface Placement {
  /** cell[n]: the double-array cell of trie node n (cell[ROOT] = 0). */
  cell: Int32Array;
  /** base[n]: offset of n's children; 0 for leaves (base + c = c stays in bounds, and no check names a leaf). */
  base: Int32Array;
  /** Cells needed so that base[n] + c stays in bounds for every node and every class c < classCount. */
  cellCount: number;
}

export function placeDoubleArray(
  order: Int32Array,
  children: ChildLists,
  label: Uint16Array,
  classCount: number,
): Placement {
  const nodeCount = order.length;
  const cell = new Int32Array(nodeCount);
  const base = new Int32Array(nodeCount);
  const free = new FreeCells(Math.max(1024, nodeCount * 2 + classCount * 2));
  free.take(0); // the root's cell
  let maxBase = 0;
  let maxCell = 0;
  const childClasses = new Int32Array(classCount);
  // Where the last node of each degree bucket was placed: nodes of similar degree resume their search there
  // instead of re-trying the densely packed front, which keeps placement near-linear for wide alphabets.
  const resumeAt = new Int32Array(DEGREE_BUCKETS);

  const placementOrder = byDegreeDescending(order, children);
  for (let k = 0; k < placementOrder.length; k++) {
    const node = placementOrder[k];
    const from = children.start[node];
    const degree = children.start[node + 1] - from;

    let minClass = classCount;
    for (let j = 0; j < degree; j++) {
      const cls = label[children.list[from + j]];
      childClasses[j] = cls;
      if (cls < minClass) minClass = cls;
    }

    // First free cell f whose base f - minClass fits every child (a single child fits any free cell).
    const bucket = degreeBucket(degree);
    let f = free.next(Math.max(minClass, degree === 1 ? 0 : resumeAt[bucket]), classCount);
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
      cell[children.list[from + j]] = c;
      if (c > maxCell) maxCell = c;
    }
  }

  cell[ROOT] = 0;
  return { cell, base, cellCount: Math.max(maxCell + 1, maxBase + classCount) };
}

/**
 * The set of free cells, with "next free cell at or after i" in near-constant time: a union-find whose
 * links jump over runs of used cells (path halving), so placement never re-walks the packed front.
 */
class FreeCells {
  #used: Uint8Array;
  #next: Int32Array;

  constructor(capacity: number) {
    this.#used = new Uint8Array(capacity);
    this.#next = new Int32Array(capacity);
    for (let i = 0; i < capacity; i++) this.#next[i] = i;
  }

  isFree(i: number): boolean {
    return this.#used[i] === 0;
  }

  take(i: number): void {
    this.#used[i] = 1;
    this.#next[i] = i + 1;
  }

  /** The first free cell ≥ i; guarantees `headroom` more cells exist after it. */
  next(i: number, headroom: number): number {
    this.#ensure(i + headroom + 2);
    let next = this.#next;
    let at = i;
    for (;;) {
      const link = next[at];
      if (link === at) break;
      if (link + 1 >= next.length) {
        this.#ensure(link + headroom + 2);
        next = this.#next;
      }
      const hop = next[link]; // path halving: point `at` past the next used run too
      next[at] = hop;
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
    const next = new Int32Array(capacity);
    next.set(this.#next);
    for (let i = this.#next.length; i < capacity; i++) next[i] = i;
    this.#used = used;
    this.#next = next;
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
function byDegreeDescending(order: Int32Array, children: ChildLists): Int32Array {
  let maxDegree = 0;
  let inner = 0;
  for (let k = 0; k < order.length; k++) {
    const node = order[k];
    const degree = children.start[node + 1] - children.start[node];
    if (degree > 0) inner++;
    if (degree > maxDegree) maxDegree = degree;
  }
  const startOfDegree = new Int32Array(maxDegree + 2);
  for (let k = 0; k < order.length; k++) {
    const node = order[k];
    const degree = children.start[node + 1] - children.start[node];
    if (degree > 0) startOfDegree[maxDegree - degree + 1]++;
  }
  for (let d = 0; d <= maxDegree; d++) startOfDegree[d + 1] += startOfDegree[d];
  const sorted = new Int32Array(inner);
  for (let k = 0; k < order.length; k++) {
    const node = order[k];
    const degree = children.start[node + 1] - children.start[node];
    if (degree > 0) sorted[startOfDegree[maxDegree - degree]++] = node;
  }
  return sorted;
}
