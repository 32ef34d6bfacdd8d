/**
 * The alert rules, checked and unit-tested by promtool (no running Prometheus needed):
 * - `promtool check rules` on deploy/prometheus/alerts.yml and `promtool check config` on the example config;
 * - `promtool test rules`: synthetic series for each alert's failure mode (it must fire, with its labels,
 *   after its `for:`) and for the healthy case next to it (it must stay quiet).
 * The test runs on a copy of the rules without annotations, so the cases pin expressions, `for:` and labels
 * while the wording stays free to change (check rules still validates the annotation templates).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { PROJECT_ROOT, requirePrometheusTools, runTool } from './tools.js';

const tools = requirePrometheusTools({ prometheus: false });
const ALERTS = join(PROJECT_ROOT, 'deploy', 'prometheus', 'alerts.yml');
const EXAMPLE_CONFIG = join(PROJECT_ROOT, 'deploy', 'prometheus', 'prometheus.example.yml');

const J = 'job="modstream",instance="a:9464"';
const base = { job: 'modstream', instance: 'a:9464' };
const LAG = `modstream_kafka_consumer_lag{${J},topic="modstream.messages",partition="0"}`;

interface Case {
  name: string;
  series: Record<string, string>;
  alert: string;
  at: string;
  /** Labels of each expected alert (alertname aside); empty: it must not fire at `at`. */
  fires: Record<string, string>[];
}

