import type { Verdict } from '../contracts/types.js';
import { silentLogger, type Logger } from '../log/logger.js';
import type { MemberMonitor } from './monitor.js';

export interface MemberSweeperOptions {
  monitor: MemberMonitor;
  /** Where the sweep's verdicts go (the same place as the monitor's other verdicts). */
  deliver: (verdicts: Verdict[]) => void | Promise<void>;
  /** Between the end of one sweep and the start of the next. Default 15 minutes. */
  intervalMs?: number;
  logger?: Logger;
  /** Called after every sweep (metrics): how long it took, how many verdicts, whether it failed. */
  onSweep?: (seconds: number, verdicts: number, ok: boolean) => void;
}

/**
 * Runs the monitor's sweep periodically, never two at once. A sweep that fails (the store is down) is
 * logged and simply runs again at the next interval: departures and idle members stay due until a sweep
 * reports them. A sweep whose findings cannot be delivered gives their claims back to the store
 * (MemberMonitor.release: "reported" marks, idle-queue places), so the next sweep finds them again; if
 * even that fails, every verdict id is logged at error level.
 */
export class MemberSweeper {
  readonly #o: MemberSweeperOptions;
  readonly #intervalMs: number;
  readonly #logger: Logger;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;
  #stopped = false;

  constructor(options: MemberSweeperOptions) {
    this.#o = options;
    this.#intervalMs = options.intervalMs ?? 15 * 60_000;
    this.#logger = options.logger ?? silentLogger();
  }

  /** First sweep right away, then every interval. */
  start(): void {
    this.#stopped = false;
    this.#schedule(0);
  }

  /** One sweep now (also what the timer runs); resolves when it is done. */
  runOnce(): Promise<void> {
    this.#running ??= this.#sweep().finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#running;
  }

  #schedule(delay: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      void this.runOnce().then(() => this.#schedule(this.#intervalMs));
    }, delay);
    this.#timer.unref();
  }

  async #sweep(): Promise<void> {
    const started = performance.now();
    try {
      const verdicts = await this.#o.monitor.sweep();
      if (verdicts.length > 0) {
        try {
          await this.#o.deliver(verdicts);
        } catch (e) {
          // A no-op for verdicts the deliver function released already.
          const released = await this.#o.monitor.release(verdicts).then(
            () => true,
            (err: unknown) => {
              this.#logger.error({ err }, 'member sweep verdicts could not be released');
              return false;
            },
          );
          this.#logger.error(
            { err: e, undelivered: verdicts.map((v) => v.messageId), released },
            released
              ? 'member sweep verdicts could not be delivered; the next sweep makes them again'
              : 'member sweep verdicts could not be delivered, nor released: they will not be made again',
          );
          throw e;
        }
      }
      this.#o.onSweep?.((performance.now() - started) / 1000, verdicts.length, true);
      if (verdicts.length > 0)
        this.#logger.info({ verdicts: verdicts.length }, 'member sweep found members to act on');
    } catch (e) {
      this.#o.onSweep?.((performance.now() - started) / 1000, 0, false);
      this.#logger.error({ err: e }, 'member sweep failed; retrying at the next interval');
    }
  }
}
