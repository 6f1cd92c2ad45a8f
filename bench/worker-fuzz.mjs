// The long run of the Worker's HTTP fuzzer (tests/js/worker-fuzz.js; the
// short run is tests/js/worker.fuzz.test.js in `npm test`): 60 s of random
// and mutated requests against every route, with figures by status.
//
//   node bench/worker-fuzz.mjs [seconds=60] [seed=random] [concurrency=4]
//   npm run bench -- worker-fuzz
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeRun, fuzzWorker } from '../tests/js/worker-fuzz.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

async function fuzz(seconds, seed, concurrency) {
  const out = await fuzzWorker({ budgetMs: seconds * 1000, seed, concurrency });
  mkdirSync(join(root, 'test-results'), { recursive: true });
  writeFileSync(join(root, 'test-results', 'worker-fuzz-bench.json'), `${JSON.stringify({ ...out.stats, failure_list: out.failures }, null, 2)}\n`);
  return out;
}

export async function run(seconds = Number(process.env.FUZZ_BENCH_S ?? 60)) {
  const seed = Math.floor(Math.random() * 2 ** 32);
  const { stats, failures } = await fuzz(seconds, seed, 4);
  const statuses = Object.entries(stats.by_status).sort(([a], [b]) => a.localeCompare(b));
  return {
    title: 'Worker HTTP fuzzer: random and mutated requests against every route',
    summary: `${stats.requests} requests in ${seconds} s (seed ${stats.seed}, 4 in flight) to two Workers in workerd (Descope calls signed and unsigned), `
      + `plus ${stats.canaries} rounds of good requests, each answered correctly. Failures (an undocumented 5xx, a hang past 15 s, a secret in an answer or `
      + `in one of ${stats.log_lines} log lines, an error not in the JSON shape, a wrong answer to a good request): **${failures.length}**.`,
    rows: [
      ...statuses.map(([answer, n]) => ({ answer, requests: n, share: `${((100 * n) / stats.requests).toFixed(1)}%` })),
      { answer: 'all', requests: stats.requests, share: '100%' },
    ],
    notes: `By kind: ${Object.entries(stats.by_kind).map(([k, v]) => `${k} ${v}`).join(', ')}. Documented upstream 5xx (1Kosmos failures injected at random, and by the good requests): ${stats.upstream_5xx}. \`reset\`: the Worker answered 413 before reading a large body and closed the connection under the writer. `
      + `Replay a run with \`FUZZ_SEED=<seed> FUZZ_CONCURRENCY=1 FUZZ_BUDGET_S=<s> node --test tests/js/worker.fuzz.test.js\`.`
      + (failures.length ? ` First failure: ${JSON.stringify(failures[0])}` : ''),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [seconds = 60, seed = Math.floor(Math.random() * 2 ** 32), concurrency = 4] = process.argv.slice(2).map(Number);
  const { stats, failures } = await fuzz(seconds, seed, concurrency);
  console.log(describeRun(stats));
  for (const f of failures) console.log(JSON.stringify(f));
  process.exitCode = failures.length ? 1 : 0;
}
