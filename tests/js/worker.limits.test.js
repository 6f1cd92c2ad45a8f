// Abuse limits of the real Worker (workerd through miniflare, with its Workers
// Rate Limiting bindings and the ReplayGuard Durable Object) against the
// 1Kosmos and Salesforce stand-ins: a flood from one caller is cut off with
// 429 + Retry-After, another caller is not affected, and the per-user cap on
// open step-up challenges holds and frees up when a challenge is finished
// (its result read, or its webhook) or expires.
//
// Miniflare counts a rate limit in fixed windows of the period aligned on the
// epoch (node_modules/miniflare/dist/src/workers/ratelimit/ratelimit.worker.js),
// so each flood starts with at least 10 s left in its minute: all of it then
// falls in one window and exactly LIMIT calls get through.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { codeInfo } from '../../pkg/codes.js';
import { startKosmos } from '../../www/sandbox/kosmos.mjs';
import { startSalesforce } from '../../www/sandbox/salesforce.mjs';
import { messageId, standardSigner } from '../../www/sandbox/sign.mjs';
import { parseJsonc, sandboxVars, startWorker, wranglerConfig } from '../../www/worker/dev.mjs';
import { root } from './hosts.js';

const LIMIT = 3;
const FLOOD = 4 * LIMIT;
const TTL_S = 4;
const DESCOPE_SECRET = 'descope-secret-for-the-limits-test';

const kosmos = await startKosmos();
const salesforce = await startSalesforce();
const ratelimits = {
  IDV_RATE_LIMIT: { limit: LIMIT, period: 60 },
  STEP_UP_RATE_LIMIT: { limit: LIMIT, period: 60 },
  OIDC_RATE_LIMIT: { limit: LIMIT, period: 60 },
};
const AUDIT_SECRET = 'descope-audit-secret-for-the-limits-test';
// Every sign-up is sent to IDV by this policy (the audit hook's paid call).
const VERIFY_ALL = JSON.stringify({ version: 1, rules: [], default: { decision: 'verify_identity', required_ial: 'IAL2' } });
// Unsigned calls: the caller is the client address.
const open = await startWorker({ vars: sandboxVars(kosmos, salesforce, { DESCOPE_AUDIT_HMAC_SECRET: AUDIT_SECRET, POLICY: VERIFY_ALL }), ratelimits, assets: false, queue: false });
// Signed calls: the caller is the user the (authenticated) body names.
const signed = await startWorker({ vars: sandboxVars(kosmos, salesforce, { DESCOPE_HMAC_SECRET: DESCOPE_SECRET }), ratelimits, assets: false, queue: false });
// The open-challenge cap: 2 per user, for TTL_S; a rate limit these tests stay under.
const capped = await startWorker({
  vars: sandboxVars(kosmos, salesforce, { STEP_UP_MAX_OPEN: '2', STEP_UP_OPEN_TTL_S: String(TTL_S) }),
  ratelimits: { STEP_UP_RATE_LIMIT: { limit: 100, period: 60 } },
  assets: false,
  queue: false,
});

// No Rate Limiting bindings at all (a deployment that dropped `ratelimits`).
const unbound = await startWorker({ vars: sandboxVars(kosmos, salesforce), assets: false, queue: false, miniflare: { ratelimits: {} } });

after(async () => {
  await Promise.allSettled([open.close(), signed.close(), capped.close(), unbound.close(), kosmos.close(), salesforce.close()]);
});

async function call(base, method, path, { body, ip, secret, headers = {} } = {}) {
  const text = body === undefined ? undefined : JSON.stringify(body);
  const h = { ...headers };
  if (text !== undefined) h['content-type'] = 'application/json';
  if (ip) h['cf-connecting-ip'] = ip;
  if (secret) h['x-descope-webhook-s256'] = createHmac('sha256', secret).update(text).digest('base64');
  const res = await fetch(`${base}${path}`, { method, headers: h, body: text, redirect: 'manual' });
  const raw = await res.text();
  let json;
  try {
    json = JSON.parse(raw);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text: raw, headers: res.headers };
}

const IDV = { document_types: ['passport'], liveness_mode: 'passive' };

/** Waits, if need be, until at least 10 s are left in the current 60 s window. */
async function freshWindow() {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < 10_000) await new Promise((r) => setTimeout(r, left + 100));
}

/** `n` calls one after the other, in one rate-limit window; the answers. */
async function flood(n, fn) {
  await freshWindow();
  const out = [];
  for (let i = 0; i < n; i += 1) out.push(await fn(i));
  return out;
}

