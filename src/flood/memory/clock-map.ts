/**
 * A map keyed by (scope, key) — e.g. (platform, userId) — bounded to `maxKeys` entries in all, for
 * in-process limiter and strike state.
 *
 * Two levels of Map rather than one Map over `scope + sep + key`: building that string costs an
 * allocation and a fresh hash per lookup, several times the lookup itself.
 *
 * Eviction is CLOCK (second chance), an approximation of LRU that costs nothing on a hit: a hit only sets
 * the entry's `used` flag (reordering a Map on every hit costs more than the rest of a flood check). When
 * the map is full, one sweep from the oldest entries frees 1/64 of it: entries past their `idleUntil` go
 * first (counted as expired: harmless housekeeping), entries used since the last sweep get a second
 * chance (the flag is cleared), the others are evicted (counted: live state forgotten under memory
 * pressure). Freeing in bulk keeps sweeps rare, so the deleted slots V8 leaves at the front of a Map until
 * it rehashes are walked over rarely too.
 */
export interface ClockEntry {
  /** Set on every hit; cleared by the eviction sweep. */
  used: boolean;
  /** Processing time after which the entry holds nothing live (like a Redis key's PEXPIRE). */
  idleUntil: number;
  /** Forgets everything, as if new: an idle entry hit again is reset in place rather than replaced. */
  reset(): void;
}

export class ClockMap<V extends ClockEntry> {
  readonly #scopes = new Map<string, Map<string, V>>();
  readonly #maxKeys: number;
  readonly #sweepSize: number;
  #size = 0;
  // The last scope looked up: nearly every message of a deployment has the same few platforms.
  #lastScope: string | null = null;
  #lastInner: Map<string, V> | undefined = undefined;
  /** Live entries dropped to respect maxKeys. */
  evictions = 0;
  /** Idle entries dropped. */
  expired = 0;

  constructor(maxKeys: number) {
    if (!Number.isInteger(maxKeys) || maxKeys < 1) throw new RangeError('maxKeys must be an integer >= 1');
    this.#maxKeys = maxKeys;
    this.#sweepSize = Math.max(1, maxKeys >>> 6);
  }

  get size(): number {
    return this.#size;
  }

  /**
   * The entry (marked used), or undefined. An idle entry is reset in place and counted as expired: cheaper
   * than deleting it and adding a new one (a Map delete leaves a hole until the table is rebuilt).
   */
  get(scope: string, key: string, now: number): V | undefined {
    const inner = this.#scope(scope);
    if (inner === undefined) return undefined;
    const entry = inner.get(key);
    if (entry === undefined) return undefined;
    if (entry.idleUntil <= now) {
      entry.reset();
      this.expired++;
    }
    entry.used = true;
    return entry;
  }

  /** The entry, without marking it used or resetting it when idle (for reads that change nothing). */
  peek(scope: string, key: string): V | undefined {
    return this.#scope(scope)?.get(key);
  }

  /** Adds a new entry (the key must be absent), making room first when the map is full. */
  add(scope: string, key: string, entry: V, now: number): V {
    if (this.#size >= this.#maxKeys) this.#sweep(now);
    let inner = this.#scope(scope);
    if (inner === undefined) {
      this.#scopes.set(scope, (inner = new Map()));
      this.#lastScope = scope;
      this.#lastInner = inner;
    }
    inner.set(key, entry);
    this.#size++;
    return entry;
  }

  clear(): void {
    this.#scopes.clear();
    this.#size = 0;
    this.#lastScope = null;
    this.#lastInner = undefined;
  }

  #scope(scope: string): Map<string, V> | undefined {
    if (scope === this.#lastScope) return this.#lastInner;
    const inner = this.#scopes.get(scope);
    if (inner !== undefined) {
      this.#lastScope = scope;
      this.#lastInner = inner;
    }
    return inner;
  }

  #sweep(now: number): void {
    let toFree = this.#sweepSize;
    for (const inner of this.#scopes.values()) {
      for (const [key, entry] of inner) {
        if (entry.idleUntil <= now) this.expired++;
        else if (entry.used) {
          entry.used = false;
          continue;
        } else this.evictions++;
        inner.delete(key);
        this.#size--;
        if (--toFree === 0) return this.#dropEmptyScopes();
      }
    }
    // Everything was used since the last sweep: evict the oldest.
    for (const inner of this.#scopes.values()) {
      for (const key of inner.keys()) {
        inner.delete(key);
        this.#size--;
        this.evictions++;
        if (--toFree === 0) return this.#dropEmptyScopes();
      }
    }
    this.#dropEmptyScopes();
  }

  #dropEmptyScopes(): void {
    for (const [scope, inner] of this.#scopes) if (inner.size === 0) this.#scopes.delete(scope);
    this.#lastScope = null;
    this.#lastInner = undefined;
  }
}
