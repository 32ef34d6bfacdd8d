import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { register as globalRegistry, Registry } from 'prom-client';
import type { Action, Reason, Verdict } from '../../../src/contracts/types.js';
import { ModstreamMetrics } from '../../../src/metrics/metrics.js';
import { KNOWN_PLATFORMS, LABEL_VALUES, STAGES, topCategory } from '../../../src/metrics/labels.js';
import { find, parseExposition, sum, value, type Exposition } from './exposition.js';

/** Every test gets its own registry and no process metrics (they have their own test below). */
function fresh(): ModstreamMetrics {
  return new ModstreamMetrics({ registry: new Registry(), processMetrics: false });
}

async function scrape(m: ModstreamMetrics): Promise<Exposition> {
  return parseExposition((await m.expose()).body);
}

function reason(category: Reason['category'], severity: number, extra: Partial<Reason> = {}): Reason {
  return {
    detector: 'lexicon',
    category,
    rule: `${category}:x`,
    match: '秘密词',
    span: [0, 3],
    severity,
    ...extra,
  };
}

let seq = 0;
function verdict(action: Action, reasons: Reason[] = [], platform = 'qq'): Verdict {
  seq++;
  return {
    v: 1,
    messageId: `${platform}:group-${seq}:msg-${seq}`,
    platform,
    groupId: `group-${seq}`,
    userId: `user-${seq}`,
    action,
    deleteMessage: action !== 'allow',
    muteSeconds: 0,
    notifyAdmins: false,
    reasons,
    strikes: 0,
    dryRun: false,
    policy: 'default@1',
    lexiconVersion: 'sha256:' + '0'.repeat(64),
    ts: 1,
    latencyMs: 0.1,
  };
}