function assertCutOff(results, what) {
  // The first LIMIT get through, every later one is refused.
  assert.deepEqual(results.map((r) => r.status === 429), results.map((_, i) => i >= LIMIT), `${what}: ${results.map((r) => r.status).join(' ')}`);
  const ok = results.slice(0, LIMIT);
  const limited = results.slice(LIMIT);
  for (const r of ok) assert.ok(r.status < 400, `${what}: ${r.status} ${r.text}`);
  for (const r of limited) {
    assert.equal(r.json.error.code, 'too_many_requests', r.text);
    assert.equal(r.headers.get('retry-after'), '60');
    assert.match(r.headers.get('content-type'), /^application\/json/);
  }
}

describe('the configuration', () => {
  test('every limited endpoint has a Rate Limiting binding whose period RATE_LIMIT_PERIOD_S repeats', () => {
    const w = wranglerConfig();
    const text = readFileSync(join(root, 'www', 'worker', 'src', 'limits.js'), 'utf8');
    const names = [...text.matchAll(/: '([A-Z_]+_RATE_LIMIT)'/g)].map((m) => m[1]);
    assert.deepEqual(names.sort(), ['IDV_RATE_LIMIT', 'OIDC_RATE_LIMIT', 'STEP_UP_RATE_LIMIT']);
    const periods = JSON.parse(w.vars.RATE_LIMIT_PERIOD_S);
    for (const name of names) {
      const b = w.ratelimits.find((r) => r.name === name);
      assert.ok(b, `${name} is not in wrangler.jsonc ratelimits`);
      assert.ok([10, 60].includes(b.simple.period));
      assert.ok(b.simple.limit > 0);
      assert.equal(periods[name], b.simple.period, `${name}: RATE_LIMIT_PERIOD_S says ${periods[name]}, the binding ${b.simple.period}`);
    }
    assert.equal(new Set(w.ratelimits.map((r) => r.namespace_id)).size, w.ratelimits.length, 'each binding counts in its own namespace');
    assert.ok(Number(w.vars.STEP_UP_MAX_OPEN) >= 1 && Number(w.vars.STEP_UP_OPEN_TTL_S) >= 60);
    // parseJsonc is what dev.mjs feeds miniflare with.
    assert.deepEqual(parseJsonc(readFileSync(join(root, 'www', 'worker', 'wrangler.jsonc'), 'utf8')).ratelimits, w.ratelimits);
  });

  test('without its Rate Limiting binding a paid endpoint fails closed (500 misconfigured, nothing sent to 1Kosmos); the others still work', async () => {
    const before = kosmos.state.sessions.size;
    const idv = await call(unbound.url, 'POST', '/v1/descope/idv', { body: IDV });
    assert.equal(idv.status, 500, idv.text);
    assert.equal(idv.json.error.code, 'misconfigured');
    assert.match(idv.json.error.message, /IDV_RATE_LIMIT/);
    assert.equal(kosmos.state.sessions.size, before);
    assert.equal((await call(unbound.url, 'POST', '/v1/descope/step-up', { body: { user_identifier: 'match@test' } })).json.error.code, 'misconfigured');
    assert.equal((await call(unbound.url, 'GET', '/v1/oidc/start')).status, 500);
    assert.equal((await call(unbound.url, 'GET', '/healthz')).status, 200);
    const risk = await call(unbound.url, 'POST', '/v1/descope/risk', { body: {} });
    assert.equal(risk.status, 200, risk.text);
  });

  test('the 429 codes are the core table\'s (src/codes.rs)', () => {
    assert.equal(codeInfo('too_many_requests')?.http_status, 429);
    assert.equal(codeInfo('too_many_open_challenges')?.http_status, 429);
  });
});

