import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { describeAjvErrors } from '../contracts/ajv-errors.js';
import { ConfigError } from '../contracts/errors.js';
import type { Action, SenderRole } from '../contracts/types.js';
import { DEFAULT_CARD_FORMAT, DEFAULT_CARD_LABEL } from './card.js';
import { parseUtcOffset } from './roster.js';

/**
 * Member rules: what modstream does about group cards, departed staff and inactive members. A YAML (or
 * JSON) file with the same layering as the policy file (docs/member-events.md): built-in defaults ← the
 * file's `defaults` ← the file's `groups["platform:groupId"]`; mappings merge key by key, lists and values
 * replace. Every group is resolved once, when it is first asked for.
 */
export interface MemberRulesDocument {
  name?: string;
  version?: string | number;
  /** The UTC offset roster dates are read in (`2025-11-24` = the start of that day there). Default +08:00. */
  utcOffset?: string;
  defaults?: GroupRulesDocument;
  groups?: Record<string, GroupRulesDocument>;
}

export interface ExemptDocument {
  userIds?: string[];
  roles?: SenderRole[];
}

export interface GroupRulesDocument {
  card?: {
    enabled?: boolean;
    /** A regular expression with named groups `name` and (optionally) `department`. */
    format?: string;
    /** How the format is shown to people (notices, docs). */
    formatLabel?: string;
    /** With a roster loaded: the card's department and name must be an active employee's (the member's own, when their account is linked). */
    matchRoster?: boolean;
    action?: Action;
    /** With action mute: how long (required, > 0). */
    muteSeconds?: number;
    notifyAdmins?: boolean;
    dryRun?: boolean;
    exempt?: ExemptDocument;
  };
  departed?: {
    enabled?: boolean;
    /** Kick this long after the departure takes effect (handover time). Default 0. */
    graceSeconds?: number;
    /** They must be out of every group by effective date + this; still there → `member:departed-overdue`. Default 3 days. */
    deadlineSeconds?: number;
    action?: Action;
    /** With action mute: how long (required, > 0). */
    muteSeconds?: number;
    notifyAdmins?: boolean;
    /** Also find departed staff by their group card when no account of theirs is linked. Default true. */
    matchByCard?: boolean;
    dryRun?: boolean;
  };
  inactivity?: {
    enabled?: boolean;
    /** Report members who have not spoken for this many days. Default 90. */
    days?: number;
    action?: Action;
    /** With action mute: how long (required, > 0). */
    muteSeconds?: number;
    notifyAdmins?: boolean;
    dryRun?: boolean;
    exempt?: ExemptDocument;
  };
}

export interface CardRule {
  enabled: boolean;
  format: RegExp;
  formatSource: string;
  formatLabel: string;
  matchRoster: boolean;
  action: Action;
  muteSeconds: number;
  notifyAdmins: boolean;
  dryRun: boolean;
  exemptUserIds: ReadonlySet<string>;
  exemptRoles: ReadonlySet<SenderRole>;
}

export interface DepartedRule {
  enabled: boolean;
  graceMs: number;
  deadlineMs: number;
  action: Action;
  muteSeconds: number;
  notifyAdmins: boolean;
  matchByCard: boolean;
  dryRun: boolean;
}

export interface InactivityRule {
  enabled: boolean;
  idleMs: number;
  action: Action;
  muteSeconds: number;
  notifyAdmins: boolean;
  dryRun: boolean;
  exemptUserIds: ReadonlySet<string>;
  exemptRoles: ReadonlySet<SenderRole>;
}

export interface GroupMemberRules {
  card: CardRule;
  departed: DepartedRule;
  inactivity: InactivityRule;
}

const DAY_S = 86_400;

export const DEFAULT_MEMBER_RULES: Required<Pick<MemberRulesDocument, 'name' | 'version' | 'utcOffset'>> & {
  defaults: GroupRulesDocument;
} = {
  name: 'members',
  version: 1,
  utcOffset: '+08:00',
  defaults: {
    card: {
      enabled: true,
      format: DEFAULT_CARD_FORMAT,
      formatLabel: DEFAULT_CARD_LABEL,
      matchRoster: true,
      action: 'review',
      muteSeconds: 0,
      notifyAdmins: false,
      dryRun: false,
      exempt: { userIds: [], roles: [] },
    },
    departed: {
      enabled: true,
      graceSeconds: 0,
      deadlineSeconds: 3 * DAY_S,
      action: 'kick',
      muteSeconds: 0,
      notifyAdmins: true,
      matchByCard: true,
      dryRun: false,
    },
    inactivity: {
      enabled: true,
      days: 90,
      action: 'review',
      muteSeconds: 0,
      notifyAdmins: false,
      dryRun: false,
      exempt: { userIds: [], roles: [] },
    },
  },
};

