import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  isHomograph,
  isOneEditApart,
  isValidCardNumber,
  isValidCnId,
  luhnValid,
  skeleton,
  TLDS,
} from '../../../src/detect/index.js';
import { withCheck, withLuhn } from './helpers.js';

describe('validators: resident ID', () => {
  it('checks region, birth date and the MOD 11-2 check character', () => {
    assert.ok(isValidCnId('11010519491231002X'));
    assert.ok(isValidCnId('11010519491231002x'));
    assert.ok(!isValidCnId('110105194912310021'));
    assert.ok(isValidCnId(withCheck('51010820000229123')), 'leap day 2000');
    assert.ok(!isValidCnId(withCheck('51010819000229123')), '1900 was not a leap year');
    assert.ok(!isValidCnId(withCheck('51010819901301123')), 'month 13');
    assert.ok(!isValidCnId(withCheck('51010819900431123')), 'April 31');
    assert.ok(!isValidCnId(withCheck('10010819900101123')), 'province 10');
    assert.ok(!isValidCnId(withCheck('51010820300101123'), 20250101), 'born after today');
    assert.ok(!isValidCnId('1101051949123100X2'), 'X only last');
    assert.ok(isValidCnId('110105491231002'), 'legacy 15-digit');
    assert.ok(!isValidCnId('11010549123100'), '14 digits');
  });
});

describe('validators: cards', () => {
  it('runs Luhn', () => {
    assert.ok(luhnValid([7, 9, 9, 2, 7, 3, 9, 8, 7, 1, 3], 0, 11));
    assert.ok(!luhnValid([7, 9, 9, 2, 7, 3, 9, 8, 7, 1, 4], 0, 11));
  });

  it('needs an issuer prefix with a matching length', () => {
    assert.ok(isValidCardNumber('4111111111111111'));
    assert.ok(isValidCardNumber(withLuhn('411111111111')), 'Visa 13');
    assert.ok(!isValidCardNumber(withLuhn('41111111111111')), 'Visa 15');
    assert.ok(isValidCardNumber(withLuhn('222100000000000')), 'Mastercard 2-series');
    assert.ok(!isValidCardNumber(withLuhn('202400000000000')), '2024… is a date');
    assert.ok(isValidCardNumber(withLuhn('955880000000000000')), 'ICBC 9558, 19 digits');
    assert.ok(!isValidCardNumber(withLuhn('13800138000000')), 'starts with 1');
    assert.ok(!isValidCardNumber('41111111111'), 'too short');
  });
});

describe('validators: host look-alikes', () => {
  it('folds homoglyphs into one skeleton', () => {
    assert.equal(skeleton('cornpany.com'), 'company.com');
    assert.equal(skeleton('c0mpany.com'), 'company.com');
    assert.equal(skeleton('paypaI.com'), 'paypal.com');
    assert.equal(skeleton('PAYPAI.COM'), 'paypai.com', 'all capitals: I stays i');
    assert.equal(skeleton('аррӏе.com'), 'apple.com');
    assert.equal(skeleton('gооglе.com'), 'google.com');
    assert.equal(skeleton('vvikipedia.org'), 'wikipedia.org');
    assert.equal(skeleton('cömpany.com'), 'company.com');
  });

  it('measures one edit', () => {
    assert.ok(isOneEditApart('company', 'compnay'), 'swap');
    assert.ok(isOneEditApart('company', 'companyy'), 'insert');
    assert.ok(isOneEditApart('company', 'compny'), 'delete');
    assert.ok(isOneEditApart('company', 'conpany'), 'substitute');
    assert.ok(!isOneEditApart('company', 'company'), 'equal');
    assert.ok(!isOneEditApart('company', 'cpmoany'), 'two edits');
    assert.ok(!isOneEditApart('company', 'comp'), 'three deletions');
  });

  it('spots homograph hosts', () => {
    assert.ok(isHomograph('аррӏе.com'));
    assert.ok(isHomograph('pаypal.com'));
    assert.ok(!isHomograph('сайт.рф'));
    assert.ok(!isHomograph('例子.中国'));
    assert.ok(!isHomograph('müller.de'));
  });

  it('knows the TLDs chat links use', () => {
    for (const t of ['com', 'cn', 'top', 'xyz', 'vip', 'icu', 'shop', '中国', '公司', '网络', 'io', 'uk'])
      assert.ok(TLDS.has(t), t);
    for (const t of ['pdf', 'jpg', 'js', 'exe', 'txt']) assert.ok(!TLDS.has(t), t);
  });
});
