/**
 * Bounds the reasons of one message, so that its verdict always fits a Kafka record (the broker's default
 * limit is 1 MiB). Without a bound a valid 64 KiB text padded with one insult (`傻逼 傻逼 …`) made a verdict
 * over 1 MiB: the broker refused it, the message went to the DLQ, and the abuser went unmoderated.
 *
 * Only when the reasons could exceed MAX_REASON_BYTES (JSON, counted at their worst: every character
 * escaped), which ordinary messages never approach:
 * - at most MAX_REASONS_PER_RULE reasons per rule, the first ones in the text: more occurrences of the same
 *   term change no decision (the policy reads categories, severities and rules, not counts);
 * - then, if still too many, the most severe that fit, in text order among equals, so the decision stands on
 *   what remains.
 */
import type { Reason } from '../contracts/types.js';

export const MAX_REASONS_PER_RULE = 8;
export const MAX_REASON_BYTES = 256 * 1024;

/** JSON bytes of a reason at most: its fixed fields, and its strings with every UTF-16 unit as `\uXXXX`. */
function worstBytes(r: Reason): number {
  return 160 + 6 * (r.rule.length + (r.match?.length ?? 0) + (r.category.length + r.detector.length));
}

/** Drops reasons beyond the bounds above, in place; returns how many it dropped (0 nearly always). */
export function capReasons(reasons: Reason[]): number {
  const n = reasons.length;
  if (totalBytes(reasons) <= MAX_REASON_BYTES) return 0;

  const perRule = new Map<string, number>();
  let kept = 0;
  for (let i = 0; i < n; i++) {
    const r = reasons[i];
    const seen = perRule.get(r.rule) ?? 0;
    if (seen >= MAX_REASONS_PER_RULE) continue;
    perRule.set(r.rule, seen + 1);
    reasons[kept++] = r;
  }
  reasons.length = kept;

  if (totalBytes(reasons) > MAX_REASON_BYTES) {
    // Most severe first (a stable sort: text order among equals), as many as fit, then back in text order.
    const order = reasons.map((r, i) => ({ r, i })).sort((a, b) => b.r.severity - a.r.severity || a.i - b.i);
    let bytes = 0;
    const keep = new Uint8Array(reasons.length);
    for (const { r, i } of order) {
      const size = worstBytes(r);
      if (bytes + size > MAX_REASON_BYTES && bytes > 0) continue;
      bytes += size;
      keep[i] = 1;
    }
    let w = 0;
    for (let i = 0; i < reasons.length; i++) if (keep[i] === 1) reasons[w++] = reasons[i];
    reasons.length = w;
  }
  return n - reasons.length;
}

function totalBytes(reasons: readonly Reason[]): number {
  let bytes = 0;
  for (let i = 0; i < reasons.length; i++) bytes += worstBytes(reasons[i]);
  return bytes;
}
