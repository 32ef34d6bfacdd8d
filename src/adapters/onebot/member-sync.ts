import { silentLogger, type Logger } from '../../log/logger.js';
import type { MemberObservation } from '../../members/types.js';
import type { ChatAdapter } from '../adapter.js';
import type { OneBotApiClient } from './api-client.js';
import type { OneBotGroupInfo, OneBotGroupMember } from './types.js';

export interface OneBotMemberSyncOptions {
  api: OneBotApiClient;
  adapter: ChatAdapter;
  platform?: string;
  /** Between the end of one sync and the start of the next. Default 24 h. */
  intervalMs?: number;
  /** Only these groups (default: every group the bot is in). */
  groups?: readonly string[] | null;
  logger?: Logger;
}

/**
 * Member lists from the bot (`--sync-members`): get_group_list, then get_group_member_list per group, so
 * membership, cards, join times and last-spoke times are known for everyone — not only for members seen
 * joining or speaking since modstream started. Without it, the inactivity and departed-staff rules only
 * know members who showed themselves.
 */
export class OneBotMemberSync {
  readonly #o: OneBotMemberSyncOptions;
  readonly #logger: Logger;
  readonly #platform: string;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;
  #stopped = true;

  constructor(o: OneBotMemberSyncOptions) {
    this.#o = o;
    this.#logger = o.logger ?? silentLogger();
    this.#platform = o.platform ?? 'qq';
  }

  start(): void {
    this.#stopped = false;
    this.#schedule(0);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#running;
  }

  /** One pass over every group; resolves with how many groups and members were synced. */
  async runOnce(): Promise<{ groups: number; members: number; verdicts: number }> {
    let groups = this.#o.groups ?? null;
    if (!groups) {
      const list = (await this.#o.api.call('get_group_list', {})) as OneBotGroupInfo[] | null;
      groups = (list ?? []).map((g) => String(g.group_id));
    }
    let members = 0;
    let verdicts = 0;
    for (const groupId of groups) {
      try {
        const list = ((await this.#o.api.call('get_group_member_list', {
          group_id: /^\d{1,15}$/.test(groupId) ? Number(groupId) : groupId,
        })) ?? []) as OneBotGroupMember[];
        const observations = list
          .filter((m) => m && m.user_id !== undefined)
          .map((m) => this.#observation(groupId, m));
        verdicts += (await this.#o.adapter.syncGroup(this.#platform, groupId, observations)).length;
        members += observations.length;
      } catch (e) {
        this.#logger.warn({ groupId, err: (e as Error).message }, 'member list sync failed for a group');
      }
    }
    this.#logger.info({ groups: groups.length, members, verdicts }, 'member lists synced');
    return { groups: groups.length, members, verdicts };
  }

  #observation(groupId: string, m: OneBotGroupMember): MemberObservation {
    const now = Date.now();
    const o: MemberObservation = {
      platform: this.#platform,
      groupId,
      userId: String(m.user_id),
      ts: now,
      spoke: false,
    };
    if (typeof m.card === 'string') o.card = m.card;
    if (m.role === 'owner' || m.role === 'admin' || m.role === 'member') o.role = m.role;
    if (typeof m.join_time === 'number' && m.join_time > 0) o.joinedAt = m.join_time * 1000;
    const spoke =
      typeof m.last_sent_time === 'number' && m.last_sent_time > 0 ? m.last_sent_time * 1000 : o.joinedAt;
    if (spoke !== undefined) o.lastSpokeAt = spoke;
    return o;
  }

  #schedule(delay: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#running = this.runOnce()
        .then(
          () => undefined,
          (e: unknown) => this.#logger.error({ err: (e as Error).message }, 'member list sync failed'),
        )
        .finally(() => {
          this.#running = null;
          this.#schedule(this.#o.intervalMs ?? 86_400_000);
        });
    }, delay);
    this.#timer.unref();
  }
}
