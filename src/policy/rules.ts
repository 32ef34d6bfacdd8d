import { CATEGORIES } from '../contracts/types.js';
import type { Action, Category, Message, Reason, SenderRole } from '../contracts/types.js';
import type { FloodLimits } from '../flood/types.js';

/**
 * The compiled, per-group form of a policy: everything the engine needs per message is a field read or a
 * Map lookup here. Built once at load by compile.ts; never changed afterwards.
 */

/** What one ladder step (or an off-ladder category) does to a message and its sender. */
export interface Outcome {
  readonly action: Action;
  readonly muteSeconds: number;
  readonly deleteMessage: boolean;
  readonly notifyAdmins: boolean;
}

/** How violations of one category (possibly refined by a rule override) are treated. */
export interface Treatment {
  readonly category: Category;
  /** The steps, mild → severe, with category defaults folded in; null for an off-ladder category. */
  readonly ladder: readonly Outcome[] | null;
  /** The fixed outcome of an off-ladder category (for a ladder category: unused). */
  readonly outcome: Outcome;
  /** The category-level flags (used when the strike count is unknown, e.g. the store failed). */
  readonly deleteMessage: boolean;
  readonly notifyAdmins: boolean;
  /** A violation records a strike (ladder categories always; off-ladder ones with `strike: true`). */
  readonly strike: boolean;
  /**
   * Ladder categories: the step a violation puts its sender on at least (a floor on the live count, not a
   * weight: a severe category enters at 2, and a sender already there goes one step up). Otherwise 1.
   */
  readonly entryStep: number;
  /** At most one strike per this many ms for this category; 0 = every violation counts. */
  readonly cooldownMs: number;
  readonly ttlMs: number;
  readonly minSeverity: number;
  readonly dryRun: boolean;
}

/** Category → its index in CATEGORIES, for array-indexed tables. */
export const CATEGORY_INDEX: Readonly<Record<Category, number>> = Object.freeze(
  Object.fromEntries(CATEGORIES.map((c, i) => [c, i])) as Record<Category, number>,
);

/** A rule override, compiled for every category (a pattern may match rules of several categories). */
export interface RuleOverride {
  /** The rule id, or the prefix without its trailing `*`. */
  readonly pattern: string;
  readonly prefix: boolean;
  readonly byCategory: readonly Treatment[];
}

export interface GroupRulesInit {
  key: string;
  dryRun: boolean;
  flood: FloodLimits;
  floodControl: boolean;
  strikeTtlMs: number;
  categories: readonly Treatment[];
  rules: readonly RuleOverride[];
  dryRunRules: readonly string[];
  exemptUserIds: readonly string[];
  exemptRoles: readonly SenderRole[];
  allowAllRoles: readonly SenderRole[];
}

/** The rules in force in one group (or the defaults, for groups without overrides). */
export class GroupRules {
  /** `platform:groupId`, or '' for the defaults. */
  readonly key: string;
  /** The whole group is in dry-run. */
  readonly dryRun: boolean;
  /** The flood limits to send with this group's FloodRequests. */
  readonly flood: Readonly<FloodLimits>;
  /** Flood control applies in this group. */
  readonly floodControl: boolean;
  /** The layer's strike expiry (categories may override it). */
  readonly strikeTtlMs: number;
  readonly #categories: readonly Treatment[];
  readonly #ruleExact: ReadonlyMap<string, readonly Treatment[]>;
  /** Longest prefix first, so the most specific override wins. */
  readonly #rulePrefixes: readonly RuleOverride[];
  readonly #dryRunExact: ReadonlySet<string>;
  readonly #dryRunPrefixes: readonly string[];
  readonly #dryRunAll: boolean;
  readonly #exemptUserIds: ReadonlySet<string>;
  readonly #exemptRoles: ReadonlySet<string>;
  readonly #allowAllRoles: ReadonlySet<string>;

  constructor(init: GroupRulesInit) {
    this.key = init.key;
    this.dryRun = init.dryRun;
    this.flood = Object.freeze({ ...init.flood });
    this.floodControl = init.floodControl;
    this.strikeTtlMs = init.strikeTtlMs;
    this.#categories = init.categories;
    const exact = new Map<string, readonly Treatment[]>();
    const prefixes: RuleOverride[] = [];
    for (const r of init.rules) {
      if (r.prefix) prefixes.push(r);
      else exact.set(r.pattern, r.byCategory);
    }
    prefixes.sort((a, b) => b.pattern.length - a.pattern.length);
    this.#ruleExact = exact;
    this.#rulePrefixes = prefixes;
    const dryExact = new Set<string>();
    const dryPrefixes: string[] = [];
    for (const p of init.dryRunRules) {
      if (p.endsWith('*')) dryPrefixes.push(p.slice(0, -1));
      else dryExact.add(p);
    }
    this.#dryRunExact = dryExact;
    this.#dryRunAll = dryPrefixes.includes('');
    this.#dryRunPrefixes = dryPrefixes;
    this.#exemptUserIds = new Set(init.exemptUserIds);
    this.#exemptRoles = new Set(init.exemptRoles);
    this.#allowAllRoles = new Set(init.allowAllRoles);
  }

  /** The treatment of a reason: its category's, refined by the most specific matching rule override. */
  treatmentFor(reason: Reason): Treatment {
    const idx = CATEGORY_INDEX[reason.category];
    const rule = reason.rule;
    const exact = this.#ruleExact.get(rule);
    if (exact !== undefined) return exact[idx];
    const prefixes = this.#rulePrefixes;
    for (let i = 0; i < prefixes.length; i++) {
      if (rule.startsWith(prefixes[i].pattern)) return prefixes[i].byCategory[idx];
    }
    return this.#categories[idx];
  }

  /** The category's own treatment, without rule overrides. */
  categoryTreatment(category: Category): Treatment {
    return this.#categories[CATEGORY_INDEX[category]];
  }

  /** The rule is listed in `dryRunRules` (exactly or by prefix). */
  isDryRunRule(rule: string): boolean {
    if (this.#dryRunAll || this.#dryRunExact.has(rule)) return true;
    const prefixes = this.#dryRunPrefixes;
    for (let i = 0; i < prefixes.length; i++) if (rule.startsWith(prefixes[i])) return true;
    return false;
  }

  /** The sender is exempt here: listed by userId, or has an exempt role (when the adapter sent one). */
  isExempt(message: Message): boolean {
    if (this.#exemptUserIds.has(message.userId)) return true;
    return message.role !== undefined && this.#exemptRoles.has(message.role);
  }

  /** The sender's role may mention everyone. */
  mayMentionAll(message: Message): boolean {
    return message.role !== undefined && this.#allowAllRoles.has(message.role);
  }
}
