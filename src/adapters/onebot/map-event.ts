import type { Message } from '../../contracts/types.js';
import { unixSecondsToMs } from '../../members/time.js';
import type { MemberEvent, MemberObservation } from '../../members/types.js';
import { isSenderRole, repairLoneSurrogates } from '../../members/validate.js';
import { shortHash } from '../../members/verdicts.js';
import type { MappedEvent, PlatformEventMapper } from '../platform.js';
import { parseCqString } from './cq-code.js';
import { segmentsToContent } from './segments.js';
import type { OneBotSegment } from './types.js';

export interface OneBotMapperOptions {
  /** The platform name in message v1 and verdicts. Default `qq`. */
  platform?: string;
  /**
   * An event's strings held lone UTF-16 surrogates (bots pass on whatever QQ clients send; JSON can carry
   * `\ud800`): they were replaced by U+FFFD and the event mapped as usual, so the message is still
   * moderated and the card still checked. `fields` names where (e.g. `sender.card`, `message[0].data.text`).
   */
  onRepaired?: (repair: { post_type: string; id: string; fields: string[] }) => void;
}

/**
 * OneBot v11 events → modstream input (docs/adapters.md has the field table):
 *   message / group          → message v1, id `qq:<group_id>:<message_id>`
 *   notice group_increase    → member.joined;  group_decrease → member.left;  group_card → member.card
 *   private messages, the bot's own messages (message_sent), other notices, requests, meta events → ignored
 * Never throws: anything unreadable is `malformed` with the field named (a `time` that is no time from
 * 1970 to 9999 included), anything unheard of is `unknown`. Lone UTF-16 surrogates in any string are
 * replaced by U+FFFD (reported through `onRepaired`).
 */
export class OneBotEventMapper implements PlatformEventMapper {
  readonly platform: string;
  readonly #onRepaired: OneBotMapperOptions['onRepaired'];

  constructor(options: OneBotMapperOptions = {}) {
    this.platform = options.platform ?? 'qq';
    this.#onRepaired = options.onRepaired;
  }

