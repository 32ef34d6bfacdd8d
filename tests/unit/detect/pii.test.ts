import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPiiDetector } from '../../../src/detect/index.js';
import { fullWidth, hits, run, withCheck, withLuhn, withWrongCheck } from './helpers.js';

const pii = createPiiDetector();
const ID = withCheck('11010519491231002'); // the GB 11643 example, check character X
const ID2 = withCheck('44030719900307123');
const UNIONPAY_19 = withLuhn('622202123456789012');
const UNIONPAY_16 = withLuhn('622848001234567');

describe('pii: Chinese resident ID', () => {
  it('reports a valid 18-character ID, X check character included', () => {
    assert.equal(ID, '11010519491231002X');
    assert.deepEqual(hits(pii, `身份证号${ID}，请核对`), [['pii:cn-id', ID]]);
    assert.deepEqual(hits(pii, `id: ${ID.toLowerCase()}`), [['pii:cn-id', ID.toLowerCase()]]);
    assert.deepEqual(hits(pii, ID2), [['pii:cn-id', ID2]]);
  });

  it('reports grouped IDs (6-8-4, 6-4-4-4)', () => {
    const g1 = `${ID2.slice(0, 6)} ${ID2.slice(6, 14)} ${ID2.slice(14)}`;
    const g2 = `${ID2.slice(0, 6)}-${ID2.slice(6, 10)}-${ID2.slice(10, 14)}-${ID2.slice(14)}`;
    assert.deepEqual(hits(pii, `号码 ${g1}`), [['pii:cn-id', g1]]);
    assert.deepEqual(hits(pii, g2), [['pii:cn-id', g2]]);
  });

  it('rejects a wrong check character', () => {
    assert.deepEqual(hits(pii, withWrongCheck('44030719900307123')), []);
    assert.deepEqual(hits(pii, withWrongCheck('11010519491231002')), []);
  });

  it('rejects impossible birth dates and regions even with a correct check character', () => {
    assert.deepEqual(hits(pii, withCheck('44030719900230123')), [], 'Feb 30');
    assert.deepEqual(hits(pii, withCheck('44030718990307123')), [], 'born 1899');
    assert.deepEqual(hits(pii, withCheck('44030730000307123')), [], 'born in the future');
    assert.deepEqual(hits(pii, withCheck('99030719900307123')), [], 'no province 99');
    assert.deepEqual(hits(pii, withCheck('44000019900307123')), [], 'prefecture 00');
    assert.deepEqual(hits(pii, withCheck('81000019900307123')).length, 1, 'HK residence permit 810000');
  });

  it('does not read 17- or 19-digit order numbers as IDs', () => {
    assert.deepEqual(hits(pii, `订单号 ${ID2.slice(0, 17)}`), []);
    assert.deepEqual(hits(pii, `订单号 ${ID2}7`), []);
    assert.deepEqual(hits(pii, `订单号 7${ID2}`), []);
  });

  it('does not take an ID out of a longer identifier', () => {
    assert.deepEqual(hits(pii, `SN${ID2}`), []);
    assert.deepEqual(hits(pii, `${ID2}abc`), []);
    assert.deepEqual(hits(pii, `ORD-${ID2}`), []);
    assert.deepEqual(hits(pii, `${ID2}-01`), []);
    assert.deepEqual(hits(pii, `3.${ID2}`), [], 'decimal digits');
  });

  it('reports the legacy 15-digit form only when enabled', () => {
    const legacy = '440307900307123';
    assert.deepEqual(hits(pii, legacy), []);
    const withLegacy = createPiiDetector({ cnId: { legacy15: true } });
    assert.deepEqual(hits(withLegacy, legacy), [['pii:cn-id', legacy]]);
    assert.deepEqual(hits(withLegacy, '440307901307123'), [], 'month 13');
  });

  it('reports a Luhn-valid ID once, as the ID', () => {
    // Search a few sequence numbers for an ID that is also Luhn-valid with a card-like prefix (62 = Gansu).
    let both = '';
    for (let seq = 100; seq < 999 && both === ''; seq++) {
      const id = withCheck(`62010219900307${seq}`);
      if (!id.endsWith('X') && withLuhn(id.slice(0, 17)) === id) both = id;
    }
    assert.ok(both, 'found an ID that is also a Luhn-valid UnionPay-like number');
    assert.deepEqual(hits(pii, both), [['pii:cn-id', both]]);
    const idOff = createPiiDetector({ cnId: false });
    assert.deepEqual(hits(idOff, both), [], 'still not a bank card when the ID rule is off');
  });
});

