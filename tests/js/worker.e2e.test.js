// The real Worker in workerd (miniflare, with its Durable Object, queue and
// assets) against the 1Kosmos and Salesforce stand-ins on 127.0.0.1.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPair } from '../../pkg/node.js';
import { startBlockId } from '../../www/sandbox/blockid.mjs';
import { startKosmos } from '../../www/sandbox/kosmos.mjs';
import { CONTRACT_EVENT_FIELDS, OBJECTS_DIR, readObjectFields, startSalesforce } from '../../www/sandbox/salesforce.mjs';
import { standardSigner } from '../../www/sandbox/sign.mjs';
import { sandboxVars, startWorker } from '../../www/worker/dev.mjs';
import { root, waitFor } from './hosts.js';
import { eventRecordProblems, readPlatformEvent, taskRecordProblems } from './salesforce-metadata.js';

const RECORD = '001000000000001AAA';
const DEMO_POLICY = {
  version: 1,
  rules: [
    { id: 'bot-on-new-device', description: 'very high risk on a new device', when: { all: [{ risk_score_above: 0.94 }, { device: 'new' }] }, then: { decision: 'deny' } },
    { id: 'risky-login', description: 'risk score above 0.7', when: { risk_score_above: 0.7 }, then: { decision: 'step_up', max_age_s: 900 } },
  ],
  default: { decision: 'allow' },
};
// The demo policy reads what the core's Descope adapter makes of a flow context.

const kosmos = await startKosmos({ retryDelaysMs: [200, 400, 800, 1600, 3200, 6400] });
const salesforce = await startSalesforce();
const vars = (extra = {}) => sandboxVars(kosmos, salesforce, { POLICY: JSON.stringify(DEMO_POLICY), ...extra });
const worker = await startWorker({ vars: vars() });
kosmos.setWebhookUrl(`${worker.url}/v1/webhooks/1kosmos`);
const noQueue = await startWorker({ vars: vars(), queue: false, assets: false });
const DESCOPE_SECRET = 'descope-connector-secret-for-tests';
const signedDescope = await startWorker({ vars: vars({ DESCOPE_HMAC_SECRET: DESCOPE_SECRET }), assets: false });
const others = [noQueue, signedDescope];

after(async () => {
  await Promise.allSettled([worker.close(), ...others.map((w) => w.close()), kosmos.close(), salesforce.close()]);
});

// --- helpers -----------------------------------------------------------------

async function post(base, path, body, headers = {}) {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text, headers: res.headers };
}

/**
 * A POST through node:http on its own connection, for bodies the Worker
 * refuses before reading them all (the connection is then not reusable, so
 * it must not go back to fetch's pool). `chunks` streams without a length.
 */
/**
 * POSTs with node:http, for bodies fetch would not send as wanted. A server
 * that answers 413 before reading the whole body may close the connection
 * under the writer; the answer can then be lost with the reset (TCP), so
 * that case resolves `{ status: 0, reset: true }` instead of hanging.
 */
function rawPost(base, path, { body, chunks }) {
  return new Promise((resolve, reject) => {
    let settled = false;
    const done = (v) => {
      if (!settled) {
        settled = true;
        resolve(v);
      }
    };
    const req = httpRequest(`${base}${path}`, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', connection: 'close' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => done({ status: res.statusCode, json: JSON.parse(text), text }));
      res.on('error', () => done({ status: 0, reset: true }));
    });
    req.on('error', (e) => {
      if (e.code !== 'EPIPE' && e.code !== 'ECONNRESET') return reject(e);
      // The answer may still be read from the socket; give it a moment.
      setTimeout(() => done({ status: 0, reset: true }), 1000);
    });
    if (body !== undefined) req.end(body);
    else {
      (async () => {
        for (const c of chunks) {
          if (req.destroyed) return;
          req.write(c);
          await new Promise((r) => setImmediate(r));
        }
        req.end();
      })();
    }
  });
}

/** `rawPost` until the 413 is read (a reset may swallow it); never any other answer. */
async function expect413(path, what) {
  for (let attempt = 0; attempt < 5; attempt++) {
    const r = await rawPost(worker.url, path, what);
    if (r.reset) continue;
    assert.equal(r.status, 413, r.text);
    return r;
  }
  throw new Error(`${path}: five connections reset before the 413 could be read`);
}

const eventsFor = (verificationId) => salesforce.state.received.filter((r) => r.object !== 'Task' && r.fields.Verification_Id__c === verificationId);
const tasksFor = (verificationId) => salesforce.state.received.filter((r) => r.object === 'Task' && r.fields.Description.includes(`: ${verificationId}\n`));

const sign = standardSigner(kosmos.webhookSecret);
let seq = 0;
/** A verification event as 1Kosmos sends it, with a fresh verification id. */
function idvEvent(extra = {}) {
  seq += 1;
  const sessionId = `ses_test_${Date.now()}_${seq}`;
  return {
    sessionId,
    body: JSON.stringify({
      type: 'idv.session.completed',
      timestamp: new Date().toISOString(),
      data: { session_id: sessionId, status: 'completed', ial_level: 'IAL2', verified_claims: null, metadata: { user_identifier: 'e2e@test', related_record_id: RECORD, ...extra } },
    }),
  };
}
async function deliver(base, { id, body, timestamp = Math.floor(Date.now() / 1000), headers }) {
  return post(base, '/v1/webhooks/1kosmos', body, headers ?? sign(id, timestamp, body));
}

const hmac = (body, secret = DESCOPE_SECRET) => createHmac('sha256', secret).update(body).digest('base64');

// --- basics ------------------------------------------------------------------

