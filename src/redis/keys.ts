import { ConfigError } from '../contracts/errors.js';

/**
 * Key names. Every key starts with a configurable prefix (one Redis can serve several deployments) and
 * carries a Redis Cluster hash tag, so that all the keys one script call touches live in one slot:
 *
 *   <prefix>{<platform>:<groupId>}:fs:<userId>       flood: the sender log of one user in one group
 *   <prefix>{<platform>:<groupId>}:st:<userId>       strikes of one user in one group
 *   <prefix>{u:<platform>:<userId>}:fx:<textHash>    flood: where one user sent one text (cross-group)
 *
 * A group's keys share the tag `{platform:groupId}` (the Kafka key too), so a batch from one partition
 * touches few slots; cross-group state is per user (`{u:…}`), because it spans groups.
 *
 * Id parts are escaped (`%`, `{`, `}` as %25, %7B, %7D) so that an id can neither end a hash tag early
 * nor make two different ids collide.
 */
export class RedisKeys {
  readonly prefix: string;

  constructor(prefix = 'modstream:') {
    if (/[{}]/.test(prefix)) {
      throw new ConfigError(
        'CONFIG_INVALID',
        'redis.keyPrefix',
        'must not contain { or } (they delimit Redis Cluster hash tags)',
      );
    }
    this.prefix = prefix;
  }

  /** The hash tag of a chat group's keys, e.g. `{qq:901234}`. */
  groupTag(platform: string, groupId: string): string {
    return '{' + escapeKeyPart(platform) + ':' + escapeKeyPart(groupId) + '}';
  }

  /** The hash tag of a group given as `platform:groupId` (as strike requests carry it). */
  groupTagOf(group: string): string {
    return '{' + escapeKeyPart(group) + '}';
  }

  /** The hash tag of one user's cross-group keys, e.g. `{u:qq:10001}`. */
  userTag(platform: string, userId: string): string {
    return '{u:' + escapeKeyPart(platform) + ':' + escapeKeyPart(userId) + '}';
  }

  floodSender(groupTag: string, userId: string): string {
    return this.prefix + groupTag + ':fs:' + escapeKeyPart(userId);
  }

  floodCross(userTag: string, textHash: string): string {
    return this.prefix + userTag + ':fx:' + escapeKeyPart(textHash);
  }

  strikes(groupTag: string, userId: string): string {
    return this.prefix + groupTag + ':st:' + escapeKeyPart(userId);
  }
}

const NEEDS_ESCAPE = /[%{}]/;

/** Percent-escapes the three characters that matter in a key part; ids without them are returned as is. */
export function escapeKeyPart(part: string): string {
  if (!NEEDS_ESCAPE.test(part)) return part;
  return part.replace(/[%{}]/g, (c) => (c === '%' ? '%25' : c === '{' ? '%7B' : '%7D'));
}
