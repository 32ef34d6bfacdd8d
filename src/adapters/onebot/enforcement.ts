import { CATEGORIES, type Category, type Verdict } from '../../contracts/types.js';
import type { PlannedAction, PlatformEnforcement } from '../platform.js';
import type { OneBotApiClient } from './api-client.js';
import type { OneBotSegment } from './types.js';

export interface OneBotEnforcementOptions {
  api: OneBotApiClient;
  /** Verdicts of this platform are enforced. Default `qq`. */
  platform?: string;
  /** Admin notifications go to this group … */
  adminGroupId?: string | null;
  /** … and/or privately to these accounts. */
  adminUserIds?: readonly string[];
  /** `warn` posts a notice in the group, @-ing the member. Default true. */
  warnNotice?: boolean;
  /** `review` verdicts notify admins (a person should look). Default true. */
  notifyOnReview?: boolean;
  /** How the card format is named in rename notices. Default `部门-姓名`. */
  cardFormatLabel?: string;
}

/** OneBot v11 caps set_group_ban at 30 days. */
const MAX_MUTE_SECONDS = 30 * 86_400;

const CATEGORY_ZH: Readonly<Record<Category, string>> = {
  illegal: '违法犯罪',
  porn: '色情',
  violence: '暴恐',
  gambling: '赌博',
  political: '政治敏感',
  ads: '广告/引流',
  phishing: '钓鱼/恶意链接',
  abuse: '辱骂/人身攻击',
  rumor: '谣言/不实信息',
  privacy: '泄露个人信息',
  secret: '公司机密',
  flood: '刷屏',
};

const MEMBER_NOTICE: Readonly<Record<string, string>> = {
  'member:card-format': '群名片不符合格式',
  'member:card-roster': '群名片与花名册不符',
  'member:departed': '已离职',
  'member:departed-overdue': '已离职且超过移出期限仍在群内',
  'member:departed-ambiguous': '群名片与一位离职员工相同（有同名在职员工，需人工确认）',
  'member:inactive': '长期未发言',
};

/**
 * What a verdict means in a OneBot v11 group, in order:
 *   deleteMessage            → delete_msg { message_id }            (message id from `qq:<group>:<id>`)
 *   mute / muteSeconds > 0   → set_group_ban { group_id, user_id, duration: muteSeconds (≤ 30 days) }
 *   kick                     → set_group_kick { group_id, user_id, reject_add_request: false }
 *   ban                      → set_group_kick { group_id, user_id, reject_add_request: true }
 *   warn                     → send_group_msg: @member + notice (rename request for card findings)
 *   notifyAdmins, review     → send_group_msg to the admin group, send_private_msg to each admin
 */
export class OneBotEnforcement implements PlatformEnforcement {
  readonly platform: string;
  readonly #api: OneBotApiClient;
  readonly #adminGroup: string | null;
  readonly #admins: readonly string[];
  readonly #warnNotice: boolean;
  readonly #notifyOnReview: boolean;
  readonly #cardLabel: string;

  constructor(o: OneBotEnforcementOptions) {
    this.#api = o.api;
    this.platform = o.platform ?? 'qq';
    this.#adminGroup = o.adminGroupId ?? null;
    this.#admins = o.adminUserIds ?? [];
    this.#warnNotice = o.warnNotice ?? true;
    this.#notifyOnReview = o.notifyOnReview ?? true;
    this.#cardLabel = o.cardFormatLabel ?? '部门-姓名';
  }

