// Load on loopback: the real Worker in workerd (miniflare) with its Durable
// Object and queue, the Salesforce stand-in behind it, and a sender that
// behaves like 1Kosmos: signed Standard Webhooks, a share of them delivered
// again (same id and body, signed afresh), N in flight at once, any non-2xx
// retried. Checks that every unique delivery was published exactly once
// (one Platform Event, and one Task when it names a record), none lost;
// reports throughput and latency percentiles.
//
//   node bench/worker-load.mjs [deliveries=5000] [concurrency=50] [repeat=0.1]
//   npm run bench -- worker-load
import { startSalesforce } from '../www/sandbox/salesforce.mjs';
import { standardSigner } from '../www/sandbox/sign.mjs';
import { startWorker } from '../www/worker/dev.mjs';

const SECRET = 'whsec_bG9hZC10ZXN0LXdlYmhvb2stc2VjcmV0LTAwMDAwMA==';
// Step-up events need the core's step-up result parser (the kosmos work); without it, IDV events only.
const { glue } = await import('../pkg/core.js');
const STEP_UP_EVENTS = typeof glue.parseStepUpResult === 'function';

function percentile(sorted, p) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : NaN;
}

/** A deterministic shuffle (so runs are comparable). */
export function shuffle(items, seed = 42) {
  let s = seed;
  const rnd = () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 2 ** 32;
  };
  for (let i = items.length - 1; i > 0; i -= 1) {
    const j = Math.floor(rnd() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

export function eventFor(i) {
  const withRecord = i % 2 === 0;
  const data = STEP_UP_EVENTS && i % 3 === 0
    ? { challenge_id: `chl_load_${i}`, user_identifier: `user${i}@test`, status: 'completed', match_result: 'match', confidence: 0.97 }
    : { session_id: `ses_load_${i}`, status: 'completed', ial_level: 'IAL2', verified_claims: null, metadata: { user_identifier: `user${i}@test` } };
  if (withRecord) data.metadata = { ...(data.metadata ?? {}), related_record_id: `001LOAD${String(i).padStart(11, '0')}` };
  const type = data.challenge_id ? 'liveid.challenge.completed' : 'idv.session.completed';
  return { verificationId: data.challenge_id ?? data.session_id, withRecord, body: JSON.stringify({ type, timestamp: new Date().toISOString(), data }) };
}

/**
 * Runs the load against a fresh Worker and Salesforce stand-in.
 * @returns {Promise<object>} counts, latencies (ms) and the exactly-once check
 */
export async function loadTest({ deliveries = 5000, concurrency = 50, repeatRatio = 0.1, log = () => {} } = {}) {
  const salesforce = await startSalesforce();
  const worker = await startWorker({
    assets: false,
    vars: {
      KOSMOS_WEBHOOK_SCHEME: 'standard',
      KOSMOS_WEBHOOK_SECRET: SECRET,
      SF_INSTANCE_URL: salesforce.url,
      SF_CLIENT_ID: salesforce.clientId,
      SF_CLIENT_SECRET: salesforce.clientSecret,
      HANDOFF_RETRY_BASE_S: '1',
    },
  });
  const sign = standardSigner(SECRET);
  const url = `${worker.url}/v1/webhooks/1kosmos`;
  try {
    const repeats = Math.round(deliveries * repeatRatio);
    const unique = deliveries - repeats;
    const events = Array.from({ length: unique }, (_, i) => ({ id: `msg_load_${String(i).padStart(6, '0')}`, ...eventFor(i) }));
    // Every tenth unique event (as far as needed) is delivered twice.
    const plan = [...events];
    for (let r = 0; r < repeats; r += 1) plan.push(events[(r * 10) % unique]);
    shuffle(plan);

    const latencies = [];
    const statuses = {};
    let retries = 0;
    let next = 0;
    const t0 = performance.now();
    async function deliver(ev) {
      for (let attempt = 0; ; attempt += 1) {
        const headers = sign(ev.id, Math.floor(Date.now() / 1000), ev.body);
        const t = performance.now();
        const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: ev.body });
        await res.arrayBuffer();
        latencies.push(performance.now() - t);
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        if (res.ok) return;
        if (attempt > 50) throw new Error(`delivery ${ev.id} was never acknowledged (last status ${res.status})`);
        retries += 1;
        await new Promise((r) => setTimeout(r, 20 + attempt * 20));
      }
    }
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (next < plan.length) {
        const ev = plan[next];
        next += 1;
        await deliver(ev);
      }
    }));
    const seconds = (performance.now() - t0) / 1000;

    // Queued hand-offs (none expected when Salesforce is up) would land shortly after.
    const expectedTasks = events.filter((e) => e.withRecord).length;
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const events = salesforce.state.received.filter((r) => r.object !== 'Task').length;
      const tasks = salesforce.state.received.filter((r) => r.object === 'Task').length;
      if (events >= unique && tasks >= expectedTasks) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const published = new Map();
    const tasks = new Map();
    for (const r of salesforce.state.received) {
      const key = r.object === 'Task' ? r.fields.Description.match(/: (\S+)\n/)[1] : r.fields.Verification_Id__c;
      const m = r.object === 'Task' ? tasks : published;
      m.set(key, (m.get(key) ?? 0) + 1);
    }
    const missing = events.filter((e) => !published.has(e.verificationId)).length;
    const duplicated = [...published.values()].filter((n) => n > 1).length + [...tasks.values()].filter((n) => n > 1).length;
    const missingTasks = events.filter((e) => e.withRecord && !tasks.has(e.verificationId)).length;
    const sorted = [...latencies].sort((a, b) => a - b);
    const result = {
      deliveries,
      unique,
      repeats,
      concurrency,
      requests: latencies.length,
      retries,
      statuses,
      seconds,
      throughput: deliveries / seconds,
      p50_ms: percentile(sorted, 0.5),
      p99_ms: percentile(sorted, 0.99),
      max_ms: sorted.at(-1),
      events_published: [...published.values()].reduce((a, b) => a + b, 0),
      tasks_created: [...tasks.values()].reduce((a, b) => a + b, 0),
      expected_tasks: expectedTasks,
      missing,
      missing_tasks: missingTasks,
      duplicated,
      rejected_by_salesforce: salesforce.state.rejected.length,
    };
    result.exactly_once = missing === 0 && missingTasks === 0 && duplicated === 0 && result.events_published === unique
      && result.tasks_created === expectedTasks && result.rejected_by_salesforce === 0;
    log(result);
    return result;
  } finally {
    await worker.close();
    await salesforce.close();
  }
}

