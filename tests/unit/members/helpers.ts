import { VerdictValidator } from '../../../src/contracts/decode.js';
import type { Verdict } from '../../../src/contracts/types.js';
import { MemoryMemberStore } from '../../../src/members/memory/memory-member-store.js';
import { MemberMonitor, type MemberMonitorHooks } from '../../../src/members/monitor.js';
import { CompiledMemberRules, type MemberRulesDocument } from '../../../src/members/rules.js';
import type { EmployeeInput } from '../../../src/members/types.js';

export const DAY = 86_400_000;
/** 2025-11-24 00:00 +08:00 */
export const T0 = Date.UTC(2025, 10, 23, 16, 0, 0);

const validator: VerdictValidator = new VerdictValidator();

/** A monitor on a memory store with a settable clock; every verdict it returns is checked against verdict v1. */
export function setup(rules: MemberRulesDocument = {}, hooks: MemberMonitorHooks = {}) {
  const clock = { now: T0 };
  const store = new MemoryMemberStore({ clock: () => clock.now });
  const monitor = new MemberMonitor({
    store,
    rules: new CompiledMemberRules(rules),
    clock: () => clock.now,
    activityResolutionMs: 0,
    hooks,
  });
  return { clock, store, monitor };
}

export function valid(verdicts: Verdict[]): Verdict[] {
  for (const v of verdicts) validator.assert(v);
  return verdicts;
}

export function rules(verdicts: Verdict[]): string[] {
  return verdicts.map((v) => `${v.groupId}/${v.userId}:${v.reasons[0].rule}:${v.action}`);
}

export function employee(
  id: string,
  name: string,
  department: string,
  status: 'active' | 'left' = 'active',
  extra: Partial<EmployeeInput> = {},
): EmployeeInput {
  return { employeeId: id, name, department, status, ...extra };
}