const CASES: Case[] = [
  {
    name: 'down: scrapes fail for 2 minutes',
    series: { [`up{${J}}`]: '1 1 0 0 0 0 0' },
    alert: 'ModstreamDown',
    at: '6m',
    fires: [{ ...base, severity: 'critical' }],
  },
  {
    name: 'up: no alert',
    series: { [`up{${J}}`]: '1x10' },
    alert: 'ModstreamDown',
    at: '8m',
    fires: [],
  },
  {
    name: 'lag above 1000 and growing for 10 minutes',
    series: { [`modstream_kafka_consumer_lag{${J},topic="modstream.messages",partition="0"}`]: '0+300x40' },
    alert: 'ModstreamKafkaLagGrowing',
    at: '30m',
    fires: [{ job: 'modstream', topic: 'modstream.messages', severity: 'warning' }],
  },
  {
    name: 'lag high but shrinking: no alert',
    series: {
      [`modstream_kafka_consumer_lag{${J},topic="modstream.messages",partition="0"}`]: '20000-300x40',
    },
    alert: 'ModstreamKafkaLagGrowing',
    at: '30m',
    fires: [],
  },
  {
    name: 'lag waiting while nothing is judged: stalled',
    series: {
      [`modstream_kafka_consumer_lag{${J},topic="modstream.messages",partition="0"}`]: '500x20',
      [`modstream_messages_total{${J}}`]: '100x20',
    },
    alert: 'ModstreamConsumerStalled',
    at: '15m',
    fires: [{ ...base, topic: 'modstream.messages', severity: 'critical' }],
  },
  {
    name: 'lag while messages are judged: not stalled',
    series: {
      [`modstream_kafka_consumer_lag{${J},topic="modstream.messages",partition="0"}`]: '500x20',
      [`modstream_messages_total{${J}}`]: '0+600x20',
    },
    alert: 'ModstreamConsumerStalled',
    at: '15m',
    fires: [],
  },
  {
    name: '10% of records to the DLQ',
    series: {
      [`modstream_messages_total{${J}}`]: '0+600x30',
      [`modstream_dlq_total{${J},code="BAD_JSON"}`]: '0+60x30',
    },
    alert: 'ModstreamDlqRateHigh',
    at: '20m',
    fires: [{ ...base, severity: 'warning' }],
  },
  {
    name: '0.5% of records to the DLQ: no alert',
    series: {
      [`modstream_messages_total{${J}}`]: '0+600x30',
      [`modstream_dlq_total{${J},code="BAD_JSON"}`]: '0+3x30',
    },
    alert: 'ModstreamDlqRateHigh',
    at: '20m',
    fires: [],
  },
  {
    name: 'a store in fail-open',
    series: {
      [`modstream_redis_failopen_active{${J},store="strikes"}`]: '0 0 1x10',
      [`modstream_redis_failopen_total{${J},store="strikes"}`]: '0 0 1+6x10',
    },
    alert: 'ModstreamRedisFailOpen',
    at: '6m',
    fires: [{ ...base, store: 'strikes', severity: 'warning' }],
  },
  {
    name: 'Redis flapping: fail-open batches keep coming though the gauge reads 0 at scrapes',
    series: {
      [`modstream_redis_failopen_active{${J},store="flood"}`]: '0x10',
      [`modstream_redis_failopen_total{${J},store="flood"}`]: '0+2x10',
    },
    alert: 'ModstreamRedisFailOpen',
    at: '8m',
    fires: [{ ...base, store: 'flood', severity: 'warning' }],
  },
  {
    name: 'Redis healthy: no alert',
    series: {
      [`modstream_redis_failopen_active{${J},store="flood"}`]: '0x10',
      [`modstream_redis_failopen_total{${J},store="flood"}`]: '0x10',
    },
    alert: 'ModstreamRedisFailOpen',
    at: '8m',
    fires: [],
  },
  {
    name: 'batches judged without the strike store (fail-closed)',
    series: { [`modstream_store_failures_total{${J},store="strikes"}`]: '0 0 1+1x10' },
    alert: 'ModstreamStateStoreFailing',
    at: '8m',
    fires: [{ ...base, store: 'strikes', severity: 'critical' }],
  },
  {
    name: 'messages arrive, no verdicts come out',
    series: {
      [`modstream_messages_total{${J}}`]: '0+60x20',
      [`modstream_messages_processed_total{${J},outcome="verdict"}`]: '0x20',
    },
    alert: 'ModstreamNoVerdicts',
    at: '12m',
    fires: [{ ...base, severity: 'critical' }],
  },
  {
    name: 'messages in, verdicts out: no alert',
    series: {
      [`modstream_messages_total{${J}}`]: '0+60x20',
      [`modstream_messages_processed_total{${J},outcome="verdict"}`]: '0+60x20',
    },
    alert: 'ModstreamNoVerdicts',
    at: '12m',
    fires: [],
  },
  {
    name: 'idle processor (no messages): no alert',
    series: {
      [`modstream_messages_total{${J}}`]: '0x20',
      [`modstream_messages_processed_total{${J},outcome="verdict"}`]: '0x20',
    },
    alert: 'ModstreamNoVerdicts',
    at: '12m',
    fires: [],
  },
  {
    name: 'the latest policy reload failed',
    series: { [`modstream_reload_failing{${J},kind="policy"}`]: '0 0 1 1 1 1' },
    alert: 'ModstreamReloadFailed',
    at: '5m',
    fires: [{ ...base, kind: 'policy', severity: 'warning' }],
  },
  {
    name: 'a failed reload fixed by the next one: no alert',
    series: { [`modstream_reload_failing{${J},kind="policy"}`]: '0 1 0 0 0 0' },
    alert: 'ModstreamReloadFailed',
    at: '5m',
    fires: [],
  },
  {
    name: 'match p99 over 5 ms with steady traffic',
    series: {
      [`modstream_stage_duration_seconds_bucket{${J},stage="match",le="0.005"}`]: '0+1x30',
      [`modstream_stage_duration_seconds_bucket{${J},stage="match",le="0.01"}`]: '0+100x30',
      [`modstream_stage_duration_seconds_bucket{${J},stage="match",le="+Inf"}`]: '0+100x30',
      [`modstream_stage_duration_seconds_count{${J},stage="match"}`]: '0+100x30',
    },
    alert: 'ModstreamStageLatencyHigh',
    at: '20m',
    fires: [{ ...base, stage: 'match', budget: '5ms', severity: 'warning' }],
  },
  {
    name: 'policy p99 over 100 ms',
    series: {
      [`modstream_stage_duration_seconds_bucket{${J},stage="policy",le="0.1"}`]: '0+10x30',
      [`modstream_stage_duration_seconds_bucket{${J},stage="policy",le="0.25"}`]: '0+60x30',
      [`modstream_stage_duration_seconds_bucket{${J},stage="policy",le="+Inf"}`]: '0+60x30',
      [`modstream_stage_duration_seconds_count{${J},stage="policy"}`]: '0+60x30',
    },
    alert: 'ModstreamStageLatencyHigh',
    at: '20m',
    fires: [{ ...base, stage: 'policy', budget: '100ms', severity: 'warning' }],
  },
  {
    name: 'match p99 within budget: no alert',
    series: {
      [`modstream_stage_duration_seconds_bucket{${J},stage="match",le="0.0001"}`]: '0+100x30',
      [`modstream_stage_duration_seconds_bucket{${J},stage="match",le="0.005"}`]: '0+100x30',
      [`modstream_stage_duration_seconds_bucket{${J},stage="match",le="+Inf"}`]: '0+100x30',
      [`modstream_stage_duration_seconds_count{${J},stage="match"}`]: '0+100x30',
    },
    alert: 'ModstreamStageLatencyHigh',
    at: '20m',
    fires: [],
  },
  {
    name: 'slow but nearly idle (a few cold observations): no alert',
    series: {
      [`modstream_stage_duration_seconds_bucket{${J},stage="match",le="0.01"}`]: '0+0x30',
      [`modstream_stage_duration_seconds_bucket{${J},stage="match",le="+Inf"}`]: '0+1x30',
      [`modstream_stage_duration_seconds_count{${J},stage="match"}`]: '0+1x30',
    },
    alert: 'ModstreamStageLatencyHigh',
    at: '20m',
    fires: [],
  },
  {
    name: '10% of messages judged without the classifier',
    series: {
      [`modstream_messages_total{${J}}`]: '0+600x30',
      [`modstream_classifier_timeout_total{${J}}`]: '0+60x30',
    },
    alert: 'ModstreamClassifierTimeouts',
    at: '20m',
    fires: [{ ...base, severity: 'warning' }],
  },
  {
    name: 'event loop blocked 500 ms at p99',
    series: { [`modstream_nodejs_eventloop_lag_p99_seconds{${J}}`]: '0.5x20' },
    alert: 'ModstreamEventLoopLag',
    at: '15m',
    fires: [{ ...base, severity: 'warning' }],
  },
  // A Kafka produce outage, the series the processor exposes then: records are judged again and again
  // (messages_judged_total rises) but none is acknowledged, so messages_total and the verdicts stand still
  // and the lag, reported even for a unit that failed, stays above 0.
  {
    name: 'produce outage: judged again and again, nothing acknowledged → no verdicts',
    series: {
      [`modstream_messages_total{${J}}`]: '100x20',
      [`modstream_messages_judged_total{${J}}`]: '0+600x20',
      [`modstream_messages_processed_total{${J},outcome="verdict"}`]: '100x20',
      [LAG]: '500+50x20',
    },
    alert: 'ModstreamNoVerdicts',
    at: '15m',
    fires: [{ ...base, severity: 'critical' }],
  },
  {
    name: 'produce outage: lag waiting, nothing delivered → stalled',
    series: {
      [`modstream_messages_total{${J}}`]: '100x20',
      [`modstream_messages_judged_total{${J}}`]: '0+600x20',
      [`modstream_messages_processed_total{${J},outcome="verdict"}`]: '100x20',
      [LAG]: '500+50x20',
    },
    alert: 'ModstreamConsumerStalled',
    at: '15m',
    fires: [{ ...base, topic: 'modstream.messages', severity: 'critical' }],
  },
  {
    name: 'retries that succeed (judged above received, verdicts delivered): quiet',
    series: {
      [`modstream_messages_total{${J}}`]: '0+600x20',
      [`modstream_messages_judged_total{${J}}`]: '0+900x20',
      [`modstream_messages_processed_total{${J},outcome="verdict"}`]: '0+600x20',
      [LAG]: '500x20',
    },
    alert: 'ModstreamNoVerdicts',
    at: '15m',
    fires: [],
  },
  {
    name: 'idle: quiet',
    series: {
      [`modstream_messages_total{${J}}`]: '0x20',
      [`modstream_messages_judged_total{${J}}`]: '0x20',
      [`modstream_messages_processed_total{${J},outcome="verdict"}`]: '0x20',
    },
    alert: 'ModstreamNoVerdicts',
    at: '15m',
    fires: [],
  },
];

