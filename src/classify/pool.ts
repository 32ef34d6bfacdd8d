import { Worker } from 'node:worker_threads';
import { ConfigError } from '../contracts/errors.js';
import type { FromWorker, ToWorker, WorkerInit } from './protocol.js';

/**
 * A fixed set of worker threads, each scoring one batch at a time. A worker that dies is replaced (with
 * back-off if the replacement cannot load either); the batch it held fails, and its messages are judged
 * without the model by the caller. Idle workers are unref'd so they never keep the process alive on their own.
 */

export interface PoolOptions {
  size: number;
  workerUrl: URL;
  init: WorkerInit;
  startTimeoutMs: number;
  /** A worker became free (after a batch, or after a restart). */
  onIdle(): void;
  onCrash(error: unknown): void;
}

/** Why a batch came back without scores. */
export class WorkerFailure extends Error {
  readonly crashed: boolean;
  constructor(message: string, crashed: boolean) {
    super(message);
    this.name = 'WorkerFailure';
    this.crashed = crashed;
  }
}

interface Job {
  id: number;
  resolve(scores: Float32Array): void;
  reject(error: WorkerFailure): void;
}

interface Slot {
  worker: Worker | null;
  ready: boolean;
  job: Job | null;
  restarts: number;
  retryTimer: NodeJS.Timeout | null;
}

const MAX_BACKOFF_MS = 30_000;
const CLOSE_GRACE_MS = 10_000;

function stopGracefully(worker: Worker): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => void worker.terminate(), CLOSE_GRACE_MS);
    worker.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    worker.ref(); // until it has exited
    const close: ToWorker = { type: 'close' };
    try {
      worker.postMessage(close);
    } catch {
      void worker.terminate();
    }
  });
}

/**
 * Running from sources (tests, tsx), the worker is a .ts file. Node 20 workers do not pick up the tsx loader
 * from --import, so a small eval'd bootstrap registers tsx in the worker, then imports the entry.
 */
function tsxBootstrap(entry: URL): string {
  let api: string;
  try {
    api = import.meta.resolve('tsx/esm/api');
  } catch (e) {
    throw new ConfigError(
      'CONFIG_INVALID',
      'classifier.workerUrl',
      `is a .ts file but tsx cannot be resolved to load it (${(e as Error).message})`,
    );
  }
  return `import(${JSON.stringify(api)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`;
}

export class WorkerPool {
  readonly #o: PoolOptions;
  readonly #slots: Slot[] = [];
  /** What `new Worker()` is given: the entry URL, or for a .ts entry (running from sources) a bootstrap. */
  readonly #entry: URL | string;
  #nextJobId = 1;
  #closed = false;

  constructor(options: PoolOptions) {
    this.#o = options;
    this.#entry = options.workerUrl.pathname.endsWith('.ts')
      ? tsxBootstrap(options.workerUrl)
      : options.workerUrl;
    for (let i = 0; i < options.size; i++)
      this.#slots.push({ worker: null, ready: false, job: null, restarts: 0, retryTimer: null });
  }

  /** Starts every worker and waits until each has loaded the model; the first failure closes the pool and throws. */
  async start(): Promise<void> {
    const results = await Promise.allSettled(this.#slots.map((slot) => this.#launch(slot)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      await this.close();
      throw failed.reason;
    }
  }

  get size(): number {
    return this.#slots.length;
  }

