import { ACTIONS, CATEGORIES, type Verdict } from '../contracts/types.js';
import { ERROR_CODES } from '../contracts/errors.js';
import type { StageName } from '../pipeline/metrics.js';

/**
 * The bounded label sets. Every label value a metric can carry comes from one of these tables, so the
 * number of series stays fixed however much traffic (or hostile input) arrives. User, group and message ids
 * and matched text are never label values.
 */

export const STAGES: readonly StageName[] = [
  'ingest',
  'decode',
  'match',
  'detectors',
  'flood',
  'classifier',
  'policy',
  'produce',
];

/** Codes a record can be rejected with (the DLQ codes); anything else is counted as "other". */
export const RECORD_ERROR_CODES = [
  'BAD_JSON',
  'BAD_MESSAGE',
  'OVERSIZE',
  'BAD_ENCODING',
  'PROCESSING_FAILED',
] as const;

/** DLQ codes that mean the record never got past decoding (counted as decode-stage errors). */
export const DECODE_ERROR_CODES: ReadonlySet<string> = new Set([
  'BAD_JSON',
  'BAD_MESSAGE',
  'OVERSIZE',
  'BAD_ENCODING',
]);

/** Label value for a DLQ error code: one of the catalogue's codes, or "other". */
export function dlqCodeLabel(code: string): string {
  return Object.hasOwn(ERROR_CODES, code) ? code : 'other';
}

/** Platforms the adapters know; each always gets its own label value. */
export const KNOWN_PLATFORMS = [
  'qq',
  'wechat',
  'wecom',
  'dingtalk',
  'feishu',
  'lark',
  'slack',
  'discord',
  'telegram',
  'matrix',
  'line',
  'kook',
  'whatsapp',
  'teams',
] as const;

/**
 * Platform names are client-supplied strings (up to 64 characters). The known platforms keep their name;
 * the first `extra` other names seen also do; every later one is counted as "other". A flood of made-up
 * platform names therefore adds at most `extra` series, and cannot push a known platform into "other".
 */
export class PlatformLabels {
  readonly #labels = new Map<string, string>();
  readonly #extra: number;
  #extraUsed = 0;

  constructor(extra = 16) {
    this.#extra = extra;
    for (const p of KNOWN_PLATFORMS) this.#labels.set(p, p);
  }

  label(platform: string): string {
    const known = this.#labels.get(platform);
    if (known !== undefined) return known;
    // Remember the decision either way, but never let the memo itself grow without bound.
    if (this.#extraUsed < this.#extra) {
      this.#extraUsed++;
      this.#labels.set(platform, platform);
      return platform;
    }
    return 'other';
  }
}

const CATEGORY_SET: ReadonlySet<string> = new Set(CATEGORIES);

/** The category a verdict is counted under: its most severe non-shadow reason's category, or "none". */
export function topCategory(v: Verdict): string {
  const reasons = v.reasons;
  if (reasons.length === 0) return 'none';
  let best = 'none';
  let sev = -1;
  // Reasons come in several shapes (per detector), so every property read is a slow one: read severity
  // first and the rest only for a candidate. Runs once per verdict.
  for (let i = 0; i < reasons.length; i++) {
    const r = reasons[i]!;
    if (r.severity > sev && !r.shadow) {
      sev = r.severity;
      best = r.category;
    }
  }
  return best === 'none' || CATEGORY_SET.has(best) ? best : 'other';
}

/** Every value the bounded labels can take, for dashboards, docs and tests. */
export const LABEL_VALUES = {
  action: ACTIONS,
  category: [...CATEGORIES, 'none', 'other'],
  stage: STAGES,
  code: [...RECORD_ERROR_CODES, 'other'],
  store: ['flood', 'strikes'],
  reload: ['lexicon', 'policy'],
  platform: [...KNOWN_PLATFORMS, 'other'],
} as const;