const ACTION_ENUM = ['allow', 'review', 'warn', 'mute', 'kick', 'ban'];
/** QQ mutes for at most 30 days. */
const MUTE_SECONDS = { type: 'integer', minimum: 0, maximum: 30 * DAY_S };
const EXEMPT = {
  type: 'object',
  additionalProperties: false,
  properties: {
    userIds: { type: 'array', items: { type: 'string', minLength: 1 } },
    roles: { type: 'array', items: { enum: ['owner', 'admin', 'member'] } },
  },
};
const GROUP_RULES_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    card: {
      type: 'object',
      additionalProperties: false,
      properties: {
        enabled: { type: 'boolean' },
        format: { type: 'string', minLength: 1 },
        formatLabel: { type: 'string', minLength: 1 },
        matchRoster: { type: 'boolean' },
        action: { enum: ACTION_ENUM },
        muteSeconds: MUTE_SECONDS,
        notifyAdmins: { type: 'boolean' },
        dryRun: { type: 'boolean' },
        exempt: EXEMPT,
      },
    },
    departed: {
      type: 'object',
      additionalProperties: false,
      properties: {
        enabled: { type: 'boolean' },
        graceSeconds: { type: 'integer', minimum: 0 },
        deadlineSeconds: { type: 'integer', minimum: 0 },
        action: { enum: ACTION_ENUM },
        muteSeconds: MUTE_SECONDS,
        notifyAdmins: { type: 'boolean' },
        matchByCard: { type: 'boolean' },
        dryRun: { type: 'boolean' },
      },
    },
    inactivity: {
      type: 'object',
      additionalProperties: false,
      properties: {
        enabled: { type: 'boolean' },
        days: { type: 'number', exclusiveMinimum: 0 },
        action: { enum: ACTION_ENUM },
        muteSeconds: MUTE_SECONDS,
        notifyAdmins: { type: 'boolean' },
        dryRun: { type: 'boolean' },
        exempt: EXEMPT,
      },
    },
  },
};
const RULES_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  // Extension fields, ignored: a place for YAML anchors groups merge in (`<<: *base`), as in the policy.
  patternProperties: { '^x-': {} },
  properties: {
    name: { type: 'string', pattern: '^[^@\\s]+$' },
    version: { type: ['string', 'number'] },
    utcOffset: { type: 'string' },
    defaults: GROUP_RULES_SCHEMA,
    groups: { type: 'object', additionalProperties: GROUP_RULES_SCHEMA },
  },
};

let validateRules: ReturnType<Ajv['compile']> | undefined;

/**
 * The member rules, checked and compiled once. `forGroup` resolves a group's rules on first use and
 * caches them; `hash` is a content hash of the effective document (verdicts carry it, and a change of rules
 * makes cards be checked again).
 */
export class CompiledMemberRules {
  /** `name@version`, carried by member verdicts in `policy`. */
  readonly id: string;
  /** sha256 hex of the effective document. */
  readonly hash: string;
  readonly utcOffsetMinutes: number;
  readonly #defaults: GroupRulesDocument;
  readonly #groups: Record<string, GroupRulesDocument>;
  readonly #resolved = new Map<string, GroupMemberRules>();
  readonly #defaultRules: GroupMemberRules;

