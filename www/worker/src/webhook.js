// POST /v1/webhooks/1kosmos: a verification result from 1Kosmos.
//
//   verify (scheme from configuration)
//   -> read the event (the core parses the result inside)
//   -> claim the delivery id in the ReplayGuard Durable Object
//        done already     -> 200, nothing published again
//        being handled    -> 409 + retry-after (the sender retries)
//   -> publish to Salesforce (Platform Event, then Task on the related record)
//        succeeded        -> 200 `published`
//        failed           -> put what is left in the HANDOFF queue -> 202 `queued`
//        queue failed too -> release the claim -> 503 (the sender retries)
//
// So the sender gets a 2xx only once the event is durably handed on, and a
// retried delivery after a failed hand-off publishes only what is left.
import { readBytes, text } from './body.js';
import { config } from './config.js';
import { nextAttempt, parseVerificationEvent, salesforceRecords, webhookVerifier } from './core.js';
import { HttpError, fromVerification, json } from './errors.js';
import { finishStepUp } from './limits.js';
import { shardFor } from './replay.js';
import { SalesforceError, publish } from './salesforce.js';

/** POST /v1/webhooks/1kosmos */
export async function kosmosWebhook(request, env) {
  const cfg = config(env);
  const verifierConfig = cfg.webhook();
  const bytes = await readBytes(request, cfg.limits().webhookBody);
  const now = Math.floor(Date.now() / 1000);
  let verified;
  try {
    verified = webhookVerifier(verifierConfig).verify(request.headers, bytes, now);
  } catch (e) {
    throw fromVerification(e, 'the 1kosmos webhook');
  }
  const id = verified.id;
  if (typeof id !== 'string' || id === '') throw new HttpError(500, 'misconfigured', 'the webhook scheme gives no message id to deduplicate by');

  const body = text(bytes);
  const notAnEvent = (e) => {
    if (e instanceof HttpError) return e;
    return new HttpError(400, 'invalid_event', `the webhook is authentic but not a verification event: ${e.message}`, { field: e.field });
  };
  let ev;
  try {
    ev = parseVerificationEvent(body);
  } catch (e) {
    throw notAnEvent(e);
  }
  const sf = cfg.salesforce();
  // What the caller gave when it started a challenge (related record, decision, rule); the event's own metadata wins (the core merges).
  const kept = ev.kind === 'step_up'
    ? await shardFor(cfg.replay(), cfg.replayShards(), ev.verification_id).metadata(ev.verification_id)
    : null;
  let built;
  try {
    built = salesforceRecords(body, { webhook_id: id, timestamp: verified.timestamp ?? now, required_ial: cfg.requiredIal(), metadata: kept ?? undefined });
  } catch (e) {
    throw notAnEvent(e);
  }
  // A final result frees the user's open-challenge slot (limits.js); the core's verdict says what is final.
  if (ev.kind === 'step_up' && built.verdict?.final) await finishStepUp(env, ev.verification_id);
  // The queue carries the records as published; `external_id` is the core's dedupe key of the delivery.
  const records = { external_id: built.external_id, event: built.event, task: built.task };

  const guard = shardFor(cfg.replay(), cfg.replayShards(), id);
  const claim = await guard.claim(id, cfg.replayLeaseS() * 1000, cfg.replayWindowS() * 1000);
  if (claim.outcome === 'done') return json({ status: 'duplicate', id });
  if (claim.outcome === 'busy') {
    throw new HttpError(409, 'in_progress', 'this delivery is being handled; retry later', { headers: { 'retry-after': String(claim.retry_after_s) } });
  }

  const done = [...claim.steps];
  try {
    await publish(sf, records, done);
  } catch (e) {
    if (!(e instanceof SalesforceError)) {
      await guard.release(id, done).catch(() => {});
      throw e;
    }
    if (env.HANDOFF !== undefined) {
      try {
        await env.HANDOFF.send({ id, records, done });
      } catch {
        await guard.release(id, done).catch(() => {});
        throw new HttpError(503, 'handoff_failed', 'salesforce is unavailable and the event could not be queued; retry later', { headers: { 'retry-after': '30' } });
      }
      // The guard keeps the hand-off too until the consumer publishes it, and
      // queues it again if the consumer stops touching it (a queue that lost it).
      await guard.finish(id, 'queued', done, { records, redriveMs: cfg.handoffRedriveS() * 1000 })
        .catch((err) => console.error('replay finish failed after queueing', id, err?.message));
      return json({ status: 'queued', id }, 202);
    }
    await guard.release(id, done).catch(() => {});
    throw new HttpError(503, 'salesforce_unavailable', `the event could not be handed on: ${e.message}; retry later`, { headers: { 'retry-after': '30' } });
  }
  // Published: answer 2xx even if recording it fails (the sender must not publish again).
  await guard.finish(id, 'published', done).catch((err) => console.error('replay finish failed after publishing', id, err?.message));
  return json({ status: 'published', id });
}

/**
 * Backoff for the queue consumer, from the core's retry policy: jittered
 * exponential from HANDOFF_RETRY_BASE_S, at most 15 minutes. The queue's
 * max_retries (then the dead-letter queue) bounds the attempts, so the
 * policy's own bound is set past it.
 */
function delayFor(env, attempts) {
  const base = Number(env.HANDOFF_RETRY_BASE_S ?? 10);
  const baseMs = Number.isFinite(base) && base >= 0 ? Math.min(base, 3600) * 1000 : 10_000;
  const policy = { max_attempts: 11, base_delay_ms: baseMs, max_delay_ms: 900_000 };
  const ms = nextAttempt({ retryable: true }, Math.min(Math.max(1, attempts), 10), policy);
  return Math.round((ms ?? 900_000) / 1000);
}

/**
 * The HANDOFF queue consumer: publishes what is left of each queued event,
 * retrying with backoff; after the queue's max_retries the message goes to
 * the dead-letter queue.
 */
export async function consumeHandoff(batch, env) {
  const cfg = config(env);
  const sf = cfg.salesforce();
  for (const msg of batch.messages) {
    const { id, records, done: queuedDone } = msg.body ?? {};
    if (typeof id !== 'string' || !records || !records.event) {
      console.error('handoff: dropping a malformed message');
      msg.ack();
      continue;
    }
    const guard = shardFor(cfg.replay(), cfg.replayShards(), id);
    let done;
    try {
      done = [...new Set([...(queuedDone ?? []), ...(await guard.steps(id))])];
    } catch {
      msg.retry({ delaySeconds: delayFor(env, msg.attempts) });
      continue;
    }
    try {
      await publish(sf, records, done);
      await guard.recordSteps(id, done, true);
      msg.ack();
    } catch (e) {
      // Records progress and tells the guard the hand-off is alive in the queue.
      await guard.recordSteps(id, done).catch(() => {});
      console.error('handoff: publish failed, will retry', id, e?.message);
      msg.retry({ delaySeconds: delayFor(env, msg.attempts) });
    }
  }
}
