import type { ErrorRecord, Message, Verdict } from '../../contracts/types.js';
import type { IncomingRecord } from '../../pipeline/types.js';
import type { OutgoingRecord, SourceBatch, SourceRecord } from '../types.js';

/** Header names on produced records; stable, documented in docs/deployment.md. */
export const HEADER_MESSAGE_ID = 'message-id';
export const HEADER_CONTENT_TYPE = 'content-type';
export const HEADER_ERROR_CODE = 'error-code';
export const JSON_CONTENT_TYPE = 'application/json';

/** Error messages in DLQ records are capped: they come from arbitrary exceptions. */
const MAX_ERROR_MESSAGE = 2000;
const EMPTY = Buffer.alloc(0);
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The partitioning key every producer and the processor share: one chat group, one partition, one order. */
export function messageKey(m: Pick<Message, 'platform' | 'groupId'>): string {
  return `${m.platform}:${m.groupId}`;
}

/** A fetched record as the judge sees it; the source names it for the DLQ. */
export function toIncoming(batch: SourceBatch, record: SourceRecord, receivedAt: number): IncomingRecord {
  return {
    raw: record.value ?? EMPTY,
    source: { topic: batch.topic, partition: batch.partition, offset: record.offset },
    receivedAt,
  };
}

/** Key and headers carry the message id so verdict consumers can de-duplicate redeliveries. */
export function verdictRecord(topic: string, verdict: Verdict): OutgoingRecord {
  return {
    topic,
    key: messageKey(verdict),
    value: JSON.stringify(verdict),
    headers: { [HEADER_MESSAGE_ID]: verdict.messageId, [HEADER_CONTENT_TYPE]: JSON_CONTENT_TYPE },
  };
}

/** The DLQ value: why, the original bytes, and where they came from (so they can be replayed). */
export interface DlqValue {
  error: { code: string; message: string };
  /** The original value as UTF-8 text, or base64 when `encoding` says so. */
  raw: string;
  /** Present when `raw` is base64: the original was not valid UTF-8, or it was truncated. */
  encoding?: 'base64';
  /** The original was larger than the DLQ allows: `raw` holds its first bytes, `rawBytes` its full size. */
  truncated?: true;
  rawBytes?: number;
  source: { topic: string; partition: number; offset: string };
}

/**
 * A DLQ record for a fetched record that could not be judged. Keyed like the original (so a group's bad
 * records stay in order), header `error-code`. Values above `maxValueBytes` keep only the start of `raw`
 * (base64, `truncated: true`): the broker would refuse the record otherwise, and the source offset still
 * leads to the original.
 */
export function dlqRecord(
  topic: string,
  error: ErrorRecord['error'],
  record: SourceRecord,
  source: { topic: string; partition: number },
  maxValueBytes: number,
): OutgoingRecord {
  const bytes = record.value ?? EMPTY;
  const value: DlqValue = {
    error: { code: error.code, message: capMessage(error.message) },
    raw: '',
    source: { topic: source.topic, partition: source.partition, offset: record.offset },
  };
  const text = decodeUtf8(bytes);
  if (text !== null) value.raw = text;
  else {
    value.raw = bytes.toString('base64');
    value.encoding = 'base64';
  }
  let json = JSON.stringify(value);
  if (Buffer.byteLength(json) > maxValueBytes) json = truncatedJson(value, bytes, maxValueBytes);
  return {
    topic,
    key: record.key,
    value: json,
    headers: { [HEADER_ERROR_CODE]: error.code, [HEADER_CONTENT_TYPE]: JSON_CONTENT_TYPE },
  };
}

function truncatedJson(value: DlqValue, bytes: Buffer, maxValueBytes: number): string {
  value.raw = '';
  value.encoding = 'base64';
  value.truncated = true;
  value.rawBytes = bytes.length;
  const overhead = Buffer.byteLength(JSON.stringify(value));
  // base64 turns 3 bytes into 4 characters, none of which JSON escapes.
  const keep = Math.max(0, Math.floor(((maxValueBytes - overhead) * 3) / 4) - 3);
  value.raw = bytes.subarray(0, keep).toString('base64');
  return JSON.stringify(value);
}

function decodeUtf8(bytes: Buffer): string | null {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return null;
  }
}

function capMessage(message: string): string {
  return message.length > MAX_ERROR_MESSAGE ? `${message.slice(0, MAX_ERROR_MESSAGE)}…` : message;
}
