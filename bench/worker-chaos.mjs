// Chaos on loopback: the webhook load run (bench/worker-load.mjs) with the
// pieces failing. The Salesforce stand-in fails a seeded 10% of its sObject
// requests (503, 429 with Retry-After, connection reset, a 2 s stall past the
// Worker's 1 s Salesforce timeout with the record stored anyway, the record
// stored and its answer lost); the sender retries as a Standard Webhooks
// sender does (same id and body, signed afresh, exponential backoff, honours
// Retry-After, a timeout per attempt); workerd is stopped and started again
// twice during the run on the same port with its Durable Object and KV state
// on disk (www/worker/dev.mjs `persist`). Counts, per unique delivery:
//   accepted      the Worker answered 2xx (published, queued or duplicate)
//   delivered     its Platform Event reached Salesforce (and its Task when it names a record)
//   dead-lettered in the hand-off dead-letter queue
//   lost          accepted, but neither delivered nor dead-lettered
//   duplicated    a second record Salesforce cannot tell from the first: a
//                 second Task for it, or events for it under two different
//                 dedupe keys (0 is the goal)
// and the repeats Salesforce absorbed: Task upserts that found their record
// (Kosmos_Delivery_Key__c), events published again under the same
// Delivery_Key__c (a subscriber handles a key once).
//
//   node bench/worker-chaos.mjs [deliveries=5000] [concurrency=50] [restarts=2] [seed=17] [redrive_s=5]
//   npm run bench -- worker-chaos
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSalesforce } from '../www/sandbox/salesforce.mjs';
import { standardSigner } from '../www/sandbox/sign.mjs';
import { startWorker } from '../www/worker/dev.mjs';
import { eventFor, shuffle } from './worker-load.mjs';

// The delivery key the Worker puts on the records (the core's `external_id`),
// computed here from its documented recipe: `kc_` and the first 32 hex digits
// of SHA-256 over "kosmos-connect/webhook\n" + the webhook id.
const deliveryKey = (webhookId) => `kc_${createHash('sha256').update(`kosmos-connect/webhook\n${webhookId}`).digest('hex').slice(0, 32)}`;

