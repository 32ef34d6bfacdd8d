import type { PolicyDocument, TreatmentDocument } from './document.js';

/**
 * The built-in policy: DESIGN.md "Default policy" (typical company group rules). It is the base layer every
 * policy file is merged over, so a file only states what differs. examples/policy.yaml spells out the same
 * policy in full (a test keeps the two equal).
 */

const DAY = 86_400;

/** Severe categories enter the ladder at its 2nd step and always notify admins. */
const SEVERE: TreatmentDocument = { ladder: true, entryStep: 2, deleteMessage: true, notifyAdmins: true };
const ORDINARY: TreatmentDocument = { ladder: true, entryStep: 1, deleteMessage: true, notifyAdmins: false };
/** A person decides; the message goes and the strike counts. */
const FOR_REVIEW: TreatmentDocument = {
  ladder: false,
  action: 'review',
  deleteMessage: true,
  notifyAdmins: false,
  strike: true,
};

export const DEFAULT_POLICY_DOCUMENT: PolicyDocument = deepFreeze({
  name: 'default',
  version: 1,
  defaults: {
    dryRun: false,
    dryRunRules: [],
    strikeExpirySeconds: 30 * DAY,
    ladder: [
      { action: 'warn' },
      { action: 'mute', muteSeconds: 7 * DAY },
      { action: 'kick', notifyAdmins: true },
      // Anything after a kick: the user came back and offended again.
      { action: 'ban', notifyAdmins: true },
    ],
    categories: {
      illegal: { ...SEVERE },
      porn: { ...SEVERE },
      violence: { ...SEVERE },
      gambling: { ...SEVERE },
      political: { ...SEVERE },
      ads: { ...ORDINARY },
      phishing: { ...ORDINARY },
      abuse: { ...ORDINARY },
      rumor: { ...FOR_REVIEW },
      privacy: { ...FOR_REVIEW },
      secret: { ...FOR_REVIEW },
      // A flood mutes for 10 minutes and counts as one strike, however many messages the burst had.
      flood: {
        ladder: false,
        action: 'mute',
        muteSeconds: 600,
        deleteMessage: true,
        notifyAdmins: false,
        strike: true,
        strikeCooldownSeconds: 600,
      },
    },
    rules: {
      // @all from a non-admin, or too many mentions: the message goes with a warning, no strike.
      'mention:*': {
        ladder: false,
        action: 'warn',
        muteSeconds: 0,
        deleteMessage: true,
        notifyAdmins: false,
        strike: false,
      },
    },
    floodControl: true,
    flood: {
      rateMax: 10,
      rateWindowMs: 10_000,
      duplicateMax: 3,
      duplicateWindowMs: 60_000,
      crossGroupMin: 5,
      crossGroupWindowMs: 60_000,
    },
    exemptions: { userIds: [], roles: ['owner', 'admin'] },
    mentions: { allowAllRoles: ['owner', 'admin'] },
  },
  groups: {},
});

/** Frozen all the way down: the built-in layer is shared by every compiled policy. */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