describe('worker basics', () => {
  test('GET /healthz answers ok with the core version', async () => {
    const res = await fetch(`${worker.url}/healthz`);
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.status, 'ok');
    assert.match(body.core, /^\d+\.\d+\.\d+/);
  });

  test('GET / serves the playground, with the package next to it', async () => {
    const page = await fetch(`${worker.url}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /kosmos-connect playground/);
    const wasm = await fetch(`${worker.url}/pkg/gen/kosmos_connect_bg.wasm`);
    assert.equal(wasm.status, 200);
    assert.ok((await wasm.arrayBuffer()).byteLength > 10_000);
  });

  test('unknown paths are 404 and wrong methods 405, as JSON errors', async () => {
    const nf = await post(worker.url, '/v1/nothing', {});
    assert.equal(nf.status, 404);
    assert.equal(nf.json.error.code, 'not_found');
    const res = await fetch(`${worker.url}/v1/descope/idv`);
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'POST');
    assert.equal((await res.json()).error.code, 'method_not_allowed');
  });

  for (const path of ['/v1/descope/idv', '/v1/descope/idv-result', '/v1/descope/step-up', '/v1/descope/step-up-result', '/v1/descope/risk']) {
    test(`${path}: malformed JSON is 400 invalid_json`, async () => {
      for (const body of ['{"session_id": ', '[1, 2]', 'null', '"text"', '']) {
        const r = await post(worker.url, path, body);
        assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.text}`);
        assert.equal(r.json.error.code, 'invalid_json');
        assert.equal(typeof r.json.error.message, 'string');
      }
    });
  }

  test('a body that is not JSON by content type is 415', async () => {
    const r = await post(worker.url, '/v1/descope/risk', 'risk_score=80', { 'content-type': 'application/x-www-form-urlencoded' });
    assert.equal(r.status, 415);
    assert.equal(r.json.error.code, 'unsupported_media_type');
  });

  test('oversized bodies are 413, whether declared or streamed', async () => {
    const declared = await expect413('/v1/descope/risk', { body: JSON.stringify({ pad: 'x'.repeat(70 * 1024) }) });
    assert.equal(declared.json.error.code, 'body_too_large');
    const streamed = await expect413('/v1/descope/idv', { chunks: Array.from({ length: 20 }, () => 'x'.repeat(16 * 1024)) });
    assert.equal(streamed.json.error.code, 'body_too_large');
    await expect413('/v1/webhooks/1kosmos', { body: JSON.stringify({ pad: 'x'.repeat(300 * 1024) }) });
    // The Worker still serves the next request.
    assert.equal((await fetch(`${worker.url}/healthz`)).status, 200);
  });

  test('errors carry no secret', async () => {
    kosmos.state.failNext = { count: 1, status: 401 };
    try {
      const r = await post(worker.url, '/v1/descope/idv-result', { session_id: 'ses_x' });
      assert.equal(r.status, 502);
      assert.equal(r.json.error.code, 'upstream_auth_failed');
      for (const secret of [kosmos.apiKey, kosmos.webhookSecret, salesforce.clientSecret]) assert.ok(!r.text.includes(secret));
    } finally {
      kosmos.state.failNext = { count: 0, status: 503 };
    }
  });
});

// --- Descope connector nodes --------------------------------------------------

