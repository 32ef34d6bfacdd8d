import type { Verdict } from '../../../src/contracts/types.js';

/** A valid verdict v1 with overrides. */
export function verdict(over: Partial<Verdict> = {}): Verdict {
  return {
    v: 1,
    messageId: 'qq:901234:55871',
    platform: 'qq',
    groupId: '901234',
    userId: '10001',
    action: 'allow',
    deleteMessage: false,
    muteSeconds: 0,
    notifyAdmins: false,
    reasons: [],
    strikes: 0,
    dryRun: false,
    policy: 'default@1',
    lexiconVersion: 'sha256:' + '0'.repeat(64),
    ts: 1764000000000,
    latencyMs: 0.2,
    ...over,
  };
}
