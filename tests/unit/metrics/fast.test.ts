import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { CellCounter, FastHistogram } from '../../../src/metrics/fast.js';
import { registerProcessMetrics } from '../../../src/metrics/process.js';
import { parseExposition, value } from './exposition.js';

describe('CellCounter', () => {
  it('hands cell counts to prom-client at scrape time, cumulatively', async () => {
    const registry = new Registry();
    const c = new CellCounter({ name: 'modstream_test_total', help: 'test', labelNames: ['k'], registry });
    const a = c.cell({ k: 'a' });
    const b = c.cell({ k: 'b' });
    a.n += 3;
    let e = parseExposition(await registry.metrics());
    assert.equal(value(e, 'modstream_test_total', { k: 'a' }), 3);
    assert.equal(value(e, 'modstream_test_total', { k: 'b' }), 0); // exists from the start
    a.n++;
    b.n += 2;
    e = parseExposition(await registry.metrics());
    assert.equal(value(e, 'modstream_test_total', { k: 'a' }), 4);
    assert.equal(value(e, 'modstream_test_total', { k: 'b' }), 2);
    assert.equal(a.n, 0);
  });
});

describe('FastHistogram', () => {
  it('renders cumulative buckets, sum and count per label value like prom-client', async () => {
    const registry = new Registry();
    const h = new FastHistogram({
      name: 'modstream_test_seconds',
      help: 'test',
      label: 'stage',
      values: ['a', 'b'] as const,
      buckets: [0.5, 0.1, 1], // unsorted on purpose
      registry,
    });
    h.observe('a', 0.1); // le is inclusive
    h.observe('a', 0.3);
    h.observe('a', 5);
    h.observe('b', 0);
    h.observe('b', -1); // negative durations are clock noise: dropped
    const text = await registry.metrics();
    assert.match(text, /# TYPE modstream_test_seconds histogram/);
    const e = parseExposition(text);
    const le = (stage: string, b: string) => value(e, 'modstream_test_seconds_bucket', { stage, le: b });
    assert.deepEqual([le('a', '0.1'), le('a', '0.5'), le('a', '1'), le('a', '+Inf')], [1, 2, 2, 3]);
    assert.equal(value(e, 'modstream_test_seconds_count', { stage: 'a' }), 3);
    assert.ok(Math.abs(value(e, 'modstream_test_seconds_sum', { stage: 'a' }) - 5.4) < 1e-12);
    assert.equal(value(e, 'modstream_test_seconds_count', { stage: 'b' }), 1);
    assert.equal(h.count('a'), 3);
    h.reset();
    assert.equal(h.count('a'), 0);
  });
});

describe('registerProcessMetrics', () => {
  it('registers prom-client’s process metrics with the prefix, minus the gauges named *_total', async () => {
    const registry = new Registry();
    const names = registerProcessMetrics(registry);
    assert.ok(names.includes('modstream_process_cpu_seconds_total'));
    assert.ok(names.includes('modstream_nodejs_eventloop_lag_p99_seconds'));
    assert.ok(names.includes('modstream_nodejs_active_handles'));
    assert.ok(!names.includes('modstream_nodejs_active_handles_total'));
    const e = parseExposition(await registry.metrics());
    for (const [name, type] of e.types) if (name.endsWith('_total')) assert.equal(type, 'counter', name);
  });
});