describe('descope nodes: identity verification', () => {
  test('idv -> idv-result (pending, in_progress, completed at IAL2) -> webhook -> Platform Event + Task', async () => {
    const start = await post(worker.url, '/v1/descope/idv', {
      document_types: ['passport', 'drivers_license'], liveness_mode: 'passive', user_identifier: 'ada@test', metadata: { related_record_id: RECORD },
    });
    assert.equal(start.status, 200, start.text);
    assert.deepEqual(Object.keys(start.json).sort(), ['session_id', 'session_url']);
    assert.ok(start.json.session_url.startsWith(`${kosmos.url}/s/`));
    const session = kosmos.state.sessions.get(start.json.session_id);
    assert.equal(session.callback_url, `${worker.url}/v1/webhooks/1kosmos`);
    assert.equal(session.metadata.user_identifier, 'ada@test');

    const statuses = [];
    let last;
    for (let i = 0; i < 3; i += 1) {
      last = await post(worker.url, '/v1/descope/idv-result', { session_id: start.json.session_id });
      assert.equal(last.status, 200, last.text);
      assert.deepEqual(Object.keys(last.json).sort(), ['ial_level', 'status', 'verdict', 'verified_claims']);
      statuses.push(last.json.status);
    }
    assert.deepEqual(statuses, ['pending', 'in_progress', 'completed']);
    assert.equal(last.json.ial_level, 'IAL2');
    assert.deepEqual(last.json.verdict, { final: true, outcome: 'approved', reason: 'completed', required_ial: 'IAL2' });
    assert.equal(last.json.verified_claims.verification.trust_framework, 'nist_800_63A');

    const [event] = await waitFor('the platform event', () => eventsFor(start.json.session_id).length && eventsFor(start.json.session_id));
    assert.deepEqual(event.fields, {
      Verification_Id__c: start.json.session_id,
      Kind__c: 'idv',
      Status__c: 'completed',
      Decision__c: 'verify_identity',
      Occurred_At__c: event.fields.Occurred_At__c,
      User_Id__c: 'ada@test',
      IAL__c: 'IAL2',
      Related_Record_Id__c: RECORD,
      Delivery_Key__c: event.fields.Delivery_Key__c,
    });
    assert.ok(event.fields.Delivery_Key__c.length > 0, 'the event carries the webhook id to dedupe by');
    const [task] = await waitFor('the task', () => tasksFor(start.json.session_id).length && tasksFor(start.json.session_id));
    assert.equal(task.fields.Kosmos_Delivery_Key__c, event.fields.Delivery_Key__c, 'the Task was upserted by the same key');
    assert.equal(task.fields.WhatId, RECORD);
    assert.equal(task.fields.Subject, '1Kosmos IDV: completed (IAL2)');
    assert.equal(task.fields.Status, 'Completed');
    assert.match(task.fields.ActivityDate, /^\d{4}-\d{2}-\d{2}$/);
    await kosmos.settled();
    assert.equal(eventsFor(start.json.session_id).length, 1);
  });

  test('a declined session: status declined, no level, an event and no Task', async () => {
    const start = await post(worker.url, '/v1/descope/idv', { document_types: 'passport, id_card', liveness_mode: 'active', user_identifier: 'declined@test' });
    assert.equal(start.status, 200, start.text);
    assert.deepEqual(kosmos.state.sessions.get(start.json.session_id).document_types, ['passport', 'id_card']);
    await post(worker.url, '/v1/descope/idv-result', { session_id: start.json.session_id });
    const r = await post(worker.url, '/v1/descope/idv-result', { session_id: start.json.session_id });
    assert.deepEqual(r.json, { status: 'declined', ial_level: null, verified_claims: null, verdict: { final: true, outcome: 'rejected', reason: 'declined', required_ial: 'IAL2' } });
    const [event] = await waitFor('the platform event', () => eventsFor(start.json.session_id).length && eventsFor(start.json.session_id));
    assert.equal(event.fields.Status__c, 'declined');
    assert.equal(event.fields.IAL__c, undefined);
    assert.equal(tasksFor(start.json.session_id).length, 0);
  });

  test('a session that never completes stays in_progress', async () => {
    const start = await post(worker.url, '/v1/descope/idv', { document_types: ['passport'], liveness_mode: 'passive', user_identifier: 'timeout@test' });
    let r;
    for (let i = 0; i < 5; i += 1) r = await post(worker.url, '/v1/descope/idv-result', { session_id: start.json.session_id });
    assert.deepEqual(r.json, { status: 'in_progress', ial_level: null, verified_claims: null, verdict: { final: false, outcome: 'pending', reason: 'not_final', required_ial: 'IAL2' } });
  });

  test('bad input is 400 naming the field', async () => {
    const missing = await post(worker.url, '/v1/descope/idv', { liveness_mode: 'passive' });
    assert.equal(missing.status, 400);
    assert.equal(missing.json.error.field, 'document_types');
    const noLiveness = await post(worker.url, '/v1/descope/idv', { document_types: ['passport'] });
    assert.equal(noLiveness.status, 400);
    assert.equal(noLiveness.json.error.field, 'liveness_mode');
    const badType = await post(worker.url, '/v1/descope/idv', { document_types: ['library_card'], liveness_mode: 'passive' });
    assert.equal(badType.status, 400, badType.text);
    const noId = await post(worker.url, '/v1/descope/idv-result', {});
    assert.equal(noId.status, 400);
    assert.equal(noId.json.error.field, 'session_id');
  });

  test('a result read that names a user is answered only for the user the session was started for: 403 not_owner otherwise, 1Kosmos not asked', async () => {
    const start = await post(worker.url, '/v1/descope/idv', { document_types: ['passport'], liveness_mode: 'passive', user_identifier: 'ada@test' });
    assert.equal(start.status, 200, start.text);
    const id = start.json.session_id;
    const session = kosmos.state.sessions.get(id);
    const other = await post(worker.url, '/v1/descope/idv-result', { session_id: id, user_identifier: 'eve@test' });
    assert.equal(other.status, 403, other.text);
    assert.equal(other.json.error.code, 'not_owner');
    assert.equal(other.json.error.field, 'user_identifier');
    assert.ok(!other.text.includes('ada@test') && !other.text.includes('eve@test'), 'the answer names no user');
    assert.equal(session.reads, 0, 'a refused read does not reach 1Kosmos');
    let mine;
    for (let i = 0; i < 3; i += 1) mine = await post(worker.url, '/v1/descope/idv-result', { session_id: id, user_identifier: 'ada@test' });
    assert.equal(mine.status, 200, mine.text);
    assert.equal(mine.json.verdict.outcome, 'approved');
    // The binding outlives the final result: another user is still refused, the owner still answered.
    const after = await post(worker.url, '/v1/descope/idv-result', { session_id: id, user_identifier: 'eve@test' });
    assert.equal(after.status, 403, after.text);
    assert.equal((await post(worker.url, '/v1/descope/idv-result', { session_id: id, user_identifier: 'ada@test' })).json.verdict.outcome, 'approved');
    // A read that names no user is checked as before (old connector bodies).
    assert.equal((await post(worker.url, '/v1/descope/idv-result', { session_id: id })).status, 200);
    // A session started without a user has no owner: a read that names one is refused, with the same answer.
    const anonymous = await post(worker.url, '/v1/descope/idv', { document_types: ['passport'], liveness_mode: 'passive' });
    assert.equal(anonymous.status, 200, anonymous.text);
    const unbound = await post(worker.url, '/v1/descope/idv-result', { session_id: anonymous.json.session_id, user_identifier: 'ada@test' });
    assert.equal(unbound.status, 403, unbound.text);
    assert.deepEqual(unbound.json, other.json, 'the same answer as for another user\'s session');
    assert.equal((await post(worker.url, '/v1/descope/idv-result', { session_id: anonymous.json.session_id })).status, 200);
  });

  test('an unknown session is 404', async () => {
    const r = await post(worker.url, '/v1/descope/idv-result', { session_id: 'ses_unknown' });
    assert.equal(r.status, 404);
    assert.equal(r.json.error.code, 'not_found');
  });

  test('1Kosmos outages and refusals map to 503 and 502', async () => {
    // One 503: the package's client retries (the core's retry policy; a create goes again with its idempotency key).
    const before = kosmos.state.requests;
    kosmos.state.failNext = { count: 1, status: 503 };
    const retried = await post(worker.url, '/v1/descope/idv', { document_types: ['passport'], liveness_mode: 'passive' });
    assert.equal(retried.status, 200, retried.text);
    assert.equal(kosmos.state.requests - before, 2, 'one failed attempt, one retry');
    // 503 on every attempt (1 + KOSMOS_MAX_RETRIES default 2): the outage reaches the caller.
    kosmos.state.failNext = { count: 3, status: 503 };
    const down = await post(worker.url, '/v1/descope/idv', { document_types: ['passport'], liveness_mode: 'passive' });
    assert.equal(down.status, 503);
    assert.equal(down.json.error.code, 'upstream_unavailable');
    // An upstream 408 is the core's retryable `timeout`: 504 from the table, never a 502 by a JS rule.
    kosmos.state.failNext = { count: 3, status: 408 };
    const slow = await post(worker.url, '/v1/descope/idv-result', { session_id: 'ses_x' });
    assert.equal(slow.status, 504, slow.text);
    assert.equal(slow.json.error.code, 'timeout');
    kosmos.state.failNext = { count: 1, status: 401 };
    const refused = await post(worker.url, '/v1/descope/idv', { document_types: ['passport'], liveness_mode: 'passive' });
    assert.equal(refused.status, 502);
    assert.equal(refused.json.error.code, 'upstream_auth_failed');
  });

  test('Idempotency-Key: the same call twice makes one session; another body with the key is 422', async () => {
    const key = `idem-${Date.now()}`;
    const body = { document_types: ['passport'], liveness_mode: 'passive', user_identifier: 'idem@test' };
    const before = kosmos.state.sessions.size;
    const a = await post(worker.url, '/v1/descope/idv', body, { 'idempotency-key': key });
    const b = await post(worker.url, '/v1/descope/idv', body, { 'idempotency-key': key });
    assert.equal(a.status, 200);
    assert.deepEqual(b.json, a.json);
    assert.equal(kosmos.state.sessions.size, before + 1);
    const c = await post(worker.url, '/v1/descope/idv', { ...body, liveness_mode: 'active' }, { 'idempotency-key': key });
    assert.equal(c.status, 422);
    assert.equal(c.json.error.code, 'idempotency_key_reused');
  });
});