/** For bench/run.mjs. */
export async function run() {
  const r = await loadTest({ deliveries: 5000, concurrency: 50, repeatRatio: 0.1 });
  return {
    title: 'Worker under load: 1Kosmos webhooks to Salesforce on loopback',
    summary: `${r.deliveries} signed webhook deliveries (${r.repeats} of them repeats) at ${r.concurrency} in flight, through the Worker in workerd `
      + `(verify, Durable Object dedupe, Salesforce token + Platform Event + Task to the stand-in). `
      + `Exactly once: **${r.exactly_once ? 'yes' : 'NO'}** (${r.events_published} events for ${r.unique} unique deliveries, ${r.tasks_created}/${r.expected_tasks} tasks, ${r.duplicated} duplicated, ${r.missing} missing).`,
    rows: [{
      deliveries: r.deliveries,
      'HTTP requests': r.requests,
      'sender retries': r.retries,
      'throughput (deliveries/s)': r.throughput.toFixed(0),
      'p50 latency': `${r.p50_ms.toFixed(1)} ms`,
      'p99 latency': `${r.p99_ms.toFixed(1)} ms`,
      'max latency': `${r.max_ms.toFixed(1)} ms`,
      statuses: Object.entries(r.statuses).map(([s, n]) => `${s}: ${n}`).join(', '),
    }],
    notes: 'Latency is per HTTP request as the sender sees it; a repeat that arrives while its original is being handled gets 409 and is retried by the sender.',
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [deliveries = 5000, concurrency = 50, repeatRatio = 0.1] = process.argv.slice(2).map(Number);
  const r = await loadTest({ deliveries, concurrency, repeatRatio });
  console.log(`deliveries ${r.deliveries} (${r.unique} unique, ${r.repeats} repeats), ${r.concurrency} concurrent`);
  console.log(`throughput ${r.throughput.toFixed(0)} deliveries/s over ${r.seconds.toFixed(1)} s; latency p50 ${r.p50_ms.toFixed(1)} ms, p99 ${r.p99_ms.toFixed(1)} ms, max ${r.max_ms.toFixed(1)} ms`);
  console.log(`requests ${r.requests}, sender retries ${r.retries}, statuses ${JSON.stringify(r.statuses)}`);
  console.log(`published ${r.events_published} events, ${r.tasks_created}/${r.expected_tasks} tasks; missing ${r.missing}, missing tasks ${r.missing_tasks}, duplicated ${r.duplicated}, rejected ${r.rejected_by_salesforce}`);
  console.log(`exactly once: ${r.exactly_once ? 'yes' : 'NO'}`);
  process.exitCode = r.exactly_once ? 0 : 1;
}
