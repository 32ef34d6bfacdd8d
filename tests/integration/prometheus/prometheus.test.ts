/**
 * modstream under a real Prometheus: `modstream run` (embedded mode, a child process) serves /metrics on its
 * API port; Prometheus (a child process on loopback, temp config and storage, 1 s scrapes, our alert rules
 * loaded) scrapes it. We send a known stream (examples/messages.jsonl, whose verdicts `modstream check`
 * computes independently) plus bad records, then ask Prometheus's HTTP API for the series and compare, run
 * every dashboard query, check the rules evaluate cleanly, and lint the exposition with `promtool check metrics`.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Verdict } from '../../../src/contracts/types.js';
import { topCategory } from '../../../src/metrics/labels.js';
import {
  freePort,
  Managed,
  PROJECT_ROOT,
  promQuery,
  promValues,
  requirePrometheusTools,
  runTool,
  waitFor,
} from './tools.js';

const tools = requirePrometheusTools();
const EXAMPLES = join(PROJECT_ROOT, 'examples', 'messages.jsonl');
const ALERTS = join(PROJECT_ROOT, 'deploy', 'prometheus', 'alerts.yml');
const DASHBOARD = join(PROJECT_ROOT, 'deploy', 'grafana', 'modstream.json');
const JOB = 'modstream';
/** Two records that cannot be judged: not JSON, and JSON that is not a message. */
const BAD_RECORDS = '{"text": "not json\n{"v":1,"id":"qq:1:bad"}\n';

