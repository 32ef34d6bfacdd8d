import { silentLogger, type Logger } from '../../log/logger.js';
import { unixSecondsToMs } from '../../members/time.js';
import type { MemberObservation } from '../../members/types.js';
import { isSenderRole } from '../../members/validate.js';
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
 *
 * A sync forgets the members a list no longer names, so only a real list counts: an answer that is not a
 * list, or an empty one (a group always has the bot itself), is a failed sync of that group — logged,
 * counted in `failed`, and nobody is forgotten.
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

  /**
   * One pass over every group; resolves with how many groups were asked, how many members were synced,
   * the verdicts they caused and how many groups failed (nothing was changed for those).
   */
  async runOnce(): Promise<{ groups: number; members: number; verdicts: number; failed: number }> {
    let groups = this.#o.groups ?? null;
    if (!groups) {
      const list = (await this.#o.api.call('get_group_list', {})) as unknown;
      if (!Array.isArray(list))
        throw new Error(`get_group_list answered ${describe(list)}, not a list of groups`);
      groups = (list as OneBotGroupInfo[])
        .filter((g) => g && (typeof g.group_id === 'number' || typeof g.group_id === 'string'))
        .map((g) => String(g.group_id));
    }
    let members = 0;
    let verdicts = 0;
    let failed = 0;
    for (const groupId of groups) {
      try {
        const list = (await this.#o.api.call('get_group_member_list', {
          group_id: /^\d{1,15}$/.test(groupId) ? Number(groupId) : groupId,
        })) as unknown;
        // Members not listed are forgotten: only a real, non-empty list may say who left.
        if (!Array.isArray(list) || list.length === 0)
          throw new Error(`get_group_member_list answered ${describe(list)}; nobody is forgotten`);
        const observations = (list as OneBotGroupMember[])
          .filter((m) => m && (typeof m.user_id === 'number' || typeof m.user_id === 'string'))
          .map((m) => this.#observation(groupId, m));
        if (observations.length < list.length)
          throw new Error(
            `get_group_member_list listed ${list.length - observations.length} of ${list.length} members without a user_id; nobody is forgotten`,
          );
        verdicts += (await this.#o.adapter.syncGroup(this.#platform, groupId, observations)).length;
        members += observations.length;
      } catch (e) {
        failed++;
        this.#logger.warn({ groupId, err: (e as Error).message }, 'member list sync failed for a group');
      }
    }
    this.#logger.info({ groups: groups.length, members, verdicts, failed }, 'member lists synced');
    return { groups: groups.length, members, verdicts, failed };
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
    if (isSenderRole(m.role)) o.role = m.role;
    // 0 (or nothing, or no time from 1970 to 9999): not given.
    const joined = unixSecondsToMs(m.join_time) || undefined;
    if (joined !== undefined) o.joinedAt = joined;
    const spoke = (unixSecondsToMs(m.last_sent_time) || undefined) ?? joined;
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

function describe(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (Array.isArray(v)) return v.length === 0 ? 'an empty list' : `a list of ${v.length}`;
  return `a ${typeof v}`;
}
