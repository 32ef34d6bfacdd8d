import { Counter, type Registry } from 'prom-client';

/**
 * Hot-path friendly metric primitives. prom-client hashes the label set on every inc()/observe() (a string
 * built per call), which is fine per batch but not per message. These keep plain numbers on the hot path and
 * hand them to the registry only when it is scraped.
 */

type Labels = Record<string, string>;

/** One counter series: the hot path does `cell.n += k`; the owning counter picks it up at scrape time. */
export class CounterCell {
  n = 0;
  constructor(readonly labels: Labels) {}
}

/**
 * A prom-client Counter whose series are fed from CounterCells. Each scrape adds the cells' pending counts to
 * the counter (one inc per dirty cell) and zeroes them, so the exposition, resets and JSON output are all
 * prom-client's own.
 */
export class CellCounter {
  readonly counter: Counter;
  readonly #cells: CounterCell[] = [];

  constructor(config: { name: string; help: string; labelNames?: readonly string[]; registry: Registry }) {
    const cells = this.#cells;
    this.counter = new Counter({
      name: config.name,
      help: config.help,
      labelNames: config.labelNames ?? [],
      registers: [config.registry],
      collect() {
        for (const c of cells) {
          if (c.n !== 0) {
            this.inc(c.labels, c.n);
            c.n = 0;
          }
        }
      },
    });
  }

  /** A new series (shown at 0 from the next scrape on). Call once per label set and keep the cell. */
  cell(labels: Labels = {}): CounterCell {
    const c = new CounterCell(labels);
    this.counter.inc(labels, 0);
    this.#cells.push(c);
    return c;
  }
}

/**
 * A histogram with one fixed label (e.g. `stage`) whose values are known up front. observe() is a bucket
 * search and three array writes, no allocation; the registry reads it in prom-client's exposition shape.
 */
export class FastHistogram<L extends string> {
  readonly name: string;
  readonly help: string;
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly #label: string;
  readonly #values: readonly L[];
  readonly #index: Record<string, number>;
  readonly #bounds: Float64Array;
  /** Per label value: one slot per bound plus +Inf, non-cumulative. */
  readonly #buckets: Float64Array;
  readonly #sums: Float64Array;
  readonly #counts: Float64Array;

  constructor(config: {
    name: string;
    help: string;
    label: string;
    values: readonly L[];
    buckets: readonly number[];
    registry: Registry;
  }) {
    this.name = config.name;
    this.help = config.help;
    this.#label = config.label;
    this.#values = config.values;
    this.#index = Object.create(null) as Record<string, number>;
    config.values.forEach((v, i) => (this.#index[v] = i));
    this.#bounds = Float64Array.from([...config.buckets].sort((a, b) => a - b));
    this.#buckets = new Float64Array(config.values.length * (this.#bounds.length + 1));
    this.#sums = new Float64Array(config.values.length);
    this.#counts = new Float64Array(config.values.length);
    config.registry.registerMetric(this as never);
  }

  observe(value: L, seconds: number): void {
    const i = this.#index[value];
    if (i === undefined || !(seconds >= 0)) return; // unknown label value or NaN: dropped, never thrown
    const bounds = this.#bounds;
    // Durations sit mostly in the low buckets: a linear scan from the bottom beats a binary search here.
    let b = 0;
    while (b < bounds.length && seconds > bounds[b]) b++;
    this.#buckets[i * (bounds.length + 1) + b]++;
    this.#sums[i] += seconds;
    this.#counts[i]++;
  }

  /** Observations so far for one label value (tests, benchmarks). */
  count(value: L): number {
    const i = this.#index[value];
    return i === undefined ? 0 : this.#counts[i];
  }

  reset(): void {
    this.#buckets.fill(0);
    this.#sums.fill(0);
    this.#counts.fill(0);
  }

  /** The shape prom-client's Registry formats: cumulative `_bucket` series per `le`, then `_sum`, `_count`. */
  async get(): Promise<{
    name: string;
    help: string;
    type: string;
    aggregator: string;
    values: { labels: Record<string, string | number>; value: number; metricName: string }[];
  }> {
    const values: { labels: Record<string, string | number>; value: number; metricName: string }[] = [];
    const nb = this.#bounds.length + 1;
    for (let i = 0; i < this.#values.length; i++) {
      const lv = this.#values[i];
      let acc = 0;
      for (let b = 0; b < nb; b++) {
        acc += this.#buckets[i * nb + b];
        const le = b < this.#bounds.length ? this.#bounds[b] : '+Inf';
        values.push({ labels: { [this.#label]: lv, le }, value: acc, metricName: `${this.name}_bucket` });
      }
      values.push({ labels: { [this.#label]: lv }, value: this.#sums[i], metricName: `${this.name}_sum` });
      values.push({
        labels: { [this.#label]: lv },
        value: this.#counts[i],
        metricName: `${this.name}_count`,
      });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}