  plan(v: Verdict): PlannedAction[] {
    const out: PlannedAction[] = [];
    const group_id = oneBotId(v.groupId);
    const user_id = oneBotId(v.userId);
    if (v.deleteMessage) {
      const messageId = messageIdOf(v);
      if (messageId !== null)
        out.push({ action: 'delete_msg', purpose: 'delete', params: { message_id: messageId } });
    }
    if (v.action === 'kick' || v.action === 'ban') {
      out.push({
        action: 'set_group_kick',
        purpose: v.action,
        params: { group_id, user_id, reject_add_request: v.action === 'ban' },
      });
    } else if (v.muteSeconds > 0) {
      // Never a duration of 0: that lifts a mute.
      out.push({
        action: 'set_group_ban',
        purpose: 'mute',
        params: {
          group_id,
          user_id,
          duration: Math.min(MAX_MUTE_SECONDS, Math.max(1, Math.round(v.muteSeconds))),
        },
      });
    }
    if (v.action === 'warn' && this.#warnNotice) {
      out.push({
        action: 'send_group_msg',
        purpose: 'warn',
        params: { group_id, message: this.#warning(v) },
      });
    }
    if (v.notifyAdmins || (v.action === 'review' && this.#notifyOnReview)) {
      const text = this.#adminNotice(v);
      if (this.#adminGroup)
        out.push({
          action: 'send_group_msg',
          purpose: 'notify',
          params: { group_id: oneBotId(this.#adminGroup), message: text, auto_escape: true },
        });
      for (const admin of this.#admins)
        out.push({
          action: 'send_private_msg',
          purpose: 'notify',
          params: { user_id: oneBotId(admin), message: text, auto_escape: true },
        });
    }
    return out;
  }

  execute(a: PlannedAction): Promise<unknown> {
    return this.#api.call(a.action, a.params);
  }

  #warning(v: Verdict): OneBotSegment[] {
    const card = v.reasons.find((r) => r.rule === 'member:card-format' || r.rule === 'member:card-roster');
    const text = card
      ? ` 请将群名片改为「${this.#cardLabel}」格式${card.rule === 'member:card-roster' ? '，并与花名册上的部门和姓名一致' : ''}。`
      : ` 请遵守群规（${categoriesOf(v).join('、') || '违规内容'}），再次违规将被禁言或移出本群。`;
    return [
      { type: 'at', data: { qq: v.userId } },
      { type: 'text', data: { text } },
    ];
  }

  #adminNotice(v: Verdict): string {
    const lines = [`[modstream] ${ACTION_ZH[v.action]} · 群 ${v.groupId} · 成员 ${v.userId}`];
    for (const r of v.reasons) {
      if (r.shadow) continue;
      const what = MEMBER_NOTICE[r.rule] ?? `${CATEGORY_ZH[r.category] ?? r.category}（${r.rule}）`;
      // A card is what the admins need to see; message text stays out of notices.
      lines.push(`原因：${what}${r.detector === 'member' && r.match ? `：${r.match}` : ''}`);
    }
    if (!v.messageId.startsWith('member:'))
      lines.push(`消息：${v.messageId}${v.strikes ? ` · 累计违规 ${v.strikes}` : ''}`);
    return lines.join('\n');
  }
}

const ACTION_ZH: Readonly<Record<Verdict['action'], string>> = {
  allow: '放行',
  review: '待人工复核',
  warn: '警告',
  mute: '禁言',
  kick: '移出群聊',
  ban: '移出并拉黑',
};

function categoriesOf(v: Verdict): string[] {
  const seen = new Set<string>();
  for (const r of v.reasons)
    if (!r.shadow && (CATEGORIES as readonly string[]).includes(r.category))
      seen.add(CATEGORY_ZH[r.category]);
  return [...seen];
}

/** OneBot ids are numbers; a numeric id that fits is sent as one, anything else as the string it is. */
export function oneBotId(id: string): number | string {
  if (/^\d{1,15}$/.test(id)) return Number(id);
  return id;
}

/**
 * The platform message id inside a verdict's `messageId` (`qq:<groupId>:<message_id>`, as the adapter
 * builds it): a number when numeric (OneBot v11 message ids are int32 and may be negative), else the
 * string; null when the verdict is not about a message of this group (member verdicts).
 */
export function messageIdOf(v: Pick<Verdict, 'messageId' | 'platform' | 'groupId'>): number | string | null {
  const prefix = `${v.platform}:${v.groupId}:`;
  if (!v.messageId.startsWith(prefix)) return null;
  const rest = v.messageId.slice(prefix.length);
  if (/^-?\d{1,15}$/.test(rest)) return Number(rest);
  return rest.length > 0 && !rest.includes(':') ? rest : null;
}
