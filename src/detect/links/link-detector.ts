/**
 * The link detector (`detector: 'link'`): every URL, `www.` host and bare domain in the original text is
 * judged once, by the first rule that applies:
 *
 *   1. allow/deny lists (most specific entry wins; deny wins a tie) → nothing / `link:deny:<domain>`
 *   2. look-alike of an allow-listed domain (also `http://company.com@evil.io`) → `link:lookalike:<allowed>`
 *   3. homograph IDN host (mixed scripts, or Latin spelled in Cyrillic/Greek) → `link:homograph`
 *   4. IP-literal host → `link:ip`
 *   5. URL shortener → `link:shortener`
 *   6. anything else → `link:unknown` (off by default)
 */
import type { Message, Reason } from '../../contracts/types.js';
import { mayHoldLink, textFeatures } from '../features.js';
import { detectorOf, fail, integerOf, enumOf, ruleOf, stringListOf, type ResolvedRule } from '../options.js';
import type { MessageDetector, LinkOptions } from '../types.js';
import { DomainSuffixMap } from './domain-list.js';
import { hostForms, isPrivateIPv4, isPrivateIPv6, normaliseListedDomain, parseIPv4 } from './host.js';
import { isHomograph, LookalikeMatcher } from './lookalike.js';
import {
  bareCandidate,
  createLinkRegex,
  HOST_DOMAIN,
  HOST_IPV4,
  schemeCandidate,
  type LinkCandidate,
} from './scan.js';
import { domainToUnicode } from 'node:url';

export const LINK_RULE_DENY = 'link:deny:';
export const LINK_RULE_LOOKALIKE = 'link:lookalike:';
export const LINK_RULE_HOMOGRAPH = 'link:homograph';
export const LINK_RULE_IP = 'link:ip';
export const LINK_RULE_SHORTENER = 'link:shortener';
export const LINK_RULE_UNKNOWN = 'link:unknown';

/**
 * Public URL shorteners: they hide where a link goes, which is how spam gets past deny lists. First-party
 * share links of big sites (b23.tv, youtu.be, m.tb.cn) and wrappers every link of a site gets (Twitter's
 * t.co) are left out on purpose: they are everyday chat.
 */
export const DEFAULT_SHORTENERS: readonly string[] = [
  'bit.ly',
  'bitly.com',
  'j.mp',
  'tinyurl.com',
  'goo.gl',
  'ow.ly',
  'is.gd',
  'v.gd',
  'buff.ly',
  'rebrand.ly',
  'cutt.ly',
  'shorturl.at',
  'rb.gy',
  's.id',
  't.ly',
  'tiny.cc',
  't.cn',
  'url.cn',
  'dwz.cn',
  'suo.im',
  'mrw.so',
  'sina.lt',
  'qr.net',
  'clck.ru',
  'bl.ink',
  'shorte.st',
  'adf.ly',
  'ouo.io',
  'bc.vc',
  'soo.gd',
  'x.co',
  'tr.im',
  'cli.gs',
  'dlvr.it',
  'ift.tt',
  'reurl.cc',
  'lihi.cc',
  'u.nu',
  '0rz.tw',
];

export interface ResolvedLinkOptions {
  readonly enabled: boolean;
  readonly allowDomains: readonly string[];
  readonly denyDomains: readonly string[];
  readonly deny: ResolvedRule;
  readonly lookalike: ResolvedRule;
  readonly minEditLength: number;
  readonly homograph: ResolvedRule;
  readonly ipLiteral: ResolvedRule;
  readonly ipRanges: 'public' | 'all';
  readonly shortener: ResolvedRule;
  readonly shortenerDomains: readonly string[];
  readonly unknown: ResolvedRule;
}

const LINK_KEYS = [
  'allowDomains',
  'denyDomains',
  'deny',
  'lookalike',
  'homograph',
  'ipLiteral',
  'shortener',
  'unknown',
] as const;

function domainListOf(value: unknown, path: string): string[] {
  return stringListOf(value, path).map((entry, i) => {
    const d = normaliseListedDomain(entry);
    if (d === undefined) fail(`${path}[${i}]`, `is not a domain: ${JSON.stringify(entry)}`);
    return d;
  });
}

