/**
 * Runs async jobs one at a time, in arrival order. The embedded runner judges every HTTP request and stdin
 * batch through one of these, so strikes and flood windows see messages in the order they arrived.
 */
export class SerialExecutor {
  #tail: Promise<unknown> = Promise.resolve();
  #pending = 0;

  get pending(): number {
    return this.#pending;
  }

  run<T>(job: () => Promise<T>): Promise<T> {
    this.#pending++;
    const next = this.#tail.then(job, job);
    this.#tail = next.then(
      () => this.#pending--,
      () => this.#pending--,
    );
    return next;
  }

  /** Resolves when everything queued so far has finished. */
  async drain(): Promise<void> {
    while (this.#pending > 0) await this.#tail;
  }
}
