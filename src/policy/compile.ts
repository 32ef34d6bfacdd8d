import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { nullSectionsAsEmpty } from '../config/empty-mappings.js';
import { CATEGORIES } from '../contracts/types.js';
import type { Category, SenderRole } from '../contracts/types.js';
import type { FloodLimits } from '../flood/types.js';
import { DEFAULT_POLICY_DOCUMENT } from './default-policy.js';
import type { PolicyDocument, RulesDocument, StepDocument, TreatmentDocument } from './document.js';
import { PolicyError, formatPolicyPath, type PolicyPath, type PolicyProblem } from './policy-error.js';
import { GroupRules, type Outcome, type RuleOverride, type Treatment } from './rules.js';
import { POLICY_SCHEMA } from './schema.js';

/** A policy ready for the engine: validated, merged, and resolved for every configured group. */
export class CompiledPolicy {
  /** `name@version`, carried by every verdict. */
  readonly id: string;
  readonly name: string;
  readonly version: string;
  /** Rules of every group without its own entry. */
  readonly defaults: GroupRules;
  /** Rules per configured `platform:groupId`. */
  readonly groups: ReadonlyMap<string, GroupRules>;
  /** The document as given (deep-merged layers are not kept: `groups` holds their compiled form). */
  readonly document: PolicyDocument;
  readonly #byPlatform: ReadonlyMap<string, ReadonlyMap<string, GroupRules>>;

  constructor(document: PolicyDocument, defaults: GroupRules, groups: ReadonlyMap<string, GroupRules>) {
    this.document = document;
    this.name = document.name;
    this.version = String(document.version);
    this.id = `${this.name}@${this.version}`;
    this.defaults = defaults;
    this.groups = groups;
    // Two levels (platform → groupId) so the hot path looks a group up without building its key.
    const byPlatform = new Map<string, Map<string, GroupRules>>();
    for (const [key, rules] of groups) {
      const colon = key.indexOf(':');
      const platform = key.slice(0, colon);
      let inner = byPlatform.get(platform);
      if (!inner) byPlatform.set(platform, (inner = new Map()));
      inner.set(key.slice(colon + 1), rules);
    }
    this.#byPlatform = byPlatform;
  }

  /** The rules in force in a group: its own entry, or the defaults. */
  resolve(platform: string, groupId: string): GroupRules {
    return this.#byPlatform.get(platform)?.get(groupId) ?? this.defaults;
  }
}

export interface CompileOptions {
  /** File name, for error reports. */
  source?: string;
  /** Maps a document path to its 1-based line in the source file (YAML loading supplies it). */
  locate?: (segments: PolicyPath) => number | undefined;
}

/**
 * Validates and compiles policy documents. Holds the compiled JSON Schema, so one instance serves every
 * load and reload of a process.
 */
export class PolicyCompiler {
  readonly #validate: ValidateFunction;

  constructor() {
    const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
    this.#validate = ajv.compile(POLICY_SCHEMA);
  }

  /**
   * Validates `raw` (a parsed policy file) and compiles it. Throws PolicyError (code POLICY_INVALID)
   * listing every problem, each with its path, e.g.
   * `groups["qq:901234"].categories.ads.ladder[1].muteSeconds must be >= 0`.
   */
  compile(raw: unknown, options: CompileOptions = {}): CompiledPolicy {
    // `defaults:` / `groups:` / `"qq:1":` / `categories:` … with nothing under them (YAML: null) are
    // empty mappings: they change nothing (docs/policy.md, "How a file is read").
    const input = nullSectionsAsEmpty(raw, POLICY_SCHEMA);
    const problems: PolicyProblem[] = [];
    if (!this.#validate(input)) {
      for (const e of this.#validate.errors ?? []) problems.push(schemaProblem(e, input));
    }
    const doc = input as PolicyDocument;
    if (isRecord(input)) checkSemantics(doc, problems);
    if (problems.length > 0) {
      const unique = dedupe(problems);
      if (options.locate) for (const p of unique) p.line = options.locate(p.segments);
      throw new PolicyError(unique, options.source);
    }
    return build(doc);
  }
}

/** The built-in default policy, compiled. */
export function defaultPolicy(compiler: PolicyCompiler = new PolicyCompiler()): CompiledPolicy {
  return compiler.compile(DEFAULT_POLICY_DOCUMENT);
}

/** One-shot form of `new PolicyCompiler().compile(input, options)`. */
export function compilePolicy(input: unknown, options: CompileOptions = {}): CompiledPolicy {
  return new PolicyCompiler().compile(input, options);
}

// ---------------------------------------------------------------------------------------------------------
// Layers

/** Objects merge key by key; arrays and scalars replace; undefined leaves the base value. */
export function mergeLayers<T>(base: T, over: unknown): T {
  if (over === undefined) return base;
  if (!isRecord(base) || !isRecord(over)) return over as T;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v !== undefined) out[k] = mergeLayers(out[k], v);
  }
  return out as T;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