/** Validates `links` options (from code or a config file) and fills in every default. */
export function resolveLinkOptions(value: unknown, path = 'detectors.links'): ResolvedLinkOptions {
  const { enabled, raw } = detectorOf(value, path, LINK_KEYS);
  const lookalike = ruleOf(
    raw.lookalike,
    `${path}.lookalike`,
    { enabled: true, category: 'phishing', severity: 4 },
    ['minEditLength'],
  );
  const ip = ruleOf(
    raw.ipLiteral,
    `${path}.ipLiteral`,
    { enabled: true, category: 'phishing', severity: 2 },
    ['ranges'],
  );
  const shortener = ruleOf(
    raw.shortener,
    `${path}.shortener`,
    { enabled: true, category: 'ads', severity: 1 },
    ['domains'],
  );
  return {
    enabled,
    allowDomains: domainListOf(raw.allowDomains, `${path}.allowDomains`),
    denyDomains: domainListOf(raw.denyDomains, `${path}.denyDomains`),
    deny: ruleOf(raw.deny, `${path}.deny`, { enabled: true, category: 'ads', severity: 3 }).rule,
    lookalike: lookalike.rule,
    minEditLength: integerOf(lookalike.raw.minEditLength, `${path}.lookalike.minEditLength`, 5, 1, 64),
    homograph: ruleOf(raw.homograph, `${path}.homograph`, {
      enabled: true,
      category: 'phishing',
      severity: 4,
    }).rule,
    ipLiteral: ip.rule,
    ipRanges: enumOf(ip.raw.ranges, `${path}.ipLiteral.ranges`, 'public', ['public', 'all'] as const),
    shortener: shortener.rule,
    shortenerDomains:
      shortener.raw.domains === undefined
        ? DEFAULT_SHORTENERS
        : domainListOf(shortener.raw.domains, `${path}.shortener.domains`),
    unknown: ruleOf(raw.unknown, `${path}.unknown`, { enabled: false, category: 'ads', severity: 1 }).rule,
  };
}

type Listing = 'allow' | 'deny';

/** What the list and look-alike rules say about one host; the rest depends on how the link was written. */
interface HostVerdict {
  readonly ascii: string;
  readonly listing: { domain: string; value: Listing } | undefined;
  /** The allowed domain the host imitates. */
  readonly lookalike: string | undefined;
  readonly homograph: boolean;
}

/** Hosts repeat a lot in chat (the company's own, the usual sites): their verdicts are kept, this many. */
const HOST_CACHE_SIZE = 4096;
/** The longest DNS name; a longer "host" is judged without being cached. */
const MAX_HOST_LENGTH = 253;

export class LinkDetector implements MessageDetector {
  readonly #options: ResolvedLinkOptions;
  readonly #lists = new DomainSuffixMap<Listing>();
  readonly #shorteners = new DomainSuffixMap<true>();
  readonly #lookalikes: LookalikeMatcher;
  readonly #regex = createLinkRegex();
  readonly #verdicts = new Map<string, HostVerdict>();

