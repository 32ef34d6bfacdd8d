import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { ConfigError } from '../../../src/contracts/errors.js';
import type { Reason } from '../../../src/contracts/types.js';
import {
  DEFAULT_POLICY_DOCUMENT,
  PolicyCompiler,
  PolicyError,
  compilePolicy,
  defaultPolicy,
  formatPolicyPath,
  loadPolicyFile,
  parsePolicy,
} from '../../../src/policy/index.js';

const EXAMPLE = new URL('../../../examples/policy.yaml', import.meta.url);

const reason = (category: Reason['category'], rule: string, severity = 2): Reason => ({
  detector: 'lexicon',
  category,
  rule,
  severity,
});

/** The problems of a policy that must not compile. */
function problemsOf(input: unknown): string[] {
  try {
    compilePolicy(input);
  } catch (e) {
    assert.ok(e instanceof PolicyError, `expected PolicyError, got ${String(e)}`);
    return e.problems.map((p) => (p.path ? `${p.path} ${p.message}` : p.message));
  }
  assert.fail('the policy compiled');
}

describe('policy: the built-in default', () => {
  it('compiles, with id name@version and the DESIGN.md numbers', () => {
    const policy = defaultPolicy();
    assert.equal(policy.id, 'default@1');
    const rules = policy.defaults;
    assert.deepEqual(rules.flood, {
      rateMax: 10,
      rateWindowMs: 10_000,
      duplicateMax: 3,
      duplicateWindowMs: 60_000,
      crossGroupMin: 5,
      crossGroupWindowMs: 60_000,
    });
    assert.equal(rules.strikeTtlMs, 30 * 86_400_000);
    const ads = rules.categoryTreatment('ads');
    assert.deepEqual(
      ads.ladder!.map((s) => [s.action, s.muteSeconds, s.deleteMessage, s.notifyAdmins]),
      [
        ['warn', 0, true, false],
        ['mute', 604_800, true, false],
        ['kick', 0, true, true],
        ['ban', 0, true, true],
      ],
    );
    for (const severe of ['illegal', 'porn', 'violence', 'gambling', 'political'] as const) {
      const t = rules.categoryTreatment(severe);
      assert.deepEqual([t.strike, t.entryStep], [true, 2], severe);
      assert.ok(
        t.ladder!.every((s) => s.notifyAdmins),
        `${severe} always notifies`,
      );
    }
    for (const reviewed of ['privacy', 'secret', 'rumor'] as const) {
      const t = rules.categoryTreatment(reviewed);
      assert.equal(t.ladder, null);
      assert.deepEqual([t.outcome.action, t.outcome.deleteMessage, t.strike], ['review', true, true]);
    }
    const flood = rules.categoryTreatment('flood');
    assert.deepEqual(
      [flood.outcome.action, flood.outcome.muteSeconds, flood.strike, flood.cooldownMs],
      ['mute', 600, true, 600_000],
    );
    assert.equal(
      rules.treatmentFor({ detector: 'mention', category: 'flood', rule: 'mention:all', severity: 1 }).strike,
      false,
    );
  });

  it('equals examples/policy.yaml, the full written-out example', () => {
    const example = parse(readFileSync(EXAMPLE, 'utf8')) as unknown;
    assert.deepEqual(example, JSON.parse(JSON.stringify(DEFAULT_POLICY_DOCUMENT)));
  });

  it('loads examples/policy.yaml from disk', async () => {
    const policy = await loadPolicyFile(EXAMPLE.pathname);
    assert.equal(policy.id, 'default@1');
  });

  it('is frozen (shared by every compiled policy)', () => {
    assert.ok(Object.isFrozen(DEFAULT_POLICY_DOCUMENT.defaults!.ladder));
  });
});