  map(event: unknown): MappedEvent {
    if (event === null || typeof event !== 'object' || Array.isArray(event)) return malformed('event');
    const fields: string[] = [];
    const e = repairLoneSurrogates(event, fields) as Record<string, unknown>;
    if (fields.length > 0 && this.#onRepaired) {
      try {
        this.#onRepaired({
          post_type: typeof e.post_type === 'string' ? e.post_type : '',
          id: id(e.message_id) || `${id(e.group_id)}:${id(e.user_id)}`,
          fields,
        });
      } catch {
        // a reporting hook never stops mapping
      }
    }
    const postType = e.post_type;
    if (postType === undefined && 'retcode' in e && 'status' in e)
      return { kind: 'ignored', reason: 'api_response' };
    if (typeof postType !== 'string') return malformed('post_type');
    switch (postType) {
      case 'message':
        if (e.message_type === 'group') return this.#groupMessage(e);
        if (e.message_type === 'private') return { kind: 'ignored', reason: 'private' };
        if (e.message_type === 'guild') return { kind: 'ignored', reason: 'guild' };
        return typeof e.message_type === 'string'
          ? { kind: 'unknown', reason: 'message_type' }
          : malformed('message_type');
      case 'message_sent':
        return { kind: 'ignored', reason: 'self' };
      case 'notice':
        return this.#notice(e);
      case 'meta_event':
        return { kind: 'ignored', reason: 'meta' };
      case 'request':
        return { kind: 'ignored', reason: 'request' };
      default:
        return { kind: 'unknown', reason: 'post_type' };
    }
  }

  #groupMessage(e: Record<string, unknown>): MappedEvent {
    if (e.sub_type === 'notice') return { kind: 'ignored', reason: 'system' };
    const groupId = id(e.group_id);
    if (!groupId) return malformed('group_id');
    const userId = id(e.user_id);
    if (!userId) return malformed('user_id');
    // Some implementations report the bot's own group messages as `message`, not `message_sent`: judged,
    // the enforcer's own notices (which name categories, 赌博…) would be flagged and acted on.
    if (userId === id(e.self_id)) return { kind: 'ignored', reason: 'self' };
    const messageId = id(e.message_id);
    if (!messageId) return malformed('message_id');
    const ts = unixSecondsToMs(e.time);
    if (ts === null) return malformed('time');
    let segments: OneBotSegment[];
    if (typeof e.message === 'string') segments = parseCqString(e.message);
    else if (Array.isArray(e.message) && e.message.every(isSegment)) segments = e.message;
    else return malformed('message');

    const content = segmentsToContent(segments, this.platform, groupId);
    if (content.text === '' && content.attachments.length === 0) {
      if (content.mentions.length === 0) return { kind: 'ignored', reason: 'empty' };
      // Only mentions without names: message v1 needs some text, and `@` is what the reader saw.
      content.text = '@';
    }
    const message: Message = {
      v: 1,
      id: `${this.platform}:${groupId}:${messageId}`,
      platform: this.platform,
      groupId,
      userId,
      text: content.text,
      ts,
    };
    const sender = (e.sender && typeof e.sender === 'object' ? e.sender : {}) as Record<string, unknown>;
    const card = typeof sender.card === 'string' ? sender.card : undefined;
    const nickname = typeof sender.nickname === 'string' ? sender.nickname : undefined;
    const userName = card || nickname;
    if (userName) message.userName = userName;
    if (content.mentions.length > 0) message.mentions = content.mentions;
    if (content.attachments.length > 0) message.attachments = content.attachments;
    if (content.replyTo !== undefined) message.replyTo = content.replyTo;
    const role = isSenderRole(sender.role) ? sender.role : undefined;
    if (role) message.role = role;
    const anonymous = e.sub_type === 'anonymous';
    if (anonymous && e.anonymous && typeof e.anonymous === 'object') {
      const a = e.anonymous as Record<string, unknown>;
      message.anonymous = {
        id: id(a.id),
        name: typeof a.name === 'string' ? a.name : '',
        flag: typeof a.flag === 'string' ? a.flag : '',
      };
    }
    const observation: MemberObservation = { platform: this.platform, groupId, userId, ts };
    // An anonymous message comes from a pseudo-user (80000000), not a member: nothing to observe.
    if (anonymous) observation.anonymous = true;
    else {
      // The card itself (not the nickname fallback) is what the card rule checks; '' = no card set.
      if (card !== undefined) observation.card = card;
      if (role) observation.role = role;
    }
    return { kind: 'message', message, observation };
  }

  #notice(e: Record<string, unknown>): MappedEvent {
    const type = e.notice_type;
    if (typeof type !== 'string') return malformed('notice_type');
    if (type !== 'group_increase' && type !== 'group_decrease' && type !== 'group_card')
      return { kind: 'ignored', reason: 'notice' };
    const groupId = id(e.group_id);
    if (!groupId) return malformed('group_id');
    const userId = id(e.user_id);
    if (!userId) return malformed('user_id');
    const ts = unixSecondsToMs(e.time);
    if (ts === null) return malformed('time');
    const base = { platform: this.platform, groupId, userId, ts };
    const eventId = (what: string) => `${this.platform}:${groupId}:${userId}:${what}:${ts}`;
    const operator = id(e.operator_id);
    let event: MemberEvent;
    if (type === 'group_increase') {
      event = { v: 1, kind: 'member.joined', id: eventId('joined'), ...base };
      if (e.sub_type === 'approve' || e.sub_type === 'invite') event.via = e.sub_type;
      if (operator && operator !== '0') event.operatorId = operator;
    } else if (type === 'group_decrease') {
      event = { v: 1, kind: 'member.left', id: eventId('left'), ...base };
      if (e.sub_type === 'leave' || e.sub_type === 'kick' || e.sub_type === 'kick_me')
        event.reason = e.sub_type;
      if (operator && operator !== '0' && operator !== userId) event.operatorId = operator;
    } else {
      const cardNew = typeof e.card_new === 'string' ? e.card_new : null;
      if (cardNew === null) return malformed('card_new');
      event = {
        v: 1,
        kind: 'member.card',
        id: eventId('card-' + shortHash(cardNew)),
        ...base,
        userName: cardNew,
      };
      if (typeof e.card_old === 'string') event.previousName = e.card_old;
    }
    return { kind: 'member', event };
  }
}

function malformed(field: string): MappedEvent {
  return { kind: 'malformed', reason: field };
}

/** A OneBot id: a number (the spec) or a non-empty string (some implementations). */
function id(v: unknown): string {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
  if (typeof v === 'string' && v.length > 0 && v.length <= 128 && !/\s/.test(v)) return v;
  return '';
}

function isSegment(s: unknown): s is OneBotSegment {
  return (
    s !== null &&
    typeof s === 'object' &&
    typeof (s as OneBotSegment).type === 'string' &&
    (typeof (s as OneBotSegment).data === 'object' || (s as OneBotSegment).data === undefined)
  );
}
