/**
 * OneBot v11 as modstream reads it (https://github.com/botuniverse/onebot-11): the events a bot pushes and
 * the shape of API replies. Only the fields modstream uses are typed; implementations (NapCat, Lagrange,
 * LLOneBot, go-cqhttp) add more, which are ignored. Ids are numbers in the spec; some implementations send
 * strings, so both are accepted.
 */
export type OneBotId = number | string;

/** A message segment: `{ type, data }`. */
export interface OneBotSegment {
  type: string;
  data: Record<string, unknown>;
}

/** `message` is an array of segments, or a CQ-code string (`messagePostFormat: string`). */
export type OneBotMessage = OneBotSegment[] | string;

export interface OneBotSender {
  user_id?: OneBotId;
  nickname?: string;
  card?: string;
  sex?: string;
  age?: number;
  area?: string;
  level?: string;
  role?: 'owner' | 'admin' | 'member';
  title?: string;
}

interface OneBotEventBase {
  time: number;
  self_id: OneBotId;
  post_type: string;
  [extra: string]: unknown;
}

export interface OneBotGroupMessageEvent extends OneBotEventBase {
  post_type: 'message';
  message_type: 'group';
  sub_type: 'normal' | 'anonymous' | 'notice' | string;
  message_id: OneBotId;
  group_id: OneBotId;
  user_id: OneBotId;
  anonymous?: { id: OneBotId; name: string; flag: string } | null;
  message: OneBotMessage;
  raw_message?: string;
  font?: number;
  sender?: OneBotSender;
}

export interface OneBotNoticeEvent extends OneBotEventBase {
  post_type: 'notice';
  notice_type: string;
  sub_type?: string;
  group_id?: OneBotId;
  user_id?: OneBotId;
  operator_id?: OneBotId;
}

/** The HTTP API's reply envelope (also over WebSocket, with `echo`). */
export interface OneBotApiResponse {
  status: 'ok' | 'async' | 'failed';
  retcode: number;
  data?: unknown;
  message?: string;
  msg?: string;
  wording?: string;
  echo?: unknown;
}

/** get_group_member_list / get_group_member_info entries. */
export interface OneBotGroupMember {
  group_id: OneBotId;
  user_id: OneBotId;
  nickname?: string;
  card?: string;
  role?: 'owner' | 'admin' | 'member';
  join_time?: number;
  last_sent_time?: number;
}

export interface OneBotGroupInfo {
  group_id: OneBotId;
  group_name?: string;
  member_count?: number;
}
