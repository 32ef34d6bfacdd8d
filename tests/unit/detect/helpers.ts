/** Shared helpers of the detector tests. */
import assert from 'node:assert/strict';
import type { Message, Reason } from '../../../src/contracts/types.js';
import type { MessageDetector } from '../../../src/detect/index.js';
import { cnIdCheckValue } from '../../../src/detect/index.js';

export function message(text: string, extra: Partial<Message> = {}): Message {
  return { id: 'qq:1:1', platform: 'qq', groupId: '1', userId: 'u1', text, ts: 1764000000000, ...extra };
}

/** Runs `detector` on `text`, checks every span covers its match exactly, returns the reasons. */
export function run(detector: MessageDetector, text: string, extra: Partial<Message> = {}): Reason[] {
  const out: Reason[] = [];
  detector.detect(message(text, extra), out);
  for (const r of out) {
    if (r.span === undefined) continue;
    const [s, e] = r.span;
    assert.ok(s >= 0 && s < e && e <= text.length, `span ${s},${e} inside ${JSON.stringify(text)}`);
    assert.equal(text.slice(s, e), r.match, `span of ${r.rule} covers its match`);
  }
  return out;
}

/** [rule, match] pairs, the shape most assertions compare. */
export function hits(
  detector: MessageDetector,
  text: string,
  extra: Partial<Message> = {},
): [string, string | undefined][] {
  return run(detector, text, extra).map((r) => [r.rule, r.match]);
}

/** Completes 17 digits with their check character into a valid-checksum ID. */
export function withCheck(first17: string): string {
  const v = cnIdCheckValue([...first17].map(Number));
  return first17 + (v === 10 ? 'X' : String(v));
}

/** The ID with a different (wrong) check character. */
export function withWrongCheck(first17: string): string {
  const right = withCheck(first17).slice(-1);
  return first17 + (right === '0' ? '1' : '0');
}

/** Completes a number prefix with the Luhn check digit. */
export function withLuhn(body: string): string {
  for (let c = 0; c <= 9; c++) {
    const s = body + c;
    let sum = 0;
    for (let i = 0; i < s.length; i++) {
      let v = s.charCodeAt(s.length - 1 - i) - 48;
      if (i % 2 === 1) {
        v *= 2;
        if (v > 9) v -= 9;
      }
      sum += v;
    }
    if (sum % 10 === 0) return s;
  }
  throw new Error('unreachable');
}

/** The same digits in full-width (０-９, Ｘ). */
export function fullWidth(s: string): string {
  return s.replace(/[0-9A-Za-z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
}
