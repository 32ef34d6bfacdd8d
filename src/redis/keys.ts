import { ConfigError } from '../contracts/errors.js';

/**
 * Format versions of the records this module names, one per family. Bump one when the stored format of
 * its records changes (the record layout a script reads and writes, what a key or field names): the new
 * code then reads and writes new keys, old keys are ignored and expire by their TTL (flood: 3 x keep after
 * their last write; strikes: the longest remaining strike life), so nothing has to be migrated or deleted.
 */
export const STRIKES_FORMAT = 1;
export const FLOOD_FORMAT = 1;

/**
 * Key names. Every key starts with a configurable prefix (one Redis can serve several deployments) and
 * carries a Redis Cluster hash tag, so that all the keys one script call touches live in one slot:
 *
 *   <prefix>{<platform>:<groupId>}:st:v1:<userId>    strikes of one user in one group
 *   <prefix>{fs:<bucket>}:v1:<keepMs>:<epoch>        flood: sender logs of one epoch (a hash; see
 *                                                    flood-check.lua), fields from floodSenderField()
 *   <prefix>{fx:<bucket>}:v1:<keepMs>:<epoch>        flood: cross-group logs of one epoch, fields from
 *                                                    floodCrossField()
 *   <prefix>{fx:<bucket>}:v1:<keepMs>:h              flood: how far back that bucket's windows read
 *
 * `v1` is the family's format version (STRIKES_FORMAT, FLOOD_FORMAT). It follows the hash tag, never sits
 * in it: the tag stays the first `{...}` of the key, and the keys of a new version keep the slots of the
 * old ones.
 *
 * A group's strike keys share the tag `{platform:groupId}` (the Kafka key too), so a batch from one
 * partition touches few slots. Flood state is bucketed: a sender's bucket follows its group tag, a cross-group
 * log's its user tag (it spans groups).
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

  /** The hash field of one user's flood state in one group, e.g. `{qq:901234}10001`. */
  floodSenderField(groupTag: string, userId: string): string {
    return groupTag + escapeKeyPart(userId);
  }

  /** The hash field of where one user sent one text, e.g. `{u:qq:10001}9f86d081884c7d65`. */
  floodCrossField(userTag: string, textHash: string): string {
    return userTag + escapeKeyPart(textHash);
  }

  /**
   * A flood epoch hash: the state of one family (`fs` sender logs, `fx` cross-group logs) and bucket for
   * one epoch of `keepMs` (see flood-check.lua), e.g. `modstream:{fs:0}:v1:60000:29400000`.
   */
  floodEpoch(family: 'fs' | 'fx', bucket: number, keepMs: number, epoch: number): string {
    return this.prefix + '{' + family + ':' + bucket + FLOOD_PART + keepMs + ':' + epoch;
  }

  /**
   * How many epochs back the cross-group windows of one bucket read (a string key, raised by the long
   * windows; see flood-check.lua), e.g. `modstream:{fx:0}:v1:60000:h`.
   */
  floodHorizon(bucket: number, keepMs: number): string {
    return this.prefix + '{fx:' + bucket + FLOOD_PART + keepMs + ':h';
  }

  /** The strike log of one user in one group, e.g. `modstream:{qq:901234}:st:v1:10001`. */
  strikes(groupTag: string, userId: string): string {
    return this.prefix + groupTag + STRIKES_PART + escapeKeyPart(userId);
  }
}

/** What follows a flood bucket number (closing its tag) and a group tag, versions included. */
const FLOOD_PART = '}:v' + FLOOD_FORMAT + ':';
const STRIKES_PART = ':st:v' + STRIKES_FORMAT + ':';

const NEEDS_ESCAPE = /[%{}]/;

/** Percent-escapes the three characters that matter in a key part; ids without them are returned as is. */
export function escapeKeyPart(part: string): string {
  if (!NEEDS_ESCAPE.test(part)) return part;
  return part.replace(/[%{}]/g, (c) => (c === '%' ? '%25' : c === '{' ? '%7B' : '%7D'));
}