const BUILT_IN = DEFAULT_POLICY_DOCUMENT.defaults as RulesDocument;

// ---------------------------------------------------------------------------------------------------------
// Schema errors → problems

function schemaProblem(e: ErrorObject, doc: unknown): PolicyProblem {
  const segments = pointerSegments(e.instancePath, doc);
  const params = e.params as Record<string, unknown>;
  let message: string;
  switch (e.keyword) {
    case 'required':
      segments.push(String(params.missingProperty));
      message = 'is required';
      break;
    case 'additionalProperties': {
      const parent = segments[segments.length - 1];
      segments.push(String(params.additionalProperty));
      message =
        parent === 'categories'
          ? `is not a known category (one of ${CATEGORIES.join(', ')})`
          : 'is not a known field';
      break;
    }
    case 'enum':
      message = `must be one of ${(params.allowedValues as unknown[]).join(', ')}`;
      break;
    case 'type': {
      const types = Array.isArray(params.type) ? params.type : String(params.type).split(',');
      message = `must be ${types.map((t: string) => (t === 'object' ? 'a mapping' : t)).join(' or ')}`;
      break;
    }
    case 'minItems':
      message = `must have at least ${String(params.limit)} item${params.limit === 1 ? '' : 's'}`;
      break;
    case 'maxItems':
      message = `must have at most ${String(params.limit)} items`;
      break;
    case 'minLength':
      message = 'must not be empty';
      break;
    case 'minimum': {
      const field = segments[segments.length - 1];
      message = `must be >= ${String(params.limit)}`;
      if (field === 'duplicateMax') message += ' (a message is its own 1st copy: 1 would flag every message)';
      if (field === 'crossGroupMin')
        message += ' (a message is in its own group: 1 would flag every message)';
      break;
    }
    case 'pattern':
      message = segments.length === 1 && segments[0] === 'name' ? 'must not contain @ or spaces' : e.message!;
      break;
    default:
      message = e.message ?? 'is invalid';
  }
  if (segments.length === 0) message = `the policy ${message}`;
  return { path: formatPolicyPath(segments), segments, message };
}

/** A JSON pointer as path segments; a segment is a number only where the document has an array. */
function pointerSegments(pointer: string, doc: unknown): (string | number)[] {
  const out: (string | number)[] = [];
  if (!pointer) return out;
  let node: unknown = doc;
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) {
      const i = Number(seg);
      out.push(i);
      node = node[i];
    } else {
      out.push(seg);
      node = isRecord(node) ? node[seg] : undefined;
    }
  }
  return out;
}