describe('pii: mobile numbers', () => {
  it('reports mainland mobile numbers in their written shapes', () => {
    for (const phone of [
      '13800138000',
      '138 0013 8000',
      '138-0013-8000',
      '138 00138000',
      '+8613800138000',
      '+86 13800138000',
      '+86-138-0013-8000',
      '+86 138 0013 8000',
      '0086 13800138000',
      '008613800138000',
      '19912345678',
    ]) {
      assert.deepEqual(hits(pii, `联系我${phone}谢谢`), [['pii:mobile', phone]], phone);
    }
  });

  it('reports a phone between other text and numbers', () => {
    assert.deepEqual(hits(pii, '2024-11-24 13800138000'), [['pii:mobile', '13800138000']]);
    assert.deepEqual(hits(pii, '13800138000/13900139000'), [
      ['pii:mobile', '13800138000'],
      ['pii:mobile', '13900139000'],
    ]);
    assert.deepEqual(hits(pii, '13800138000、13900139000'), [
      ['pii:mobile', '13800138000'],
      ['pii:mobile', '13900139000'],
    ]);
    assert.deepEqual(hits(pii, 'tel: 13800138000, 13900139000'), [
      ['pii:mobile', '13800138000'],
      ['pii:mobile', '13900139000'],
    ]);
  });

  it('does not read dates, times or timestamps as phone numbers', () => {
    for (const text of [
      '2024-11-24',
      '20241124',
      '2024年11月24日',
      '2024/11/24 13:45:00',
      '2024-11-24 13:45:00.123',
      '1732435200',
      '1732435200000',
      '1732435200.123',
      '202411241345',
      '20241124134500',
    ]) {
      assert.deepEqual(hits(pii, text), [], text);
    }
  });

  it('does not take a phone out of a longer digit run or identifier', () => {
    for (const text of [
      '138001380001',
      '913800138000',
      '138 0013 8000 1234',
      '1 138 0013 8000',
      'ORD-13800138000',
      'tel13800138000',
      '13800138000abc',
      '3.13800138000',
      '13800138000.5',
      '12:13800138000',
      '13800138000-8001',
      '2024-13800138000',
      '138.0013.8000',
      '12800138000',
      '11800138000',
    ]) {
      assert.deepEqual(hits(pii, text), [], text);
    }
  });

  it('reads full-width digits like ASCII digits (and can be told not to)', () => {
    const fw = fullWidth('13800138000');
    assert.equal(fw, '１３８００１３８０００');
    assert.deepEqual(hits(pii, `电话${fw}`), [['pii:mobile', fw]]);
    const mixed = '138００138000';
    assert.deepEqual(hits(pii, mixed), [['pii:mobile', mixed]]);
    const fwId = fullWidth(ID);
    assert.equal(fwId.slice(-1), 'Ｘ');
    assert.deepEqual(hits(pii, `身份证${fwId}`), [['pii:cn-id', fwId]]);
    const asciiOnly = createPiiDetector({ fullWidthDigits: false });
    assert.deepEqual(hits(asciiOnly, `电话${fw}`), []);
    assert.deepEqual(hits(asciiOnly, '电话13800138000'), [['pii:mobile', '13800138000']]);
  });
});

