/** Detectors: links, personal data, mentions (docs/detectors.md). */
export { createDetectors } from './detectors.js';
export type {
  CnIdSetting,
  MessageDetector,
  DetectorOptions,
  Detectors,
  IpLiteralSetting,
  LinkOptions,
  LookalikeSetting,
  MentionOptions,
  PiiOptions,
  RuleOption,
  RuleSetting,
  ShortenerSetting,
} from './types.js';
export {
  createLinkDetector,
  DEFAULT_SHORTENERS,
  LINK_RULE_DENY,
  LINK_RULE_HOMOGRAPH,
  LINK_RULE_IP,
  LINK_RULE_LOOKALIKE,
  LINK_RULE_SHORTENER,
  LINK_RULE_UNKNOWN,
  LinkDetector,
} from './links/link-detector.js';
export {
  createPiiDetector,
  PII_RULE_BANK_CARD,
  PII_RULE_CN_ID,
  PII_RULE_EMAIL,
  PII_RULE_MOBILE,
  PiiDetector,
} from './pii/pii-detector.js';
export {
  createMentionDetector,
  DEFAULT_ALL_KEYWORDS,
  MENTION_RULE_ALL,
  MENTION_RULE_MANY,
  MentionDetector,
} from './mentions/mention-detector.js';
export { isValidCnId, cnIdCheckValue } from './pii/cn-id.js';
export { isValidCardNumber, luhnValid } from './pii/bank-card.js';
export { isOneEditApart, isHomograph, skeleton } from './links/lookalike.js';
export { TLDS } from './links/tlds.js';