describe('ModstreamMetrics: names and registry', () => {
  it('registers on the injected registry only, never on prom-client’s global one', async () => {
    const registry = new Registry();
    const m = new ModstreamMetrics({ registry, processMetrics: false });
    assert.equal(m.registry, registry);
    assert.ok(registry.getSingleMetric('modstream_messages_total'));
    assert.equal(globalRegistry.getSingleMetric('modstream_messages_total'), undefined);
    // A second instance on its own registry does not clash (no global singleton).
    const other = fresh();
    other.pipeline.received(3);
    assert.equal(value(await scrape(m), 'modstream_messages_total'), 0);
    assert.equal(value(await scrape(other), 'modstream_messages_total'), 3);
  });

  it('every metric name starts with modstream_, process metrics included, and has help text', async () => {
    const m = new ModstreamMetrics({ registry: new Registry() });
    const e = await scrape(m);
    assert.ok(e.types.size > 40, `only ${e.types.size} metric families`);
    for (const [name, type] of e.types) {
      assert.match(name, /^modstream_[a-z0-9_]+$/, name);
      assert.ok((e.help.get(name) ?? '').length > 0, `${name} has no help`);
      // Prometheus reserves _total for counters; promtool rejects a gauge named so.
      if (name.endsWith('_total')) assert.equal(type, 'counter', `${name} is a ${type}`);
    }
    for (const s of e.samples) assert.match(s.name, /^modstream_/);
    // Event-loop lag and default process metrics are there.
    for (const name of [
      'modstream_nodejs_eventloop_lag_p99_seconds',
      'modstream_process_cpu_seconds_total',
      'modstream_process_resident_memory_bytes',
      'modstream_nodejs_heap_size_used_bytes',
      'modstream_nodejs_gc_duration_seconds',
    ]) {
      assert.ok(e.types.has(name), `${name} missing`);
    }
  });

  it('has the required metrics with their types and labels', async () => {
    const m = fresh();
    m.pipeline.received(2);
    m.pipeline.verdict(verdict('warn', [reason('ads', 2)]));
    m.pipeline.dlq('BAD_JSON');
    m.pipeline.stage('match', 2e-5);
    m.kafka.onLag('modstream.messages', 3, 42);
    m.setLexicon('sha256:' + 'a'.repeat(64), 100);
    const e = await scrape(m);
    const expected: [string, string][] = [
      ['modstream_messages_total', 'counter'],
      ['modstream_verdicts_total', 'counter'],
      ['modstream_stage_duration_seconds', 'histogram'],
      ['modstream_dlq_total', 'counter'],
      ['modstream_kafka_consumer_lag', 'gauge'],
      ['modstream_redis_failopen_total', 'counter'],
      ['modstream_lexicon_info', 'gauge'],
      ['modstream_policy_info', 'gauge'],
      ['modstream_stage_errors_total', 'counter'],
      ['modstream_messages_processed_total', 'counter'],
      ['modstream_reloads_total', 'counter'],
      ['modstream_kafka_batch_size', 'histogram'],
      ['modstream_kafka_commit_duration_seconds', 'histogram'],
      ['modstream_redis_errors_total', 'counter'],
      ['modstream_redis_command_duration_seconds', 'histogram'],
      ['modstream_classifier_queue_depth', 'gauge'],
      ['modstream_classifier_batch_size', 'histogram'],
      ['modstream_classifier_timeout_total', 'counter'],
    ];
    for (const [name, type] of expected) assert.equal(e.types.get(name), type, name);

    assert.equal(value(e, 'modstream_messages_total'), 2);
    assert.equal(
      value(e, 'modstream_verdicts_total', { action: 'warn', category: 'ads', platform: 'qq' }),
      1,
    );
    assert.equal(value(e, 'modstream_dlq_total', { code: 'BAD_JSON' }), 1);
    assert.equal(
      value(e, 'modstream_kafka_consumer_lag', { topic: 'modstream.messages', partition: '3' }),
      42,
    );
    assert.equal(value(e, 'modstream_lexicon_info', { version: 'sha256:' + 'a'.repeat(64) }), 1);
    assert.equal(value(e, 'modstream_redis_failopen_total', { store: 'flood' }), 0);
    assert.equal(value(e, 'modstream_redis_failopen_total', { store: 'strikes' }), 0);
    assert.equal(value(e, 'modstream_stage_duration_seconds_count', { stage: 'match' }), 1);
    for (const stage of STAGES) {
      assert.equal(find(e, 'modstream_stage_duration_seconds_bucket', { stage }).length, 21, stage);
      assert.equal(value(e, 'modstream_stage_errors_total', { stage }), stage === 'decode' ? 1 : 0, stage);
    }
  });

  it('series that alerts take rate() of exist at 0 before the first event', async () => {
    const e = await scrape(fresh());
    for (const code of ['BAD_JSON', 'BAD_MESSAGE', 'OVERSIZE', 'BAD_ENCODING', 'PROCESSING_FAILED'])
      assert.equal(value(e, 'modstream_dlq_total', { code }), 0, code);
    for (const kind of ['lexicon', 'policy']) {
      assert.equal(value(e, 'modstream_reloads_total', { kind, result: 'failure' }), 0);
      assert.equal(value(e, 'modstream_reloads_total', { kind, result: 'success' }), 0);
      assert.equal(value(e, 'modstream_reload_failing', { kind }), 0);
    }
    for (const store of ['flood', 'strikes']) {
      assert.equal(value(e, 'modstream_redis_failopen_active', { store }), 0);
      assert.equal(value(e, 'modstream_redis_errors_total', { store }), 0);
      assert.equal(value(e, 'modstream_store_failures_total', { store }), 0);
    }
    assert.equal(value(e, 'modstream_messages_processed_total', { outcome: 'verdict' }), 0);
    assert.equal(value(e, 'modstream_messages_processed_total', { outcome: 'dlq' }), 0);
  });
});

