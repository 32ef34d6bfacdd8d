import { ConfigError } from '../../contracts/errors.js';

/**
 * Format versions of the membership store's records, one per family: bump one when the stored format of
 * its records changes (a hash's fields, what an index holds, how a key is named); the new code then reads
 * and writes new keys and ignores the old ones.
 *
 * Unlike the flood and strike state, members, their indexes, the idle queue and the roster have no TTL:
 * after a bump of MEMBERS_FORMAT or ROSTER_FORMAT the old keys stay until deleted (SCAN for the old
 * version's names, e.g. MATCH `<prefix>{members}:?:v1:*`, then UNLINK), and the new ones start empty:
 * members are learnt again from events and syncs, the roster must be written again. Only the report marks
 * (MARKS_FORMAT) expire by their TTL (PX, 180 days by default). Marks have their own version so that a
 * bump of MEMBERS_FORMAT keeps them: nothing is reported twice.
 */
const MEMBERS_FORMAT = 1;
const MARKS_FORMAT = 1;
const ROSTER_FORMAT = 1;

/**
 * Key names of the membership state. All of them carry the one hash tag `{members}`: the scripts update a
 * member and its indexes (by account, by group, by card identity, the idle queue) atomically, which on
 * Redis Cluster needs one slot. Membership changes at the rate of joins, card changes and (coalesced)
 * activity, far below what one node serves.
 *
 *   <prefix>{members}:m:v1:<platform>:<groupId>:<userId>  hash: one member of one group
 *   <prefix>{members}:u:v1:<platform>:<userId>            set of member keys: the groups of one account
 *   <prefix>{members}:g:v1:<platform>:<groupId>           set of member keys: the members of one group
 *   <prefix>{members}:i:v1:<identity>                     set of member keys: cards with this dept.+name
 *   <prefix>{members}:idle:v1                             zset of member keys by when inactivity is due
 *   <prefix>{members}:o:v1:<key>                          claimOnce markers (PX)
 *   <prefix>{members}:roster:v1, :roster:v1:v             hash employeeId → JSON; the roster's change count
 *   <prefix>{members}:roster:v1:staging:<id>              a roster write in progress (PX; renamed or merged
 *                                                         into the roster by the write's last call)
 *
 * `v1` is the record family's format version (MEMBERS_FORMAT for m, u, g, i and idle, which refer to each
 * other; MARKS_FORMAT for o; ROSTER_FORMAT for the roster). It follows the hash tag, so every version keeps
 * the one slot. Id parts are percent-escaped (`%`, `{`, `}`, `:`), so ids can neither end the hash tag nor
 * collide.
 */
export class MemberKeys {
  readonly base: string;
  readonly #m: string;
  readonly #u: string;
  readonly #g: string;
  readonly #i: string;
  readonly #o: string;
  readonly idle: string;
  readonly roster: string;
  readonly rosterVersion: string;

  constructor(prefix = 'modstream:') {
    if (/[{}]/.test(prefix)) {
      throw new ConfigError(
        'CONFIG_INVALID',
        'redis.keyPrefix',
        'must not contain { or } (they delimit Redis Cluster hash tags)',
      );
    }
    this.base = prefix + '{members}:';
    const members = ':v' + MEMBERS_FORMAT;
    this.#m = this.base + 'm' + members + ':';
    this.#u = this.base + 'u' + members + ':';
    this.#g = this.base + 'g' + members + ':';
    this.#i = this.base + 'i' + members + ':';
    this.idle = this.base + 'idle' + members;
    this.#o = this.base + 'o:v' + MARKS_FORMAT + ':';
    this.roster = this.base + 'roster:v' + ROSTER_FORMAT;
    this.rosterVersion = this.roster + ':v';
  }

  /** Where one roster write stages its entries until its last call applies them all at once. */
  rosterStaging(writeId: string): string {
    return this.roster + ':staging:' + esc(writeId);
  }

  member(platform: string, groupId: string, userId: string): string {
    return this.#m + esc(platform) + ':' + esc(groupId) + ':' + esc(userId);
  }

  user(platform: string, userId: string): string {
    return this.#u + esc(platform) + ':' + esc(userId);
  }

  group(platform: string, groupId: string): string {
    return this.#g + esc(platform) + ':' + esc(groupId);
  }

  identity(identity: string): string {
    return this.#i + esc(identity);
  }

  once(key: string): string {
    return this.#o + esc(key);
  }
}

const NEEDS_ESCAPE = /[%{}:]/;

function esc(part: string): string {
  if (!NEEDS_ESCAPE.test(part)) return part;
  return part.replace(/[%{}:]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0'));
}
