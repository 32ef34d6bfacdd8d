import type { ModstreamConfig } from '../config/types.js';
import { MessageDecoder } from '../contracts/decode.js';
import { ConfigError, isModstreamError } from '../contracts/errors.js';
import { createDetectors } from '../detect/index.js';
import { floodHashUnits } from '../flood/reasons.js';
import type { FloodLimiter } from '../flood/types.js';
import { createMemoryFloodLimiter } from '../flood/memory/memory-flood-limiter.js';
import { createFolder } from '../fold/folder.js';
import type { Folder } from '../fold/types.js';
import { defaultLexiconDir, loadLexicons, type LexiconWarning } from '../lexicon/index.js';
import type { CompiledLexicon } from '../lexicon/types.js';
import type { Logger } from '../log/logger.js';
import type { ModstreamMetrics } from '../metrics/metrics.js';
import { defaultPolicy, type CompiledPolicy } from '../policy/compile.js';
import { PolicyEngine } from '../policy/engine.js';
import { loadPolicyFile } from '../policy/load.js';
import { Pipeline } from '../pipeline/pipeline.js';
import type { ClassifierStage } from '../pipeline/stages.js';
import { createMemoryStrikeStore } from '../strikes/memory/memory-strike-store.js';
import type { StrikeStore } from '../strikes/types.js';

/** State stores the engine runs on: in-memory (embedded) or Redis (production), chosen by the caller. */
export interface StateStores {
  strikes: StrikeStore;
  flood: FloodLimiter;
  /** Readiness of the stores (Redis reachable, or fail-open declared). */
  ready(): { ok: boolean; detail?: string };
  close(): Promise<void>;
}

export interface EngineOptions {
  config: ModstreamConfig;
  logger: Logger;
  metrics?: ModstreamMetrics | null;
  /** Default: in-memory stores bounded by config.state.maxKeys. */
  stores?: StateStores;
  classifier?: (ClassifierStage & { close(): Promise<void> }) | null;
}

export function memoryStores(config: ModstreamConfig): StateStores {
  const strikes = createMemoryStrikeStore({ maxKeys: config.state.maxKeys });
  const flood = createMemoryFloodLimiter({ maxKeys: config.state.maxKeys });
  return {
    strikes,
    flood,
    ready: () => ({ ok: true, detail: 'in-memory' }),
    close: async () => {
      await strikes.close();
      await flood.close();
    },
  };
}

/**
 * Everything the hot path needs, assembled once from the validated configuration: folder, lexicons,
 * detectors, policy + strike store, flood limiter, optional classifier, and the pipeline wiring them.
 * Lexicons and policy reload here (compiled off the hot path, swapped atomically into the pipeline).
 */
export class Engine {
  readonly pipeline: Pipeline;
  readonly folder: Folder;
  readonly stores: StateStores;
  readonly #config: ModstreamConfig;
  readonly #logger: Logger;
  readonly #metrics: ModstreamMetrics | null;
  readonly #classifier: (ClassifierStage & { close(): Promise<void> }) | null;
  #lexicon: CompiledLexicon;
  #policy: CompiledPolicy;
  #reloading: Promise<void> = Promise.resolve();