const SECRET = 'whsec_Y2hhb3MtdGVzdC13ZWJob29rLXNlY3JldC0wMDAwMDA=';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Collects what the dead-letter queue observer POSTs. */
async function startSink() {
  const letters = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c) => (text += c));
    req.on('end', () => {
      try {
        letters.push(JSON.parse(text));
      } catch {
        // not ours
      }
      res.end('ok');
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}/dead`, letters, close: () => new Promise((r) => server.close(r)) };
}

/**
 * Runs the chaos load against a fresh Worker (state in a temporary directory) and Salesforce stand-in.
 * @returns {Promise<object>} the counts above, the faults injected and the restarts
 */
export async function chaosTest({ deliveries = 5000, concurrency = 50, repeatRatio = 0.1, restarts = 2, seed = 17, faultRate = 0.1, redriveS = 5, log = () => {} } = {}) {
  const salesforce = await startSalesforce({ chaos: { rate: faultRate, seed, stallMs: 2000, retryAfterS: 1 } });
  const sink = await startSink();
  const persist = mkdtempSync(join(tmpdir(), 'kosmos-chaos-'));
  const redriven = new Set();
  const vars = {
    KOSMOS_WEBHOOK_SCHEME: 'standard',
    KOSMOS_WEBHOOK_SECRET: SECRET,
    SF_INSTANCE_URL: salesforce.url,
    SF_CLIENT_ID: salesforce.clientId,
    SF_CLIENT_SECRET: salesforce.clientSecret,
    // The stall (2 s) runs past this; the record is stored anyway.
    SF_TIMEOUT_MS: '1000',
    HANDOFF_RETRY_BASE_S: '1',
    // A claim outlives the slowest hand-off (token, event, task at 1 s each).
    REPLAY_LEASE_S: '8',
    // A queued hand-off the consumer has not touched for 5 s is sent again (the local queue forgets on restart).
    HANDOFF_REDRIVE_S: String(redriveS),
  };
  const workerOptions = (port) => ({
    assets: false,
    vars,
    port,
    persist,
    deadLetterSink: sink.url,
    miniflare: {
      handleStructuredLogs: ({ message }) => {
        const m = /handoff: redriven to the queue (\S+)/.exec(message);
        if (m) redriven.add(m[1]);
      },
    },
  });
  let worker = await startWorker(workerOptions(0));
  const port = Number(new URL(worker.url).port);
  const url = `${worker.url}/v1/webhooks/1kosmos`;
  const sign = standardSigner(SECRET);
  const restartLog = [];
  try {
    const repeats = Math.round(deliveries * repeatRatio);
    const unique = deliveries - repeats;
    const events = Array.from({ length: unique }, (_, i) => ({ id: `msg_chaos_${String(i).padStart(6, '0')}`, ...eventFor(i) }));
    const plan = [...events];
    for (let r = 0; r < repeats; r += 1) plan.push(events[(r * 10) % unique]);
    shuffle(plan, seed);

    const statuses = {};
    const accepted = new Set();
    const gaveUp = new Set();
    let attempts = 0;
    let retries = 0;
    let next = 0;
    let finished = 0;

    // A sender as Svix-style senders behave: retry any non-2xx, timeout or
    // network error with the same id and body, signed afresh; back off
    // exponentially (capped), never sooner than Retry-After asks.
    async function deliver(ev) {
      for (let attempt = 0; attempt < 40; attempt += 1) {
        attempts += 1;
        const headers = sign(ev.id, Math.floor(Date.now() / 1000), ev.body);
        let status;
        let retryAfterS;
        try {
          const res = await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...headers },
            body: ev.body,
            signal: AbortSignal.timeout(15_000),
          });
          await res.arrayBuffer();
          status = res.status;
          retryAfterS = Number(res.headers.get('retry-after'));
        } catch {
          status = 'network';
        }
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (typeof status === 'number' && status >= 200 && status < 300) {
          accepted.add(ev.id);
          return;
        }
        retries += 1;
        const backoff = Math.min(2000, 50 * 2 ** attempt) * (0.5 + Math.random() / 2);
        await sleep(Math.max(backoff, Number.isFinite(retryAfterS) && retryAfterS > 0 ? Math.min(retryAfterS, 10) * 1000 : 0));
      }
      gaveUp.add(ev.id);
    }

    // Restarts at evenly spaced points of the run: stop workerd (whatever is in flight fails), wait, start it again.
    const restartAt = Array.from({ length: restarts }, (_, i) => Math.floor((plan.length * (i + 1)) / (restarts + 1)));
    let restarting = Promise.resolve();
    let beforeFirstRestart = null;
    const t0 = performance.now();
    const workers = Array.from({ length: concurrency }, async () => {
      while (next < plan.length) {
        const ev = plan[next];
        next += 1;
        if (restartAt.length && next >= restartAt[0]) {
          restartAt.shift();
          if (beforeFirstRestart === null) beforeFirstRestart = [...accepted];
          restarting = restarting.then(async () => {
            const at = next;
            const stopped = performance.now();
            await worker.close();
            await sleep(500);
            worker = await startWorker(workerOptions(port));
            restartLog.push({ after_started: at, down_ms: Math.round(performance.now() - stopped) });
            log(`restart ${restartLog.length}: after ${at} deliveries started, down ${restartLog.at(-1).down_ms} ms`);
          });
        }
        await deliver(ev);
        finished += 1;
      }
    });
    await Promise.all(workers);
    await restarting;
    const sendSeconds = (performance.now() - t0) / 1000;

    // Queued hand-offs, retries and redrives land after the last answer.
    const expectedTasks = events.filter((e) => e.withRecord).length;
    const eventKeys = () => new Set(salesforce.state.received.filter((r) => r.object !== 'Task').map((r) => r.fields.Delivery_Key__c));
    const taskCount = () => salesforce.state.received.filter((r) => r.object === 'Task').length;
    const deadIds = () => new Set(sink.letters.map((l) => l.body?.id));
    const deadline = Date.now() + 180_000;
    let lastChange = Date.now();
    let lastSize = -1;
    while (Date.now() < deadline) {
      const size = salesforce.state.received.length + sink.letters.length;
      if (size !== lastSize) {
        lastSize = size;
        lastChange = Date.now();
      }
      const keys = eventKeys();
      const dead = deadIds();
      const settled = [...accepted].every((id) => keys.has(deliveryKey(id)) || dead.has(id)) && taskCount() >= expectedTasks - dead.size;
      // Settled, and nothing new for a while (a late repeat would still show).
      if (settled && Date.now() - lastChange > 3000) break;
      await sleep(250);
    }

    // The Durable Object state survived both restarts: deliveries acknowledged
    // before the first one, sent again now, are answered `duplicate`.
    const again = (beforeFirstRestart ?? []).slice(0, 50);
    let answeredDuplicate = 0;
    const receivedBefore = salesforce.state.received.length;
    for (const id of again) {
      const ev = events.find((e) => e.id === id);
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...sign(ev.id, Math.floor(Date.now() / 1000), ev.body) }, body: ev.body });
      const body = await res.json().catch(() => ({}));
      if (res.status === 200 && body.status === 'duplicate') answeredDuplicate += 1;
    }
    await sleep(500);
    const publishedByResend = salesforce.state.received.length - receivedBefore;

    // What Salesforce holds, per unique delivery.
    const byVerification = new Map(events.map((e) => [e.verificationId, e]));
    const eventsByKey = new Map();
    const keysByVerification = new Map();
    const tasksByVerification = new Map();
    for (const r of salesforce.state.received) {
      if (r.object === 'Task') {
        const v = /: (\S+)\n/.exec(r.fields.Description)?.[1];
        tasksByVerification.set(v, (tasksByVerification.get(v) ?? 0) + 1);
        continue;
      }
      const key = r.fields.Delivery_Key__c ?? '(none)';
      eventsByKey.set(key, (eventsByKey.get(key) ?? 0) + 1);
      const v = r.fields.Verification_Id__c;
      if (!keysByVerification.has(v)) keysByVerification.set(v, new Set());
      keysByVerification.get(v).add(key);
    }
    const dead = deadIds();
    let delivered = 0;
    let lost = 0;
    let deadLettered = 0;
    const lostIds = [];
    for (const e of events) {
      const eventThere = eventsByKey.has(deliveryKey(e.id));
      const taskThere = !e.withRecord || (tasksByVerification.get(e.verificationId) ?? 0) > 0;
      if (eventThere && taskThere) delivered += 1;
      else if (dead.has(e.id)) deadLettered += 1;
      else if (accepted.has(e.id)) {
        lost += 1;
        lostIds.push(e.id);
      }
    }
    const duplicatedTasks = [...tasksByVerification.values()].filter((n) => n > 1).length;
    const duplicatedEvents = [...keysByVerification.entries()].filter(([v, keys]) => byVerification.has(v) && keys.size > 1).length;
    const eventRepeatsSameKey = [...eventsByKey.values()].reduce((a, n) => a + (n - 1), 0);
    const result = {
      deliveries,
      unique,
      repeats,
      concurrency,
      seed,
      restarts: restartLog,
      seconds_sending: sendSeconds,
      sender_attempts: attempts,
      sender_retries: retries,
      statuses,
      faults: { ...salesforce.state.chaos },
      salesforce_requests: salesforce.state.requests,
      accepted: accepted.size,
      sender_gave_up: gaveUp.size,
      delivered,
      dead_lettered: deadLettered,
      lost,
      lost_ids: lostIds.slice(0, 10),
      duplicated: duplicatedTasks + duplicatedEvents,
      duplicated_tasks: duplicatedTasks,
      duplicated_events: duplicatedEvents,
      task_upserts_absorbed: salesforce.state.upsertsUpdated.Task ?? 0,
      event_repeats_same_key: eventRepeatsSameKey,
      events_without_key: eventsByKey.get('(none)') ?? 0,
      events_received: [...eventsByKey.values()].reduce((a, b) => a + b, 0),
      tasks_received: taskCount(),
      expected_tasks: expectedTasks,
      redriven: redriven.size,
      resent_after_restarts: again.length,
      resent_answered_duplicate: answeredDuplicate,
      resent_published: publishedByResend,
      rejected_by_salesforce: salesforce.state.rejected.length,
    };
    result.ok = result.accepted === unique && lost === 0 && result.duplicated === 0 && result.sender_gave_up === 0
      && result.rejected_by_salesforce === 0 && answeredDuplicate === again.length && publishedByResend === 0;
    log(result);
    return result;
  } finally {
    await worker.close().catch(() => {});
    await salesforce.close();
    await sink.close();
    rmSync(persist, { recursive: true, force: true });
  }
}

/** One line per figure, for people. */
export function describe(r) {
  return [
    `deliveries ${r.deliveries} (${r.unique} unique, ${r.repeats} repeats), ${r.concurrency} in flight, seed ${r.seed}`,
    `restarts ${r.restarts.length}: ${r.restarts.map((x) => `after ${x.after_started} started, down ${x.down_ms} ms`).join('; ')}`,
    `salesforce faults ${r.faults.decided} of ${r.salesforce_requests} requests: 5xx ${r.faults['5xx']}, 429 ${r.faults['429']}, reset ${r.faults.reset}, stall ${r.faults.stall}, answer lost ${r.faults.lost}`,
    `sender ${r.sender_attempts} attempts, ${r.sender_retries} retries, gave up on ${r.sender_gave_up}; statuses ${JSON.stringify(r.statuses)}`,
    `accepted ${r.accepted}/${r.unique}, delivered to Salesforce ${r.delivered}, dead-lettered ${r.dead_lettered}, lost ${r.lost}, duplicated ${r.duplicated} (tasks ${r.duplicated_tasks}, events ${r.duplicated_events})`,
    `repeats absorbed: ${r.task_upserts_absorbed} Task upserts found their record, ${r.event_repeats_same_key} events published again under the same Delivery_Key__c; ${r.redriven} hand-offs redriven by the ReplayGuard`,
    `after both restarts ${r.resent_after_restarts} deliveries acknowledged before the first were sent again: ${r.resent_answered_duplicate} answered duplicate, ${r.resent_published} records published`,
    `events ${r.events_received}, tasks ${r.tasks_received}/${r.expected_tasks}, rejected ${r.rejected_by_salesforce}; ok: ${r.ok ? 'yes' : 'NO'}`,
  ];
}

/** For bench/run.mjs. */
export async function run() {
  const r = await chaosTest({ deliveries: 5000, concurrency: 50, restarts: 2 });
  return {
    title: 'Worker under chaos: Salesforce failing at random, workerd restarted twice',
    summary: `${r.deliveries} signed webhook deliveries (${r.repeats} repeats) at ${r.concurrency} in flight; the Salesforce stand-in failed `
      + `${r.faults.decided} of its ${r.salesforce_requests} requests (seeded 10%); workerd stopped and started ${r.restarts.length} times with its Durable Object and KV state on disk. `
      + `**${r.accepted}** accepted, **${r.delivered}** delivered to Salesforce, **${r.dead_lettered}** in the dead-letter queue, **${r.lost}** lost, **${r.duplicated}** duplicated; `
      + `${r.task_upserts_absorbed} repeated Task writes (after a lost answer, a stall, a restart or a redrive) were upserts onto their record, ${r.event_repeats_same_key} events published again carried the same Delivery_Key__c. `
      + `After both restarts ${r.resent_after_restarts} deliveries acknowledged before the first were sent again: ${r.resent_answered_duplicate} answered duplicate, ${r.resent_published} records published.`,
    rows: [{
      deliveries: r.deliveries,
      'unique': r.unique,
      accepted: r.accepted,
      delivered: r.delivered,
      'dead-lettered': r.dead_lettered,
      lost: r.lost,
      duplicated: r.duplicated,
      'Task upserts absorbed': r.task_upserts_absorbed,
      'events repeated, same key': r.event_repeats_same_key,
      'hand-offs redriven': r.redriven,
      'faults (5xx/429/reset/stall/lost)': `${r.faults['5xx']}/${r.faults['429']}/${r.faults.reset}/${r.faults.stall}/${r.faults.lost}`,
      'sender retries': r.sender_retries,
      restarts: r.restarts.map((x) => `${x.down_ms} ms`).join(', '),
      'send time': `${r.seconds_sending.toFixed(0)} s`,
    }],
    notes: 'Lost: accepted (2xx to the sender) but neither in Salesforce nor in the dead-letter queue. Duplicated: a second Task for a delivery, or its events under two different dedupe keys. '
      + 'A Platform Event cannot be upserted, so an event whose answer was lost is published again with the same Delivery_Key__c for subscribers to drop; the Task is upserted by Kosmos_Delivery_Key__c.',
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [deliveries = 5000, concurrency = 50, restarts = 2, seed = 17, redriveS = 5] = process.argv.slice(2).map(Number);
  const r = await chaosTest({ deliveries, concurrency, restarts, seed, redriveS, log: (x) => typeof x === 'string' && console.error(x) });
  for (const line of describe(r)) console.log(line);
  if (r.lost_ids.length) console.log(`lost: ${r.lost_ids.join(', ')}`);
  process.exitCode = r.ok ? 0 : 1;
}
