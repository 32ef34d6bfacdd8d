import { int } from '../config/schema.js';
import { ACTIONS, CATEGORIES } from '../contracts/types.js';

/**
 * JSON Schema (draft-07) of a policy file: the shape only. Rules that need more than one field (an
 * off-ladder category needs an action, a mute needs a length, rule patterns, group keys) are checked after
 * the layers are merged, in compile.ts, so that every error can name the layer that caused it.
 */

const ROLES = ['owner', 'admin', 'member'];

// Integer fields are bounded by INT32_MAX (config/schema.ts): Ajv's strict mode already rejects YAML's .inf
// and .nan; the bound keeps finite values sane too: expiries end up in Redis PX arguments and in doubles
// next to epoch milliseconds, windows in Redis key names.
const seconds = int(0);
const flag = { type: 'boolean' };

const step = {
  type: 'object',
  additionalProperties: false,
  required: ['action'],
  properties: {
    action: { enum: [...ACTIONS] },
    muteSeconds: seconds,
    deleteMessage: flag,
    notifyAdmins: flag,
  },
};

// Subschemas are referenced, not inlined: ajv then compiles each once (a few ms instead of ~0.4 s).
const STEP = { $ref: '#/definitions/step' };
const TREATMENT = { $ref: '#/definitions/treatment' };
const RULES = { $ref: '#/definitions/rules' };

const steps = { type: 'array', minItems: 1, maxItems: 32, items: STEP };

const treatment = {
  type: 'object',
  additionalProperties: false,
  properties: {
    // A boolean, or a list of steps: array keywords do not apply to booleans, so one schema covers both
    // and errors inside a list point at the step.
    ladder: { type: ['boolean', 'array'], minItems: 1, maxItems: 32, items: STEP },
    entryStep: int(1, 32),
    action: { enum: [...ACTIONS] },
    muteSeconds: seconds,
    deleteMessage: flag,
    notifyAdmins: flag,
    strike: flag,
    strikeCooldownSeconds: seconds,
    strikeExpirySeconds: int(1),
    minSeverity: int(0, 5),
    dryRun: flag,
  },
};

const positiveInt = int(1);
const atLeastTwo = int(2);

const rules = {
  type: 'object',
  additionalProperties: false,
  properties: {
    dryRun: flag,
    dryRunRules: { type: 'array', items: { type: 'string', minLength: 1 } },
    ladder: steps,
    strikeExpirySeconds: int(1),
    categories: {
      type: 'object',
      additionalProperties: false,
      properties: Object.fromEntries(CATEGORIES.map((c) => [c, TREATMENT])),
    },
    rules: { type: 'object', additionalProperties: TREATMENT },
    floodControl: flag,
    flood: {
      type: 'object',
      additionalProperties: false,
      properties: {
        rateMax: positiveInt,
        rateWindowMs: positiveInt,
        // A message is its own first copy and its own first group: 1 would flag every message.
        duplicateMax: atLeastTwo,
        duplicateWindowMs: positiveInt,
        crossGroupMin: atLeastTwo,
        crossGroupWindowMs: positiveInt,
      },
    },
    exemptions: {
      type: 'object',
      additionalProperties: false,
      properties: {
        userIds: { type: 'array', items: { type: 'string', minLength: 1 } },
        roles: { type: 'array', items: { enum: ROLES } },
      },
    },
    mentions: {
      type: 'object',
      additionalProperties: false,
      properties: {
        allowAllRoles: { type: 'array', items: { enum: ROLES } },
      },
    },
  },
};

export const POLICY_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://modstream.dev/schemas/policy.v1.json',
  title: 'modstream policy',
  type: 'object',
  additionalProperties: false,
  required: ['name', 'version'],
  // Extension fields, ignored: a place for YAML anchors that groups merge in (`x-base: &base …`, then
  // `<<: *base`), as docker-compose files do.
  patternProperties: { '^x-': {} },
  properties: {
    name: { type: 'string', minLength: 1, pattern: '^[^@\\s]+$' },
    // A number is accepted as YAML writes it (quote "1.10": unquoted it is the number 1.1).
    version: { type: ['string', 'number'], minLength: 1 },
    defaults: RULES,
    groups: { type: 'object', additionalProperties: RULES },
  },
  definitions: { step, treatment, rules },
} as const;