  private constructor(o: EngineOptions, folder: Folder, lexicon: CompiledLexicon, policy: CompiledPolicy) {
    this.#config = o.config;
    this.#logger = o.logger;
    this.#metrics = o.metrics ?? null;
    this.#classifier = o.classifier ?? null;
    this.folder = folder;
    this.stores = o.stores ?? memoryStores(o.config);
    this.#lexicon = lexicon;
    this.#policy = policy;
    const detectors = createDetectors(o.config.detectors as never);
    this.pipeline = new Pipeline({
      decoder: new MessageDecoder({
        maxRecordBytes: o.config.limits.maxRecordBytes,
        maxTextBytes: o.config.limits.maxTextBytes,
      }),
      folder,
      lexicon,
      detectors,
      policy: new PolicyEngine({ policy, strikes: this.stores.strikes, onStoreError: 'review' }),
      hashFolded: floodHashUnits,
      flood: this.stores.flood,
      classifier: this.#classifier,
      metrics: this.#metrics?.pipeline,
      onStoreError: (stage, error) =>
        this.#logger.warn(
          { err: error, stage, code: isModstreamError(error) ? error.code : undefined },
          'state store failed; batch judged without it',
        ),
    });
    this.#metrics?.setLexicon(lexicon.version, lexicon.termCount);
    this.#metrics?.setPolicy(policy.id);
  }

  static async create(o: EngineOptions): Promise<Engine> {
    const folder = createFolder();
    const lexicon = Engine.#loadLexicon(o.config, folder, o.logger);
    const policy = await Engine.#loadPolicy(o.config);
    o.logger.info(
      { lexiconVersion: lexicon.version, terms: lexicon.termCount, policy: policy.id },
      'engine ready',
    );
    return new Engine(o, folder, lexicon, policy);
  }

  get lexicon(): CompiledLexicon {
    return this.#lexicon;
  }
  get policy(): CompiledPolicy {
    return this.#policy;
  }

  /** Lexicon inputs from the config: the built-in directory unless directories are configured. */
  static lexiconDirs(config: ModstreamConfig): string[] {
    return config.lexicons.dirs.length > 0 ? config.lexicons.dirs : [defaultLexiconDir()];
  }

  /**
   * `reloading`: a file that cannot be read, or lines that are not UTF-8 (a list saved as GBK, an editor's
   * half-written file), fail the reload instead of swapping in a lexicon without them.
   */
  static #loadLexicon(
    config: ModstreamConfig,
    folder: Folder,
    logger: Logger,
    reloading = false,
  ): CompiledLexicon {
    const warnings: LexiconWarning[] = [];
    const result = loadLexicons(Engine.lexiconDirs(config), {
      folder,
      allowFiles: config.lexicons.allow,
      onWarning: (w) => warnings.push(w),
    });
    for (const w of warnings.slice(0, 50)) logger.warn({ lexiconWarning: w }, `lexicon: ${formatWarning(w)}`);
    if (warnings.length > 50) logger.warn(`lexicon: ${warnings.length - 50} more warnings not shown`);
    const broken = reloading
      ? warnings.find((w) => w.code === 'UNREADABLE' || w.code === 'INVALID_UTF8')
      : undefined;
    if (broken) {
      throw new ConfigError(
        'LEXICON_INVALID',
        broken.file,
        `${broken.code === 'UNREADABLE' ? 'cannot be read' : `line ${broken.line} is not valid UTF-8 (saved as GBK?)`}`,
      );
    }
    return result.lexicon;
  }

  static async #loadPolicy(config: ModstreamConfig): Promise<CompiledPolicy> {
    return config.policy.file ? loadPolicyFile(config.policy.file) : defaultPolicy();
  }

  /**
   * Recompiles lexicons and/or policy and swaps them in. A broken file keeps the old version running and
   * logs an error naming the file and line. Reloads are serialised.
   */
  reload(what: { lexicon?: boolean; policy?: boolean } = { lexicon: true, policy: true }): Promise<void> {
    this.#reloading = this.#reloading.then(async () => {
      if (what.lexicon) {
        try {
          // Compiling takes milliseconds to a second; it runs between batches, never inside one.
          const next = Engine.#loadLexicon(this.#config, this.folder, this.#logger, true);
          if (next.version !== this.#lexicon.version) {
            this.#lexicon = next;
            this.pipeline.setLexicon(next);
            this.#metrics?.setLexicon(next.version, next.termCount);
            this.#logger.info({ lexiconVersion: next.version, terms: next.termCount }, 'lexicon reloaded');
          }
          this.#metrics?.reload('lexicon', true);
        } catch (e) {
          this.#metrics?.reload('lexicon', false);
          this.#logger.error(
            { err: e, code: isModstreamError(e) ? e.code : 'LEXICON_INVALID' },
            `lexicon reload failed, keeping ${this.#lexicon.version}: ${(e as Error).message}`,
          );
        }
      }
      if (what.policy) {
        try {
          const next = await Engine.#loadPolicy(this.#config);
          this.#policy = next;
          this.pipeline.setPolicy(
            new PolicyEngine({ policy: next, strikes: this.stores.strikes, onStoreError: 'review' }),
          );
          this.#metrics?.setPolicy(next.id);
          this.#metrics?.reload('policy', true);
          this.#logger.info({ policy: next.id }, 'policy reloaded');
        } catch (e) {
          this.#metrics?.reload('policy', false);
          this.#logger.error(
            { err: e, code: isModstreamError(e) ? e.code : 'POLICY_INVALID' },
            `policy reload failed, keeping ${this.#policy.id}: ${(e as Error).message}`,
          );
        }
      }
    });
    return this.#reloading;
  }

  readiness(): Record<string, { ok: boolean; detail?: string }> {
    return {
      lexicon: { ok: true, detail: this.#lexicon.version },
      policy: { ok: true, detail: this.#policy.id },
      state: this.stores.ready(),
    };
  }

  async close(): Promise<void> {
    await this.#classifier?.close();
    await this.stores.close();
  }
}

function formatWarning(w: LexiconWarning): string {
  const where = w.file ? `${w.file}${w.line ? `:${w.line}` : ''}` : '';
  return `${where ? where + ': ' : ''}${w.code}: ${w.message}`;
}

export { ConfigError };
