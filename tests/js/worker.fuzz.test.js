// The HTTP fuzzer of the Worker (tests/js/worker-fuzz.js), a bounded run:
// FUZZ_BUDGET_S seconds (default 20; `npm run bench` runs 60), FUZZ_SEED to
// replay a run (the seed is printed), FUZZ_CONCURRENCY requests in flight
// (default 4; 1 replays a seed exactly). The figures go to
// test-results/worker-fuzz.json.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeRun, fuzzWorker, REQUEST_TIMEOUT_MS } from './worker-fuzz.js';
import { root } from './hosts.js';

const budgetS = Number(process.env.FUZZ_BUDGET_S ?? 20);
const seed = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : Math.floor(Math.random() * 2 ** 32);
const concurrency = Number(process.env.FUZZ_CONCURRENCY ?? 4);

test(`random and mutated requests against every route: no undocumented 5xx, no hang, no secret, good requests still served (seed ${seed})`, { timeout: (budgetS + 120) * 1000 }, async () => {
  console.log(`worker fuzz: seed ${seed} (replay with FUZZ_SEED=${seed} FUZZ_CONCURRENCY=1)`);
  const { stats, failures } = await fuzzWorker({ budgetMs: budgetS * 1000, seed, concurrency });
  console.log(describeRun(stats));
  mkdirSync(join(root, 'test-results'), { recursive: true });
  writeFileSync(join(root, 'test-results', 'worker-fuzz.json'), `${JSON.stringify({ ...stats, failure_list: failures }, null, 2)}\n`);
  assert.deepEqual(failures, [], `seed ${seed}: ${failures.length} failures, first: ${JSON.stringify(failures[0])}`);
  // The run did what it claims: many requests, every kind, a spread of answers, good ones included.
  assert.ok(stats.requests >= 100, `only ${stats.requests} requests in ${budgetS} s`);
  for (const kind of ['random', 'descope', 'webhook', 'audit', 'oidc']) assert.ok(stats.by_kind[kind] > 0, `no ${kind} requests`);
  for (const status of ['200', '400', '401', '404', '405']) assert.ok(stats.by_status[status] > 0, `no ${status} answers: ${JSON.stringify(stats.by_status)}`);
  assert.ok(stats.canaries >= 2);
  assert.ok(stats.upstream_5xx > 0, 'no documented upstream failure was seen');
  assert.ok(stats.log_lines > 0, 'no Worker log line was captured, so none was checked for secrets');
  assert.equal(stats.by_status.timeout, undefined, `requests without an answer in ${REQUEST_TIMEOUT_MS} ms`);
});