describe('descope nodes: LiveID step-up', () => {
  async function stepUp(user, action) {
    const start = await post(worker.url, '/v1/descope/step-up', action === undefined ? { user_identifier: user } : { user_identifier: user, action });
    return start;
  }

  test('match@test: step-up -> step-up-result match 0.97 -> webhook -> Platform Event, no Task', async () => {
    const start = await stepUp('match@test', 'Wire $12,500 to ACME');
    assert.equal(start.status, 200, start.text);
    assert.deepEqual(Object.keys(start.json).sort(), ['challenge_id', 'challenge_url']);
    assert.equal(kosmos.state.challenges.get(start.json.challenge_id).action_description, 'Wire $12,500 to ACME');
    const r = await post(worker.url, '/v1/descope/step-up-result', { challenge_id: start.json.challenge_id });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, { status: 'completed', match_result: 'match', confidence: 0.97, verdict: { final: true, outcome: 'approved', reason: 'match' } });
    const [event] = await waitFor('the platform event', () => eventsFor(start.json.challenge_id).length && eventsFor(start.json.challenge_id));
    assert.equal(event.fields.Kind__c, 'step_up');
    assert.equal(event.fields.Match_Result__c, 'match');
    assert.equal(event.fields.Confidence__c, 0.97);
    assert.equal(event.fields.User_Id__c, 'match@test');
    assert.equal(event.fields.Decision__c, 'step_up');
    assert.equal(tasksFor(start.json.challenge_id).length, 0);
  });

  test('step-up metadata (as the Lightning component sends it) reaches the event and the Task on the record', async () => {
    const record = '006000000000001AAA';
    const start = await post(worker.url, '/v1/descope/step-up', {
      user_identifier: 'match@test',
      action: 'Funds transfer of $12,500.00 (Opportunity 006000000000001AAA)',
      metadata: { related_record_id: record, action_type: 'funds_transfer', decision: 'step_up', rule: 'large-transfer' },
    });
    assert.equal(start.status, 200, start.text);
    await post(worker.url, '/v1/descope/step-up-result', { challenge_id: start.json.challenge_id });
    const [event] = await waitFor('the platform event', () => eventsFor(start.json.challenge_id).length && eventsFor(start.json.challenge_id));
    assert.equal(event.fields.Related_Record_Id__c, record);
    assert.equal(event.fields.Decision__c, 'step_up');
    const [task] = await waitFor('the task', () => tasksFor(start.json.challenge_id).length && tasksFor(start.json.challenge_id));
    assert.equal(task.fields.WhatId, record);
    assert.equal(task.fields.Subject, '1Kosmos step-up: match (0.97)');
    assert.match(task.fields.Description, /rule large-transfer/);
    assert.match(task.fields.Description, /Action: funds_transfer/);
    const tooMany = Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, 'v']));
    const bad = await post(worker.url, '/v1/descope/step-up', { user_identifier: 'match@test', metadata: tooMany });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error.field, 'metadata');
  });

  test('nomatch@test never matches', async () => {
    const start = await stepUp('nomatch@test');
    const r = await post(worker.url, '/v1/descope/step-up-result', { challenge_id: start.json.challenge_id });
    assert.deepEqual(r.json, { status: 'completed', match_result: 'no_match', confidence: 0.12, verdict: { final: true, outcome: 'rejected', reason: 'no_match' } });
    const [event] = await waitFor('the platform event', () => eventsFor(start.json.challenge_id).length && eventsFor(start.json.challenge_id));
    assert.equal(event.fields.Match_Result__c, 'no_match');
    assert.equal(event.fields.Confidence__c, 0.12);
  });

  test('slow-match@test matches at the third read; timeout@test never completes', async () => {
    const slow = await stepUp('slow-match@test');
    const seen = [];
    for (let i = 0; i < 3; i += 1) seen.push((await post(worker.url, '/v1/descope/step-up-result', { challenge_id: slow.json.challenge_id })).json.match_result);
    assert.deepEqual(seen, ['pending', 'pending', 'match']);
    const never = await stepUp('timeout@test');
    for (let i = 0; i < 3; i += 1) {
      const r = await post(worker.url, '/v1/descope/step-up-result', { challenge_id: never.json.challenge_id });
      assert.equal(r.json.match_result, 'pending');
      assert.equal(r.json.confidence, null);
    }
  });

  test('a result read that names a user is answered only for the user the challenge was started for: 403 not_owner otherwise, nothing read, no slot freed', async () => {
    const start = await stepUp('match@test');
    assert.equal(start.status, 200, start.text);
    const id = start.json.challenge_id;
    const challenge = kosmos.state.challenges.get(id);
    const other = await post(worker.url, '/v1/descope/step-up-result', { challenge_id: id, user_identifier: 'nomatch@test' });
    assert.equal(other.status, 403, other.text);
    assert.equal(other.json.error.code, 'not_owner');
    assert.equal(other.json.error.field, 'user_identifier');
    assert.ok(!other.text.includes('match@test'), 'the answer names no user');
    assert.equal(challenge.reads, 0, 'a refused read does not reach 1Kosmos');
    // An id nobody started is refused with the very same answer: a refusal tells nobody whose an id is.
    const unknown = await post(worker.url, '/v1/descope/step-up-result', { challenge_id: 'chl_unknown', user_identifier: 'nomatch@test' });
    assert.equal(unknown.status, 403, unknown.text);
    assert.deepEqual(unknown.json, other.json);
    const mine = await post(worker.url, '/v1/descope/step-up-result', { challenge_id: id, user_identifier: 'match@test' });
    assert.equal(mine.status, 200, mine.text);
    assert.deepEqual(mine.json.verdict, { final: true, outcome: 'approved', reason: 'match' });
    // The binding outlives the final result (which freed the slot): the passed challenge is still not another user's.
    const after = await post(worker.url, '/v1/descope/step-up-result', { challenge_id: id, user_identifier: 'nomatch@test' });
    assert.equal(after.status, 403, after.text);
    assert.equal(challenge.reads, 1);
    const again = await post(worker.url, '/v1/descope/step-up-result', { challenge_id: id, user_identifier: ' match@test ' });
    assert.equal(again.status, 200, 'the user is compared as the start took it (trimmed)');
    // A read that names no user is checked as before (old connector bodies); an empty one names none.
    assert.equal((await post(worker.url, '/v1/descope/step-up-result', { challenge_id: id })).status, 200);
    assert.equal((await post(worker.url, '/v1/descope/step-up-result', { challenge_id: id, user_identifier: '' })).status, 200);
    const wrongType = await post(worker.url, '/v1/descope/step-up-result', { challenge_id: id, user_identifier: 7 });
    assert.equal(wrongType.status, 400);
    assert.equal(wrongType.json.error.field, 'user_identifier');
  });

  test('a user without enrollment is 404; a missing user is 400', async () => {
    const r = await stepUp('stranger@test');
    assert.equal(r.status, 404);
    const missing = await post(worker.url, '/v1/descope/step-up', { action: 'x' });
    assert.equal(missing.status, 400);
    assert.equal(missing.json.error.field, 'user_identifier');
  });
});