describe('pii: bank cards', () => {
  it('reports Luhn-valid numbers with an issuer prefix', () => {
    for (const card of [
      '4111111111111111',
      '5500000000000004',
      '378282246310005',
      '6011111111111117',
      '3530111333300000',
      '30569309025904',
      UNIONPAY_16,
      UNIONPAY_19,
    ]) {
      assert.deepEqual(hits(pii, `卡号${card}`), [['pii:bank-card', card]], card);
    }
  });

  it('reports grouped card numbers', () => {
    const g = (s: string, sep: string) => s.match(/.{1,4}/g)!.join(sep);
    for (const card of [g(UNIONPAY_16, ' '), g(UNIONPAY_16, '-'), g(UNIONPAY_19, ' '), '3782 822463 10005']) {
      assert.deepEqual(hits(pii, `卡号：${card}。`), [['pii:bank-card', card]], card);
    }
  });

  it('rejects Luhn failures, unknown prefixes and odd groupings', () => {
    assert.deepEqual(hits(pii, '4111111111111112'), []);
    assert.deepEqual(hits(pii, UNIONPAY_16.slice(0, -1) + ((Number(UNIONPAY_16.slice(-1)) + 1) % 10)), []);
    assert.deepEqual(hits(pii, withLuhn('123456789012345')), [], 'no issuer starts with 1');
    assert.deepEqual(hits(pii, withLuhn('202411241530123')), [], 'date-prefixed order number');
    assert.deepEqual(hits(pii, withLuhn('41111111111111')), [], 'Visa has no 15-digit numbers');
    const g = UNIONPAY_16.match(/.{1,4}/g)!;
    assert.deepEqual(hits(pii, `${g.join(' ')} 1234`), [], 'one group too many');
    assert.deepEqual(hits(pii, `${g[0]}${g[1]} ${g[2]}${g[3]}`), [], '8-8 is not a card grouping');
    assert.deepEqual(hits(pii, `x${UNIONPAY_16}`), [], 'glued to a letter');
  });

  it('reads full-width card digits', () => {
    const fw = fullWidth('4111111111111111');
    assert.deepEqual(hits(pii, fw), [['pii:bank-card', fw]]);
  });
});

describe('pii: e-mail', () => {
  it('reports addresses with exact spans', () => {
    assert.deepEqual(hits(pii, '邮箱 zhang.san+hr@example.com.cn 谢谢'), [
      ['pii:email', 'zhang.san+hr@example.com.cn'],
    ]);
    assert.deepEqual(hits(pii, '发到abc@qq.com。'), [['pii:email', 'abc@qq.com']]);
    assert.deepEqual(hits(pii, 'mail a@b.com.Thanks'), [['pii:email', 'a@b.com']]);
    assert.deepEqual(hits(pii, 'abc＠qq．com'), [['pii:email', 'abc＠qq．com']]);
  });

  it('does not report what only looks like an address', () => {
    for (const text of [
      'user@localhost',
      'a@b.c',
      '@bob.smith',
      'x@y',
      'name@domain.notatld',
      '.@qq.com',
      '@qq.com',
    ]) {
      assert.deepEqual(hits(pii, text), [], text);
    }
  });

  it('lets the address own the digits inside it', () => {
    assert.deepEqual(hits(pii, '13800138000@163.com'), [['pii:email', '13800138000@163.com']]);
    const noEmail = createPiiDetector({ email: false });
    assert.deepEqual(hits(noEmail, '13800138000@163.com'), []);
    assert.deepEqual(hits(noEmail, '13800138000 a@163.com'), [['pii:mobile', '13800138000']]);
  });
});

describe('pii: options', () => {
  it('switches rules and tunes severity and category', () => {
    const d = createPiiDetector({ mobile: { severity: 4 }, bankCard: false, category: 'secret' });
    const r = run(d, '13800138000 4111111111111111');
    assert.equal(r.length, 1);
    assert.equal(r[0].severity, 4);
    assert.equal(r[0].category, 'secret');
    assert.equal(r[0].detector, 'pii');
  });

  it('defaults: privacy, severities id 3, card 3, mobile 2, email 1', () => {
    const r = run(pii, `${ID} 4111111111111111 13800138000 a@qq.com`);
    const sev = Object.fromEntries(r.map((x) => [x.rule, [x.category, x.severity]]));
    assert.deepEqual(sev, {
      'pii:email': ['privacy', 1],
      'pii:cn-id': ['privacy', 3],
      'pii:bank-card': ['privacy', 3],
      'pii:mobile': ['privacy', 2],
    });
  });

  it('is a no-op when switched off', () => {
    assert.deepEqual(hits(createPiiDetector(false), '13800138000 a@qq.com'), []);
  });
});
