// A small run of the load benchmark (bench/worker-load.mjs) as a correctness
// check: 300 signed deliveries, 10% repeated, 50 in flight, through the real
// Worker in workerd; every unique delivery is published exactly once (no
// timing assertions here; `npm run bench` reports throughput and latency).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadTest } from '../../bench/worker-load.mjs';

test('300 deliveries, 10% repeated, 50 concurrent: each unique one published exactly once', async () => {
  const r = await loadTest({ deliveries: 300, concurrency: 50, repeatRatio: 0.1 });
  assert.equal(r.unique, 270);
  assert.equal(r.events_published, 270, JSON.stringify(r));
  assert.equal(r.tasks_created, r.expected_tasks);
  assert.equal(r.missing, 0);
  assert.equal(r.duplicated, 0);
  assert.equal(r.rejected_by_salesforce, 0);
  assert.ok(r.exactly_once);
});
