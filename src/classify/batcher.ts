/**
 * The bounded queue in front of the worker pool. Texts from concurrent classify() calls are grouped into
 * micro-batches: a batch leaves as soon as it is full, when the batch window has passed since the first text
 * waited, or when a worker frees up while texts wait. Every request has a deadline; at the deadline the
 * texts not yet scored are given up (those still queued never reach a worker) and the caller judges them
 * without the model.
 *
 * Allocation per batch only (the batch array, its texts); nothing per message beyond its Job record.
 */

/** Where a text stands. The terminal states say why it has no scores. */
export const QUEUED = 0;
export const SENT = 1;
export const SCORED = 2;
export const TIMED_OUT = 3;
export const QUEUE_FULL = 4;
export const UNAVAILABLE = 5;

export interface Job {
  text: string;
  state: number;
  /** Probabilities, one per model label, when SCORED. */
  scores: Float32Array | null;
  request: Request;
}

interface Request {
  pending: number;
  done: (() => void) | null;
}

export interface BatcherHooks {
  onBatch(size: number): void;
  onQueueDepth(depth: number): void;
  onTimeout(): void;
  onSkipped(reason: 'queue_full' | 'unavailable'): void;
}

export interface BatcherOptions {
  batchSize: number;
  batchWindowMs: number;
  queueMax: number;
  /** Probabilities per text in a worker answer. */
  width: number;
  /** True when a worker is free to take a batch now. */
  canRun(): boolean;
  /** Sends a batch to a free worker (only called right after canRun() said yes). */
  run(texts: string[]): Promise<Float32Array>;
  hooks: BatcherHooks;
}

export class MicroBatcher {
  readonly #o: BatcherOptions;
  #queue: Job[] = [];
  #head = 0;
  /** Queued jobs not given up. */
  #live = 0;
  #windowTimer: NodeJS.Timeout | null = null;
  #windowExpired = false;
  #batches = 0;

  constructor(options: BatcherOptions) {
    this.#o = options;
  }

  get depth(): number {
    return this.#live;
  }

  get batches(): number {
    return this.#batches;
  }

  /** Queues the texts and resolves when each is scored or given up (deadline, full queue, worker failure). */
  async score(texts: readonly string[], timeoutMs: number): Promise<Job[]> {
    const request: Request = { pending: 0, done: null };
    const jobs: Job[] = new Array(texts.length);
    for (let i = 0; i < texts.length; i++) {
      const job: Job = { text: texts[i]!, state: QUEUED, scores: null, request };
      jobs[i] = job;
      if (this.#live >= this.#o.queueMax) {
        job.state = QUEUE_FULL;
        this.#o.hooks.onSkipped('queue_full');
        continue;
      }
      this.#queue.push(job);
      this.#live++;
      request.pending++;
    }
    if (request.pending === 0) return jobs;
    this.#o.hooks.onQueueDepth(this.#live);
    const finished = new Promise<void>((resolve) => (request.done = resolve));
    const deadline = setTimeout(() => this.#expire(jobs), timeoutMs);
    this.#armWindow();
    this.pump();
    await finished;
    clearTimeout(deadline);
    return jobs;
  }

  /** Sends whatever is ready to free workers. Called on enqueue, at the window, and when a worker frees up. */
  pump(workerFreed = false): void {
    if (workerFreed && this.#live > 0) this.#windowExpired = true;
    while (this.#live > 0 && (this.#live >= this.#o.batchSize || this.#windowExpired) && this.#o.canRun()) {
      const batch = this.#take();
      const pending = this.#o.run(batch.map((j) => j.text));
      for (const job of batch) job.state = SENT;
      this.#batches++;
      this.#o.hooks.onBatch(batch.length);
      this.#o.hooks.onQueueDepth(this.#live);
      pending.then(
        (scores) => this.#scored(batch, scores),
        () => this.#failed(batch),
      );
    }
    if (this.#live === 0) this.#resetWindow();
  }

  /** Drops everything queued (close()); the callers judge those texts without the model. */
  drain(): void {
    for (let i = this.#head; i < this.#queue.length; i++) {
      const job = this.#queue[i]!;
      if (job.state !== QUEUED) continue;
      job.state = UNAVAILABLE;
      this.#o.hooks.onSkipped('unavailable');
      this.#settle(job);
    }
    this.#queue = [];
    this.#head = 0;
    this.#live = 0;
    this.#resetWindow();
    this.#o.hooks.onQueueDepth(0);
  }

  #take(): Job[] {
    const batch: Job[] = [];
    while (batch.length < this.#o.batchSize && this.#head < this.#queue.length) {
      const job = this.#queue[this.#head++]!;
      if (job.state !== QUEUED) continue; // given up at its deadline
      batch.push(job);
      this.#live--;
    }
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    return batch;
  }

  #armWindow(): void {
    if (this.#windowExpired || this.#windowTimer) return;
    if (this.#o.batchWindowMs <= 0) {
      this.#windowExpired = true;
      return;
    }
    this.#windowTimer = setTimeout(() => {
      this.#windowTimer = null;
      this.#windowExpired = true;
      this.pump();
    }, this.#o.batchWindowMs);
  }

  #resetWindow(): void {
    this.#windowExpired = false;
    if (this.#windowTimer) clearTimeout(this.#windowTimer);
    this.#windowTimer = null;
  }

  #scored(batch: Job[], scores: Float32Array): void {
    const width = this.#o.width;
    const complete = scores.length === batch.length * width;
    for (let i = 0; i < batch.length; i++) {
      const job = batch[i]!;
      if (job.state !== SENT) continue; // its deadline passed while the worker ran
      if (complete) {
        job.state = SCORED;
        job.scores = scores.subarray(i * width, (i + 1) * width);
      } else {
        job.state = UNAVAILABLE;
        this.#o.hooks.onSkipped('unavailable');
      }
      this.#settle(job);
    }
  }

  #failed(batch: Job[]): void {
    for (const job of batch) {
      if (job.state !== SENT) continue;
      job.state = UNAVAILABLE;
      this.#o.hooks.onSkipped('unavailable');
      this.#settle(job);
    }
  }

  #expire(jobs: Job[]): void {
    for (const job of jobs) {
      if (job.state === QUEUED) this.#live--;
      else if (job.state !== SENT) continue;
      job.state = TIMED_OUT;
      this.#o.hooks.onTimeout();
      this.#settle(job);
    }
    this.#o.hooks.onQueueDepth(this.#live);
    if (this.#live === 0) this.#resetWindow();
  }

  #settle(job: Job): void {
    const request = job.request;
    if (--request.pending === 0) request.done?.();
  }
}
