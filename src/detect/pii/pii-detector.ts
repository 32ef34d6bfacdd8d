/**
 * The personal-data detector (`detector: 'pii'`, category `privacy`): Chinese resident ID numbers, mainland
 * mobile numbers, bank card numbers and e-mail addresses, in the original text.
 *
 * Numbers are recognised on digit-group tokens (see digit-groups.ts) in a few written shapes each:
 *   - ID:    18 characters (last may be X), or 6-8-4 / 6-4-4-4 groups; legacy 15 digits when enabled
 *   - mobile: 1[3-9] + 9 digits, as 11 digits, 3-4-4 or 3-8 groups, optionally after +86 / 0086
 *   - card:  13–19 digits, or groups of 4 (last 1–4), or 4-6-5 / 4-6-4 (Amex, Diners)
 * A grouped number must be a whole run of groups with one separator kind (`138 0013 8000 1234` is not a
 * phone). A number is checked as an ID first, so a Luhn-valid ID is reported once, as the ID. Digits
 * inside an e-mail address belong to the address.
 */
import type { Message, Reason } from '../../contracts/types.js';
import { HAS_AT, HAS_DIGIT, textFeatures } from '../features.js';
import { booleanOf, categoryOf, detectorOf, ruleOf, type ResolvedRule } from '../options.js';
import type { MessageDetector, PiiOptions } from '../types.js';
import { isPlausibleCard } from './bank-card.js';
import { ID_X, isValidCnId15, isValidCnId18, todayNumber } from './cn-id.js';
import { DigitTokenizer, MAX_GROUPS, SEP_DASH } from './digit-groups.js';
import { scanEmails } from './email.js';

export const PII_RULE_CN_ID = 'pii:cn-id';
export const PII_RULE_MOBILE = 'pii:mobile';
export const PII_RULE_BANK_CARD = 'pii:bank-card';
export const PII_RULE_EMAIL = 'pii:email';

export interface ResolvedPiiOptions {
  readonly enabled: boolean;
  readonly fullWidthDigits: boolean;
  readonly cnId: ResolvedRule;
  readonly legacy15: boolean;
  readonly mobile: ResolvedRule;
  readonly bankCard: ResolvedRule;
  readonly email: ResolvedRule;
  /** Latest birth date (YYYYMMDD) an ID may carry: the day the detector was built. */
  readonly maxBirth: number;
}

const PII_KEYS = ['category', 'fullWidthDigits', 'cnId', 'mobile', 'bankCard', 'email'] as const;

/** Validates `pii` options (from code or a config file) and fills in every default. */
export function resolvePiiOptions(
  value: unknown,
  path = 'detectors.pii',
  now: Date = new Date(),
): ResolvedPiiOptions {
  const { enabled, raw } = detectorOf(value, path, PII_KEYS);
  const category = categoryOf(raw.category, `${path}.category`, 'privacy');
  const cnId = ruleOf(raw.cnId, `${path}.cnId`, { enabled: true, category, severity: 3 }, ['legacy15']);
  return {
    enabled,
    fullWidthDigits: booleanOf(raw.fullWidthDigits, `${path}.fullWidthDigits`, true),
    cnId: cnId.rule,
    legacy15: booleanOf(cnId.raw.legacy15, `${path}.cnId.legacy15`, false),
    mobile: ruleOf(raw.mobile, `${path}.mobile`, { enabled: true, category, severity: 2 }).rule,
    bankCard: ruleOf(raw.bankCard, `${path}.bankCard`, { enabled: true, category, severity: 3 }).rule,
    email: ruleOf(raw.email, `${path}.email`, { enabled: true, category, severity: 1 }).rule,
    maxBirth: todayNumber(now),
  };
}

/** The longest number any rule reads: a 19-digit card. */
const MAX_NUMBER_LENGTH = 19;
/** The shortest: an 11-digit mobile number. Tokens with fewer digits are skipped unread. */
const MIN_NUMBER_LENGTH = 11;

// Written shapes, as group lengths.
const ID_GROUPED: readonly (readonly number[])[] = [
  [6, 8, 4],
  [6, 4, 4, 4],
];
const ID15_GROUPED: readonly (readonly number[])[] = [[6, 6, 3]];
const MOBILE_GROUPED: readonly (readonly number[])[] = [
  [3, 4, 4],
  [3, 8],
];
const CARD_GROUPED: readonly (readonly number[])[] = [
  [4, 6, 5],
  [4, 6, 4],
];

export class PiiDetector implements MessageDetector {
  readonly #o: ResolvedPiiOptions;
  readonly #numbersOn: boolean;
  readonly #tok: DigitTokenizer;
  /** Digits of the candidate under test (X = 10). */
  readonly #digits = new Uint8Array(MAX_NUMBER_LENGTH);
  readonly #consumed = new Uint8Array(MAX_GROUPS);
  /** E-mail spans of the current text, [start0, end0, start1, end1, …]. */
  readonly #emails: number[] = [];