describe('policy: layers and per-group resolution', () => {
  const policy = parsePolicy(`
name: acme
version: 2024.11
defaults:
  exemptions: { userIds: [bot-1] }
  categories:
    abuse: { notifyAdmins: true }
groups:
  "qq:901234":
    dryRun: true
    flood: { rateMax: 20 }
    exemptions: { userIds: [admin-7] }
  "slack:C024BE91L":
    ladder:
      - action: warn
      - action: kick
        notifyAdmins: true
    categories:
      ads:
        ladder:
          - action: mute
            muteSeconds: 60
    rules:
      "ads:加微信": { ladder: false, action: review }
      "ads:*": { minSeverity: 3 }
    dryRunRules: ["pii:*", "abuse:傻"]
  "matrix:!room:example.org": {}
`);

  it('names the policy name@version', () => {
    assert.equal(policy.id, 'acme@2024.11');
  });

  it('falls back to the defaults for groups without an entry', () => {
    assert.equal(policy.resolve('qq', 'unknown'), policy.defaults);
    assert.equal(policy.resolve('wechat', '901234'), policy.defaults);
    assert.equal(policy.resolve('matrix', '!room:example.org').key, 'matrix:!room:example.org');
  });

  it('merges a file over the built-in default: only what differs is written', () => {
    const abuse = policy.defaults.categoryTreatment('abuse');
    assert.equal(abuse.notifyAdmins, true);
    assert.equal(abuse.deleteMessage, true, 'inherited from the built-in');
    assert.equal(abuse.ladder!.length, 4);
    assert.equal(policy.defaults.categoryTreatment('illegal').entryStep, 2);
  });

  it('merges groups over the defaults: objects key by key, arrays replace', () => {
    const qq = policy.resolve('qq', '901234');
    assert.equal(qq.dryRun, true);
    assert.equal(qq.flood.rateMax, 20);
    assert.equal(qq.flood.rateWindowMs, 10_000, 'other limits inherited');
    assert.ok(qq.isExempt({ userId: 'admin-7' } as never));
    assert.ok(!qq.isExempt({ userId: 'bot-1' } as never), 'userIds replaced, not appended');
    assert.ok(policy.defaults.isExempt({ userId: 'bot-1' } as never));
    assert.equal(policy.defaults.dryRun, false);
  });

  it('resolves group ladders, category ladders and rule overrides', () => {
    const slack = policy.resolve('slack', 'C024BE91L');
    assert.deepEqual(
      slack.categoryTreatment('abuse').ladder!.map((s) => s.action),
      ['warn', 'kick'],
    );
    assert.deepEqual(
      slack.categoryTreatment('ads').ladder!.map((s) => [s.action, s.muteSeconds]),
      [['mute', 60]],
    );
    const exact = slack.treatmentFor(reason('ads', 'ads:加微信'));
    assert.deepEqual([exact.ladder, exact.outcome.action, exact.deleteMessage], [null, 'review', true]);
    const prefixed = slack.treatmentFor(reason('ads', 'ads:代开发票'));
    assert.equal(prefixed.minSeverity, 3);
    assert.deepEqual(
      prefixed.ladder!.map((s) => s.action),
      ['mute'],
    );
    // The built-in mention override still applies in the group.
    assert.equal(slack.treatmentFor(reason('flood', 'mention:all')).outcome.action, 'warn');
  });

  it('matches dry-run rules exactly or by prefix', () => {
    const slack = policy.resolve('slack', 'C024BE91L');
    assert.ok(slack.isDryRunRule('pii:mobile'));
    assert.ok(slack.isDryRunRule('abuse:傻'));
    assert.ok(!slack.isDryRunRule('abuse:傻瓜'));
    assert.ok(!slack.isDryRunRule('ads:加微信'));
    assert.ok(!policy.defaults.isDryRunRule('pii:mobile'));
    const all = compilePolicy({ name: 'x', version: 1, defaults: { dryRunRules: ['*'] } });
    assert.ok(all.defaults.isDryRunRule('anything:at-all'));
  });

  it('prefers the exact rule, then the longest prefix', () => {
    const p = compilePolicy({
      name: 'x',
      version: 1,
      defaults: {
        rules: {
          'ads:*': { minSeverity: 1 },
          'ads:link:*': { minSeverity: 2 },
          'ads:link:t.me': { minSeverity: 3 },
        },
      },
    });
    const at = (rule: string) => p.defaults.treatmentFor(reason('ads', rule)).minSeverity;
    assert.deepEqual([at('ads:x'), at('ads:link:bit.ly'), at('ads:link:t.me'), at('spam:x')], [1, 2, 3, 0]);
  });
});

