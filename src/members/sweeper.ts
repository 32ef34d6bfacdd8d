import type { Verdict } from '../contracts/types.js';
import { silentLogger, type Logger } from '../log/logger.js';
import { releasingDelivery, type MemberMonitor } from './monitor.js';
import { MemberDeliveryError } from './verdicts.js';

export interface MemberSweeperOptions {
  monitor: MemberMonitor;
  /**
   * Where the sweep's verdicts go (the same place as the monitor's other verdicts): the plain send; the
   * sweeper wraps it in releasingDelivery itself, so what it could not deliver is given back.
   */
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
 * (releasingDelivery → MemberMonitor.release: "reported" marks, idle-queue places), so the next sweep
 * finds them again; the failure is logged once, at error level, with every verdict id.
 */
export class MemberSweeper {
  readonly #o: MemberSweeperOptions;
  readonly #intervalMs: number;
  readonly #logger: Logger;
  readonly #deliver: (verdicts: Verdict[]) => Promise<void>;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;
  #stopped = false;

  constructor(options: MemberSweeperOptions) {
    this.#o = options;
    this.#intervalMs = options.intervalMs ?? 15 * 60_000;
    this.#logger = options.logger ?? silentLogger();
    this.#deliver = releasingDelivery(options.monitor, options.deliver, this.#logger);
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
      if (verdicts.length > 0) await this.#deliver(verdicts);
      this.#o.onSweep?.((performance.now() - started) / 1000, verdicts.length, true);
      if (verdicts.length > 0)
        this.#logger.info({ verdicts: verdicts.length }, 'member sweep found members to act on');
    } catch (e) {
      this.#o.onSweep?.((performance.now() - started) / 1000, 0, false);
      // An undelivered sweep was logged by releasingDelivery already (with its verdicts).
      if (!(e instanceof MemberDeliveryError))
        this.#logger.error({ err: e }, 'member sweep failed; retrying at the next interval');
    }
  }
}
