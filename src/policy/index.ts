export type {
  PolicyDocument,
  RulesDocument,
  StepDocument,
  TreatmentDocument,
  ExemptionsDocument,
  MentionsDocument,
} from './document.js';
export { DEFAULT_POLICY_DOCUMENT } from './default-policy.js';
export { POLICY_SCHEMA } from './schema.js';
export { PolicyError, formatPolicyPath, type PolicyProblem, type PolicyPath } from './policy-error.js';
export {
  CompiledPolicy,
  PolicyCompiler,
  compilePolicy,
  defaultPolicy,
  mergeLayers,
  type CompileOptions,
} from './compile.js';
export { parsePolicy, loadPolicyFile } from './load.js';
export { GroupRules, CATEGORY_INDEX, type Outcome, type Treatment } from './rules.js';
export {
  PolicyEngine,
  type PolicyEngineOptions,
  type PolicyInput,
  type PolicyDecision,
  type StoreErrorMode,
} from './engine.js';
