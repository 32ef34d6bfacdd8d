/**
 * Public shapes of the detectors (links, personal data, mentions). Every option is decided once, when
 * `createDetectors` compiles them; `detect` then runs over the ORIGINAL message text and appends Reasons
 * whose `span` is `[start, end)` in UTF-16 code units of that text and whose `match` is the text at that
 * span. See docs/detectors.md for every rule and default.
 */
import type { Category, Message, Reason } from '../contracts/types.js';

/** What one rule reports when it fires. Omitted fields keep the rule's defaults. */
export interface RuleSetting {
  enabled?: boolean;
  category?: Category;
  /** 0 (informational) .. 5 (severe), the scale shared with lexicon terms. */
  severity?: number;
}

/** A rule is switched with `true`/`false`, or tuned with a `RuleSetting`. */
export type RuleOption = boolean | RuleSetting;

export interface LookalikeSetting extends RuleSetting {
  /**
   * Shortest name (the registrable domain's first label, `company` in `company.com`) for which an edit at
   * distance 1 counts as a look-alike. Shorter names (`qq`, `jd`) are only matched by homoglyphs. Default 5.
   */
  minEditLength?: number;
}

export interface IpLiteralSetting extends RuleSetting {
  /** `public` (default) reports IP-literal links to public addresses only; `all` also private/loopback ones. */
  ranges?: 'public' | 'all';
}

export interface ShortenerSetting extends RuleSetting {
  /** Replaces the built-in list of URL-shortener domains (subdomains match too). */
  domains?: readonly string[];
}

export interface LinkOptions {
  enabled?: boolean;
  /** Domains whose links are fine: the domain and all its subdomains produce no reason. */
  allowDomains?: readonly string[];
  /** Domains (and subdomains) always reported, rule `link:deny:<domain>`. Default category `ads`, severity 3. */
  denyDomains?: readonly string[];
  deny?: RuleSetting;
  /** Look-alikes of allow-listed domains → `phishing`, rule `link:lookalike:<allowed>`, severity 4. */
  lookalike?: boolean | LookalikeSetting;
  /** IDN hosts that mix Latin with Cyrillic/Greek, or spell Latin with Cyrillic/Greek → `phishing`, severity 4. */
  homograph?: RuleOption;
  /** Links whose host is an IP address → `phishing`, severity 2, public addresses only by default. */
  ipLiteral?: boolean | IpLiteralSetting;
  /** Links through URL shorteners (they hide the destination) → `ads`, severity 1. */
  shortener?: boolean | ShortenerSetting;
  /** Any other link → `ads`, severity 1. Default OFF: ordinary links are normal in company groups. */
  unknown?: RuleOption;
}

export interface CnIdSetting extends RuleSetting {
  /** Also accept the 15-digit legacy ID (no checksum; withdrawn in 2013). Default false. */
  legacy15?: boolean;
}

export interface PiiOptions {
  enabled?: boolean;
  /** Default category of every PII rule. Default `privacy`. */
  category?: Category;
  /** Read full-width digits (０-９) like ASCII digits. Default true. */
  fullWidthDigits?: boolean;
  /** `pii:cn-id`, severity 3. */
  cnId?: boolean | CnIdSetting;
  /** `pii:mobile`, severity 2. */
  mobile?: RuleOption;
  /** `pii:bank-card`, severity 3. */
  bankCard?: RuleOption;
  /** `pii:email`, severity 1. */
  email?: RuleOption;
}

export interface MentionOptions {
  enabled?: boolean;
  /** `mention:many` fires when a message mentions more than this many distinct people. Default 5. */
  maxMentions?: number;
  /** Extra `@keyword`s that address everyone (added to @全体成员 @所有人 @all @everyone @here …). */
  allKeywords?: readonly string[];
  /** `mention:all`, category `flood`, severity 2. */
  all?: RuleOption;
  /** `mention:many`, category `flood`, severity 2. */
  many?: RuleOption;
}

export interface DetectorOptions {
  /** `false` switches a detector off; `true` or an object switches it on (all detectors default on). */
  links?: boolean | LinkOptions;
  pii?: boolean | PiiOptions;
  mentions?: boolean | MentionOptions;
}

/** One detector: appends its reasons for `message` to `out`. Never throws on any text. */
export interface MessageDetector {
  detect(message: Message, out: Reason[]): void;
}

export interface Detectors extends MessageDetector {
  /** Which detectors are switched on (after option resolution). */
  readonly enabled: Readonly<{ links: boolean; pii: boolean; mentions: boolean }>;
}
