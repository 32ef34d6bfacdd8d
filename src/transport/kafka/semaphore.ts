/**
 * Bounds how many batches are between the judge and the broker's acknowledgement at once (backpressure:
 * while every slot is taken, partition workers wait here, and kafkajs fetches nothing more for them).
 */
export class Semaphore {
  #free: number;
  readonly #waiters: Array<() => void> = [];

  constructor(size: number) {
    this.#free = size;
  }

  acquire(): Promise<void> {
    if (this.#free > 0) {
      this.#free--;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Hands the slot straight to the oldest waiter, so waiting is first-come first-served. */
  release(): void {
    const next = this.#waiters.shift();
    if (next) next();
    else this.#free++;
  }

  get available(): number {
    return this.#free;
  }

  get waiting(): number {
    return this.#waiters.length;
  }
}
