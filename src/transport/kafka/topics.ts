import type { Admin } from 'kafkajs';
import { ModstreamError } from '../../contracts/errors.js';
import type { TransportLogger } from './logger.js';

export interface TopicSpec {
  topic: string;
  partitions: number;
  replicationFactor: number;
}

/**
 * Creates the topics that do not exist yet and waits for their leaders. Existing topics are left alone
 * (their partition count is logged, never changed). Another instance creating the same topic at the same
 * moment is not an error. Returns the names it created.
 */
export async function ensureTopics(
  admin: Admin,
  specs: readonly TopicSpec[],
  logger: TransportLogger,
): Promise<string[]> {
  let existing: Set<string>;
  try {
    existing = new Set(await admin.listTopics());
  } catch (e) {
    throw new ModstreamError('KAFKA_ERROR', `cannot list topics: ${(e as Error).message}`, { cause: e });
  }
  const missing = specs.filter((s) => !existing.has(s.topic));
  if (missing.length === 0) {
    logger.debug({ topics: specs.map((s) => s.topic) }, 'kafka topics exist');
    return [];
  }
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((s) => ({
        topic: s.topic,
        numPartitions: s.partitions,
        replicationFactor: s.replicationFactor,
      })),
    });
  } catch (e) {
    if (!onlyAlreadyExists(e)) {
      throw new ModstreamError(
        'KAFKA_ERROR',
        `cannot create topics ${missing.map((s) => s.topic).join(', ')}: ${(e as Error).message}`,
        {
          cause: e,
        },
      );
    }
  }
  logger.info({ topics: missing.map((s) => `${s.topic}(${s.partitions})`) }, 'created kafka topics');
  return missing.map((s) => s.topic);
}

function onlyAlreadyExists(e: unknown): boolean {
  const err = e as { type?: string; errors?: Array<{ type?: string }> };
  if (err?.type === 'TOPIC_ALREADY_EXISTS') return true;
  return (
    Array.isArray(err?.errors) &&
    err.errors.length > 0 &&
    err.errors.every((x) => x?.type === 'TOPIC_ALREADY_EXISTS')
  );
}