describe('blockid-tenant profile (the encrypted envelope)', () => {
  test('idv -> idv-result through the envelope; step-up is not offered', async () => {
    const tenant = await startBlockId();
    const ours = generateKeyPair('secp256k1');
    const w = await startWorker({ vars: vars(tenant.workerVars(ours.privateKey)), assets: false, queue: false });
    try {
      const start = await post(w.url, '/v1/descope/idv', { document_types: ['passport'], liveness_mode: 'passive', user_identifier: 'envelope@test' });
      assert.equal(start.status, 200, start.text);
      assert.ok(start.json.session_url.startsWith(`${tenant.url}/d/`));
      assert.equal(tenant.state.sessions.get(start.json.session_id).user, 'envelope@test');
      assert.equal(tenant.state.sessions.get(start.json.session_id).documentType, 'ppt_object');
      const seen = [];
      let r;
      for (let i = 0; i < 3; i += 1) {
        r = await post(w.url, '/v1/descope/idv-result', { session_id: start.json.session_id });
        assert.equal(r.status, 200, r.text);
        seen.push(r.json.status);
      }
      assert.deepEqual(seen, ['pending', 'in_progress', 'completed']);
      assert.equal(r.json.ial_level, 'IAL2');
      const claimSet = Array.isArray(r.json.verified_claims) ? r.json.verified_claims[0] : r.json.verified_claims;
      assert.equal(claimSet.claims.given_name, 'Test');
      assert.equal(claimSet.claims.birthdate, '1990-01-01');
      const declined = await post(w.url, '/v1/descope/idv', { document_types: 'drivers_license', liveness_mode: 'passive', user_identifier: 'declined@test' });
      await post(w.url, '/v1/descope/idv-result', { session_id: declined.json.session_id });
      assert.equal((await post(w.url, '/v1/descope/idv-result', { session_id: declined.json.session_id })).json.status, 'declined');
      const step = await post(w.url, '/v1/descope/step-up', { user_identifier: 'match@test' });
      assert.equal(step.status, 501, step.text);
      assert.equal(step.json.error.code, 'not_supported');
      assert.equal(tenant.state.seenRequestIds.size, tenant.state.requests, 'every request carried a fresh requestid');
    } finally {
      await w.close();
      await tenant.close();
    }
  });
});

