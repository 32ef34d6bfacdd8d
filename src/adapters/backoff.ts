/** Exponential backoff with jitter, shared by retries and reconnects. */
export interface BackoffOptions {
  /** First delay. */
  minMs: number;
  /** Largest delay. */
  maxMs: number;
  /** ± this fraction of randomness, so many clients do not retry in lock-step. Default 0.2. */
  jitter?: number;
}

/** Delay before retry `attempt` (0-based): min(maxMs, minMs·2^attempt), ± jitter. */
export function backoffDelay(attempt: number, o: BackoffOptions, random: () => number = Math.random): number {
  const base = Math.min(o.maxMs, o.minMs * 2 ** Math.min(Math.max(attempt, 0), 30));
  const j = o.jitter ?? 0.2;
  return Math.max(0, Math.round(base * (1 - j + 2 * j * random())));
}

/** Resolves true after `ms`, or false as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