/** One problem per path and message, schema problems first. */
function dedupe(problems: PolicyProblem[]): PolicyProblem[] {
  const seen = new Set<string>();
  const out: PolicyProblem[] = [];
  for (const p of problems) {
    const key = `${p.path}\u0000${p.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(p);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Semantic checks: what one field cannot say alone. They read the merged layers defensively (the schema
// may have failed too) and name the layer that made the combination.

const GROUP_KEY = /^[^:\s]+:\S+$/;
const RULE_PATTERN = /^(?:\*|[^*\s][^*]*\*?)$/;

function checkSemantics(doc: PolicyDocument, problems: PolicyProblem[]): void {
  const schemaPaths = new Set(problems.map((p) => p.path));
  const add = (segments: PolicyPath, message: string): void => {
    const path = formatPolicyPath(segments);
    if (!schemaPaths.has(path)) problems.push({ path, segments, message });
  };

  const base = mergeLayers(BUILT_IN, doc.defaults);
  checkLayer(base, isRecord(doc.defaults) ? doc.defaults : {}, ['defaults'], add);

  if (isRecord(doc.groups)) {
    for (const [key, own] of Object.entries(doc.groups)) {
      if (!GROUP_KEY.test(key)) {
        add(['groups', key], 'is not a group key: write it as "platform:groupId", e.g. "qq:901234"');
      }
      if (!isRecord(own)) continue;
      checkLayer(mergeLayers(base, own), own, ['groups', key], add);
    }
  }
}

type Add = (segments: PolicyPath, message: string) => void;

/** Checks one layer as merged; reports what this layer itself wrote or changed. */
function checkLayer(merged: RulesDocument, own: RulesDocument, at: PolicyPath, add: Add): void {
  if (Array.isArray(own.ladder)) checkSteps(own.ladder, [...at, 'ladder'], add);

  if (Array.isArray(own.dryRunRules)) {
    own.dryRunRules.forEach((p, i) => {
      if (typeof p === 'string' && !RULE_PATTERN.test(p)) {
        add([...at, 'dryRunRules', i], 'must be a rule id, or a prefix ending in * (e.g. "pii:*")');
      }
    });
  }

  const categories = isRecord(merged.categories) ? merged.categories : {};
  const ownCategories = isRecord(own.categories) ? own.categories : {};
  for (const category of CATEGORIES) {
    const t = categories[category];
    // Only where this layer touched the category: an untouched one was checked where it was written.
    if (!isRecord(t) || ownCategories[category] === undefined) continue;
    checkTreatment(t, [...at, 'categories', category], add);
  }

  const rules = isRecord(merged.rules) ? merged.rules : {};
  const ownRules = isRecord(own.rules) ? own.rules : {};
  const touchedCategories = Object.keys(ownCategories).length > 0;
  for (const [pattern, override] of Object.entries(rules)) {
    const path = [...at, 'rules', pattern];
    if (ownRules[pattern] !== undefined && !RULE_PATTERN.test(pattern)) {
      add(path, 'is not a rule pattern: write a rule id, or a prefix ending in * (e.g. "pii:*")');
    }
    if (!isRecord(override) || (ownRules[pattern] === undefined && !touchedCategories)) continue;
    // A pattern may match rules of any category: the override must make sense over each of them. One
    // problem per field, naming the categories it breaks.
    const broken = new Map<string, { segments: PolicyPath; message: string; categories: string[] }>();
    for (const category of CATEGORIES) {
      const t = categories[category];
      if (!isRecord(t)) continue;
      checkTreatment(mergeLayers(t, override), path, (segments, message) => {
        const key = `${formatPolicyPath(segments)} ${message}`;
        const entry = broken.get(key) ?? { segments, message, categories: [] };
        entry.categories.push(category);
        broken.set(key, entry);
      });
    }
    for (const { segments, message, categories: list } of broken.values()) {
      add(segments, `${message} (for ${list.length === 1 ? 'category' : 'categories'} ${list.join(', ')})`);
    }
  }
}

function checkTreatment(t: TreatmentDocument, at: PolicyPath, add: Add): void {
  if (Array.isArray(t.ladder)) checkSteps(t.ladder, [...at, 'ladder'], add);
  if (t.ladder !== false) return;
  if (t.action === undefined) {
    add([...at, 'action'], 'is required when ladder is false');
  } else if (t.action === 'mute') {
    if (t.muteSeconds === undefined) add([...at, 'muteSeconds'], 'is required when action is mute');
    else if (t.muteSeconds === 0) add([...at, 'muteSeconds'], 'must be > 0 when action is mute');
  }
}

function checkSteps(steps: readonly StepDocument[], at: PolicyPath, add: Add): void {
  steps.forEach((step, i) => {
    if (!isRecord(step) || step.action !== 'mute') return;
    if (step.muteSeconds === undefined) add([...at, i, 'muteSeconds'], 'is required when action is mute');
    else if (step.muteSeconds === 0) add([...at, i, 'muteSeconds'], 'must be > 0 when action is mute');
  });
}

// ---------------------------------------------------------------------------------------------------------
// Building the compiled form (the document is valid from here on)

function build(doc: PolicyDocument): CompiledPolicy {
  const base = mergeLayers(BUILT_IN, doc.defaults);
  const defaults = buildRules('', base);
  const groups = new Map<string, GroupRules>();
  for (const [key, own] of Object.entries(doc.groups ?? {})) {
    groups.set(key, buildRules(key, mergeLayers(base, own)));
  }
  return new CompiledPolicy(doc, defaults, groups);
}

function buildRules(key: string, layer: RulesDocument): GroupRules {
  const ladder = layer.ladder ?? [];
  const ttlMs = (layer.strikeExpirySeconds ?? 30 * 86_400) * 1000;
  const categoryDocs = layer.categories ?? {};
  const categories = CATEGORIES.map((c) => buildTreatment(c, categoryDocs[c] ?? {}, ladder, ttlMs));
  const rules: RuleOverride[] = Object.entries(layer.rules ?? {}).map(([pattern, override]) => {
    const prefix = pattern.endsWith('*');
    return {
      pattern: prefix ? pattern.slice(0, -1) : pattern,
      prefix,
      byCategory: CATEGORIES.map((c) =>
        buildTreatment(c, mergeLayers(categoryDocs[c] ?? {}, override), ladder, ttlMs),
      ),
    };
  });
  return new GroupRules({
    key,
    dryRun: layer.dryRun ?? false,
    flood: layer.flood as FloodLimits,
    floodControl: layer.floodControl ?? true,
    strikeTtlMs: ttlMs,
    categories,
    rules,
    dryRunRules: layer.dryRunRules ?? [],
    exemptUserIds: layer.exemptions?.userIds ?? [],
    exemptRoles: (layer.exemptions?.roles ?? []) as SenderRole[],
    allowAllRoles: (layer.mentions?.allowAllRoles ?? []) as SenderRole[],
  });
}

function buildTreatment(
  category: Category,
  t: TreatmentDocument,
  layerLadder: readonly StepDocument[],
  layerTtlMs: number,
): Treatment {
  const deleteMessage = t.deleteMessage ?? false;
  const notifyAdmins = t.notifyAdmins ?? false;
  const onLadder = t.ladder !== false;
  const steps = Array.isArray(t.ladder) ? t.ladder : layerLadder;
  const ladder: Outcome[] | null = onLadder
    ? steps.map((s) =>
        Object.freeze({
          action: s.action,
          muteSeconds: s.muteSeconds ?? 0,
          deleteMessage: s.deleteMessage ?? deleteMessage,
          notifyAdmins: (s.notifyAdmins ?? false) || notifyAdmins,
        }),
      )
    : null;
  const outcome: Outcome = Object.freeze({
    action: t.action ?? 'review',
    muteSeconds: t.muteSeconds ?? 0,
    deleteMessage,
    notifyAdmins,
  });
  return Object.freeze({
    category,
    ladder: ladder && Object.freeze(ladder),
    outcome,
    deleteMessage,
    notifyAdmins,
    strike: onLadder || (t.strike ?? true),
    entryStep: onLadder ? (t.entryStep ?? 1) : 1,
    cooldownMs: (t.strikeCooldownSeconds ?? 0) * 1000,
    ttlMs: t.strikeExpirySeconds !== undefined ? t.strikeExpirySeconds * 1000 : layerTtlMs,
    minSeverity: t.minSeverity ?? 0,
    dryRun: t.dryRun ?? false,
  });
}
