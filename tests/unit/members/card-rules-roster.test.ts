import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DEFAULT_CARD_FORMAT, identityKey, parseCard } from '../../../src/members/card.js';
import { MemberEventDecoder } from '../../../src/members/decode.js';
import { Roster, effectiveAtOf, normalizeEmployee, parseUtcOffset } from '../../../src/members/roster.js';
import { parseCsvRoster, readRosterFile } from '../../../src/members/roster-file.js';
import { CompiledMemberRules, loadMemberRulesFile } from '../../../src/members/rules.js';

const dir = mkdtempSync(join(tmpdir(), 'modstream-members-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('cards', () => {
  const format = new RegExp(DEFAULT_CARD_FORMAT, 'u');
  it('parses 部门-姓名 in its common spellings', () => {
    for (const card of ['市场部-张三', '市场部－张三', ' 市场部 - 张三 ', '市场部—张三', '市场部–张三']) {
      const p = parseCard(card, format);
      assert.equal(p.ok, true, card);
      if (p.ok) assert.equal(p.identity, identityKey('市场部', '张三'));
    }
  });
  it("takes the dashes people type: the IME's ——, ‐ ‑ ‒ ― −, the small and full-width hyphens", () => {
    for (const card of [
      '市场部——张三',
      '市场部 —— 张三',
      '市场部‐张三',
      '市场部‑张三',
      '市场部‒张三',
      '市场部―张三',
      '市场部−张三',
      '市场部﹣张三',
      '市场部--张三',
    ]) {
      const p = parseCard(card, format);
      assert.equal(p.ok, true, card);
      if (p.ok) assert.equal(p.identity, identityKey('市场部', '张三'), card);
    }
    assert.deepEqual(parseCard('市场部—张—三', format), { ok: false, problem: 'format' }, 'still one name');
  });
  it('rejects empty cards, missing parts and extra dashes', () => {
    assert.deepEqual(parseCard('', format), { ok: false, problem: 'empty' });
    assert.deepEqual(parseCard('   ', format), { ok: false, problem: 'empty' });
    for (const card of ['张三', '市场部-', '-张三', '市场部-张-三', '市场 部-张三'])
      assert.deepEqual(parseCard(card, format), { ok: false, problem: 'format' }, card);
  });
  it('a format without a department group gives name-only identities', () => {
    const p = parseCard('张三', /^(?<name>\S+)$/u);
    assert.equal(p.ok && p.identity, '\u0001张三');
  });
});