describe('per-caller rate limits', () => {
  test('POST /v1/descope/idv: a flood from one address is cut off; another address is not', async () => {
    const results = await flood(FLOOD, () => call(open.url, 'POST', '/v1/descope/idv', { body: IDV, ip: '198.51.100.7' }));
    assertCutOff(results, 'idv flood');
    const other = await call(open.url, 'POST', '/v1/descope/idv', { body: IDV, ip: '203.0.113.9' });
    assert.equal(other.status, 200, other.text);
    assert.ok(other.json.session_id);
    // Unsigned, the body is not trusted: naming another user from the flooding address does not get through.
    const renamed = await call(open.url, 'POST', '/v1/descope/idv', { body: { ...IDV, user_identifier: 'someone-else@test' }, ip: '198.51.100.7' });
    assert.equal(renamed.status, 429);
  });

  test('refused calls cost nothing upstream: a flood of 12 created 3 sessions', async () => {
    const before = kosmos.state.sessions.size;
    const results = await flood(FLOOD, () => call(open.url, 'POST', '/v1/descope/idv', { body: IDV, ip: '198.51.100.8' }));
    assertCutOff(results, 'idv flood');
    assert.equal(kosmos.state.sessions.size - before, LIMIT);
  });

  test('POST /v1/descope/step-up: the same, per endpoint (the idv flood did not use up the step-up budget)', async () => {
    await freshWindow();
    const ok = await call(open.url, 'POST', '/v1/descope/step-up', { body: { user_identifier: 'match@test' }, ip: '198.51.100.7' });
    assert.equal(ok.status, 200, ok.text);
    const results = await flood(FLOOD - 1, () => call(open.url, 'POST', '/v1/descope/step-up', { body: { user_identifier: 'nomatch@test' }, ip: '198.51.100.7' }));
    assertCutOff([ok, ...results], 'step-up flood');
    const other = await call(open.url, 'POST', '/v1/descope/step-up', { body: { user_identifier: 'nomatch@test' }, ip: '203.0.113.10' });
    assert.equal(other.status, 200, other.text);
  });

  test('GET /v1/oidc/start: a flood from one browser address is cut off; another browser is not', async () => {
    const results = await flood(FLOOD, () => call(open.url, 'GET', '/v1/oidc/start', { ip: '192.0.2.44' }));
    assertCutOff(results, 'oidc flood');
    for (const r of results.filter((x) => x.status !== 429)) assert.equal(r.status, 302);
    const other = await call(open.url, 'GET', '/v1/oidc/start', { ip: '192.0.2.45' });
    assert.equal(other.status, 302);
    assert.ok(other.headers.get('location').startsWith(kosmos.oidc.issuer));
  });

  test('IPv6: an address counts as its /64, so rotating through one /64 does not escape the limit', async () => {
    const results = await flood(FLOOD, (i) => call(open.url, 'GET', '/v1/oidc/start', { ip: `2001:db8:7:${i % 2 ? '0' : ''}1::${(i + 1).toString(16)}` }));
    assertCutOff(results, 'oidc flood from one /64');
    const full = await call(open.url, 'GET', '/v1/oidc/start', { ip: '2001:0db8:0007:0001:ffff:0000:0000:0001' });
    assert.equal(full.status, 429, 'the same /64 written out in full');
    assert.equal((await call(open.url, 'GET', '/v1/oidc/start', { ip: '2001:db8:7:2::1' })).status, 302, 'the next /64');
    assert.equal((await call(open.url, 'GET', '/v1/oidc/start', { ip: '::ffff:192.0.2.77' })).status, 302, 'an IPv4-mapped address is its own');
  });

  test('signed Descope calls: the caller is the user the body names, so one user\'s flood leaves the others alone', async () => {
    const ip = '198.51.100.50'; // Descope's egress: the same for every user
    const results = await flood(FLOOD, () => call(signed.url, 'POST', '/v1/descope/idv', { body: { ...IDV, user_identifier: 'flooder@test' }, ip, secret: DESCOPE_SECRET }));
    assertCutOff(results, 'signed idv flood');
    const other = await call(signed.url, 'POST', '/v1/descope/idv', { body: { ...IDV, user_identifier: 'normal@test' }, ip, secret: DESCOPE_SECRET });
    assert.equal(other.status, 200, other.text);
    // A forged signature is refused before it is counted (401, not 429).
    const forged = await call(signed.url, 'POST', '/v1/descope/idv', { body: { ...IDV, user_identifier: 'flooder@test' }, ip, secret: 'not-the-secret' });
    assert.equal(forged.status, 401);
  });

  test('audit events that start an IDV count against their user: a burst of sign-ups for one user is cut off, not for another', async () => {
    const send = async (userId, i) => {
      const body = JSON.stringify({ id: `evt-${userId}-${i}`, action: 'UserCreated', userId, loginIds: [`${userId}@test`], occurred: Date.now(), data: {} });
      const res = await fetch(`${open.url}/v1/webhooks/descope-audit`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-descope-webhook-s256': createHmac('sha256', AUDIT_SECRET).update(body).digest('base64') },
        body,
      });
      return { status: res.status, json: await res.json(), headers: res.headers, text: '' };
    };
    const results = await flood(FLOOD, (i) => send('U-burst', i));
    assertCutOff(results, 'audit idv burst');
    for (const r of results.filter((x) => x.status === 200)) assert.equal(r.json.acted, 'idv_started');
    const other = await send('U-calm', 0);
    assert.equal(other.status, 200);
    assert.equal(other.json.acted, 'idv_started');
    // A refused event was not marked done: Descope's retry of it is handled again (429 while the window lasts), not acknowledged as `duplicate`.
    const again = await send('U-burst', FLOOD - 1);
    assert.equal(again.status, 429, JSON.stringify(again.json));
    assert.equal(again.json.error.code, 'too_many_requests');
  });

  test('an invalid request is refused as such (400) before it is counted', async () => {
    const ip = '198.51.100.99';
    for (let i = 0; i < FLOOD; i += 1) {
      const r = await call(open.url, 'POST', '/v1/descope/idv', { body: { liveness_mode: 'passive' }, ip });
      assert.equal(r.status, 400);
    }
    const good = await call(open.url, 'POST', '/v1/descope/idv', { body: IDV, ip });
    assert.equal(good.status, 200, good.text);
  });
});

