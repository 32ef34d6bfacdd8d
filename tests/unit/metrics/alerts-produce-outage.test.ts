/**
 * The alerts that must page during a Kafka produce outage, fed the series the processor now exposes then
 * (promtool test rules, skipped without promtool; tests/integration/prometheus/alerts.test.ts covers every
 * alert's other cases): records are judged again and again (messages_judged_total rises), but none is
 * acknowledged, so messages_total and the verdicts stand still and the lag, reported even for a unit that
 * failed, stays above 0.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse, stringify } from 'yaml';
import { PROJECT_ROOT, requirePrometheusTools, runTool } from '../../integration/prometheus/tools.js';

const tools = requirePrometheusTools({ prometheus: false });
const J = 'job="modstream",instance="a:9464"';
const base = { job: 'modstream', instance: 'a:9464' };
const LAG = `modstream_kafka_consumer_lag{${J},topic="modstream.messages",partition="0"}`;

const CASES = [
  {
    name: 'produce outage: judged again and again, nothing acknowledged → no verdicts',
    series: {
      [`modstream_messages_total{${J}}`]: '100x20',
      [`modstream_messages_judged_total{${J}}`]: '0+600x20',
      [`modstream_messages_processed_total{${J},outcome="verdict"}`]: '100x20',
      [LAG]: '500+50x20',
    },
    alert: 'ModstreamNoVerdicts',
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
    fires: [],
  },
];

describe('alerts during a produce outage (promtool)', { skip: tools.skip }, () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'ms-outage-alerts-'));
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('ModstreamNoVerdicts and ModstreamConsumerStalled fire; retries alone do not', () => {
    const doc = parse(readFileSync(join(PROJECT_ROOT, 'deploy', 'prometheus', 'alerts.yml'), 'utf8')) as {
      groups: { rules: Record<string, unknown>[] }[];
    };
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
          { eval_time: '15m', alertname: c.alert, exp_alerts: c.fires.map((l) => ({ exp_labels: l })) },
        ],
      })),
    };
    writeFileSync(join(dir, 'tests.yml'), stringify(tests));
    const r = runTool(tools.promtool, ['test', 'rules', 'tests.yml'], undefined, dir);
    assert.equal(r.status, 0, `promtool test rules failed:\n${r.output}`);
  });
});
