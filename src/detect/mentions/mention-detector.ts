/**
 * The mention detector (`detector: 'mention'`, category `flood`):
 *   - `mention:all`  — the message addresses everyone: `message.mentions` holds `all` (what adapters write
 *     for QQ's @全体成员, Slack's @channel, …), or the text holds @全体成员 / @所有人 / @all / @everyone /
 *     @here / … (ASCII keywords on a word boundary: `@allen` is a person).
 *   - `mention:many` — more than `maxMentions` distinct people mentioned: counted from `message.mentions`
 *     when the adapter supplied it, otherwise from the distinct `@name` tokens of the text.
 * It always reports; whether admins may do this is the policy's decision, not the detector's.
 */
import type { Message, Reason } from '../../contracts/types.js';
import { isAsciiAlnum, isFullWidthDigit, isFullWidthLetter, isSpace } from '../chars.js';
import { HAS_AT, textFeatures } from '../features.js';
import { detectorOf, fail, integerOf, ruleOf, stringListOf, type ResolvedRule } from '../options.js';
import type { MessageDetector, MentionOptions } from '../types.js';

export const MENTION_RULE_ALL = 'mention:all';
export const MENTION_RULE_MANY = 'mention:many';

/** What people type to address the whole group, across the platforms adapters cover. */
export const DEFAULT_ALL_KEYWORDS: readonly string[] = [
  '全体成员',
  '全體成員',
  '所有人',
  '全体',
  '全員',
  '全员',
  'all',
  'everyone',
  'here',
  'channel',
];

/** A mention name longer than this is running text, not a name. */
const MAX_NAME = 32;

export interface ResolvedMentionOptions {
  readonly enabled: boolean;
  readonly maxMentions: number;
  /** Lower-case keywords, longest first (so @全体成员 wins over @全体). */
  readonly allKeywords: readonly string[];
  readonly all: ResolvedRule;
  readonly many: ResolvedRule;
}

const MENTION_KEYS = ['maxMentions', 'allKeywords', 'all', 'many'] as const;

/** Validates `mentions` options (from code or a config file) and fills in every default. */
export function resolveMentionOptions(value: unknown, path = 'detectors.mentions'): ResolvedMentionOptions {
  const { enabled, raw } = detectorOf(value, path, MENTION_KEYS);
  const extra = stringListOf(raw.allKeywords, `${path}.allKeywords`).map((k, i) => {
    const kw = k
      .trim()
      .replace(/^[@＠]/, '')
      .toLowerCase();
    if (kw === '' || /[\s@＠]/.test(kw))
      fail(`${path}.allKeywords[${i}]`, 'must be one word, without spaces or @');
    return kw;
  });
  const keywords = [...new Set([...DEFAULT_ALL_KEYWORDS, ...extra])].sort((a, b) => b.length - a.length);
  return {
    enabled,
    maxMentions: integerOf(raw.maxMentions, `${path}.maxMentions`, 5, 0, 10000),
    allKeywords: keywords,
    all: ruleOf(raw.all, `${path}.all`, { enabled: true, category: 'flood', severity: 2 }).rule,
    many: ruleOf(raw.many, `${path}.many`, { enabled: true, category: 'flood', severity: 2 }).rule,
  };
}

function isAt(c: number): boolean {
  return c === 0x40 || c === 0xff20;
}

/** Units of an e-mail local part: an @ right after one is an address, not a mention. */
function isAddressUnit(c: number): boolean {
  return (
    isAsciiAlnum(c) ||
    isFullWidthLetter(c) ||
    isFullWidthDigit(c) ||
    c === 0x2e ||
    c === 0x5f ||
    c === 0x25 ||
    c === 0x2b ||
    c === 0x2d
  );
}

function isWordUnit(c: number): boolean {
  return isAsciiAlnum(c) || c === 0x5f;
}

// Punctuation that ends a mention name: ASCII , ; : ! ? ( ) [ ] { } < > " ' / \ and the CJK ones.
const NAME_STOP = new Set(
  [...',;:!?()[]{}<>"\'/\\，。！？；：、（）【】「」《》“”‘’…'].map((ch) => ch.charCodeAt(0)),
);

export class MentionDetector implements MessageDetector {
  readonly #o: ResolvedMentionOptions;
  readonly #asciiKeyword: readonly boolean[];
  /** First code unit of each keyword, to skip the others without building a string. */
  readonly #firstUnit: readonly number[];

  constructor(options: ResolvedMentionOptions) {
    this.#o = options;
    this.#asciiKeyword = options.allKeywords.map((k) => /^[\x20-\x7e]+$/.test(k));
    this.#firstUnit = options.allKeywords.map((k) => k.charCodeAt(0));
  }