describe('open step-up challenges per user', () => {
  const stepUp = (user, ip = '198.51.100.200') => call(capped.url, 'POST', '/v1/descope/step-up', { body: { user_identifier: user }, ip });

  test('at most STEP_UP_MAX_OPEN unexpired challenges; another user is not affected; expiry frees a slot', async () => {
    const a = await stepUp('timeout@test');
    const b = await stepUp('timeout@test', '198.51.100.201');
    assert.equal(a.status, 200, a.text);
    assert.equal(b.status, 200, b.text);
    // From any address: the cap is the user's.
    const third = await stepUp('timeout@test', '198.51.100.202');
    assert.equal(third.status, 429, third.text);
    assert.equal(third.json.error.code, 'too_many_open_challenges');
    const retry = Number(third.headers.get('retry-after'));
    assert.ok(Number.isInteger(retry) && retry >= 1 && retry <= TTL_S, `retry-after ${retry}`);
    // Reading a pending result does not free the slot.
    const pending = await call(capped.url, 'POST', '/v1/descope/step-up-result', { body: { challenge_id: a.json.challenge_id } });
    assert.equal(pending.json.verdict.final, false);
    assert.equal((await stepUp('timeout@test')).status, 429);
    const other = await stepUp('slow-match@test');
    assert.equal(other.status, 200, other.text);
    // Past the TTL both slots are free again (the challenges never finished).
    await new Promise((r) => setTimeout(r, TTL_S * 1000 + 300));
    assert.equal((await stepUp('timeout@test')).status, 200);
    assert.equal((await stepUp('timeout@test')).status, 200);
    assert.equal((await stepUp('timeout@test')).status, 429);
  });

  test('a final result read at step-up-result frees its slot at once', async () => {
    const a = await stepUp('match@test');
    const b = await stepUp('match@test');
    assert.equal(a.status, 200, a.text);
    assert.equal(b.status, 200, b.text);
    assert.equal((await stepUp('match@test')).status, 429);
    const r = await call(capped.url, 'POST', '/v1/descope/step-up-result', { body: { challenge_id: a.json.challenge_id } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.verdict.final, true);
    const c = await stepUp('match@test');
    assert.equal(c.status, 200, c.text);
    assert.equal((await stepUp('match@test')).status, 429);
  });

  test('a final result arriving by webhook frees its slot too; a failed creation takes none', async () => {
    const user = 'cancel@test';
    const a = await stepUp(user);
    const b = await stepUp(user);
    assert.equal(a.status, 200, a.text);
    assert.equal(b.status, 200, b.text);
    assert.equal((await stepUp(user)).status, 429);
    const body = JSON.stringify({
      type: 'liveid.challenge.cancelled',
      timestamp: new Date().toISOString(),
      data: { challenge_id: a.json.challenge_id, user_identifier: user, status: 'cancelled', match_result: 'cancelled', confidence: null },
    });
    const headers = { 'content-type': 'application/json', ...standardSigner(kosmos.webhookSecret)(messageId(), Math.floor(Date.now() / 1000), body) };
    const hook = await fetch(`${capped.url}/v1/webhooks/1kosmos`, { method: 'POST', headers, body });
    assert.ok(hook.status === 200 || hook.status === 202, `${hook.status} ${await hook.text()}`);
    const c = await stepUp(user);
    assert.equal(c.status, 200, c.text);
    // 1Kosmos refusing the user (not enrolled) leaves no slot taken: many refusals, then still room.
    for (let i = 0; i < 4; i += 1) assert.equal((await stepUp('stranger@test', `198.51.100.${210 + i}`)).status, 404);
    // Down for the first try and both retries.
    kosmos.state.failNext = { count: 3, status: 503 };
    const down = await stepUp('nomatch@test', '198.51.100.220');
    assert.equal(down.status, 503, down.text);
    assert.equal((await stepUp('nomatch@test', '198.51.100.221')).status, 200);
    assert.equal((await stepUp('nomatch@test', '198.51.100.222')).status, 200);
    assert.equal((await stepUp('nomatch@test', '198.51.100.223')).status, 429);
  });
});
