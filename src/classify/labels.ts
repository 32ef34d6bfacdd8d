import { ConfigError } from '../contracts/errors.js';
import { CATEGORIES, type Category, type Reason } from '../contracts/types.js';
import type { LabelRule } from './types.js';

/**
 * Model labels → DESIGN.md categories, thresholds and severities, compiled once per model. Label names are
 * matched case-insensitively, so common Hugging Face toxicity models work with the defaults.
 */

export const DEFAULT_THRESHOLD = 0.5;
export const DEFAULT_SEVERITY = 2;

/** Defaults: our model's `offensive`, plus the usual names in public toxicity / hate-speech models. */
export const DEFAULT_LABEL_RULES: Readonly<Record<string, LabelRule | null>> = {
  offensive: { category: 'abuse' },
  toxic: { category: 'abuse' },
  toxicity: { category: 'abuse' },
  severe_toxic: { category: 'abuse', severity: 3 },
  insult: { category: 'abuse' },
  abusive: { category: 'abuse' },
  abuse: { category: 'abuse' },
  hate: { category: 'abuse' },
  hateful: { category: 'abuse' },
  identity_hate: { category: 'abuse' },
  obscene: { category: 'abuse' },
  threat: { category: 'violence' },
  sexual_explicit: { category: 'porn' },
  neutral: null,
  normal: null,
  'non-offensive': null,
};

/** One reportable label of the loaded model. */
export interface CompiledLabel {
  /** Column in the model's output. */
  index: number;
  label: string;
  category: Category;
  threshold: number;
  severity: number;
  /** `classifier:<label>`, precomputed. */
  rule: string;
}

function checkRule(key: string, rule: LabelRule): void {
  const path = `classifier.labels.${key}`;
  if (rule.category !== null && !(CATEGORIES as readonly string[]).includes(rule.category)) {
    throw new ConfigError(
      'CONFIG_INVALID',
      `${path}.category`,
      `must be one of ${CATEGORIES.join(', ')} or null`,
    );
  }
  if (rule.threshold !== undefined && !(rule.threshold >= 0 && rule.threshold <= 1)) {
    throw new ConfigError('CONFIG_INVALID', `${path}.threshold`, 'must be a probability in [0, 1]');
  }
  if (rule.severity !== undefined && !(Number.isInteger(rule.severity) && rule.severity >= 0)) {
    throw new ConfigError('CONFIG_INVALID', `${path}.severity`, 'must be a non-negative integer');
  }
}

export function compileLabels(
  modelLabels: readonly string[],
  modelName: string,
  overrides: Readonly<Record<string, LabelRule | null>> = {},
): CompiledLabel[] {
  const lowerModel = modelLabels.map((l) => l.toLowerCase());
  const rules = new Map<string, LabelRule | null>();
  for (const [k, v] of Object.entries(DEFAULT_LABEL_RULES)) rules.set(k.toLowerCase(), v);
  for (const [k, v] of Object.entries(overrides)) {
    if (!lowerModel.includes(k.toLowerCase())) {
      throw new ConfigError(
        'CONFIG_INVALID',
        `classifier.labels.${k}`,
        `is not a label of model ${modelName} (its labels: ${modelLabels.join(', ')})`,
      );
    }
    if (v !== null) checkRule(k, v);
    rules.set(k.toLowerCase(), v);
  }
  const compiled: CompiledLabel[] = [];
  modelLabels.forEach((label, index) => {
    const rule = rules.get(label.toLowerCase());
    if (!rule || rule.category === null) return;
    compiled.push({
      index,
      label,
      category: rule.category,
      threshold: rule.threshold ?? DEFAULT_THRESHOLD,
      severity: rule.severity ?? DEFAULT_SEVERITY,
      rule: `classifier:${label}`,
    });
  });
  if (compiled.length === 0) {
    throw new ConfigError(
      'CONFIG_INVALID',
      'classifier.labels',
      `maps none of model ${modelName}'s labels (${modelLabels.join(', ')}) to a category; add e.g. { "${modelLabels.at(-1)}": { "category": "abuse" } }`,
    );
  }
  return compiled;
}

/**
 * Appends a reason for each reportable label whose probability passes its threshold (a per-group override
 * first). `scores` holds one probability per model label.
 */
export function appendReasons(
  labels: readonly CompiledLabel[],
  scores: Float32Array,
  model: string,
  shadow: boolean,
  thresholds: Readonly<Record<string, number>> | undefined,
  out: Reason[],
): number {
  let added = 0;
  for (const l of labels) {
    const score = scores[l.index]!;
    const threshold = thresholds?.[l.label] ?? l.threshold;
    if (!(score >= threshold)) continue;
    const reason: Reason = {
      detector: 'classifier',
      category: l.category,
      rule: l.rule,
      severity: l.severity,
      label: l.label,
      score: Math.round(score * 10_000) / 10_000,
      model,
    };
    if (shadow) reason.shadow = true;
    out.push(reason);
    added++;
  }
  return added;
}

/** True when the message has a lexicon reason (then `unmatched` mode skips the model). */
export function hasLexiconReason(reasons: readonly Reason[]): boolean {
  for (const r of reasons) if (r.detector === 'lexicon') return true;
  return false;
}