/** The environment for the child, without anything that would switch it to Kafka or Redis. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('MODSTREAM_') || k === 'KAFKA_BROKERS' || k === 'REDIS_URL') continue;
    env[k] = v;
  }
  return env;
}

function count<T>(items: readonly T[], key: (t: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const it of items) out[key(it)] = (out[key(it)] ?? 0) + 1;
  return out;
}

describe('modstream scraped by a real Prometheus', { skip: tools.skip }, () => {
  let dir = '';
  let modstream: Managed | null = null;
  let prometheus: Managed | null = null;
  let api = '';
  let prom = '';
  let expected: Verdict[] = [];
  let httpVerdicts: Verdict[] = [];
  const diagnostics = () =>
    `\n--- modstream output ---\n${modstream?.output ?? ''}\n--- prometheus output ---\n${prometheus?.output.slice(-4000) ?? ''}`;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ms-prom-'));
    const env = cleanEnv();

    // What the stream must produce, computed independently by `modstream check` (same defaults, fresh state).
    const check = runTool(process.execPath, [
      '--import',
      'tsx',
      'src/cli/main.ts',
      'check',
      '--input',
      EXAMPLES,
    ]);
    assert.equal(check.status, 0, check.stderr);
    expected = check.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Verdict);
    assert.ok(expected.length > 0);

    const apiPort = await freePort();
    api = `http://127.0.0.1:${apiPort}`;
    modstream = new Managed(
      'modstream',
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli/main.ts',
        'run',
        '--host',
        '127.0.0.1',
        '--port',
        String(apiPort),
        '--log-level',
        'warn',
      ],
      { cwd: PROJECT_ROOT, env },
    );
    await waitFor(
      async () => modstream!.running && (await fetch(`${api}/readyz`)).status === 200,
      `modstream ready${diagnostics()}`,
    );

    const promPort = await freePort();
    prom = `http://127.0.0.1:${promPort}`;
    const config = join(dir, 'prometheus.yml');
    writeFileSync(
      config,
      [
        'global:',
        '  scrape_interval: 1s',
        '  evaluation_interval: 1s',
        'rule_files:',
        `  - ${JSON.stringify(ALERTS)}`,
        'scrape_configs:',
        `  - job_name: ${JOB}`,
        '    metrics_path: /metrics',
        '    static_configs:',
        `      - targets: ['127.0.0.1:${apiPort}']`,
        '',
      ].join('\n'),
    );
    prometheus = new Managed(tools.prometheus, tools.prometheus, [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
      '--log.level=warn',
    ]);
    await waitFor(
      async () => prometheus!.running && (await fetch(`${prom}/-/ready`)).status === 200,
      `prometheus ready${diagnostics()}`,
    );
    // One scrape before any traffic, so rate() has a starting point at zero.
    await waitFor(
      async () => (await promValues(prom, `up{job="${JOB}"}`))[''] === 1,
      `first scrape${diagnostics()}`,
    );

    const res = await fetch(`${api}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson' },
      body: readFileSync(EXAMPLES),
    });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { results: Verdict[] };
    httpVerdicts = body.results;
    const bad = await fetch(`${api}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson' },
      body: BAD_RECORDS,
    });
    assert.equal(bad.status, 400); // no record judgeable: refused as a whole, each record counted in the DLQ
    await bad.arrayBuffer();

    const total = expected.length + 2;
    await waitFor(
      async () => (await promValues(prom, `modstream_messages_total{job="${JOB}"}`))[''] === total,
      `Prometheus to scrape ${total} messages${diagnostics()}`,
    );
  });

  after(async () => {
    await prometheus?.stop();
    await modstream?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the running processor judged the stream exactly as `modstream check` did', () => {
    assert.deepEqual(
      httpVerdicts.map((v) => [v.messageId, v.action]),
      expected.map((v) => [v.messageId, v.action]),
    );
  });

  it('verdict counts by action (and by action and category) match what was sent', async () => {
    const byAction = await promValues(
      prom,
      `sum by (action) (modstream_verdicts_total{job="${JOB}"})`,
      'action',
    );
    assert.deepEqual(
      byAction,
      count(expected, (v) => v.action),
    );
    const byPair = await promQuery(
      prom,
      `sum by (action, category) (modstream_verdicts_total{job="${JOB}"})`,
    );
    const got = Object.fromEntries(
      byPair.map((s) => [`${s.metric.action}/${s.metric.category}`, Number(s.value[1])]),
    );
    assert.deepEqual(
      got,
      count(expected, (v) => `${v.action}/${topCategory(v)}`),
    );
    const byPlatform = await promValues(
      prom,
      `sum by (platform) (modstream_verdicts_total{job="${JOB}"})`,
      'platform',
    );
    assert.deepEqual(
      byPlatform,
      count(expected, (v) => v.platform),
    );
  });

  it('messages in and out, DLQ by code, decode and ingest errors', async () => {
    const n = expected.length;
    assert.deepEqual(await promValues(prom, `modstream_messages_total{job="${JOB}"}`), { '': n + 2 });
    assert.deepEqual(await promValues(prom, `modstream_messages_processed_total{job="${JOB}"}`, 'outcome'), {
      verdict: n,
      dlq: 2,
    });
    assert.deepEqual(await promValues(prom, `modstream_dlq_total{job="${JOB}"}`, 'code'), {
      BAD_JSON: 1,
      BAD_MESSAGE: 1,
      OVERSIZE: 0,
      BAD_ENCODING: 0,
      PROCESSING_FAILED: 0,
    });
    const errors = await promValues(prom, `modstream_stage_errors_total{job="${JOB}"}`, 'stage');
    assert.equal(errors.decode, 2);
    assert.equal(errors.ingest, 1);
    assert.equal(errors.match, 0);
    const http = await promValues(
      prom,
      `sum by (code) (modstream_http_requests_total{job="${JOB}",route="/v1/messages"})`,
      'code',
    );
    assert.deepEqual(http, { '200': 1, '400': 1 });
  });

  it('stage histograms have observations and a finite p99 per stage that ran', async () => {
    const counts = await promValues(prom, `modstream_stage_duration_seconds_count{job="${JOB}"}`, 'stage');
    assert.equal(counts.ingest, 2); // two requests, each one batch
    assert.equal(counts.policy, 1); // the all-bad batch never reached the policy
    assert.equal(counts.flood, 1);
    assert.ok(counts.decode! >= 1 && counts.match! >= 1, JSON.stringify(counts));
    const p99 = await promValues(
      prom,
      `histogram_quantile(0.99, sum by (le, stage) (rate(modstream_stage_duration_seconds_bucket{job="${JOB}"}[1m])))`,
      'stage',
    );
    for (const stage of ['ingest', 'decode', 'match', 'flood', 'policy']) {
      assert.ok(
        Number.isFinite(p99[stage]) && p99[stage]! > 0 && p99[stage]! <= 2.5,
        `${stage} p99 = ${p99[stage]}`,
      );
    }
  });

  it('lexicon and policy info gauges: one series each, the versions in use', async () => {
    const lex = await promQuery(prom, `modstream_lexicon_info{job="${JOB}"}`);
    assert.equal(lex.length, 1);
    assert.equal(lex[0]!.metric.version, expected[0]!.lexiconVersion);
    assert.equal(lex[0]!.value[1], '1');
    const pol = await promQuery(prom, `modstream_policy_info{job="${JOB}"}`);
    assert.equal(pol.length, 1);
    assert.equal(pol[0]!.metric.policy, httpVerdicts[0]!.policy);
    const terms = await promValues(prom, `modstream_lexicon_terms{job="${JOB}"}`);
    assert.ok(terms['']! > 0);
  });

  it('process metrics and event-loop lag are scraped', async () => {
    for (const q of [
      'modstream_process_resident_memory_bytes',
      'modstream_nodejs_eventloop_lag_p99_seconds',
      'modstream_process_cpu_seconds_total',
    ]) {
      assert.equal((await promQuery(prom, `${q}{job="${JOB}"}`)).length, 1, q);
    }
  });

  it('`promtool check metrics` passes on the exposition', async () => {
    const text = await (await fetch(`${api}/metrics`)).text();
    assert.match(text, /^modstream_verdicts_total\{/m);
    const r = runTool(tools.promtool, ['check', 'metrics'], text);
    assert.equal(r.status, 0, `promtool check metrics:\n${r.output}`);
    assert.equal(r.output.trim(), '');
  });

  it('the alert rules load and evaluate without errors; nothing fires on healthy traffic', async () => {
    type Rule = { name: string; health: string; lastError?: string; state?: string };
    const rules = await waitFor(async () => {
      const body = (await (await fetch(`${prom}/api/v1/rules`)).json()) as {
        data: { groups: { rules: Rule[] }[] };
      };
      const all = body.data.groups.flatMap((g) => g.rules);
      return all.length > 0 && all.every((r) => r.health !== 'unknown') ? all : null;
    }, 'every rule evaluated once');
    assert.equal(rules.length, 14);
    for (const r of rules) assert.equal(r.health, 'ok', `${r.name}: ${r.lastError}`);
    const active = rules.filter((r) => r.state !== 'inactive');
    assert.deepEqual(
      active.map((r) => `${r.name} ${r.state}`),
      [],
    );
  });

  it('every Grafana dashboard query runs against the real series', async () => {
    const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as {
      panels: { title: string; type: string; targets?: { expr: string }[] }[];
      templating: { list: { name: string; type: string; query: unknown }[] };
    };
    const substitute = (expr: string) =>
      expr.replaceAll('$__rate_interval', '1m').replaceAll('$job', JOB).replaceAll('$instance', '.*');
    const mustShow = [
      'Messages / s',
      'Verdicts by action',
      'Stage latency p99',
      'DLQ by code',
      'Lexicon version per instance',
      'Policy per instance',
      'Redis errors and fail-open',
    ];
    let queries = 0;
    // Series born with the traffic (verdicts by action…) need two scrapes before rate() has a value: poll.
    await waitFor(
      async () => {
        const withData = new Set<string>();
        queries = 0;
        for (const panel of dashboard.panels) {
          for (const t of panel.targets ?? []) {
            const result = await promQuery(prom, substitute(t.expr)); // rejects on a PromQL error: no retry helps
            queries++;
            if (result.length > 0) withData.add(panel.title);
          }
        }
        const missing = mustShow.filter((t) => !withData.has(t));
        if (missing.length > 0) throw new Error(`panels without data: ${missing.join(', ')}`);
        return true;
      },
      'dashboard panels to show data',
      30_000,
      1000,
    );
    assert.ok(queries >= 40, `${queries} queries`);
    // The job variable's query finds this job.
    const labels = (await (
      await fetch(`${prom}/api/v1/label/job/values?match[]=modstream_messages_total`)
    ).json()) as { data: string[] };
    assert.ok(labels.data.includes(JOB));
  });
});
