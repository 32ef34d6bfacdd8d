import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MessageDecoder, VerdictValidator } from '../../../src/contracts/decode.js';

const ok = { id: 'qq:1:1', platform: 'qq', groupId: '1', userId: 'u', text: 'hello', ts: 1764000000000 };

describe('MessageDecoder: what each kind of bad input gets', () => {
  const d = new MessageDecoder({ maxTextBytes: 64 * 1024, maxRecordBytes: 1024 * 1024 });

  it('accepts a valid message and keeps unknown fields', () => {
    const r = d.decode(JSON.stringify({ ...ok, extra: { x: 1 } }));
    assert.equal(r.ok, true);
    if (r.ok) assert.deepEqual(r.message.extra, { x: 1 });
  });

  it('accepts bytes (Kafka values)', () => {
    const r = d.decode(Buffer.from(JSON.stringify(ok)));
    assert.equal(r.ok, true);
  });

  it('not JSON → BAD_JSON', () => {
    const r = d.decode('{"id": ');
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.error.code, 'BAD_JSON');
  });

  it('not an object → BAD_MESSAGE naming the record', () => {
    for (const raw of ['[]', '42', 'null', '"x"']) {
      const r = d.decode(raw);
      assert.equal(r.ok, false);
      if (!r.ok) {
        assert.equal(r.error.code, 'BAD_MESSAGE');
        assert.match(r.error.message, /\(record\) must be a JSON object/);
      }
    }
  });

  it('missing fields → BAD_MESSAGE naming each missing field and the rule', () => {
    const r = d.decode(JSON.stringify({ id: 'x', platform: 'qq' }));
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.equal(r.error.code, 'BAD_MESSAGE');
      for (const f of ['groupId', 'userId', 'text', 'ts'])
        assert.match(r.error.message, new RegExp(`${f} is required \\(required\\)`));
    }
  });

  it('wrong types → BAD_MESSAGE naming the field', () => {
    const r = d.decode(JSON.stringify({ ...ok, ts: 'yesterday', mentions: [1], attachments: [{}] }));
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.match(r.error.message, /ts must be number \(type\)/);
      assert.match(r.error.message, /mentions\[0\] must be string \(type\)/);
      assert.match(r.error.message, /attachments\[0\]\.kind is required/);
    }
  });

  it('empty text without attachments → BAD_MESSAGE; with attachments it is fine', () => {
    const bad = d.decode(JSON.stringify({ ...ok, text: '' }));
    assert.equal(bad.ok, false);
    const good = d.decode(
      JSON.stringify({ ...ok, text: '', attachments: [{ kind: 'image', url: 'https://x/y.png' }] }),
    );
    assert.equal(good.ok, true);
  });

  it('text over 64 KiB → OVERSIZE', () => {
    const r = d.decode(JSON.stringify({ ...ok, text: '字'.repeat(22000) }));
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.error.code, 'OVERSIZE');
    const fits = d.decode(JSON.stringify({ ...ok, text: 'a'.repeat(64 * 1024) }));
    assert.equal(fits.ok, true);
  });

  it('record over the record limit → OVERSIZE before parsing', () => {
    const small = new MessageDecoder({ maxRecordBytes: 1000 });
    const r = small.decode(JSON.stringify({ ...ok, text: 'x'.repeat(2000) }));
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.error.code, 'OVERSIZE');
    const rb = small.decode(Buffer.alloc(2000, 0x20));
    assert.equal(rb.ok, false);
  });

  it('lone surrogates → BAD_ENCODING; invalid UTF-8 bytes → BAD_ENCODING', () => {
    const r = d.decode(
      `{"id":"a","platform":"qq","groupId":"1","userId":"u","text":"bad \\ud800 here","ts":1}`,
    );
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.error.code, 'BAD_ENCODING');
    // In an id too: ids become Kafka keys and headers, where it would turn into U+FFFD.
    for (const field of ['id', 'groupId', 'userId']) {
      const m = { id: 'a', platform: 'qq', groupId: '1', userId: 'u', text: 'ok', ts: 1, [field]: 'x\udc00' };
      const bad = d.decode(JSON.stringify(m));
      assert.ok(!bad.ok && bad.error.code === 'BAD_ENCODING' && bad.error.message.startsWith(field), field);
    }
    const bytes = Buffer.concat([
      Buffer.from('{"id":"a","text":"'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('"}'),
    ]);
    const rb = d.decode(bytes);
    assert.equal(rb.ok, false);
    if (!rb.ok) assert.equal(rb.error.code, 'BAD_ENCODING');
  });

  it('platform with a colon is rejected (it would break the group key)', () => {
    const r = d.decode(JSON.stringify({ ...ok, platform: 'q:q' }));
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(r.error.message, /platform must match pattern/);
  });
});

describe('VerdictValidator', () => {
  const v = new VerdictValidator();
  const verdict = {
    v: 1,
    messageId: 'm',
    platform: 'qq',
    groupId: '1',
    userId: 'u',
    action: 'warn',
    deleteMessage: true,
    muteSeconds: 0,
    notifyAdmins: false,
    reasons: [
      {
        detector: 'lexicon',
        category: 'ads',
        rule: 'ads:加微信',
        match: '加微信',
        span: [0, 3],
        severity: 2,
      },
    ],
    strikes: 1,
    dryRun: false,
    policy: 'default@1',
    lexiconVersion: 'sha256:' + '0'.repeat(64),
    ts: 1,
    latencyMs: 0.2,
  };
  it('accepts a valid verdict', () => assert.equal(v.check(verdict), null));
  it('names the bad field', () => {
    assert.match(v.check({ ...verdict, action: 'explode' }) ?? '', /action must be one of/);
    assert.match(v.check({ ...verdict, reasons: [{ detector: 'x' }] }) ?? '', /reasons\[0\]/);
  });
});
