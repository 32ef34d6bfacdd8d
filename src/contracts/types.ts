/**
 * The wire contracts shared by every stage: message v1 in, verdict v1 out (see docs/contracts.md and
 * schemas/). Stages exchange these plain objects; nothing here knows about transports.
 */

export const CATEGORIES = [
  'illegal',
  'porn',
  'violence',
  'gambling',
  'political',
  'ads',
  'phishing',
  'abuse',
  'rumor',
  'privacy',
  'secret',
  'flood',
] as const;
export type Category = (typeof CATEGORIES)[number];

export const ACTIONS = ['allow', 'review', 'warn', 'mute', 'kick', 'ban'] as const;
export type Action = (typeof ACTIONS)[number];

/** Severity of actions, mild → severe; used to pick the strongest. */
export const ACTION_RANK: Readonly<Record<Action, number>> = {
  allow: 0,
  review: 1,
  warn: 2,
  mute: 3,
  kick: 4,
  ban: 5,
};

/** `member`: membership rules (group cards, departed staff, inactivity; docs/member-events.md), not message text. */
export const DETECTORS = ['lexicon', 'link', 'pii', 'mention', 'flood', 'classifier', 'member'] as const;
export type Detector = (typeof DETECTORS)[number];

/** Foldings a lexicon match may have gone through to be found. */
export const EVASIONS = [
  'width',
  'case',
  'traditional',
  'invisible',
  'separators',
  'repeats',
  'lookalike',
  'leet',
  'pinyin',
  'homophone',
] as const;
export type Evasion = (typeof EVASIONS)[number];

export interface Attachment {
  kind: string;
  url?: string;
  sha256?: string;
  [extra: string]: unknown;
}

export type SenderRole = 'owner' | 'admin' | 'member';

/** Message v1: what a chat adapter produces. Unknown fields are kept and ignored. */
export interface Message {
  v?: 1;
  id: string;
  platform: string;
  groupId: string;
  userId: string;
  userName?: string;
  text: string;
  ts: number;
  mentions?: string[];
  attachments?: Attachment[];
  replyTo?: string;
  /** The sender's role in the group, when the adapter knows it. */
  role?: SenderRole;
  [extra: string]: unknown;
}

export interface Reason {
  detector: Detector;
  category: Category;
  /** Stable rule id, e.g. `ads:加微信`, `pii:cn-id`, `flood:rate`. */
  rule: string;
  /** The matched text exactly as it appears in the original message. */
  match?: string;
  /** [start, end) in UTF-16 code units of the ORIGINAL text. */
  span?: [number, number];
  severity: number;
  evasion?: Evasion[];
  /** Classifier reasons only. */
  label?: string;
  score?: number;
  model?: string;
  /** Recorded but ignored by the policy (classifier shadow mode, dry-run rules). */
  shadow?: boolean;
  /** This rule is in dry-run: recorded, not enforced. */
  dryRun?: boolean;
}

/** Verdict v1: what enforcement services consume. */
export interface Verdict {
  v: 1;
  messageId: string;
  platform: string;
  groupId: string;
  userId: string;
  action: Action;
  deleteMessage: boolean;
  muteSeconds: number;
  notifyAdmins: boolean;
  reasons: Reason[];
  strikes: number;
  dryRun: boolean;
  /** `name@version` of the policy that decided. */
  policy: string;
  /** Content hash of the lexicon set, `sha256:…`. */
  lexiconVersion: string;
  ts: number;
  latencyMs: number;
}

/** Where a bad record came from, for the DLQ / error output. */
export interface RecordSource {
  /** Embedded/CLI: 1-based input line. */
  line?: number;
  topic?: string;
  partition?: number;
  offset?: string;
  [extra: string]: unknown;
}

/** A record that cannot be judged: the DLQ entry (embedded: the error output). */
export interface ErrorRecord {
  error: { code: string; message: string };
  /** The original record: UTF-8 text, or base64 when `rawEncoding` is 'base64' (bytes that are not UTF-8). */
  raw: string;
  rawEncoding?: 'utf8' | 'base64';
  source: RecordSource;
}