// --- risk ----------------------------------------------------------------------

describe('descope risk node', () => {
  const flow = (riskScore, knownDevice) => ({ riskInfo: { riskScore }, user: { fingerprint: { knownDevice } } });
  test('the configured policy decides: allow, step_up with max age, deny', async () => {
    const allow = await post(worker.url, '/v1/descope/risk', flow(0.1, true));
    assert.equal(allow.status, 200, allow.text);
    assert.deepEqual(allow.json, { decision: 'allow', rule: 'default', reasons: allow.json.reasons });
    const step = await post(worker.url, '/v1/descope/risk', flow(0.8, true));
    assert.equal(step.json.decision, 'step_up');
    assert.equal(step.json.rule, 'risky-login');
    assert.deepEqual(step.json.step_up, { max_age_s: 900 });
    const deny = await post(worker.url, '/v1/descope/risk', flow(0.99, false));
    assert.equal(deny.json.decision, 'deny');
    assert.equal(deny.json.rule, 'bot-on-new-device');
  });

  test('examples/policies/descope-adaptive-mfa.json through the worker, case by case', async () => {
    const vectorsPath = ['policy-examples.json', join('policy', 'examples.json')]
      .map((f) => join(root, 'tests', 'vectors', f)).find((f) => existsSync(f));
    assert.ok(vectorsPath, 'the example policy vectors are in tests/vectors/');
    const vectors = JSON.parse(readFileSync(vectorsPath, 'utf8'));
    const entry = vectors.examples.find((e) => (e.file ?? e.policy).endsWith('descope-adaptive-mfa.json'));
    const policy = typeof entry.policy === 'object' ? JSON.stringify(entry.policy) : readFileSync(join(root, entry.policy), 'utf8');
    const cases = entry.cases.filter((c) => c.descope && c.with === undefined);
    assert.ok(cases.length >= 5, `only ${cases.length} descope cases without extra signals`);
    const w = await startWorker({ vars: vars({ POLICY: policy }), assets: false, queue: false });
    try {
      for (const c of cases) {
        const r = await post(w.url, '/v1/descope/risk', c.descope);
        if (c.error) {
          assert.equal(r.status, 400, `${c.name}: ${r.text}`);
          assert.equal(r.json.error.code, c.error.code, c.name);
          if (c.error.field) assert.equal(r.json.error.field, c.error.field, c.name);
          continue;
        }
        assert.equal(r.status, 200, `${c.name}: ${r.text}`);
        assert.deepEqual(Object.keys(r.json).filter((k) => !['decision', 'rule', 'reasons', 'required_ial', 'step_up'].includes(k)), [], c.name);
        assert.equal(r.json.decision, c.decision, c.name);
        if (c.rule) assert.equal(r.json.rule, c.rule, c.name);
        if (c.required_ial) assert.equal(r.json.required_ial, c.required_ial, c.name);
        if (c.step_up) assert.deepEqual(r.json.step_up, c.step_up, c.name);
        assert.ok(Array.isArray(r.json.reasons) && r.json.reasons.length > 0, c.name);
      }
      // `action`, a name or { type, amount, currency }, is read by the core too; its errors name the caller's field.
      const calm = cases.find((c) => c.decision === 'allow');
      for (const action of ['login', { type: 'funds_transfer', amount: '12.50', currency: 'USD' }]) {
        const r = await post(w.url, '/v1/descope/risk', { ...calm.descope, action });
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.decision, 'allow');
      }
      const badName = await post(w.url, '/v1/descope/risk', { ...calm.descope, action: 'teleport' });
      assert.equal(badName.status, 400, badName.text);
      assert.equal(badName.json.error.field, 'action');
      const badAmount = await post(w.url, '/v1/descope/risk', { ...calm.descope, action: { type: 'funds_transfer', amount: '12.505', currency: 'USD' } });
      assert.equal(badAmount.status, 400, badAmount.text);
      assert.equal(badAmount.json.error.field, 'action.amount');
    } finally {
      await w.close();
    }
  });

  test('a malformed context is 400, an unusable policy 500 misconfigured', async () => {
    const bad = await post(worker.url, '/v1/descope/risk', '{"risk_score": }');
    assert.equal(bad.status, 400);
    const w = await startWorker({ vars: vars({ POLICY: '{"version": 1, "rules": "no"}' }), assets: false, queue: false });
    try {
      const r = await post(w.url, '/v1/descope/risk', { risk_score: 1 });
      assert.equal(r.status, 500);
      assert.equal(r.json.error.code, 'misconfigured');
    } finally {
      await w.close();
    }
  });
});

// --- Descope HMAC ----------------------------------------------------------------

