import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Verdict } from '../../../../src/contracts/types.js';
import {
  dlqRecord,
  messageKey,
  toIncoming,
  verdictRecord,
  type DlqValue,
} from '../../../../src/transport/kafka/index.js';
import type { SourceBatch } from '../../../../src/transport/types.js';

const verdict: Verdict = {
  v: 1,
  messageId: 'qq:901234:55871',
  platform: 'qq',
  groupId: '901234',
  userId: '10001',
  action: 'warn',
  deleteMessage: true,
  muteSeconds: 0,
  notifyAdmins: false,
  reasons: [],
  strikes: 1,
  dryRun: false,
  policy: 'default@1',
  lexiconVersion: 'sha256:x',
  ts: 1,
  latencyMs: 0.2,
};
const source = { topic: 'modstream.messages', partition: 2 };

function dlqValue(value: string | Buffer): DlqValue {
  return JSON.parse(String(value)) as DlqValue;
}

describe('records', () => {
  it('keys messages and verdicts by platform:groupId', () => {
    assert.equal(messageKey({ platform: 'qq', groupId: '901234' }), 'qq:901234');
  });

  it('verdict record: key, JSON value, message-id and content-type headers', () => {
    const r = verdictRecord('v', verdict);
    assert.equal(r.topic, 'v');
    assert.equal(r.key, 'qq:901234');
    assert.deepEqual(JSON.parse(String(r.value)), verdict);
    assert.deepEqual(r.headers, { 'message-id': 'qq:901234:55871', 'content-type': 'application/json' });
  });

  it('DLQ record: reason, UTF-8 raw, source, original key, error-code header', () => {
    const raw = Buffer.from('{"text":"加微信"');
    const r = dlqRecord(
      'd',
      { code: 'BAD_JSON', message: 'no' },
      { offset: '41', key: Buffer.from('qq:1'), value: raw },
      source,
      1e6,
    );
    assert.equal(r.topic, 'd');
    assert.deepEqual(r.key, Buffer.from('qq:1'));
    assert.deepEqual(r.headers, { 'error-code': 'BAD_JSON', 'content-type': 'application/json' });
    assert.deepEqual(dlqValue(r.value), {
      error: { code: 'BAD_JSON', message: 'no' },
      raw: '{"text":"加微信"',
      source: { topic: 'modstream.messages', partition: 2, offset: '41' },
    });
  });

  it('DLQ record: bytes that are not UTF-8 go as base64 with an encoding field', () => {
    const raw = Buffer.from([0xc3, 0x28, 0xff]);
    const v = dlqValue(
      dlqRecord(
        'd',
        { code: 'BAD_ENCODING', message: 'x' },
        { offset: '0', key: null, value: raw },
        source,
        1e6,
      ).value,
    );
    assert.equal(v.encoding, 'base64');
    assert.deepEqual(Buffer.from(v.raw, 'base64'), raw);
  });

  it('DLQ record: a null value is an empty raw', () => {
    const v = dlqValue(
      dlqRecord('d', { code: 'BAD_JSON', message: 'x' }, { offset: '0', key: null, value: null }, source, 1e6)
        .value,
    );
    assert.equal(v.raw, '');
    assert.equal(v.encoding, undefined);
  });

  it('DLQ record: an oversize original is truncated to fit, saying so', () => {
    const raw = Buffer.from('"'.repeat(200_000)); // JSON doubles every quote
    const r = dlqRecord(
      'd',
      { code: 'OVERSIZE', message: 'big' },
      { offset: '7', key: null, value: raw },
      source,
      64 * 1024,
    );
    assert.ok(Buffer.byteLength(String(r.value)) <= 64 * 1024);
    const v = dlqValue(r.value);
    assert.equal(v.truncated, true);
    assert.equal(v.rawBytes, 200_000);
    assert.equal(v.encoding, 'base64');
    const kept = Buffer.from(v.raw, 'base64');
    assert.ok(kept.length > 40_000, 'keeps as much as fits');
    assert.deepEqual(kept, raw.subarray(0, kept.length));
    assert.equal(v.source.offset, '7');
  });

  it('DLQ record: caps a runaway error message', () => {
    const v = dlqValue(
      dlqRecord(
        'd',
        { code: 'PROCESSING_FAILED', message: 'e'.repeat(10_000) },
        { offset: '0', key: null, value: null },
        source,
        1e6,
      ).value,
    );
    assert.ok(v.error.message.length < 2100);
  });

  it('incoming record: raw bytes (empty for null) and the source', () => {
    const batch: SourceBatch = { topic: 't', partition: 1, highWatermark: '10', records: [] };
    const r = toIncoming(batch, { offset: '5', key: null, value: null }, 123);
    assert.deepEqual(r, {
      raw: Buffer.alloc(0),
      source: { topic: 't', partition: 1, offset: '5' },
      receivedAt: 123,
    });
  });
});