describe('member rules', () => {
  it('defaults: review cards, kick departed staff within 3 days, review after 90 idle days', () => {
    const r = CompiledMemberRules.defaults().forGroup('qq', 'any');
    assert.equal(r.card.action, 'review');
    assert.equal(r.card.formatLabel, '部门-姓名');
    assert.equal(r.departed.action, 'kick');
    assert.equal(r.departed.deadlineMs, 3 * 86_400_000);
    assert.equal(r.inactivity.idleMs, 90 * 86_400_000);
    assert.equal(CompiledMemberRules.defaults().id, 'members@1');
    assert.match(CompiledMemberRules.defaults().hash, /^[0-9a-f]{64}$/);
  });
  it('layers merge: defaults ← file defaults ← group; lists replace', () => {
    const rules = new CompiledMemberRules({
      name: 'acme',
      version: '2',
      defaults: { card: { exempt: { roles: ['owner'] } }, inactivity: { days: 60 } },
      groups: { 'qq:1': { card: { action: 'warn' }, inactivity: { enabled: false } } },
    });
    assert.equal(rules.id, 'acme@2');
    const g = rules.forGroup('qq', '1');
    assert.equal(g.card.action, 'warn');
    assert.deepEqual([...g.card.exemptRoles], ['owner']);
    assert.equal(g.inactivity.enabled, false);
    assert.equal(rules.forGroup('qq', '2').inactivity.idleMs, 60 * 86_400_000);
    assert.equal(rules.shortestIdleMs, 60 * 86_400_000);
  });
  it('invalid documents fail at load, naming the field', () => {
    assert.throws(
      () => new CompiledMemberRules({ defaults: { card: { action: 'explode' as never } } }),
      /defaults\.card\.action must be one of/,
    );
    assert.throws(
      () => new CompiledMemberRules({ groups: { 'qq:1': { card: { format: '([' } } } }),
      /groups\["qq:1"\]: card\.format is not a valid regular expression/,
    );
    assert.throws(
      () => new CompiledMemberRules({ defaults: { card: { format: '^(?<dept>.+)$' } } }),
      /named group \(\?<name>/,
    );
    assert.throws(() => new CompiledMemberRules({ utcOffset: 'Beijing' }), /utcOffset/);
    assert.throws(() => new CompiledMemberRules({ extra: 1 } as never), /extra is not allowed/);
  });
  it('loads YAML files', () => {
    const file = join(dir, 'rules.yaml');
    writeFileSync(
      file,
      'name: acme\nversion: 3\ngroups:\n  "qq:901234":\n    card: { format: "^(?<name>\\\\S+)\\\\((?<department>\\\\S+)\\\\)$", formatLabel: 姓名(部门) }\n',
    );
    const rules = loadMemberRulesFile(file);
    assert.equal(rules.id, 'acme@3');
    assert.equal(rules.forGroup('qq', '901234').card.formatLabel, '姓名(部门)');
    assert.throws(() => loadMemberRulesFile(join(dir, 'missing.yaml')), /cannot read member rules/);
  });
  it('lets groups share a block through YAML merge keys, kept under an x- field', () => {
    const file = join(dir, 'shared.yaml');
    writeFileSync(
      file,
      [
        'x-label: &label',
        '  card: { formatLabel: 姓名-部门 }',
        'groups:',
        '  "qq:1":',
        '    <<: *label',
        '  "qq:2":',
        '    <<: *label',
        '',
      ].join('\n'),
    );
    const rules = loadMemberRulesFile(file);
    assert.equal(rules.forGroup('qq', '1').card.formatLabel, '姓名-部门');
    assert.equal(rules.forGroup('qq', '2').card.formatLabel, '姓名-部门');
  });
});

describe('roster', () => {
  it('effective dates: a date is the start of that day in the roster offset (+08:00 by default)', () => {
    assert.equal(parseUtcOffset('+08:00'), 480);
    assert.equal(parseUtcOffset('-0530'), -330);
    assert.equal(parseUtcOffset('Z'), 0);
    assert.equal(effectiveAtOf('2025-11-24', 480), Date.UTC(2025, 10, 23, 16));
    assert.equal(effectiveAtOf('2025-11-24T09:30', 480), Date.UTC(2025, 10, 24, 1, 30));
    assert.equal(effectiveAtOf('2025-11-24T09:30:00Z', 480), Date.UTC(2025, 10, 24, 9, 30));
    assert.equal(effectiveAtOf(12345, 480), 12345);
    assert.equal(effectiveAtOf(undefined, 480), 0);
    // A zone in the date-time wins over the roster's offset, in every form the schema allows.
    for (const z of ['2025-11-24T10:00:00+0800', '2025-11-24 10:00:00+08:00', '2025-11-24T02:00Z'])
      assert.equal(effectiveAtOf(z, -300), Date.UTC(2025, 10, 24, 2), z);
    assert.equal(effectiveAtOf('2025-11-24T09:30:00.5', 0), Date.UTC(2025, 10, 24, 9, 30, 0, 500));
    assert.equal(effectiveAtOf('2024-02-29', 0), Date.UTC(2024, 1, 29), 'a leap day');
    assert.equal(new Date(effectiveAtOf('0099-01-01', 0)).getUTCFullYear(), 99, 'year 99, not 1999');
    assert.throws(
      () =>
        normalizeEmployee(
          { employeeId: 'x', name: 'a', department: 'b', status: 'left', effectiveDate: 'soon' },
          480,
        ),
      /not a date/,
    );
  });
  it('dates that do not exist are refused, never rolled over into the next month or hour', () => {
    for (const bad of [
      '2025-13-45',
      '2025-00-10',
      '2025-02-30',
      '2025-02-29',
      '2025-04-31',
      '2025-11-00',
      '2025-11-24T24:00',
      '2025-11-24T10:99',
      '2025-11-24T10:00:60',
      '2025-11-24T10:00+15:00',
      '2025-11-24T10:00+08:60',
      '2025/11/24',
      'Nov 24 2025',
    ])
      assert.ok(Number.isNaN(effectiveAtOf(bad, 480)), bad);
    for (const bad of [1e306, -1, Infinity, NaN])
      assert.ok(Number.isNaN(effectiveAtOf(bad, 480)), String(bad));
    assert.throws(
      () =>
        normalizeEmployee(
          { employeeId: 'x', name: 'a', department: 'b', status: 'left', effectiveDate: '2025-13-45' },
          480,
        ),
      /effectiveDate "2025-13-45" is not a date/,
    );
  });
  it('names are looked up NFKC-normalised (byName), like cards', () => {
    const r = new Roster([
      normalizeEmployee({ employeeId: '1', name: 'Ｔｏｍ', department: 'd', status: 'active' }, 0),
    ]);
    assert.equal(r.byName('Tom').length, 1);
    assert.equal(r.byName(' Ｔｏｍ ').length, 1);
    assert.equal(r.byName('Ｔｏｍ')[0].name, 'Ｔｏｍ', 'the name itself is kept as HR wrote it');
    assert.equal(r.byName('Jerry').length, 0);
  });
  it('indexes by id, account and identity; departures by date', () => {
    const r = new Roster(
      [
        normalizeEmployee(
          {
            employeeId: '1',
            name: '张三',
            department: '市场部',
            status: 'active',
            accounts: [{ platform: 'qq', userId: '10001' }],
          },
          480,
        ),
        normalizeEmployee(
          {
            employeeId: '2',
            name: '张三',
            department: '市场部',
            status: 'left',
            effectiveDate: '2025-01-01',
          },
          480,
        ),
        normalizeEmployee(
          {
            employeeId: '3',
            name: '李四',
            department: '研发部',
            status: 'left',
            effectiveDate: '2030-01-01',
          },
          480,
        ),
      ],
      7,
    );
    assert.equal(r.version, 7);
    assert.equal(r.byAccount('qq', '10001')?.employeeId, '1');
    assert.equal(r.byIdentity(identityKey('市场部', '张三')).length, 2);
    assert.deepEqual(
      r.departedBy(Date.UTC(2026, 0, 1)).map((e) => e.employeeId),
      ['2'],
    );
    assert.equal(r.byName('李四').length, 1);
  });
  it('reads CSV (quotes, BOM, accounts), JSON, JSON Lines and YAML exports', async () => {
    const csv =
      '\ufeffemployeeId,name,department,status,effectiveDate,accounts\r\nE1,张三,市场部,active,,qq:10001;wechat:wx_a\r\nE2,"李, 四",研发部,left,2025-11-20,\r\n';
    assert.deepEqual(parseCsvRoster(csv), [
      {
        employeeId: 'E1',
        name: '张三',
        department: '市场部',
        status: 'active',
        accounts: [
          { platform: 'qq', userId: '10001' },
          { platform: 'wechat', userId: 'wx_a' },
        ],
      },
      { employeeId: 'E2', name: '李, 四', department: '研发部', status: 'left', effectiveDate: '2025-11-20' },
    ]);
    const files: Record<string, string> = {
      'r.csv': csv,
      'r.json': JSON.stringify({
        employees: [{ employeeId: 'E1', name: '张三', department: '市场部', status: 'active' }],
      }),
      'r.jsonl': '{"employeeId":"E1","name":"张三","department":"市场部","status":"active"}\n\n',
      'r.yaml': '- { employeeId: E1, name: 张三, department: 市场部, status: active }\n',
    };
    for (const [name, text] of Object.entries(files)) {
      writeFileSync(join(dir, name), text);
      const list = await readRosterFile(join(dir, name));
      assert.equal(list[0].employeeId, 'E1', name);
    }
  });
  it('a bad entry fails the whole file, naming it', async () => {
    writeFileSync(
      join(dir, 'bad.json'),
      JSON.stringify([{ employeeId: 'E1', name: '张三', department: '市场部', status: 'fired' }]),
    );
    await assert.rejects(
      readRosterFile(join(dir, 'bad.json')),
      /entry\[0\]\.status must be one of "active", "left"/,
    );
    writeFileSync(join(dir, 'bad.csv'), 'id,name\n1,a\n');
    await assert.rejects(readRosterFile(join(dir, 'bad.csv')), /must name the column employeeId/);
  });
  it('refuses a file that is not UTF-8 (Excel\'s GBK "CSV") and an account without its platform', async () => {
    // 张三 in GBK, where a loose read gives names of U+FFFD that match nobody.
    const header = Buffer.from('employeeId,name,department,status\nE1,');
    writeFileSync(
      join(dir, 'gbk.csv'),
      Buffer.concat([header, Buffer.from([0xd5, 0xc5, 0xc8, 0xfd]), Buffer.from(',x,active\n')]),
    );
    await assert.rejects(readRosterFile(join(dir, 'gbk.csv')), /is not valid UTF-8 \(saved as GBK\?/);
    writeFileSync(
      join(dir, 'acct.csv'),
      'employeeId,name,department,status,accounts\nE1,张三,市场部,active,10007\n',
    );
    await assert.rejects(
      readRosterFile(join(dir, 'acct.csv')),
      /account "10007" of E1 must be platform:userId/,
    );
  });
});

describe('member-event v1 schema', () => {
  const d = new MemberEventDecoder();
  it('accepts the four kinds', () => {
    for (const e of [
      {
        kind: 'member.joined',
        id: 'a',
        ts: 1,
        platform: 'qq',
        groupId: '1',
        userId: '2',
        userName: '',
        via: 'invite',
        operatorId: '3',
      },
      {
        v: 1,
        kind: 'member.card',
        id: 'b',
        ts: 1,
        platform: 'qq',
        groupId: '1',
        userId: '2',
        userName: '市场部-张三',
        previousName: '张三',
      },
      {
        kind: 'member.left',
        id: 'c',
        ts: 1,
        platform: 'qq',
        groupId: '1',
        userId: '2',
        reason: 'kick',
        extra: 'kept',
      },
      {
        kind: 'roster.update',
        id: 'd',
        ts: 1,
        replace: true,
        employees: [
          {
            employeeId: 'E1',
            name: 'n',
            department: 'd',
            status: 'left',
            effectiveDate: '2025-11-24',
            accounts: [{ platform: 'qq', userId: '2' }],
          },
        ],
      },
    ]) {
      const r = d.check(e);
      assert.equal(r.ok, true, r.ok ? '' : r.error.message);
    }
  });
  it('rejects with the field named', () => {
    const msg = (v: unknown) => {
      const r = d.decode(JSON.stringify(v));
      assert.equal(r.ok, false);
      return r.ok ? '' : `${r.error.code}: ${r.error.message}`;
    };
    assert.match(
      msg({ kind: 'member.card', id: 'x', ts: 1, platform: 'qq', groupId: '1', userId: '2' }),
      /^BAD_MESSAGE: userName is required/,
    );
    assert.match(
      msg({ kind: 'member.left', id: 'x', ts: 1, platform: 'qq', groupId: '1' }),
      /userId is required/,
    );
    assert.match(msg({ kind: 'roster.update', id: 'x', ts: 1 }), /employees is required/);
    assert.match(msg({ kind: 'member.sneeze', id: 'x', ts: 1 }), /kind must be one of/);
    assert.match(
      msg({
        kind: 'roster.update',
        id: 'x',
        ts: 1,
        employees: [
          { employeeId: 'E', name: 'n', department: 'd', status: 'active', effectiveDate: 'tomorrow' },
        ],
      }),
      /employees\[0\]\.effectiveDate/,
    );
    const roster = (effectiveDate: unknown) => ({
      kind: 'roster.update',
      id: 'x',
      ts: 1,
      employees: [
        { employeeId: 'E', name: 'n', department: 'd', status: 'left' },
        { employeeId: 'F', name: 'n', department: 'd', status: 'left', effectiveDate },
      ],
    });
    for (const date of ['2025-13-45', '2025-02-30', '2025-11-24T24:99'])
      assert.equal(
        msg(roster(date)),
        `BAD_MESSAGE: employees[1].effectiveDate ${JSON.stringify(date)} is not a date (date)`,
      );
    assert.match(msg(roster(1e306)), /^BAD_MESSAGE: employees\[1\]\.effectiveDate 1e\+306 is not a date/);
    assert.equal(d.check(roster('2025-11-24T10:00:00+0800')).ok, true);
    const join = { kind: 'member.joined', id: 'x', platform: 'qq', groupId: '1', userId: '2' };
    assert.match(msg({ ...join, ts: 1e306 }), /^BAD_MESSAGE: ts must be a time from 1970 to 9999/);
    // JSON can carry a lone surrogate (`\ud800`); JSON.parse takes it, the decoder does not.
    const lone = d.decode(
      '{"kind":"member.card","id":"x","ts":1,"platform":"qq","groupId":"1","userId":"2","userName":"研发部-李\\ud800四"}',
    );
    assert.equal(
      lone.ok ? '' : `${lone.error.code}: ${lone.error.message}`,
      'BAD_ENCODING: userName contains a lone UTF-16 surrogate (wellFormed)',
    );
    const loneName = d.check({
      kind: 'roster.update',
      id: 'x',
      ts: 1,
      employees: [{ employeeId: 'E', name: '\udc00', department: 'd', status: 'active' }],
    });
    assert.equal(
      !loneName.ok && loneName.error.message,
      'employees[0].name contains a lone UTF-16 surrogate (wellFormed)',
    );
    const bad = d.decode('{nope');
    assert.equal(!bad.ok && bad.error.code, 'BAD_JSON');
  });
});
