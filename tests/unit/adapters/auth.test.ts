import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  checkConnection,
  checkHttpPost,
  presentedToken,
  signBody,
  verifySignature,
} from '../../../src/adapters/onebot/auth.js';

const body = Buffer.from('{"post_type":"meta_event"}');
const sig = 'sha1=' + createHmac('sha1', 's3cret').update(body).digest('hex');

describe('OneBot credentials', () => {
  it('finds the token in Authorization (Bearer or Token) or ?access_token=', () => {
    assert.equal(presentedToken({ authorization: 'Bearer abc' }, '/'), 'abc');
    assert.equal(presentedToken({ authorization: 'Token abc' }, '/'), 'abc');
    assert.equal(presentedToken({}, '/onebot/v11/ws?x=1&access_token=q%20r'), 'q r');
    assert.equal(presentedToken({ authorization: 'Basic zzz' }, '/'), null);
    assert.equal(presentedToken({}, undefined), null);
  });

  it('signatures: sha1=<hex HMAC-SHA1(secret, raw body)>', () => {
    assert.equal(signBody('s3cret', body), sig);
    assert.equal(verifySignature('s3cret', body, sig), true);
    assert.equal(verifySignature('s3cret', body, sig.toUpperCase().replace('SHA1=', 'sha1=')), true);
    assert.equal(verifySignature('other', body, sig), false);
    assert.equal(verifySignature('s3cret', Buffer.from(body.toString() + ' '), sig), false);
    assert.equal(verifySignature('s3cret', body, 'sha1=abc'), false);
    assert.equal(verifySignature('s3cret', body, undefined), false);
  });

  it('WebSocket connections need the token when one is set: 401 missing, 403 wrong', () => {
    assert.deepEqual(checkConnection({}, {}, '/'), { ok: true });
    assert.deepEqual(checkConnection({ accessToken: 't' }, {}, '/'), {
      ok: false,
      status: 401,
      reason: 'token-missing',
    });
    assert.deepEqual(checkConnection({ accessToken: 't' }, { authorization: 'Bearer x' }, '/'), {
      ok: false,
      status: 403,
      reason: 'token-wrong',
    });
    assert.deepEqual(checkConnection({ accessToken: 't' }, {}, '/?access_token=t'), { ok: true });
  });

  it('with a secret but no token, what only a token authenticates is refused (WebSocket, member API, verdicts)', () => {
    assert.deepEqual(checkConnection({ secret: 's3cret' }, {}, '/'), {
      ok: false,
      status: 401,
      reason: 'token-missing',
    });
    assert.deepEqual(checkConnection({ secret: 's3cret', accessToken: 't' }, {}, '/?access_token=t'), {
      ok: true,
    });
  });

  it('HTTP POST: a secret requires a valid signature; a token is required unless the signature proved the sender', () => {
    assert.deepEqual(checkHttpPost({ secret: 's3cret' }, {}, '/', body), {
      ok: false,
      status: 401,
      reason: 'signature-missing',
    });
    assert.deepEqual(checkHttpPost({ secret: 's3cret' }, { 'x-signature': 'sha1=00' }, '/', body), {
      ok: false,
      status: 403,
      reason: 'signature-wrong',
    });
    assert.deepEqual(checkHttpPost({ secret: 's3cret' }, { 'x-signature': sig }, '/', body), { ok: true });
    assert.deepEqual(
      checkHttpPost({ secret: 's3cret', accessToken: 't' }, { 'x-signature': sig }, '/', body),
      { ok: true },
      'NapCat signs and sends no token',
    );
    assert.deepEqual(
      checkHttpPost(
        { secret: 's3cret', accessToken: 't' },
        { 'x-signature': sig, authorization: 'Bearer bad' },
        '/',
        body,
      ),
      { ok: false, status: 403, reason: 'token-wrong' },
    );
    assert.deepEqual(checkHttpPost({ accessToken: 't' }, {}, '/', body), {
      ok: false,
      status: 401,
      reason: 'token-missing',
    });
    assert.deepEqual(checkHttpPost({ accessToken: 't' }, { authorization: 'Bearer t' }, '/', body), {
      ok: true,
    });
    assert.deepEqual(checkHttpPost({}, {}, '/', body), { ok: true });
  });
});
