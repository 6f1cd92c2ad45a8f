// The async client against the local stand-in (tests/js/kosmos-standin.js)
// over real loopback HTTP with the global fetch: Node here, and the same
// client inside workerd (miniflare) and headless Chromium.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as k from '../../pkg/node.js';
import { API_KEY, LICENSE_KEY, startStandIn } from './kosmos-standin.js';
import { launchChromium, root, serveRepo, startWorkerd } from './hosts.js';
import { clientScenario } from './hosts/kosmos-client-scenario.js';

const standin = await startStandIn();
after(() => standin.close());

test('node: every verify-v1 call and a blockid-tenant session through the stand-in', async () => {
  const result = await clientScenario(k, standin.origin, { apiKey: API_KEY, licenseKey: LICENSE_KEY });
  assert.deepEqual(result.v1, {
    session: { session_id: 'ses_1', session_url: 'https://verify.standin.example/s/ses_1' },
    result: { status: 'completed', ial_level: 'IAL2' },
    challenge: { challenge_id: 'ch_2', challenge_url: 'https://liveid.standin.example/c/ch_2' },
    stepUp: { status: 'completed', match_result: 'match', confidence: 0.97 },
  });
  assert.equal(result.blockid.session.session_url.startsWith('https://docs.standin.example/s/dvs_'), true);
  assert.equal(result.blockid.result.status, 'completed');
  assert.deepEqual(result.blockid.result.claims, { given_name: 'Ada', family_name: 'Lovelace', birthdate: '1990-12-10' });
  assert.equal(result.errors.notFound, 'not_found');
  assert.equal(result.errors.timeout, 'timeout');
  // The stand-in opened our envelope with Node's crypto.
  const create = standin.state.opened.find((o) => o.payload.sessionRequest);
  assert.equal(create.payload.sessionRequest.documentType, 'dl_object');
  assert.equal(create.requestid.appid, 'kosmos-connect');
});

test('node: a create retried after 503 and 429 is created once (same idempotency key)', async () => {
  standin.state.failNext.push(503, 429);
  const before = standin.state.sessions.size;
  const seen = standin.state.requests.length;
  const s = await k.kosmosCall(
    { profile: 'verify-v1', base_url: standin.origin, api_key: API_KEY },
    { operation: 'create_idv_session', document_types: ['passport'], liveness_mode: 'active' },
    { retryBaseMs: 5 },
  );
  const sent = standin.state.requests.slice(seen);
  assert.equal(sent.length, 3);
  assert.equal(new Set(sent.map((r) => r.headers['idempotency-key'])).size, 1);
  assert.equal(standin.state.sessions.size, before + 1);
  assert.match(s.session_id, /^ses_/);
});

test('node: no network at all gives network_error after the retries', async () => {
  const closed = await startStandIn();
  await closed.close();
  await assert.rejects(
    k.kosmosCall({ profile: 'verify-v1', base_url: closed.origin, api_key: API_KEY }, { operation: 'read_idv_result', session_id: 's' }, { retryBaseMs: 1, maxRetries: 1 }),
    (e) => e.code === 'network_error' && e.details.attempts === 2 && !e.message.includes(API_KEY),
  );
});

test('workerd: the same scenario with the Worker global fetch', async () => {
  const mf = await startWorkerd(join(root, 'tests', 'js', 'hosts', 'kosmos-client-worker.js'), {
    bindings: { STANDIN: standin.origin, API_KEY, LICENSE_KEY },
  });
  try {
    const res = await mf.dispatchFetch('http://localhost/');
    const result = await res.json();
    assert.equal(result.error, undefined, result.error);
    assert.deepEqual(result.v1.result, { status: 'completed', ial_level: 'IAL2' });
    assert.equal(result.v1.stepUp.match_result, 'match');
    assert.equal(result.blockid.result.status, 'completed');
    assert.equal(result.errors.timeout, 'timeout');
  } finally {
    await mf.dispose();
  }
});

test('chromium: the same scenario with the browser fetch (CORS to the stand-in)', async () => {
  const { server, origin } = await serveRepo();
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.goto(`${origin}/tests/js/hosts/empty.html`);
    const result = await page.evaluate(async ({ standinOrigin, apiKey, licenseKey }) => {
      const k = await import('/pkg/browser.js');
      await k.init('/pkg/gen/kosmos_connect_bg.wasm');
      const { clientScenario } = await import('/tests/js/hosts/kosmos-client-scenario.js');
      try {
        return await clientScenario(k, standinOrigin, { apiKey, licenseKey });
      } catch (e) {
        return { error: `${e.name}: ${e.message}` };
      }
    }, { standinOrigin: standin.origin, apiKey: API_KEY, licenseKey: LICENSE_KEY });
    assert.equal(result.error, undefined, result.error);
    assert.deepEqual(result.v1.result, { status: 'completed', ial_level: 'IAL2' });
    assert.equal(result.blockid.result.status, 'completed');
    assert.equal(result.errors.timeout, 'timeout');
  } finally {
    await browser.close();
    server.close();
  }
});