  constructor(options: ResolvedLinkOptions) {
    this.#options = options;
    for (const d of options.allowDomains) this.#lists.set(d, 'allow');
    // Listed both ways: deny wins, the safe choice for an operator's contradiction.
    for (const d of options.denyDomains) this.#lists.set(d, 'deny', () => 'deny');
    for (const d of options.shortenerDomains) this.#shorteners.set(d, true);
    this.#lookalikes = new LookalikeMatcher(
      options.allowDomains.map((ascii) => ({ ascii, unicode: domainToUnicode(ascii) || ascii })),
      options.minEditLength,
    );
  }

  detect(message: Message, out: Reason[]): void {
    const text = typeof message.text === 'string' ? message.text : '';
    this.scan(text, textFeatures(text), out);
  }

  /** Appends the link reasons of `text`; `features` from textFeatures(text) lets it skip most texts. */
  scan(text: string, features: number, out: Reason[]): void {
    if (!this.#options.enabled || !mayHoldLink(features)) return;
    const re = this.#regex;
    re.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(text)) !== null) {
      const matchEnd = m.index + m[0].length;
      const candidate =
        m[1] !== undefined
          ? schemeCandidate(text, m.index, matchEnd)
          : bareCandidate(text, m.index, matchEnd);
      if (candidate === undefined) continue;
      this.#judge(text, candidate, out);
      // Resume after the link: nothing inside a URL is judged twice.
      if (candidate.end > re.lastIndex) re.lastIndex = candidate.end;
    }
  }

  #judge(text: string, c: LinkCandidate, out: Reason[]): void {
    const o = this.#options;
    if (c.userinfo !== '' && this.#judgeUserinfo(text, c, out)) return;

    if (c.kind !== HOST_DOMAIN) {
      const listing = this.#lists.lookup(c.host.toLowerCase());
      if (listing?.value === 'allow') return;
      if (listing?.value === 'deny') return this.#denied(text, c, listing.domain, out);
      if (!o.ipLiteral.enabled) return;
      const isPrivate = c.kind === HOST_IPV4 ? isPrivateIPv4(c.ipv4) : isPrivateIPv6(c.host);
      if (isPrivate && o.ipRanges === 'public') return;
      return push(out, text, c, o.ipLiteral, LINK_RULE_IP);
    }

    const host = this.#hostVerdict(c.host);
    const listing = host.listing;
    if (listing?.value === 'allow') return;
    if (listing?.value === 'deny') return this.#denied(text, c, listing.domain, out);
    if (host.lookalike !== undefined) {
      return push(out, text, c, o.lookalike, LINK_RULE_LOOKALIKE + host.lookalike);
    }
    if (host.homograph) return push(out, text, c, o.homograph, LINK_RULE_HOMOGRAPH);
    // Scheme URLs to intranet names (http://wiki/, http://build.local/) are not the internet.
    if (!c.tldKnown) return;
    if (o.shortener.enabled && c.hasPath && this.#shorteners.lookup(host.ascii) !== undefined) {
      return push(out, text, c, o.shortener, LINK_RULE_SHORTENER);
    }
    if (o.unknown.enabled && !c.ambiguous) push(out, text, c, o.unknown, LINK_RULE_UNKNOWN);
  }

  #hostVerdict(host: string): HostVerdict {
    const cached = this.#verdicts.get(host);
    if (cached !== undefined) return cached;
    const o = this.#options;
    const forms = hostForms(host);
    const listing = this.#lists.lookup(forms.ascii);
    const lookalike =
      listing === undefined && o.lookalike.enabled ? this.#lookalikes.match(forms) : undefined;
    const verdict: HostVerdict = {
      ascii: forms.ascii,
      listing,
      lookalike,
      homograph:
        listing === undefined &&
        lookalike === undefined &&
        o.homograph.enabled &&
        forms.idn &&
        isHomograph(forms.unicode),
    };
    if (host.length <= MAX_HOST_LENGTH) {
      // Dropping everything at once keeps the bound without LRU bookkeeping on the hot path.
      if (this.#verdicts.size >= HOST_CACHE_SIZE) this.#verdicts.clear();
      this.#verdicts.set(host, verdict);
    }
    return verdict;
  }

  /**
   * `http://company.com@evil.io/`: the browser goes to evil.io, the reader sees company.com. Reported as a
   * look-alike of the allowed domain the user-info imitates (or names outright).
   */
  #judgeUserinfo(text: string, c: LinkCandidate, out: Reason[]): boolean {
    if (!this.#options.lookalike.enabled) return false;
    const user = c.userinfo.split(':')[0].replace(/[\u3002\uFF0E\uFF61]/g, '.');
    if (!user.includes('.') || parseIPv4(user) >= 0) return false;
    const forms = hostForms(user);
    const listing = this.#lists.lookup(forms.ascii);
    const imitated = listing?.value === 'allow' ? listing.domain : this.#lookalikes.match(forms);
    if (imitated === undefined) return false;
    const realHost = hostForms(c.host).ascii;
    if (this.#lists.lookup(realHost)?.value === 'allow') return false;
    push(out, text, c, this.#options.lookalike, LINK_RULE_LOOKALIKE + imitated);
    return true;
  }

  #denied(text: string, c: LinkCandidate, domain: string, out: Reason[]): void {
    if (this.#options.deny.enabled) push(out, text, c, this.#options.deny, LINK_RULE_DENY + domain);
  }
}

function push(out: Reason[], text: string, c: LinkCandidate, rule: ResolvedRule, id: string): void {
  out.push({
    detector: 'link',
    category: rule.category,
    rule: id,
    match: text.slice(c.start, c.end),
    span: [c.start, c.end],
    severity: rule.severity,
  });
}

export function createLinkDetector(options: boolean | LinkOptions = {}): LinkDetector {
  return new LinkDetector(resolveLinkOptions(options));
}