  detect(message: Message, out: Reason[]): void {
    const text = typeof message.text === 'string' ? message.text : '';
    this.scan(message, text, textFeatures(text), out);
  }

  /** Appends the mention reasons of `message` (whose text is `text`, with textFeatures `features`). */
  scan(message: Message, text: string, features: number, out: Reason[]): void {
    const listed = Array.isArray(message.mentions) ? message.mentions : undefined;
    const hasAt = (features & HAS_AT) !== 0;
    const o = this.#o;
    if (!o.enabled || (!hasAt && (listed === undefined || listed.length === 0))) return;

    if (o.all.enabled) {
      const at = hasAt ? this.#findAll(text) : -1;
      const listedAll =
        listed !== undefined && listed.some((m) => typeof m === 'string' && m.toLowerCase() === 'all');
      if (at >= 0) {
        const end = at + 1 + this.#keywordAt(text, at + 1);
        push(out, o.all, MENTION_RULE_ALL, text, at, end);
      } else if (listedAll) {
        push(out, o.all, MENTION_RULE_ALL);
      }
    }

    if (!o.many.enabled) return;
    if (listed !== undefined) {
      const people = new Set<string>();
      for (const m of listed) if (typeof m === 'string' && m.toLowerCase() !== 'all') people.add(m);
      if (people.size > o.maxMentions) push(out, o.many, MENTION_RULE_MANY);
    } else if (hasAt) {
      this.#countTextMentions(text, out);
    }
  }

  /** Offset of the first @keyword addressing everyone, or -1. */
  #findAll(text: string): number {
    for (let i = 0; i < text.length; i++) {
      if (isAt(text.charCodeAt(i)) && this.#mentionStart(text, i) && this.#keywordAt(text, i + 1) > 0)
        return i;
    }
    return -1;
  }

  /** An @ not glued to an address's local part. */
  #mentionStart(text: string, at: number): boolean {
    return at === 0 || !isAddressUnit(text.charCodeAt(at - 1));
  }

  /** Length of the all-keyword starting at `i`, or 0. */
  #keywordAt(text: string, i: number): number {
    const keywords = this.#o.allKeywords;
    const c = text.charCodeAt(i);
    const lower = c >= 0x41 && c <= 0x5a ? c + 0x20 : c;
    for (let k = 0; k < keywords.length; k++) {
      const kw = keywords[k];
      if (lower !== this.#firstUnit[k] || i + kw.length > text.length) continue;
      const ascii = this.#asciiKeyword[k];
      const candidate = text.slice(i, i + kw.length);
      if ((ascii ? candidate.toLowerCase() : candidate) !== kw) continue;
      if (ascii && isWordUnit(text.charCodeAt(i + kw.length))) continue;
      return kw.length;
    }
    return 0;
  }

  #countTextMentions(text: string, out: Reason[]): void {
    let people: Set<string> | undefined;
    let first = -1;
    let last = -1;
    for (let i = 0; i < text.length; i++) {
      if (!isAt(text.charCodeAt(i)) || !this.#mentionStart(text, i)) continue;
      if (this.#keywordAt(text, i + 1) > 0) continue; // @all is its own rule, not a person
      let j = i + 1;
      while (j < text.length && j - i <= MAX_NAME) {
        const c = text.charCodeAt(j);
        if (isSpace(c) || isAt(c) || NAME_STOP.has(c)) break;
        j++;
      }
      // Trailing dots belong to the sentence ("thanks @bob.").
      while (j > i + 1 && text.charCodeAt(j - 1) === 0x2e) j--;
      if (j === i + 1) continue;
      people ??= new Set();
      people.add(text.slice(i + 1, j).toLowerCase());
      if (first < 0) first = i;
      last = j;
      i = j - 1;
    }
    if (people !== undefined && people.size > this.#o.maxMentions) {
      push(out, this.#o.many, MENTION_RULE_MANY, text, first, last);
    }
  }
}

function push(out: Reason[], rule: ResolvedRule, id: string, text?: string, start = -1, end = -1): void {
  const reason: Reason = { detector: 'mention', category: rule.category, rule: id, severity: rule.severity };
  if (text !== undefined && start >= 0) {
    reason.match = text.slice(start, end);
    reason.span = [start, end];
  }
  out.push(reason);
}

export function createMentionDetector(options: boolean | MentionOptions = {}): MentionDetector {
  return new MentionDetector(resolveMentionOptions(options));
}
