/**
 * Member events (docs/member-events.md): the membership side of the input contract, the member rules
 * (group cards, departed staff, inactivity), the roster, and the membership store (memory / Redis).
 */
export * from './types.js';
export { MemberEventDecoder, memberEventSchema, type MemberDecodeResult } from './decode.js';
export {
  DEFAULT_CARD_FORMAT,
  DEFAULT_CARD_LABEL,
  normalizeCard,
  identityKey,
  describeIdentity,
  parseCard,
  type CardParse,
} from './card.js';
export {
  Roster,
  normalizeEmployee,
  effectiveAtOf,
  parseUtcOffset,
  identityOf,
  nameOf,
  accountKey,
} from './roster.js';
export { readRosterFile, parseCsvRoster } from './roster-file.js';
export {
  CompiledMemberRules,
  loadMemberRulesFile,
  DEFAULT_MEMBER_RULES,
  type MemberRulesDocument,
  type GroupRulesDocument,
  type GroupMemberRules,
  type CardRule,
  type DepartedRule,
  type InactivityRule,
} from './rules.js';
export {
  touchProblem,
  type MemberStore,
  type MemberTouch,
  type TouchResult,
  type MemberRemoval,
  type CardCheckRelease,
  type IdleRearm,
} from './store.js';
export { MAX_TS_MS, isTimestamp, memberEventProblem } from './validate.js';
export {
  MemoryMemberStore,
  createMemoryMemberStore,
  type MemoryMemberStoreOptions,
} from './memory/memory-member-store.js';
export {
  RedisMemberStore,
  createRedisMemberStore,
  loadMemberScripts,
  type RedisMemberStoreOptions,
  type MemberScripts,
} from './redis/redis-member-store.js';
export { MemberKeys } from './redis/keys.js';
export {
  MEMBER_RULE,
  MEMBER_CATEGORY,
  MEMBER_SEVERITY,
  memberMessageId,
  memberVerdict,
  MemberDeliveryError,
  type MemberRuleId,
  type MemberVerdictInput,
} from './verdicts.js';
export {
  MemberMonitor,
  observationFromMessage,
  releasingDelivery,
  type MemberMonitorOptions,
  type MemberMonitorHooks,
} from './monitor.js';
export { MemberSweeper, type MemberSweeperOptions } from './sweeper.js';