describe('policy: validation', () => {
  it('names every problem with its exact path, all in one error', () => {
    const problems = problemsOf({
      name: 'acme',
      version: 1,
      defaults: {
        ladder: [{ action: 'warn' }, { action: 'mute' }],
        categories: { adz: {}, flood: { ladder: false, action: 'mute', muteSeconds: 0 } },
        flood: { rateMax: 0, rateWindowMs: 1.5 },
        exemptions: { roles: ['boss'] },
      },
      groups: {
        'qq:901234': {
          categories: { ads: { ladder: [{ action: 'warn' }, { action: 'mute', muteSeconds: -1 }] } },
        },
        'qq:77': { categories: { privacy: { ladder: false, action: 'shout' } }, colour: 'red' },
        nogroup: {},
      },
    });
    assert.deepEqual(problems.sort(), [
      'defaults.categories.adz is not a known category (one of illegal, porn, violence, gambling, political, ads, phishing, abuse, rumor, privacy, secret, flood)',
      'defaults.categories.flood.muteSeconds must be > 0 when action is mute',
      'defaults.exemptions.roles[0] must be one of owner, admin, member',
      'defaults.flood.rateMax must be >= 1',
      'defaults.flood.rateWindowMs must be integer',
      'defaults.ladder[1].muteSeconds is required when action is mute',
      'groups.nogroup is not a group key: write it as "platform:groupId", e.g. "qq:901234"',
      'groups["qq:77"].categories.privacy.action must be one of allow, review, warn, mute, kick, ban',
      'groups["qq:77"].colour is not a known field',
      'groups["qq:901234"].categories.ads.ladder[1].muteSeconds must be >= 0',
    ]);
  });

  it('throws a ConfigError with code POLICY_INVALID whose message starts with the first path', () => {
    let caught: unknown;
    try {
      compilePolicy({
        name: 'acme',
        version: 1,
        groups: {
          'qq:901234': {
            categories: { ads: { ladder: [{ action: 'warn' }, { action: 'mute', muteSeconds: -1 }] } },
          },
        },
      });
    } catch (e) {
      caught = e;
    }
    assert.ok(caught instanceof ConfigError);
    assert.equal(caught.code, 'POLICY_INVALID');
    assert.equal(caught.path, 'groups["qq:901234"].categories.ads.ladder[1].muteSeconds');
    assert.equal(caught.message, 'groups["qq:901234"].categories.ads.ladder[1].muteSeconds must be >= 0');
  });

  it('requires name and version, and a mapping at the top', () => {
    assert.deepEqual(problemsOf({}).sort(), ['name is required', 'version is required']);
    assert.deepEqual(problemsOf([1, 2]), ['the policy must be a mapping']);
    assert.deepEqual(problemsOf({ name: 'a@b', version: 1 }), ['name must not contain @ or spaces']);
  });

  it('lets groups share a block through YAML merge keys, kept under an x- field', () => {
    const policy = parsePolicy(
      [
        'name: acme',
        'version: 1',
        'x-sales: &sales',
        '  categories:',
        '    ads: { ladder: false, action: review }',
        'groups:',
        '  "qq:1":',
        '    <<: *sales',
        '  "qq:2":',
        '    <<: *sales',
        '    categories:',
        '      ads: { ladder: false, action: warn }',
        '',
      ].join('\n'),
      'acme.yaml',
    );
    const action = (group: string) =>
      policy.resolve('qq', group).treatmentFor(reason('ads', 'ads:加微信')).outcome.action;
    assert.equal(action('1'), 'review');
    assert.equal(action('2'), 'warn'); // a key of its own wins over the merged one
    assert.equal(policy.resolve('qq', '3').treatmentFor(reason('ads', 'ads:加微信')).ladder !== null, true);
    assert.deepEqual(problemsOf({ name: 'a', version: 1, 'y-base': {} }), [
      '["y-base"] is not a known field',
    ]);
  });

  it('reads a key left empty (YAML null) as an empty mapping: defaults, groups, a group, sections', () => {
    const policy = parsePolicy(
      [
        'name: acme',
        'version: 1',
        'defaults:',
        '  # nothing yet',
        'groups:',
        '  "qq:1": { dryRun: true }',
        '  "qq:2":',
        '  "qq:3":',
        '    categories:',
        '    flood:',
        '    rules:',
        '      "pii:*":',
        '    exemptions:',
        '',
      ].join('\n'),
      'acme.yaml',
    );
    assert.equal(policy.id, 'acme@1');
    assert.equal(policy.resolve('qq', '1').dryRun, true);
    const builtIn = defaultPolicy();
    for (const rules of [policy.defaults, policy.resolve('qq', '2'), policy.resolve('qq', '3')]) {
      assert.equal(rules.dryRun, false);
      assert.deepEqual(rules.flood, builtIn.defaults.flood);
      assert.deepEqual(rules.categoryTreatment('illegal'), builtIn.defaults.categoryTreatment('illegal'));
    }
    assert.deepEqual(compilePolicy({ name: 'a', version: 1, groups: null }).groups.size, 0);
  });

  it('still rejects a section that is not a mapping, naming it, and an empty file', () => {
    for (const value of [5, 'x', [], true]) {
      assert.deepEqual(problemsOf({ name: 'a', version: 1, defaults: value }), [
        'defaults must be a mapping',
      ]);
    }
    assert.deepEqual(problemsOf({ name: 'a', version: 1, groups: { 'qq:1': { flood: [] } } }), [
      'groups["qq:1"].flood must be a mapping',
    ]);
    assert.deepEqual(problemsOf(null), ['the policy must be a mapping']);
    // A null that is a value of its own is not a section: a ladder step, a list.
    assert.deepEqual(problemsOf({ name: 'a', version: 1, defaults: { ladder: null } }), [
      'defaults.ladder must be array',
    ]);
  });

  it('rejects infinite and oversized numbers, naming each field', () => {
    assert.throws(
      () =>
        parsePolicy(
          [
            'name: a',
            'version: 1',
            'defaults:',
            '  strikeExpirySeconds: 1e300',
            '  ladder: [{ action: mute, muteSeconds: .inf }]',
            '  flood: { rateWindowMs: .inf, rateMax: 3000000000 }',
            '  categories:',
            '    flood: { strikeCooldownSeconds: 1e12, strikeExpirySeconds: .nan }',
            '',
          ].join('\n'),
          'big.yaml',
        ),
      (e: unknown) => {
        assert.ok(e instanceof PolicyError);
        assert.equal(e.code, 'POLICY_INVALID');
        assert.deepEqual(e.describe().split('\n').sort(), [
          'big.yaml:4: defaults.strikeExpirySeconds must be <= 2147483647',
          'big.yaml:5: defaults.ladder[0].muteSeconds must be integer',
          'big.yaml:6: defaults.flood.rateMax must be <= 2147483647',
          'big.yaml:6: defaults.flood.rateWindowMs must be integer',
          'big.yaml:8: defaults.categories.flood.strikeCooldownSeconds must be <= 2147483647',
          'big.yaml:8: defaults.categories.flood.strikeExpirySeconds must be integer',
        ]);
        return true;
      },
    );
    const max = compilePolicy({ name: 'a', version: 1, defaults: { strikeExpirySeconds: 2_147_483_647 } });
    assert.equal(max.defaults.strikeTtlMs, 2_147_483_647_000);
  });

  it('requires duplicateMax and crossGroupMin of at least 2 (1 would flag every first message)', () => {
    assert.deepEqual(
      problemsOf({
        name: 'a',
        version: 1,
        defaults: { flood: { duplicateMax: 1 } },
        groups: { 'qq:1': { flood: { crossGroupMin: 1 } } },
      }),
      [
        'defaults.flood.duplicateMax must be >= 2 (a message is its own 1st copy: 1 would flag every message)',
        'groups["qq:1"].flood.crossGroupMin must be >= 2 (a message is in its own group: 1 would flag every message)',
      ],
    );
    const two = compilePolicy({
      name: 'a',
      version: 1,
      defaults: { flood: { duplicateMax: 2, crossGroupMin: 2 } },
    });
    assert.deepEqual([two.defaults.flood.duplicateMax, two.defaults.flood.crossGroupMin], [2, 2]);
    assert.equal(
      compilePolicy({ name: 'a', version: 1, defaults: { flood: { rateMax: 1 } } }).defaults.flood.rateMax,
      1,
    );
  });

  it('checks ladder shapes: true/false/list, steps, entry steps', () => {
    assert.deepEqual(
      problemsOf({
        name: 'x',
        version: 1,
        defaults: {
          ladder: [],
          categories: {
            ads: { ladder: 'yes' },
            abuse: { entryStep: 0 },
            porn: { ladder: [{ muteSeconds: 5 }] },
          },
        },
      }).sort(),
      [
        'defaults.categories.abuse.entryStep must be >= 1',
        'defaults.categories.ads.ladder must be boolean or array',
        'defaults.categories.porn.ladder[0].action is required',
        'defaults.ladder must have at least 1 item',
      ],
    );
  });

  it('checks an off-ladder category has an action', () => {
    assert.deepEqual(
      problemsOf({ name: 'x', version: 1, groups: { 'qq:1': { categories: { ads: { ladder: false } } } } }),
      ['groups["qq:1"].categories.ads.action is required when ladder is false'],
    );
  });

  it('checks rule patterns and rule overrides over every category they may match', () => {
    assert.deepEqual(
      problemsOf({
        name: 'x',
        version: 1,
        defaults: { rules: { 'a*b': {}, 'x:*': { ladder: false } }, dryRunRules: ['ok', '**'] },
      }).sort(),
      [
        'defaults.dryRunRules[1] must be a rule id, or a prefix ending in * (e.g. "pii:*")',
        'defaults.rules["a*b"] is not a rule pattern: write a rule id, or a prefix ending in * (e.g. "pii:*")',
        'defaults.rules["x:*"].action is required when ladder is false (for categories illegal, porn, violence, gambling, political, ads, phishing, abuse)',
      ],
    );
  });

  it('reports YAML syntax errors and problem lines, naming the file', () => {
    assert.throws(
      () => parsePolicy('name: x\nversion: 1\ndefaults: [unclosed\n', 'bad.yaml'),
      (e: unknown) =>
        e instanceof PolicyError && /YAML syntax error/.test(e.message) && e.problems[0].line !== undefined,
    );
    assert.throws(
      () => parsePolicy('name: x\nversion: 1\nname: y\n', 'dup.yaml'),
      (e: unknown) => e instanceof PolicyError && e.problems[0].line === 3,
    );
    try {
      parsePolicy('name: x\nversion: 1\ngroups:\n  "qq:1":\n    flood:\n      rateMax: -3\n', 'acme.yaml');
      assert.fail('compiled');
    } catch (e) {
      assert.ok(e instanceof PolicyError);
      assert.equal(e.source, 'acme.yaml');
      assert.deepEqual(
        e.problems.map((p) => [p.path, p.line]),
        [['groups["qq:1"].flood.rateMax', 6]],
      );
      assert.equal(e.describe(), 'acme.yaml:6: groups["qq:1"].flood.rateMax must be >= 1');
    }
  });

  it('reports an unreadable file as POLICY_INVALID', async () => {
    await assert.rejects(loadPolicyFile('/nonexistent/policy.yaml'), (e: unknown) => {
      return e instanceof PolicyError && e.code === 'POLICY_INVALID' && /cannot read/.test(e.message);
    });
  });

  it('reuses one compiler for many loads', () => {
    const compiler = new PolicyCompiler();
    assert.equal(compiler.compile({ name: 'a', version: 1 }).id, 'a@1');
    assert.equal(compiler.compile({ name: 'a', version: '2-beta' }).id, 'a@2-beta');
  });

  it('formats paths: identifiers dotted, other keys quoted, indexes bracketed', () => {
    assert.equal(
      formatPolicyPath(['groups', 'qq:901234', 'categories', 'ads', 'ladder', 1, 'muteSeconds']),
      'groups["qq:901234"].categories.ads.ladder[1].muteSeconds',
    );
    assert.equal(formatPolicyPath(['defaults', 'rules', 'ads:加微信']), 'defaults.rules["ads:加微信"]');
  });
});