describe('descope signature (DESCOPE_HMAC_SECRET set)', () => {
  const body = JSON.stringify({ risk_score: 10, new_device: false });
  test('an unsigned call is 401 missing_signature, on every descope endpoint', async () => {
    for (const path of ['/v1/descope/idv', '/v1/descope/idv-result', '/v1/descope/step-up', '/v1/descope/step-up-result', '/v1/descope/risk']) {
      const r = await post(signedDescope.url, path, body);
      assert.equal(r.status, 401, path);
      assert.equal(r.json.error.code, 'missing_signature');
    }
  });

  test('a wrong signature is 401; the right one passes', async () => {
    const wrong = await post(signedDescope.url, '/v1/descope/risk', body, { 'x-descope-webhook-s256': hmac(body, 'another-secret') });
    assert.equal(wrong.status, 401, wrong.text);
    assert.ok(!wrong.text.includes(hmac(body)), 'the expected signature must not be in the answer');
    const tampered = await post(signedDescope.url, '/v1/descope/risk', body.replace('10', '11'), { 'x-descope-webhook-s256': hmac(body) });
    assert.equal(tampered.status, 401);
    const right = await post(signedDescope.url, '/v1/descope/risk', body, { 'x-descope-webhook-s256': hmac(body) });
    assert.notEqual(right.status, 401, right.text);
  });

  test('webhooks and health are not affected', async () => {
    assert.equal((await fetch(`${signedDescope.url}/healthz`)).status, 200);
    const ev = idvEvent();
    const r = await deliver(signedDescope.url, { id: `msg_hmac_${seq}`, body: ev.body });
    assert.equal(r.status, 200, r.text);
  });
});

// --- webhooks ------------------------------------------------------------------------

describe('1Kosmos webhook -> Salesforce', () => {
  test('a signed delivery publishes the Platform Event and the Task once; a repeat is acknowledged as duplicate', async () => {
    const ev = idvEvent();
    const id = `msg_dup_${seq}`;
    const first = await deliver(worker.url, { id, body: ev.body });
    assert.equal(first.status, 200, first.text);
    assert.deepEqual(first.json, { status: 'published', id });
    const again = await deliver(worker.url, { id, body: ev.body });
    assert.equal(again.status, 200);
    assert.deepEqual(again.json, { status: 'duplicate', id });
    assert.equal(eventsFor(ev.sessionId).length, 1);
    assert.equal(tasksFor(ev.sessionId).length, 1);
  });

  test('eight copies at once publish exactly once', async () => {
    const ev = idvEvent();
    const id = `msg_burst_${seq}`;
    const answers = await Promise.all(Array.from({ length: 8 }, () => deliver(worker.url, { id, body: ev.body })));
    const statuses = answers.map((a) => a.status).sort();
    assert.ok(statuses.every((s) => s === 200 || s === 409), statuses.join());
    assert.equal(answers.filter((a) => a.json?.status === 'published').length, 1);
    await waitFor('any in-flight copy to settle', async () => (await deliver(worker.url, { id, body: ev.body })).json?.status === 'duplicate');
    assert.equal(eventsFor(ev.sessionId).length, 1);
    assert.equal(tasksFor(ev.sessionId).length, 1);
  });

  test('signature failures are 401 with the reason, and nothing is published', async () => {
    const ev = idvEvent();
    const now = Math.floor(Date.now() / 1000);
    const good = sign(`msg_sig_${seq}`, now, ev.body);
    const cases = [
      ['tampered body', ev.body.replace('IAL2', 'IAL3'), good, 'no_matching_signature'],
      ['wrong secret', ev.body, standardSigner('whsec_d3Jvbmctc2VjcmV0LXdyb25nLXNlY3JldC0wMA==')(`msg_sig_${seq}`, now, ev.body), 'no_matching_signature'],
      ['no signature header', ev.body, { 'webhook-id': good['webhook-id'], 'webhook-timestamp': good['webhook-timestamp'] }, 'missing_header'],
      ['stale timestamp', ev.body, sign(`msg_sig_${seq}`, now - 3600, ev.body), 'timestamp_too_old'],
      ['future timestamp', ev.body, sign(`msg_sig_${seq}`, now + 3600, ev.body), 'timestamp_in_future'],
    ];
    for (const [name, body, headers, code] of cases) {
      const r = await deliver(worker.url, { body, headers });
      assert.equal(r.status, 401, `${name}: ${r.text}`);
      assert.equal(r.json.error.code, code, name);
      assert.ok(!r.text.includes(good['webhook-signature'].slice(3)), `${name}: no expected signature in the answer`);
    }
    assert.equal(eventsFor(ev.sessionId).length, 0);
  });

  test('an authentic body that is not a verification event is 400 invalid_event', async () => {
    for (const body of ['{"type":"billing.invoice","data":{}}', '{"type":"idv.session.completed"}', 'not json']) {
      const r = await deliver(worker.url, { id: `msg_bad_${(seq += 1)}`, body });
      assert.equal(r.status, 400, `${body}: ${r.text}`);
      assert.equal(r.json.error.code, 'invalid_event');
    }
  });

  test('a revoked Salesforce token is refreshed once and the publish succeeds', async () => {
    const issued = salesforce.state.tokensIssued;
    salesforce.state.tokens.clear();
    const ev = idvEvent();
    const r = await deliver(worker.url, { id: `msg_tok_${seq}`, body: ev.body });
    assert.equal(r.status, 200, r.text);
    assert.equal(salesforce.state.tokensIssued, issued + 1);
    assert.equal(eventsFor(ev.sessionId).length, 1);
  });

  test('Salesforce down: the event is queued (202), then published once when it is back', async () => {
    await fetch(`${salesforce.url}/__down?mode=reset`, { method: 'POST' });
    const ev = idvEvent();
    const id = `msg_q_${seq}`;
    try {
      const r = await deliver(worker.url, { id, body: ev.body });
      assert.equal(r.status, 202, r.text);
      assert.deepEqual(r.json, { status: 'queued', id });
      const again = await deliver(worker.url, { id, body: ev.body });
      assert.equal(again.json.status, 'duplicate');
      await new Promise((res) => setTimeout(res, 500));
      assert.equal(eventsFor(ev.sessionId).length, 0);
    } finally {
      await fetch(`${salesforce.url}/__recover`, { method: 'POST' });
    }
    await waitFor('the queued event', () => eventsFor(ev.sessionId).length === 1 && tasksFor(ev.sessionId).length === 1, 20_000);
    await new Promise((res) => setTimeout(res, 1500));
    assert.equal(eventsFor(ev.sessionId).length, 1);
    assert.equal(tasksFor(ev.sessionId).length, 1);
  });

  test('the Task fails after the event went out: the queue creates only the Task', async () => {
    await fetch(`${salesforce.url}/__fail?count=1&object=Task`, { method: 'POST' });
    const ev = idvEvent();
    const r = await deliver(worker.url, { id: `msg_part_${seq}`, body: ev.body });
    assert.equal(r.status, 202, r.text);
    await waitFor('the task', () => tasksFor(ev.sessionId).length === 1, 20_000);
    await new Promise((res) => setTimeout(res, 1000));
    assert.equal(eventsFor(ev.sessionId).length, 1);
    assert.equal(tasksFor(ev.sessionId).length, 1);
  });
});

