import type { Action, Category, SenderRole } from '../contracts/types.js';
import type { FloodLimits } from '../flood/types.js';

/**
 * The policy file as written (YAML or an object), before validation and compilation. Every field is
 * documented in docs/policy.md. Layers merge in this order, each one deep-merged over the one before:
 * the built-in default policy's `defaults` → the file's `defaults` → the file's `groups["platform:groupId"]`.
 * Objects merge key by key; arrays and scalars replace.
 */
export interface PolicyDocument {
  /** Policy name; verdicts carry `name@version`. */
  name: string;
  version: string | number;
  defaults?: RulesDocument;
  /** Per-group overrides keyed by `platform:groupId`. */
  groups?: Record<string, RulesDocument>;
}

/** The rules of one layer (defaults or one group). Every field is optional: absent means inherited. */
export interface RulesDocument {
  /** The whole group in dry-run: verdicts computed and emitted with `dryRun: true`, no strike recorded. */
  dryRun?: boolean;
  /** Rule ids (`ads:加微信`) or prefixes (`pii:*`, `*`) in dry-run. */
  dryRunRules?: string[];
  /** The strike ladder of every category with `ladder: true`. */
  ladder?: StepDocument[];
  /** How long a strike lives, in seconds. Default 30 days. */
  strikeExpirySeconds?: number;
  categories?: Partial<Record<Category, TreatmentDocument>>;
  /** Overrides for single rules or rule prefixes, merged over the reason's category. */
  rules?: Record<string, TreatmentDocument>;
  /** Flood control on (default) or off in this group; off, no message is sent to the flood limiter. */
  floodControl?: boolean;
  /** Flood limits (windows in milliseconds, as in FloodLimits). */
  flood?: Partial<FloodLimits>;
  exemptions?: ExemptionsDocument;
  mentions?: MentionsDocument;
}

export interface StepDocument {
  action: Action;
  muteSeconds?: number;
  /** Defaults to the category's deleteMessage. */
  deleteMessage?: boolean;
  /** ORed with the category's notifyAdmins. */
  notifyAdmins?: boolean;
}

/** How a category (or a rule) is treated. */
export interface TreatmentDocument {
  /** true: the layer's ladder; a list: this category's own ladder; false: a fixed `action`. */
  ladder?: boolean | StepDocument[];
  /**
   * Ladder categories: the lowest step a violation leaves its sender on — a floor, not a weight. Recording
   * takes the sender from `live` strikes to `max(live + 1, entryStep)`.
   */
  entryStep?: number;
  /** Off-ladder categories: the action taken every time. */
  action?: Action;
  /** Off-ladder categories: mute length when action is mute. */
  muteSeconds?: number;
  deleteMessage?: boolean;
  /** Always notify admins of a violation of this category, whatever the step. */
  notifyAdmins?: boolean;
  /** Off-ladder categories: whether a violation records a strike (ladder categories always do). */
  strike?: boolean;
  /** At most one strike per this many seconds for this category (0: every violation counts). */
  strikeCooldownSeconds?: number;
  /** Overrides the layer's strikeExpirySeconds for strikes of this category. */
  strikeExpirySeconds?: number;
  /** Reasons with a lower severity are listed but not acted on. */
  minSeverity?: number;
  /** Violations of this category are computed and reported but not enforced (no strike). */
  dryRun?: boolean;
}

export interface ExemptionsDocument {
  /** Senders never acted on (their reasons are still listed). */
  userIds?: string[];
  /** Sender roles never acted on, when the adapter reports `role`. */
  roles?: SenderRole[];
}

export interface MentionsDocument {
  /**
   * Roles allowed to mention everyone: a `mention:all` reason from them is not a violation even when role
   * exemptions are off. The "more than M mentions" threshold is the mention detector's `maxMentions`.
   */
  allowAllRoles?: SenderRole[];
}
