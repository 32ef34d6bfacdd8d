/**
 * Build-time trie over the (canonical) patterns, the first stage of `buildAutomaton`.
 *
 * Nodes live in flat typed arrays (parent, label) instead of objects, and child lookup goes through one
 * open-addressing hash table keyed by (parent, label). A slot holds only the child id (4 bytes); the key is
 * read back from `parent`/`label`. Measured against sorting the patterns and sharing prefixes, hashing is
 * 2-3x faster for 100k patterns, because sorting strings with a comparator costs more than the probes.
 */

/** Node 0 is the root. */
export const ROOT = 0;

export interface BuildTrie {
  nodeCount: number;
  /** parent[n]: the node n hangs from (parent[ROOT] = -1). */
  parent: Int32Array;
  /** label[n]: the class on the edge parent[n] → n. */
  label: Uint16Array;
  /** terminal[p]: the node where pattern p ends, -1 for an empty pattern. */
  terminal: Int32Array;
}

/**
 * @param patterns the patterns as given (UTF-16 code units, already validated)
 * @param canonical optional code → canonical code table, applied before anything else
 * @param classOf canonical code → class (1..K-1)
 * @param totalUnits total length of the patterns (bounds the node count)
 */
export function buildTrie(
  patterns: readonly ArrayLike<number>[],
  canonical: Uint16Array | undefined,
  classOf: Uint16Array,
  totalUnits: number,
): BuildTrie {
  const maxNodes = totalUnits + 1;
  const parent = new Int32Array(maxNodes);
  const label = new Uint16Array(maxNodes);
  const terminal = new Int32Array(patterns.length).fill(-1);
  parent[ROOT] = -1;
  // Load factor ≤ 0.5 keeps linear probing short. 0 marks an empty slot: the root is nobody's child.
  let capacity = 16;
  while (capacity < maxNodes * 2) capacity *= 2;
  const slots = new Int32Array(capacity);
  const mask = capacity - 1;
  let nodeCount = 1;

  for (let p = 0; p < patterns.length; p++) {
    const units = patterns[p];
    if (units.length === 0) continue;
    let node = ROOT;
    for (let i = 0; i < units.length; i++) {
      const unit = units[i];
      const cls = classOf[canonical ? canonical[unit] : unit];
      let h = slotHash(node, cls) & mask;
      for (;;) {
        const candidate = slots[h];
        if (candidate === 0) {
          const created = nodeCount++;
          parent[created] = node;
          label[created] = cls;
          slots[h] = created;
          node = created;
          break;
        }
        if (parent[candidate] === node && label[candidate] === cls) {
          node = candidate;
          break;
        }
        h = (h + 1) & mask;
      }
    }
    terminal[p] = node;
  }
  return { nodeCount, parent, label, terminal };
}

function slotHash(node: number, cls: number): number {
  let h = Math.imul(node, 0x9e3779b1) ^ Math.imul(cls, 0x85ebca6b);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return h >>> 0;
}

/** Children of every node in compressed-sparse-row form: children of n are list[start[n] .. start[n+1]). */
export interface ChildLists {
  start: Int32Array;
  list: Int32Array;
}

export function childLists(trie: BuildTrie): ChildLists {
  const n = trie.nodeCount;
  const parent = trie.parent;
  const start = new Int32Array(n + 1);
  for (let node = 1; node < n; node++) start[parent[node] + 1]++;
  for (let node = 0; node < n; node++) start[node + 1] += start[node];
  const fill = start.slice(0, n);
  const list = new Int32Array(Math.max(0, n - 1));
  for (let node = 1; node < n; node++) list[fill[parent[node]]++] = node;
  return { start, list };
}

/** Nodes in breadth-first order (root first): every node comes after its parent and its fail target. */
export function breadthFirstOrder(children: ChildLists, nodeCount: number): Int32Array {
  const order = new Int32Array(nodeCount);
  let tail = 1;
  order[0] = ROOT;
  for (let head = 0; head < tail; head++) {
    const node = order[head];
    for (let k = children.start[node], end = children.start[node + 1]; k < end; k++) {
      order[tail++] = children.list[k];
    }
  }
  return order;
}