describe('unreachable Salesforce without a queue: the sender retries', () => {
  test('not acknowledged while Salesforce is down; the stand-in\'s retry publishes exactly once', async () => {
    await fetch(`${salesforce.url}/__down?mode=reset`, { method: 'POST' });
    // A session at the 1Kosmos stand-in that calls back the queue-less Worker.
    const auth = { authorization: `Bearer ${kosmos.apiKey}`, 'content-type': 'application/json' };
    const created = await (await fetch(`${kosmos.url}/v1/verify/sessions`, {
      method: 'POST', headers: auth,
      body: JSON.stringify({ document_types: ['passport'], liveness_mode: 'passive', callback_url: `${noQueue.url}/v1/webhooks/1kosmos`, metadata: { user_identifier: 'retry@test', related_record_id: RECORD } }),
    })).json();
    for (let i = 0; i < 3; i += 1) await fetch(`${kosmos.url}/v1/verify/sessions/${created.session_id}`, { headers: auth });
    const delivery = kosmos.state.deliveries.find((d) => d.body.includes(created.session_id));
    try {
      await waitFor('two refused attempts', () => delivery.attempts.filter((a) => a.status !== null).length >= 2);
      for (const a of delivery.attempts.filter((x) => x.status !== null)) assert.equal(a.status, 503);
      assert.equal(eventsFor(created.session_id).length, 0);
    } finally {
      await fetch(`${salesforce.url}/__recover`, { method: 'POST' });
    }
    await waitFor('the delivery to be acknowledged', () => delivery.state === 'delivered', 20_000);
    assert.equal(delivery.attempts.at(-1).status, 200);
    assert.equal(eventsFor(created.session_id).length, 1);
    assert.equal(tasksFor(created.session_id).length, 1);
  });

  test('event published, Task refused: 503, and the retry creates only the Task', async () => {
    await fetch(`${salesforce.url}/__fail?count=1&object=Task`, { method: 'POST' });
    const ev = idvEvent();
    const id = `msg_nq_${seq}`;
    const first = await deliver(noQueue.url, { id, body: ev.body });
    assert.equal(first.status, 503, first.text);
    assert.equal(first.json.error.code, 'salesforce_unavailable');
    assert.ok(first.headers.get('retry-after'));
    assert.equal(eventsFor(ev.sessionId).length, 1);
    assert.equal(tasksFor(ev.sessionId).length, 0);
    const retry = await deliver(noQueue.url, { id, body: ev.body });
    assert.equal(retry.status, 200, retry.text);
    assert.equal(eventsFor(ev.sessionId).length, 1);
    assert.equal(tasksFor(ev.sessionId).length, 1);
    const third = await deliver(noQueue.url, { id, body: ev.body });
    assert.equal(third.json.status, 'duplicate');
  });
});

// --- the Salesforce contract ------------------------------------------------------------

describe('salesforce contract', () => {
  test('the event fields are the object metadata\'s (or the contract\'s until it ships)', () => {
    const fromXml = readObjectFields('Kosmos_Verification__e');
    const defs = fromXml ?? CONTRACT_EVENT_FIELDS;
    assert.equal(salesforce.fieldsFrom, fromXml ? 'object metadata' : 'contract', `metadata dir: ${OBJECTS_DIR}`);
    for (const name of Object.keys(CONTRACT_EVENT_FIELDS)) assert.ok(name in defs, `${name} is not in the object metadata`);
    const sent = new Set(salesforce.state.received.filter((r) => r.object !== 'Task').flatMap((r) => Object.keys(r.fields)));
    assert.ok(sent.size >= 6, `only ${[...sent].join(', ')} were sent`);
    for (const name of sent) assert.ok(name in defs, `the worker sent ${name}, which the object does not define`);
  });

  test('Salesforce refused nothing the Worker sent during this run', () => {
    assert.deepEqual(salesforce.state.rejected, []);
  });

  test('every event and Task the Worker sent passes the Salesforce side\'s own record checkers', () => {
    assert.ok(readPlatformEvent().fields.Verification_Id__c, 'the object metadata is readable');
    const events = salesforce.state.received.filter((r) => r.object !== 'Task');
    const tasks = salesforce.state.received.filter((r) => r.object === 'Task');
    assert.ok(events.length >= 5 && tasks.length >= 3, `${events.length} events, ${tasks.length} tasks`);
    for (const e of events) assert.deepEqual(eventRecordProblems(e.fields), [], JSON.stringify(e.fields));
    for (const t of tasks) {
      const { Priority: _, ...contractFields } = t.fields;
      assert.deepEqual(taskRecordProblems(contractFields), [], JSON.stringify(t.fields));
    }
  });
});
