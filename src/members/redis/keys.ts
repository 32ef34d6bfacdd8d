import { ConfigError } from '../../contracts/errors.js';

/**
 * Key names of the membership state. All of them carry the one hash tag `{members}`: the scripts update a
 * member and its indexes (by account, by group, by card identity, the idle queue) atomically, which on
 * Redis Cluster needs one slot. Membership changes at the rate of joins, card changes and (coalesced)
 * activity, far below what one node serves.
 *
 *   <prefix>{members}:m:<platform>:<groupId>:<userId>   hash: one member of one group
 *   <prefix>{members}:u:<platform>:<userId>             set of member keys: the groups of one account
 *   <prefix>{members}:g:<platform>:<groupId>            set of member keys: the members of one group
 *   <prefix>{members}:i:<identity>                      set of member keys: cards with this department+name
 *   <prefix>{members}:idle                              zset of member keys by when inactivity is due
 *   <prefix>{members}:o:<key>                           claimOnce markers (PX)
 *   <prefix>{members}:roster, :roster:v                 hash employeeId → JSON; the roster version
 *
 * Id parts are percent-escaped (`%`, `{`, `}`, `:`), so ids can neither end the hash tag nor collide.
 */
export class MemberKeys {
  readonly base: string;

  constructor(prefix = 'modstream:') {
    if (/[{}]/.test(prefix)) {
      throw new ConfigError(
        'CONFIG_INVALID',
        'redis.keyPrefix',
        'must not contain { or } (they delimit Redis Cluster hash tags)',
      );
    }
    this.base = prefix + '{members}:';
  }

  member(platform: string, groupId: string, userId: string): string {
    return this.base + 'm:' + esc(platform) + ':' + esc(groupId) + ':' + esc(userId);
  }

  user(platform: string, userId: string): string {
    return this.base + 'u:' + esc(platform) + ':' + esc(userId);
  }

  group(platform: string, groupId: string): string {
    return this.base + 'g:' + esc(platform) + ':' + esc(groupId);
  }

  identity(identity: string): string {
    return this.base + 'i:' + esc(identity);
  }

  get idle(): string {
    return this.base + 'idle';
  }

  once(key: string): string {
    return this.base + 'o:' + esc(key);
  }

  get roster(): string {
    return this.base + 'roster';
  }

  get rosterVersion(): string {
    return this.base + 'roster:v';
  }
}

const NEEDS_ESCAPE = /[%{}:]/;

function esc(part: string): string {
  if (!NEEDS_ESCAPE.test(part)) return part;
  return part.replace(/[%{}:]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0'));
}