describe('ModstreamMetrics: pipeline counts', () => {
  it('counts messages in and out, verdicts by action, top category and platform', async () => {
    const m = fresh();
    m.pipeline.received(6);
    m.pipeline.verdict(verdict('allow'));
    m.pipeline.verdict(verdict('allow'));
    m.pipeline.verdict(verdict('mute', [reason('ads', 2), reason('gambling', 4)], 'wechat'));
    // A shadow (dry-run rule) reason does not decide the category.
    m.pipeline.verdict(verdict('review', [reason('privacy', 2), reason('porn', 5, { shadow: true })]));
    m.pipeline.dlq('BAD_JSON');
    m.pipeline.dlq('BAD_MESSAGE');
    let e = await scrape(m);
    assert.equal(value(e, 'modstream_messages_total'), 6);
    assert.equal(value(e, 'modstream_messages_processed_total', { outcome: 'verdict' }), 4);
    assert.equal(value(e, 'modstream_messages_processed_total', { outcome: 'dlq' }), 2);
    assert.equal(
      value(e, 'modstream_verdicts_total', { action: 'allow', category: 'none', platform: 'qq' }),
      2,
    );
    assert.equal(
      value(e, 'modstream_verdicts_total', { action: 'mute', category: 'gambling', platform: 'wechat' }),
      1,
    );
    assert.equal(
      value(e, 'modstream_verdicts_total', { action: 'review', category: 'privacy', platform: 'qq' }),
      1,
    );
    assert.equal(sum(e, 'modstream_verdicts_total'), 4);

    // Counters are cumulative across scrapes.
    m.pipeline.received(1);
    m.pipeline.verdict(verdict('allow'));
    e = await scrape(m);
    assert.equal(value(e, 'modstream_messages_total'), 7);
    assert.equal(
      value(e, 'modstream_verdicts_total', { action: 'allow', category: 'none', platform: 'qq' }),
      3,
    );
  });

  it('DLQ codes are bounded; decode rejections are decode-stage errors', async () => {
    const m = fresh();
    m.pipeline.dlq('BAD_JSON');
    m.pipeline.dlq('OVERSIZE');
    m.pipeline.dlq('PROCESSING_FAILED');
    m.pipeline.dlq('KAFKA_ERROR');
    for (let i = 0; i < 50; i++) m.pipeline.dlq(`made-up-${i}`);
    const e = await scrape(m);
    assert.equal(value(e, 'modstream_dlq_total', { code: 'BAD_JSON' }), 1);
    assert.equal(value(e, 'modstream_dlq_total', { code: 'PROCESSING_FAILED' }), 1);
    assert.equal(value(e, 'modstream_dlq_total', { code: 'KAFKA_ERROR' }), 1);
    assert.equal(value(e, 'modstream_dlq_total', { code: 'other' }), 50);
    assert.equal(find(e, 'modstream_dlq_total').length, 7);
    // BAD_JSON + OVERSIZE never got past decoding; PROCESSING_FAILED is counted by the stage that threw.
    assert.equal(value(e, 'modstream_stage_errors_total', { stage: 'decode' }), 2);
    assert.equal(value(e, 'modstream_messages_processed_total', { outcome: 'dlq' }), 54);
  });

  it('stage durations land in the right buckets; unknown stages and NaN are dropped', async () => {
    const m = fresh();
    m.pipeline.stage('match', 3e-6);
    m.pipeline.stage('match', 4e-6);
    m.pipeline.stage('match', 0.2);
    m.pipeline.stage('policy', 99); // above the last bound: only +Inf
    m.pipeline.stage('nope' as never, 1);
    m.pipeline.stage('decode', Number.NaN);
    m.pipeline.stageError('flood');
    const e = await scrape(m);
    const le = (stage: string, bound: string) =>
      value(e, 'modstream_stage_duration_seconds_bucket', { stage, le: bound });
    assert.equal(le('match', '0.0000025'), 0);
    assert.equal(le('match', '0.000005'), 2);
    assert.equal(le('match', '0.1'), 2);
    assert.equal(le('match', '0.25'), 3);
    assert.equal(le('match', '+Inf'), 3);
    assert.equal(value(e, 'modstream_stage_duration_seconds_count', { stage: 'match' }), 3);
    assert.ok(
      Math.abs(value(e, 'modstream_stage_duration_seconds_sum', { stage: 'match' }) - 0.200007) < 1e-9,
    );
    assert.equal(le('policy', '2.5'), 0);
    assert.equal(le('policy', '+Inf'), 1);
    assert.equal(value(e, 'modstream_stage_duration_seconds_count', { stage: 'decode' }), 0);
    assert.equal(value(e, 'modstream_stage_errors_total', { stage: 'flood' }), 1);
    assert.equal(
      new Set(find(e, 'modstream_stage_duration_seconds_count').map((s) => s.labels.stage)).size,
      STAGES.length,
    );
  });

  it('never uses ids, user names or matched text as label values', async () => {
    const m = fresh();
    for (let i = 0; i < 20; i++) {
      m.pipeline.verdict(verdict('warn', [reason('abuse', 2, { match: `骂人的话${i}` })], 'qq'));
    }
    const { body } = await m.expose();
    assert.doesNotMatch(body, /user-\d|group-\d|msg-\d|骂人的话|秘密词/);
    const allowed = new Set(['action', 'category', 'platform']);
    for (const s of find(parseExposition(body), 'modstream_verdicts_total'))
      for (const k of Object.keys(s.labels)) assert.ok(allowed.has(k), k);
  });

  it('bounds the platform label: known platforms always, a few others, then "other"', async () => {
    const m = new ModstreamMetrics({ registry: new Registry(), processMetrics: false, extraPlatforms: 4 });
    for (let i = 0; i < 200; i++) m.pipeline.verdict(verdict('allow', [], `spam-platform-${i}`));
    m.pipeline.verdict(verdict('allow', [], 'telegram'));
    m.pipeline.verdict(verdict('allow', [], 'spam-platform-0'));
    const e = await scrape(m);
    const platforms = new Set(find(e, 'modstream_verdicts_total').map((s) => s.labels.platform));
    assert.deepEqual(
      [...platforms].sort(),
      [
        'other',
        'spam-platform-0',
        'spam-platform-1',
        'spam-platform-2',
        'spam-platform-3',
        'telegram',
      ].sort(),
    );
    assert.equal(value(e, 'modstream_verdicts_total', { platform: 'other' }), 196);
    assert.equal(value(e, 'modstream_verdicts_total', { platform: 'spam-platform-0' }), 2);
    assert.equal(value(e, 'modstream_verdicts_total', { platform: 'telegram' }), 1);
    assert.ok(KNOWN_PLATFORMS.includes('qq'));
  });

  it('the series count stays bounded whatever the input', async () => {
    const m = fresh();
    const actions = LABEL_VALUES.action;
    const categories = ['ads', 'abuse', 'porn', 'gambling', 'privacy', 'flood'] as const;
    for (let i = 0; i < 3000; i++) {
      const v = verdict(
        actions[i % actions.length]!,
        [reason(categories[i % categories.length]!, i % 5)],
        `p${i}`,
      );
      m.pipeline.verdict(v);
    }
    const e = await scrape(m);
    const series = find(e, 'modstream_verdicts_total').length;
    // actions × (categories + none) × (16 extra platforms + "other"), far below 3000.
    assert.ok(series <= actions.length * (categories.length + 1) * 17, `${series} series`);
  });

  it('topCategory: most severe non-shadow reason, "none" when clean, "other" for unknown categories', () => {
    assert.equal(topCategory(verdict('allow')), 'none');
    assert.equal(topCategory(verdict('warn', [reason('ads', 1), reason('abuse', 3)])), 'abuse');
    assert.equal(
      topCategory(verdict('warn', [reason('ads', 1), reason('porn', 5, { shadow: true })])),
      'ads',
    );
    assert.equal(topCategory(verdict('warn', [reason('made-up' as never, 1)])), 'other');
  });
});