  get busy(): number {
    let n = 0;
    for (const s of this.#slots) if (s.job) n++;
    return n;
  }

  /** True when a worker is loaded and free. */
  hasIdle(): boolean {
    return this.#idleSlot() !== undefined;
  }

  /** Scores texts on a free worker (check hasIdle() first); rejects with WorkerFailure. */
  run(texts: string[]): Promise<Float32Array> {
    const slot = this.#idleSlot();
    if (!slot) return Promise.reject(new WorkerFailure('no classifier worker is free', false));
    const worker = slot.worker!;
    return new Promise<Float32Array>((resolve, reject) => {
      const job: Job = { id: this.#nextJobId++, resolve, reject };
      slot.job = job;
      worker.ref();
      const request: ToWorker = { type: 'score', id: job.id, texts };
      worker.postMessage(request);
    });
  }

  #idleSlot(): Slot | undefined {
    if (this.#closed) return undefined;
    for (const s of this.#slots) if (s.ready && s.job === null && s.worker !== null) return s;
    return undefined;
  }

  /**
   * Stops every worker. Jobs in hand fail at once (their messages are judged without the model); each worker
   * is asked to finish its batch and exit, and is terminated only if it has not within `CLOSE_GRACE_MS`.
   */
  async close(): Promise<void> {
    this.#closed = true;
    const stopping: Promise<void>[] = [];
    for (const slot of this.#slots) {
      if (slot.retryTimer) clearTimeout(slot.retryTimer);
      slot.retryTimer = null;
      this.#fail(slot, new WorkerFailure('classifier closed', false));
      slot.ready = false;
      if (slot.worker) stopping.push(stopGracefully(slot.worker));
      slot.worker = null;
    }
    await Promise.all(stopping);
  }

  #fail(slot: Slot, error: WorkerFailure): void {
    const job = slot.job;
    slot.job = null;
    job?.reject(error);
  }

  /** Starts a worker in `slot`; resolves once it is ready, rejects (ConfigError) if it cannot load. */
  #launch(slot: Slot): Promise<void> {
    const { init } = this.#o;
    return new Promise<void>((resolve, reject) => {
      let loaded = false;
      const worker = new Worker(this.#entry, { workerData: init, eval: typeof this.#entry === 'string' });
      slot.worker = worker;
      slot.ready = false;
      const timer = setTimeout(() => {
        if (loaded) return;
        loaded = true;
        slot.worker = null;
        void stopGracefully(worker); // it may be inside onnxruntime: never terminate it there
        reject(
          new ConfigError(
            'MODEL_INVALID',
            init.onnxFile,
            `was not loaded within ${this.#o.startTimeoutMs} ms`,
          ),
        );
      }, this.#o.startTimeoutMs);
      let lastError: unknown = null;

      worker.on('message', (message: FromWorker) => {
        if (slot.worker !== worker) return;
        switch (message.type) {
          case 'ready':
            loaded = true;
            clearTimeout(timer);
            slot.ready = true;
            slot.restarts = 0;
            worker.unref();
            resolve();
            this.#o.onIdle();
            return;
          case 'init-error':
            loaded = true;
            clearTimeout(timer);
            slot.worker = null;
            reject(new ConfigError(message.code ?? 'MODEL_INVALID', message.file, message.message));
            void worker.terminate();
            return;
          case 'scores':
          case 'error': {
            const job = slot.job;
            if (!job || job.id !== message.id) return;
            slot.job = null;
            worker.unref();
            if (message.type === 'scores') job.resolve(message.scores);
            else job.reject(new WorkerFailure(message.message, false));
            this.#o.onIdle();
            return;
          }
        }
      });
      worker.on('error', (error) => {
        lastError = error;
      });
      worker.on('exit', (code) => {
        if (slot.worker !== worker) return;
        slot.worker = null;
        slot.ready = false;
        if (!loaded) {
          loaded = true;
          clearTimeout(timer);
          const why = lastError instanceof Error ? lastError.message : `exit code ${code}`;
          reject(
            new ConfigError(
              'MODEL_INVALID',
              init.onnxFile,
              `could not be loaded: the classifier worker died (${why})`,
              { cause: lastError },
            ),
          );
          return;
        }
        if (this.#closed) return;
        const error = lastError ?? new Error(`classifier worker exited with code ${code}`);
        this.#fail(slot, new WorkerFailure(error instanceof Error ? error.message : String(error), true));
        this.#o.onCrash(error);
        this.#restart(slot);
      });
    });
  }

  /** Replaces a dead worker; if the replacement cannot load, tries again later with back-off. */
  #restart(slot: Slot): void {
    if (this.#closed) return;
    this.#launch(slot).catch(() => {
      if (this.#closed) return;
      slot.restarts++;
      const delay = Math.min(MAX_BACKOFF_MS, 250 * 2 ** Math.min(slot.restarts, 8));
      slot.retryTimer = setTimeout(() => {
        slot.retryTimer = null;
        this.#restart(slot);
      }, delay);
      slot.retryTimer.unref();
    });
  }
}