describe('alert rules (promtool)', { skip: tools.skip }, () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'ms-alerts-'));
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('`promtool check rules` passes on deploy/prometheus/alerts.yml', () => {
    const r = runTool(tools.promtool, ['check', 'rules', ALERTS]);
    assert.equal(r.status, 0, r.output);
    assert.match(r.output, /SUCCESS: 14 rules found/);
  });

  it('`promtool check config` passes on the example configuration (rules included)', () => {
    const r = runTool(tools.promtool, ['check', 'config', EXAMPLE_CONFIG]);
    assert.equal(r.status, 0, r.output);
  });

  it('every alert has for:, a severity, a summary, a description and a runbook in docs/operations.md', () => {
    const doc = parse(readFileSync(ALERTS, 'utf8')) as {
      groups: {
        rules: {
          alert?: string;
          for?: string;
          labels?: Record<string, string>;
          annotations?: Record<string, string>;
        }[];
      }[];
    };
    const operations = readFileSync(join(PROJECT_ROOT, 'docs', 'operations.md'), 'utf8');
    const rules = doc.groups.flatMap((g) => g.rules).filter((r) => r.alert);
    assert.ok(rules.length >= 10);
    for (const r of rules) {
      assert.match(r.for ?? '', /^\d+[smh]$/, `${r.alert}: for`);
      assert.ok(['critical', 'warning'].includes(r.labels?.severity ?? ''), `${r.alert}: severity`);
      assert.ok(r.annotations?.summary && r.annotations.description, `${r.alert}: summary/description`);
      const anchor = `docs/operations.md#${r.alert!.toLowerCase()}`;
      assert.equal(r.annotations?.runbook_url, anchor, `${r.alert}: runbook_url`);
      assert.ok(
        operations.includes(`### ${r.alert}\n`),
        `${r.alert}: no "### ${r.alert}" runbook section in docs/operations.md`,
      );
    }
    // Every alert the issue asks for exists.
    const names = new Set(rules.map((r) => r.alert));
    for (const a of [
      'ModstreamKafkaLagGrowing',
      'ModstreamDlqRateHigh',
      'ModstreamRedisFailOpen',
      'ModstreamNoVerdicts',
      'ModstreamReloadFailed',
      'ModstreamStageLatencyHigh',
    ])
      assert.ok(names.has(a), a);
  });

  it('`promtool test rules`: each alert fires on its failure and stays quiet when healthy', () => {
    const doc = parse(readFileSync(ALERTS, 'utf8')) as { groups: { rules: Record<string, unknown>[] }[] };
    for (const g of doc.groups) for (const r of g.rules) delete r.annotations;
    writeFileSync(join(dir, 'rules.yml'), stringify(doc));
    const tests = {
      rule_files: ['rules.yml'],
      evaluation_interval: '1m',
      tests: CASES.map((c) => ({
        name: c.name,
        interval: '1m',
        input_series: Object.entries(c.series).map(([series, values]) => ({ series, values })),
        alert_rule_test: [
          {
            eval_time: c.at,
            alertname: c.alert,
            exp_alerts: c.fires.map((labels) => ({ exp_labels: labels })),
          },
        ],
      })),
    };
    writeFileSync(join(dir, 'tests.yml'), stringify(tests));
    const r = runTool(tools.promtool, ['test', 'rules', 'tests.yml'], undefined, dir);
    assert.equal(r.status, 0, `promtool test rules failed:\n${r.output}`);
    assert.match(r.output, /SUCCESS/);
  });
});