describe('ModstreamMetrics: versions, reloads, Kafka, Redis, classifier, HTTP', () => {
  it('version info gauges show exactly one series after a swap', async () => {
    const m = fresh();
    const v1 = 'sha256:' + '1'.repeat(64);
    const v2 = 'sha256:' + '2'.repeat(64);
    m.setLexicon(v1, 10);
    m.setPolicy('default@1');
    m.setLexicon(v1, 10); // same version again: still one series
    m.setLexicon(v2, 12);
    m.setPolicy('strict@2');
    const e = await scrape(m);
    assert.deepEqual(find(e, 'modstream_lexicon_info'), [
      { name: 'modstream_lexicon_info', labels: { version: v2 }, value: 1 },
    ]);
    assert.deepEqual(find(e, 'modstream_policy_info'), [
      { name: 'modstream_policy_info', labels: { policy: 'strict@2' }, value: 1 },
    ]);
    assert.equal(value(e, 'modstream_lexicon_terms'), 12);
  });

  it('reload results: counted, and reload_failing holds until a reload succeeds', async () => {
    const m = fresh();
    m.reload('lexicon', true);
    m.reload('policy', false);
    let e = await scrape(m);
    assert.equal(value(e, 'modstream_reloads_total', { kind: 'lexicon', result: 'success' }), 1);
    assert.equal(value(e, 'modstream_reloads_total', { kind: 'policy', result: 'failure' }), 1);
    assert.equal(value(e, 'modstream_reload_failing', { kind: 'policy' }), 1);
    assert.equal(value(e, 'modstream_reload_failing', { kind: 'lexicon' }), 0);
    m.reload('policy', true);
    e = await scrape(m);
    assert.equal(value(e, 'modstream_reload_failing', { kind: 'policy' }), 0);
    assert.equal(value(e, 'modstream_reloads_total', { kind: 'policy', result: 'success' }), 1);
  });

  it('Kafka: lag per partition, batches, commits, produce, judge errors; revoked partitions lose their lag series', async () => {
    const m = fresh();
    m.kafka.onAssignment([0, 1, 2]);
    m.kafka.onLag('modstream.messages', 0, 10);
    m.kafka.onLag('modstream.messages', 1, 0);
    m.kafka.onLag('modstream.messages', 2, 7);
    m.kafka.onLag('modstream.messages', 2, 3);
    m.kafka.onBatch(250);
    m.kafka.onCommit(4);
    m.kafka.onProduce(0.012);
    m.kafka.onJudgeError(0);
    let e = await scrape(m);
    assert.equal(find(e, 'modstream_kafka_consumer_lag').length, 3);
    assert.equal(value(e, 'modstream_kafka_consumer_lag', { partition: '2' }), 3);
    assert.equal(value(e, 'modstream_kafka_assigned_partitions'), 3);
    assert.equal(value(e, 'modstream_kafka_batch_size_count'), 1);
    assert.equal(value(e, 'modstream_kafka_batch_size_sum'), 250);
    assert.equal(value(e, 'modstream_kafka_commit_duration_seconds_sum'), 0.004);
    assert.equal(value(e, 'modstream_stage_duration_seconds_count', { stage: 'produce' }), 1);
    assert.equal(value(e, 'modstream_kafka_judge_errors_total'), 1);

    m.kafka.onAssignment([1]);
    e = await scrape(m);
    assert.deepEqual(
      find(e, 'modstream_kafka_consumer_lag').map((s) => s.labels.partition),
      ['1'],
    );
    assert.equal(value(e, 'modstream_kafka_assigned_partitions'), 1);
  });

  it('Redis: errors, fail-open batches and state, command latency; pipeline store failures apart', async () => {
    const m = fresh();
    m.redis.onError('flood');
    m.redis.onError('flood');
    m.redis.onFailOpen('strikes');
    m.redis.setFailOpen('strikes', true);
    m.redis.onCommand(0.0015);
    m.pipeline.storeError('strikes');
    let e = await scrape(m);
    assert.equal(value(e, 'modstream_redis_errors_total', { store: 'flood' }), 2);
    assert.equal(value(e, 'modstream_redis_failopen_total', { store: 'strikes' }), 1);
    assert.equal(value(e, 'modstream_redis_failopen_active', { store: 'strikes' }), 1);
    assert.equal(value(e, 'modstream_redis_command_duration_seconds_count'), 1);
    assert.equal(value(e, 'modstream_store_failures_total', { store: 'strikes' }), 1);
    assert.equal(value(e, 'modstream_redis_errors_total', { store: 'strikes' }), 0);
    m.redis.setFailOpen('strikes', false);
    e = await scrape(m);
    assert.equal(value(e, 'modstream_redis_failopen_active', { store: 'strikes' }), 0);
  });

  it('classifier: queue depth, batch size, timeouts, crashes, skips', async () => {
    const m = fresh();
    m.classifier.onQueueDepth(17);
    m.classifier.onBatch(8);
    m.classifier.onTimeout();
    m.classifier.onWorkerCrash();
    m.classifier.onSkipped('queue_full');
    const e = await scrape(m);
    assert.equal(value(e, 'modstream_classifier_queue_depth'), 17);
    assert.equal(value(e, 'modstream_classifier_batch_size_sum'), 8);
    assert.equal(value(e, 'modstream_classifier_timeout_total'), 1);
    assert.equal(value(e, 'modstream_classifier_worker_crashes_total'), 1);
    assert.equal(value(e, 'modstream_classifier_skipped_total', { reason: 'queue_full' }), 1);
    assert.equal(value(e, 'modstream_classifier_skipped_total', { reason: 'unavailable' }), 0);
  });

  it('HTTP: requests by route and status; whole-request refusals are ingest errors', async () => {
    const m = fresh();
    m.http.onResponse('/v1/messages', 200, 0.003);
    m.http.onResponse('/v1/messages', 413, 0.001);
    m.http.onResponse('/v1/messages', 400, 0.001);
    m.http.onResponse('/metrics', 200, 0.002);
    m.http.onResponse('/v1/verdicts', 200, 3600);
    m.http.onResponse('other', 404, 0.0001);
    m.http.onResponse('/healthz', 418, 0.0001);
    m.http.onResponse('/v1/messages', 0, 0.5);
    const e = await scrape(m);
    assert.equal(value(e, 'modstream_http_requests_total', { route: '/v1/messages', code: '200' }), 1);
    assert.equal(value(e, 'modstream_http_requests_total', { route: '/v1/messages', code: '413' }), 1);
    assert.equal(value(e, 'modstream_http_requests_total', { route: '/v1/messages', code: 'aborted' }), 1);
    assert.equal(value(e, 'modstream_http_requests_total', { route: '/healthz', code: '4xx' }), 1);
    assert.equal(value(e, 'modstream_stage_errors_total', { stage: 'ingest' }), 2);
    assert.equal(value(e, 'modstream_http_request_duration_seconds_count', { route: '/v1/messages' }), 4);
    // The verdict stream lasts as long as its client: counted, not timed.
    assert.equal(
      find(e, 'modstream_http_request_duration_seconds_count', { route: '/v1/verdicts' }).length,
      0,
    );
  });
});