  constructor(options: ResolvedPiiOptions) {
    this.#o = options;
    this.#numbersOn = options.cnId.enabled || options.mobile.enabled || options.bankCard.enabled;
    this.#tok = new DigitTokenizer(options.fullWidthDigits);
  }

  detect(message: Message, out: Reason[]): void {
    const text = typeof message.text === 'string' ? message.text : '';
    this.scan(text, textFeatures(text), out);
  }

  /** Appends the PII reasons of `text`; `features` from textFeatures(text) lets it skip most texts. */
  scan(text: string, features: number, out: Reason[]): void {
    if (!this.#o.enabled) return;
    const emails = this.#emails;
    emails.length = 0;
    if ((features & HAS_AT) !== 0) {
      // Addresses are found even with the e-mail rule off: the digits in 13800138000@qq.com are an address.
      scanEmails(text, (start, end) => {
        emails.push(start, end);
        if (this.#o.email.enabled) push(out, text, start, end, this.#o.email, PII_RULE_EMAIL);
      });
    }
    if ((features & HAS_DIGIT) === 0 || !this.#numbersOn) return;
    let pos = 0;
    while (pos >= 0 && pos < text.length) {
      const end = this.#tok.next(text, pos);
      if (end < 0) break;
      if (this.#tok.units >= MIN_NUMBER_LENGTH) this.#token(text, out);
      pos = end;
    }
  }

  #token(text: string, out: Reason[]): void {
    const t = this.#tok;
    const n = t.count;
    this.#consumed.fill(0, 0, n);
    // Grouped numbers: each maximal run of groups joined by one separator kind, whole.
    let a = 0;
    while (a < n - 1) {
      const sep = t.seps[a + 1];
      let b = a + 1;
      while (b + 1 < n && t.seps[b + 1] === sep) b++;
      if (this.#leftOk(a) && this.#rightOk(b) && this.#candidate(text, a, b, -1, out)) this.#consume(a, b);
      else if (
        b - a >= 1 &&
        this.#isPrefix(text, a) &&
        this.#rightOk(b) &&
        this.#candidate(text, a + 1, b, a, out)
      ) {
        this.#consume(a, b);
      }
      a = b;
    }
    // Single groups not already part of a grouped number.
    for (let g = 0; g < n; g++) {
      if (this.#consumed[g] === 1 || !this.#rightOk(g)) continue;
      if (g > 0 && this.#consumed[g - 1] === 0 && this.#isPrefix(text, g - 1)) {
        if (this.#candidate(text, g, g, g - 1, out)) {
          this.#consume(g - 1, g);
          continue;
        }
      }
      if (this.#leftOk(g) && this.#candidate(text, g, g, -1, out)) this.#consume(g, g);
    }
  }

  #consume(a: number, b: number): void {
    this.#consumed.fill(1, a, b + 1);
  }

  #leftOk(g: number): boolean {
    return g === 0 ? !this.#tok.leftBlocked : this.#tok.seps[g] !== SEP_DASH;
  }

  #rightOk(g: number): boolean {
    return g === this.#tok.count - 1 ? !this.#tok.rightBlocked : this.#tok.seps[g + 1] !== SEP_DASH;
  }

  /** `+86` (a leading group right after a plus) or `0086`, with a clean left edge. */
  #isPrefix(text: string, g: number): boolean {
    const t = this.#tok;
    if (!this.#leftOk(g) || t.hasX[g] === 1) return false;
    const len = t.ends[g] - t.starts[g];
    const s = t.starts[g];
    if (len === 2)
      return g === 0 && t.plusAt === s - 1 && t.digitAt(text, s) === 8 && t.digitAt(text, s + 1) === 6;
    if (len === 4) {
      return (
        t.digitAt(text, s) === 0 &&
        t.digitAt(text, s + 1) === 0 &&
        t.digitAt(text, s + 2) === 8 &&
        t.digitAt(text, s + 3) === 6
      );
    }
    return false;
  }

  /** Copies the digits of groups a..b into #digits; returns how many. */
  #collect(text: string, a: number, b: number): number {
    const t = this.#tok;
    const d = this.#digits;
    let k = 0;
    for (let g = a; g <= b; g++) {
      const end = t.ends[g] - t.hasX[g];
      for (let i = t.starts[g]; i < end; i++) d[k++] = t.digitAt(text, i);
      if (t.hasX[g] === 1) d[k++] = ID_X;
    }
    return k;
  }

  #shapeIs(a: number, b: number, shapes: readonly (readonly number[])[]): boolean {
    const t = this.#tok;
    const k = b - a + 1;
    for (const shape of shapes) {
      if (shape.length !== k) continue;
      let ok = true;
      for (let i = 0; i < k && ok; i++) ok = t.ends[a + i] - t.starts[a + i] === shape[i];
      if (ok) return true;
    }
    return false;
  }

  /**
   * Tests groups a..b as ID, then mobile, then card; reports the first that fits (when its rule is on).
   * `prefix` is the group holding +86/0086 in front of a mobile number, or -1. Returns whether the groups
   * were recognised (even when the rule that fits is switched off).
   */
  #candidate(text: string, a: number, b: number, prefix: number, out: Reason[]): boolean {
    const t = this.#tok;
    const o = this.#o;
    const k = b - a + 1;
    let units = 0;
    for (let g = a; g <= b; g++) units += t.ends[g] - t.starts[g];
    if (units > MAX_NUMBER_LENGTH) return false;
    const len = this.#collect(text, a, b);
    const d = this.#digits;
    const hasX = t.hasX[b] === 1;
    const start = t.starts[a];
    const end = t.ends[b];

    if (prefix < 0) {
      if (len === 18 && (k === 1 || this.#shapeIs(a, b, ID_GROUPED)) && isValidCnId18(d, 0, o.maxBirth)) {
        return this.#report(out, text, start, end, o.cnId, PII_RULE_CN_ID);
      }
      if (
        o.legacy15 &&
        len === 15 &&
        !hasX &&
        (k === 1 || this.#shapeIs(a, b, ID15_GROUPED)) &&
        isValidCnId15(d, 0, o.maxBirth)
      ) {
        return this.#report(out, text, start, end, o.cnId, PII_RULE_CN_ID);
      }
    }
    if (hasX) return false;

    if (len === 11 && (k === 1 || this.#shapeIs(a, b, MOBILE_GROUPED)) && isMobile(d, 0)) {
      // "+86 138-0013-8000": the country code sits in the previous run of groups.
      if (prefix < 0 && a > 0 && this.#isPrefix(text, a - 1)) prefix = a - 1;
      let from = start;
      if (prefix >= 0) from = prefix === 0 && t.plusAt >= 0 ? t.plusAt : t.starts[prefix];
      return this.#report(out, text, from, end, o.mobile, PII_RULE_MOBILE);
    }
    if (prefix >= 0) return false;
    if (k === 1) {
      // +8613800138000, 008613800138000: the country code written into the same digit run.
      if (len === 13 && a === 0 && t.plusAt === start - 1 && d[0] === 8 && d[1] === 6 && isMobile(d, 2)) {
        return this.#report(out, text, t.plusAt, end, o.mobile, PII_RULE_MOBILE);
      }
      if (len === 15 && d[0] === 0 && d[1] === 0 && d[2] === 8 && d[3] === 6 && isMobile(d, 4)) {
        return this.#report(out, text, start, end, o.mobile, PII_RULE_MOBILE);
      }
    }
    if (len >= 13 && len <= 19 && (k === 1 || this.#isCardGrouping(a, b)) && isPlausibleCard(d, 0, len)) {
      return this.#report(out, text, start, end, o.bankCard, PII_RULE_BANK_CARD);
    }
    return false;
  }

  /** 4-4-4-4(-1..4) and the like, or 4-6-5 / 4-6-4. */
  #isCardGrouping(a: number, b: number): boolean {
    const t = this.#tok;
    if (this.#shapeIs(a, b, CARD_GROUPED)) return true;
    if (b - a < 2) return false;
    for (let g = a; g < b; g++) if (t.ends[g] - t.starts[g] !== 4) return false;
    const last = t.ends[b] - t.starts[b];
    return last >= 1 && last <= 4;
  }

  #report(out: Reason[], text: string, start: number, end: number, rule: ResolvedRule, id: string): true {
    if (rule.enabled && !this.#insideEmail(start, end)) push(out, text, start, end, rule, id);
    return true;
  }

  #insideEmail(start: number, end: number): boolean {
    const e = this.#emails;
    for (let i = 0; i < e.length; i += 2) if (start < e[i + 1] && end > e[i]) return true;
    return false;
  }
}

/** Mainland mobile: 1, then 3–9, then 9 more digits (the caller checked the length). */
function isMobile(d: ArrayLike<number>, at: number): boolean {
  return d[at] === 1 && d[at + 1] >= 3 && d[at + 1] <= 9;
}

function push(out: Reason[], text: string, start: number, end: number, rule: ResolvedRule, id: string): void {
  out.push({
    detector: 'pii',
    category: rule.category,
    rule: id,
    match: text.slice(start, end),
    span: [start, end],
    severity: rule.severity,
  });
}

export function createPiiDetector(options: boolean | PiiOptions = {}): PiiDetector {
  return new PiiDetector(resolvePiiOptions(options));
}