  constructor(document: MemberRulesDocument = {}, source = 'member rules') {
    validateRules ??= new Ajv({ allErrors: true, strict: false }).compile(RULES_SCHEMA);
    if (!validateRules(document)) {
      throw new ConfigError(
        'CONFIG_INVALID',
        '',
        `${source} invalid: ${describeAjvErrors(validateRules.errors)}`,
      );
    }
    const name = document.name ?? DEFAULT_MEMBER_RULES.name;
    const version = document.version ?? DEFAULT_MEMBER_RULES.version;
    this.id = `${name}@${version}`;
    this.utcOffsetMinutes = parseUtcOffset(document.utcOffset ?? DEFAULT_MEMBER_RULES.utcOffset);
    this.#defaults = merge(structuredClone(DEFAULT_MEMBER_RULES.defaults), document.defaults ?? {});
    this.#groups = document.groups ?? {};
    this.hash = createHash('sha256')
      .update(JSON.stringify({ id: this.id, utc: this.utcOffsetMinutes, d: this.#defaults, g: this.#groups }))
      .digest('hex');
    this.#defaultRules = compileGroup(this.#defaults, `${source}: defaults`);
    // Every group is compiled now, so a bad regex in any group fails at load, not at the first event.
    for (const [key, doc] of Object.entries(this.#groups)) {
      this.#resolved.set(
        key,
        compileGroup(merge(structuredClone(this.#defaults), doc), `${source}: groups["${key}"]`),
      );
    }
  }

  static defaults(): CompiledMemberRules {
    return new CompiledMemberRules({});
  }

  forGroup(platform: string, groupId: string): GroupMemberRules {
    return this.#resolved.get(platform + ':' + groupId) ?? this.#defaultRules;
  }

  /** The shortest idle time any group reports after (inactivity enabled somewhere), or Infinity. */
  get shortestIdleMs(): number {
    let best = this.#defaultRules.inactivity.enabled ? this.#defaultRules.inactivity.idleMs : Infinity;
    for (const r of this.#resolved.values())
      if (r.inactivity.enabled) best = Math.min(best, r.inactivity.idleMs);
    return best;
  }
}

/** Reads a rules file (YAML or JSON); ConfigError naming the file and the field when it is invalid. */
export function loadMemberRulesFile(path: string): CompiledMemberRules {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError('CONFIG_INVALID', '', `cannot read member rules ${path}: ${(e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text, { prettyErrors: true, merge: true }) ?? {};
  } catch (e) {
    throw new ConfigError(
      'CONFIG_INVALID',
      '',
      `member rules ${path} is not valid YAML: ${(e as Error).message}`,
    );
  }
  return new CompiledMemberRules(doc as MemberRulesDocument, `member rules ${path}`);
}

function compileGroup(d: GroupRulesDocument, where: string): GroupMemberRules {
  const c = d.card!;
  const p = d.departed!;
  const i = d.inactivity!;
  let format: RegExp;
  try {
    format = new RegExp(c.format!, 'u');
  } catch (e) {
    throw new ConfigError(
      'CONFIG_INVALID',
      '',
      `${where}: card.format is not a valid regular expression: ${(e as Error).message}`,
    );
  }
  if (!/\(\?<name>/.test(c.format!)) {
    throw new ConfigError(
      'CONFIG_INVALID',
      '',
      `${where}: card.format must have a named group (?<name>…) (and may have (?<department>…))`,
    );
  }
  // A mute of 0 seconds is no mute (an enforcer sends none: it would lift one), so say so at load.
  for (const [rule, r] of [
    ['card', c],
    ['departed', p],
    ['inactivity', i],
  ] as const) {
    if (r.action === 'mute' && !(r.muteSeconds! > 0))
      throw new ConfigError(
        'CONFIG_INVALID',
        '',
        `${where}: ${rule}.muteSeconds must be > 0 when ${rule}.action is mute (got ${r.muteSeconds ?? 'none'})`,
      );
  }
  return {
    card: {
      enabled: c.enabled!,
      format,
      formatSource: c.format!,
      formatLabel: c.formatLabel!,
      matchRoster: c.matchRoster!,
      action: c.action!,
      muteSeconds: c.muteSeconds!,
      notifyAdmins: c.notifyAdmins!,
      dryRun: c.dryRun!,
      exemptUserIds: new Set(c.exempt?.userIds ?? []),
      exemptRoles: new Set(c.exempt?.roles ?? []),
    },
    departed: {
      enabled: p.enabled!,
      graceMs: p.graceSeconds! * 1000,
      deadlineMs: p.deadlineSeconds! * 1000,
      action: p.action!,
      muteSeconds: p.muteSeconds!,
      notifyAdmins: p.notifyAdmins!,
      matchByCard: p.matchByCard!,
      dryRun: p.dryRun!,
    },
    inactivity: {
      enabled: i.enabled!,
      idleMs: i.days! * DAY_S * 1000,
      action: i.action!,
      muteSeconds: i.muteSeconds!,
      notifyAdmins: i.notifyAdmins!,
      dryRun: i.dryRun!,
      exemptUserIds: new Set(i.exempt?.userIds ?? []),
      exemptRoles: new Set(i.exempt?.roles ?? []),
    },
  };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Mappings merge key by key; lists and values replace (as in the policy file). */
function merge<T extends object>(base: T, over: object): T {
  const b = base as Record<string, unknown>;
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
    const cur = b[k];
    b[k] = isPlainObject(cur) && isPlainObject(v) ? merge({ ...cur }, v) : v;
  }
  return base;
}
