// The Descope flow template (examples/descope/flows) run end to end by the
// local flow runner (it plays Descope) against the real Worker in workerd and
// the 1Kosmos stand-in: every branch of the risk decision with RFC 9421-signed
// connector calls (the runner's own node:crypto signer, Ed25519), one branch
// with the older HMAC, the Worker's refusals (wrong key, tampered body,
// replay, stale, uncovered digest), and the audit-event hooks (Mechanism C)
// with a repeated delivery.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FlowError, checkFlow, runFlow, signRfc9421 } from '../../examples/descope/runner/flow-runner.mjs';
import { startKosmos } from '../../www/sandbox/kosmos.mjs';
import { startSalesforce } from '../../www/sandbox/salesforce.mjs';
import { sandboxVars, startWorker } from '../../www/worker/dev.mjs';
import { root } from './hosts.js';

const FLOW = JSON.parse(readFileSync(join(root, 'examples', 'descope', 'flows', 'kosmos-sign-up-or-in.json'), 'utf8'));
const POLICY = readFileSync(join(root, 'examples', 'descope', 'policy.json'), 'utf8');
const CONNECTOR_SECRET = 'descope-http-connector-hmac-secret-for-tests';
// The connector's RFC 9421 key (Terraform rfc9421_private_key); the Worker holds its public half.
const SIGNING = generateKeyPairSync('ed25519');
const KEY_ID = 'descope-connector';
const HTTPSIG_KEYS = JSON.stringify({ [KEY_ID]: SIGNING.publicKey.export({ type: 'spki', format: 'pem' }) });
// What examples/descope/terraform sets: rfc9421_components and rfc9421_signature_ttl.
const RFC9421 = { alg: 'ed25519', key: SIGNING.privateKey, keyId: KEY_ID, components: ['@method', '@target-uri', '@authority', 'content-type', 'content-digest'], ttl: 300 };
const AUDIT_SECRET = 'descope-audit-connector-hmac-secret-for-tests';

const kosmos = await startKosmos({ retryDelaysMs: [200, 400, 800] });
const salesforce = await startSalesforce();
const worker = await startWorker({
  vars: sandboxVars(kosmos, salesforce, { POLICY, DESCOPE_HTTPSIG_KEYS: HTTPSIG_KEYS, DESCOPE_HMAC_SECRET: CONNECTOR_SECRET, DESCOPE_AUDIT_HMAC_SECRET: AUDIT_SECRET }),
  assets: false,
});
kosmos.setWebhookUrl(`${worker.url}/v1/webhooks/1kosmos`);
after(async () => {
  await Promise.allSettled([worker.close(), kosmos.close(), salesforce.close()]);
});

// Both keys configured and DESCOPE_AUTH unset: a call with Signature-Input must verify with RFC 9421, any other with the HMAC.
const connectors = { 'kosmos-connect': { baseUrl: worker.url, rfc9421: RFC9421 } };
const hmacConnectors = { 'kosmos-connect': { baseUrl: worker.url, hmacSecret: CONNECTOR_SECRET } };
const users = new Map();

/** A low-risk context: known, trusted device, same country as last time. */
const calm = (loginId, extra = {}) => ({
  riskInfo: { riskScore: 0.1, botDetected: false, trustedDevice: true, ...extra.riskInfo },
  geo: { country: 'US' },
  users: { [loginId]: { fingerprint: { knownDevice: true }, lastAuth: { country: 'US', ip: '198.51.100.7' }, ...extra.user } },
});
const welcome = (email) => ({ screen: 'welcome', inputs: { email }, interaction: 'continue' });
const liveid = { screen: 'liveid-wait', follow: 'challenge', interaction: 'done' };
const idvDone = { screen: 'idv-redirect', follow: 'session', interaction: 'done' };
const endpoints = (run) => run.calls.map((c) => c.endpoint);

describe('the flow template', () => {
  test('is understood by the runner, and the runner refuses what it does not understand', () => {
    checkFlow(FLOW);
    const mutate = (fn) => {
      const f = structuredClone(FLOW);
      fn(f);
      return f;
    };
    const cases = [
      [(f) => { f.contents.tasks.risk.action = 'http-connector-v2'; }, /unknown action `http-connector-v2`/],
      [(f) => { f.contents.tasks.decision.conditions[0].atomicConditions[0].operator = 'matches-regex'; }, /unknown condition operator `matches-regex`/],
      [(f) => { f.contents.tasks.risk.retries = 3; }, /unknown key `retries`/],
      [(f) => { f.contents.tasks.risk.arguments.cache = { type: 'inline', value: true }; }, /unknown argument `cache`/],
      [(f) => { f.flowVersion = 2; }, /unknown key `flowVersion`/],
      [(f) => { f.contents.tasks.welcome.type = 'subflow'; }, /unknown task type `subflow`/],
      [(f) => { f.screens[0].contents.captcha = { type: 'Recaptcha', props: {} }; }, /unknown component type `Recaptcha`/],
      [(f) => { f.contents.tasks.decision.next.rules[0].taskId = 'nowhere'; }, /does not exist/],
      [(f) => { f.contents.tasks.risk.errorHandlingV2.ConnectorFailed.errorHandlingType = 'retry'; }, /unknown error handling `retry`/],
    ];
    for (const [fn, message] of cases) {
      assert.throws(() => checkFlow(mutate(fn)), (e) => e instanceof FlowError && e.code === 'unsupported' && message.test(e.message));
    }
  });

  test('allow: a calm sign-in goes straight to logged-in', async () => {
    const run = await runFlow(FLOW, { connectors, users, context: calm('alice@test'), script: [welcome('alice@test')] });
    assert.equal(run.outcome, 'logged-in');
    assert.equal(run.connectors.risk.body.decision, 'allow');
    assert.deepEqual(endpoints(run), ['/v1/descope/audit-marks', '/v1/descope/risk']);
  });

  test('step_up with a match: a new, untrusted device -> LiveID -> logged-in', async () => {
    const context = calm('match@test', { riskInfo: { trustedDevice: false }, user: { fingerprint: { knownDevice: false } } });
    const run = await runFlow(FLOW, { connectors, users, context, script: [welcome('match@test'), liveid] });
    assert.equal(run.connectors.risk.body.decision, 'step_up');
    assert.equal(run.connectors.risk.body.rule, 'new-device');
    assert.equal(run.connectors.stepUpResult.body.match_result, 'match');
    assert.equal(run.outcome, 'logged-in');
    assert.ok(endpoints(run).includes('/v1/descope/step-up-result'));
    const read = run.calls.find((c) => c.endpoint === '/v1/descope/step-up-result');
    assert.equal(read.sent.user_identifier, 'match@test', 'the result is read for the flow\'s user');
  });

  test('a step-up result read for another user is refused (403 not_owner): the flow ends on the denied screen', async () => {
    const flow = structuredClone(FLOW);
    flow.contents.tasks['step-up-result'].arguments.payload.value.user_identifier = 'someone-else@test';
    const context = calm('match@test', { riskInfo: { trustedDevice: false }, user: { fingerprint: { knownDevice: false } } });
    const run = await runFlow(flow, { connectors, users, context, script: [welcome('match@test'), liveid] });
    const read = run.calls.find((c) => c.endpoint === '/v1/descope/step-up-result');
    assert.equal(read.status, 403);
    assert.equal(read.body.error.code, 'not_owner');
    assert.equal(run.outcome, 'screen:denied');
  });

  test('step_up with no match: the flow ends on the denied screen', async () => {
    const context = calm('nomatch@test', { riskInfo: { trustedDevice: false }, user: { fingerprint: { knownDevice: false } } });
    const run = await runFlow(FLOW, { connectors, users, context, script: [welcome('nomatch@test'), liveid] });
    assert.equal(run.connectors.risk.body.decision, 'step_up');
    assert.equal(run.connectors.stepUpResult.body.match_result, 'no_match');
    assert.equal(run.outcome, 'screen:denied');
  });

  test('verify_identity that passes: IDV -> verified claims in the custom attributes -> logged-in', async () => {
    const context = calm('newcomer@test', { riskInfo: { riskScore: 0.95 } });
    const run = await runFlow(FLOW, { connectors, users, context, script: [welcome('newcomer@test'), idvDone] });
    assert.equal(run.connectors.risk.body.decision, 'verify_identity');
    assert.equal(run.connectors.idvResult.body.status, 'completed');
    assert.equal(run.outcome, 'logged-in');
    const reads = run.calls.filter((c) => c.endpoint === '/v1/descope/idv-result');
    assert.ok(reads.length > 0 && reads.every((c) => c.sent.user_identifier === 'newcomer@test'), 'the result is read for the flow\'s user');
    const attrs = users.get('newcomer@test').customAttributes;
    assert.equal(attrs.kosmosIal, 'IAL2');
    assert.equal(attrs.kosmosTrustFramework, 'nist_800_63A');
    assert.equal(attrs.kosmosGivenName, 'Test');
    assert.equal(attrs.kosmosBirthdate, '1990-01-01');
    assert.equal(attrs.kosmosIdvSessionId, run.connectors.idv.body.session_id);
  });

  test('verify_identity that fails: the denied screen, nothing written to the user', async () => {
    const context = calm('failed@test', { riskInfo: { riskScore: 0.95 } });
    const run = await runFlow(FLOW, { connectors, users, context, script: [welcome('failed@test'), idvDone] });
    assert.equal(run.connectors.idvResult.body.status, 'failed');
    assert.equal(run.outcome, 'screen:denied');
    assert.deepEqual(users.get('failed@test').customAttributes, {});
  });

  test('deny: a bot ends on the denied screen without any 1Kosmos call', async () => {
    const before = kosmos.state.requests;
    const run = await runFlow(FLOW, { connectors, users, context: calm('bot@test', { riskInfo: { botDetected: true } }), script: [welcome('bot@test')] });
    assert.equal(run.connectors.risk.body.decision, 'deny');
    assert.equal(run.outcome, 'screen:denied');
    assert.equal(kosmos.state.requests, before);
  });

  test('the older HMAC (x-descope-webhook-s256) still signs a whole run: allow', async () => {
    const run = await runFlow(FLOW, { connectors: hmacConnectors, users, context: calm('hmac@test'), script: [welcome('hmac@test')] });
    assert.equal(run.outcome, 'logged-in');
    assert.equal(run.connectors.risk.body.decision, 'allow');
  });

  test('unsigned or wrongly signed connector calls are refused (the flow fails closed)', async () => {
    const wrong = { 'kosmos-connect': { baseUrl: worker.url, hmacSecret: 'not-the-secret' } };
    const run = await runFlow(FLOW, { connectors: wrong, users, context: calm('alice@test'), script: [welcome('alice@test')] });
    assert.equal(run.outcome, 'screen:denied');
    assert.equal(run.calls[0].status, 401);
    const otherKey = { ...RFC9421, key: generateKeyPairSync('ed25519').privateKey };
    const forged = await runFlow(FLOW, { connectors: { 'kosmos-connect': { baseUrl: worker.url, rfc9421: otherKey } }, users, context: calm('alice@test'), script: [welcome('alice@test')] });
    assert.equal(forged.outcome, 'screen:denied');
    assert.equal(forged.calls[0].status, 401);
    assert.equal(forged.calls[0].body.error.code, 'bad_signature');
    const unsigned = await runFlow(FLOW, { connectors: { 'kosmos-connect': { baseUrl: worker.url } }, users, context: calm('alice@test'), script: [welcome('alice@test')] });
    assert.equal(unsigned.calls[0].status, 401);
    assert.equal(unsigned.calls[0].body.error.code, 'missing_signature');
  });
});

// --- RFC 9421 refusals, one request at a time ---------------------------------

const RISK_URL = () => `${worker.url}/v1/descope/risk`;
const RISK_BODY = JSON.stringify({ riskInfo: { riskScore: 0.1, trustedDevice: true }, geo: { country: 'US' } });

/** Signs a risk call as the connector does (overrides: signer options), returns fetch arguments. */
function signedRisk(overrides = {}, body = RISK_BODY) {
  const headers = { 'content-type': 'application/json' };
  const { base: _base, ...signed } = signRfc9421({ ...RFC9421, method: 'POST', url: RISK_URL(), headers, body, ...overrides });
  return { method: 'POST', headers: { ...headers, ...signed }, body };
}

async function send(init) {
  const res = await fetch(RISK_URL(), init);
  return { status: res.status, json: await res.json() };
}

describe('RFC 9421 connector signatures, refused', () => {
  test('a signed call passes once; the same signature again is a replay (409 duplicate, the core\'s code)', async () => {
    const init = signedRisk();
    const first = await send(init);
    assert.equal(first.status, 200, JSON.stringify(first.json));
    assert.ok(['allow', 'step_up', 'verify_identity', 'deny'].includes(first.json.decision), JSON.stringify(first.json));
    const again = await send(init);
    assert.equal(again.status, 409);
    assert.equal(again.json.error.code, 'duplicate');
    // Without a nonce the signature's own bytes are remembered.
    const bare = signedRisk({ nonce: false });
    assert.equal((await send(bare)).status, 200);
    assert.equal((await send(bare)).json.error.code, 'duplicate');
  });

  test('a changed body no longer matches its content-digest', async () => {
    const init = signedRisk();
    const r = await send({ ...init, body: RISK_BODY.replace('0.1', '0.9') });
    assert.equal(r.status, 401);
    assert.equal(r.json.error.code, 'digest_mismatch');
  });

  test('stale, expired, or not covering what the Worker requires', async () => {
    const now = Math.floor(Date.now() / 1000);
    const old = await send(signedRisk({ created: now - 3600, ttl: 7200 }));
    assert.deepEqual([old.status, old.json.error.code], [401, 'timestamp_too_old']);
    // `expires` passed by more than the clock tolerance (60 s).
    const expired = await send(signedRisk({ created: now - 200, ttl: 10 }));
    assert.deepEqual([expired.status, expired.json.error.code], [401, 'signature_expired']);
    const noExpires = await send(signedRisk({ ttl: undefined }));
    assert.deepEqual([noExpires.status, noExpires.json.error.code], [400, 'missing_parameter']);
    const noDigest = await send(signedRisk({ components: ['@method', '@target-uri', '@authority', 'content-type'] }));
    assert.deepEqual([noDigest.status, noDigest.json.error.code], [401, 'missing_component']);
    const noMethod = await send(signedRisk({ components: ['@target-uri', 'content-digest'] }));
    assert.deepEqual([noMethod.status, noMethod.json.error.code], [401, 'missing_component']);
    // @authority + @path stand in for @target-uri.
    const parts = await send(signedRisk({ components: ['@method', '@authority', '@path', 'content-digest'] }));
    assert.equal(parts.status, 200, JSON.stringify(parts.json));
    const unknown = await send(signedRisk({ keyId: 'someone-else' }));
    assert.deepEqual([unknown.status, unknown.json.error.code], [401, 'unknown_key']);
  });

  test('DESCOPE_AUTH "httpsig" refuses an HMAC-only call, and without DESCOPE_HTTPSIG_KEYS is misconfigured', async () => {
    const only = await startWorker({ vars: sandboxVars(kosmos, salesforce, { POLICY, DESCOPE_AUTH: 'httpsig', DESCOPE_HTTPSIG_KEYS: HTTPSIG_KEYS, DESCOPE_HMAC_SECRET: CONNECTOR_SECRET }), assets: false });
    try {
      const hmac = await fetch(`${only.url}/v1/descope/risk`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-descope-webhook-s256': createHmac('sha256', CONNECTOR_SECRET).update(RISK_BODY).digest('base64') },
        body: RISK_BODY,
      });
      assert.equal(hmac.status, 401);
      assert.equal((await hmac.json()).error.code, 'missing_header');
      const headers = { 'content-type': 'application/json' };
      const { base: _b, ...signed } = signRfc9421({ ...RFC9421, method: 'POST', url: `${only.url}/v1/descope/risk`, headers, body: RISK_BODY });
      const ok = await fetch(`${only.url}/v1/descope/risk`, { method: 'POST', headers: { ...headers, ...signed }, body: RISK_BODY });
      assert.equal(ok.status, 200);
      await ok.arrayBuffer();
    } finally {
      await only.close();
    }
    const bad = await startWorker({ vars: sandboxVars(kosmos, salesforce, { POLICY, DESCOPE_AUTH: 'httpsig' }), assets: false });
    try {
      const r = await fetch(`${bad.url}/v1/descope/risk`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: RISK_BODY });
      assert.equal(r.status, 500);
      assert.match((await r.json()).error.message, /DESCOPE_HTTPSIG_KEYS/);
    } finally {
      await bad.close();
    }
    // An unusable key (an HMAC secret below 16 bytes): 500, and the answer never shows the key.
    const short = Buffer.from('short-secret').toString('base64');
    const unusable = await startWorker({ vars: sandboxVars(kosmos, salesforce, { POLICY, DESCOPE_HTTPSIG_KEYS: JSON.stringify([{ keyid: 'k', secret: short }]) }), assets: false });
    try {
      const { base: _b, ...signed } = signRfc9421({ ...RFC9421, method: 'POST', url: `${unusable.url}/v1/descope/risk`, headers: { 'content-type': 'application/json' }, body: RISK_BODY });
      const r = await fetch(`${unusable.url}/v1/descope/risk`, { method: 'POST', headers: { 'content-type': 'application/json', ...signed }, body: RISK_BODY });
      const text = await r.text();
      assert.equal(r.status, 500);
      assert.equal(JSON.parse(text).error.code, 'misconfigured');
      assert.ok(!text.includes(short) && !text.includes('short-secret'), text);
    } finally {
      await unusable.close();
    }
  });
});

// --- Mechanism C: audit events ----------------------------------------------

async function sendAudit(event, secret = AUDIT_SECRET) {
  const body = JSON.stringify(event);
  const res = await fetch(`${worker.url}/v1/webhooks/descope-audit`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-descope-webhook-s256': createHmac('sha256', secret).update(body).digest('base64') },
    body,
  });
  return { status: res.status, json: await res.json() };
}

describe('audit event hooks', () => {
  test('a risky sign-up starts IDV once; a repeated delivery is acknowledged and not processed again', async () => {
    const sessionsBefore = kosmos.state.sessions.size;
    const event = {
      id: `audit-${Date.now()}-created`, action: 'UserCreated', userId: 'U-risky-signup', loginIds: ['risky@test'],
      occurred: Date.now(), geo: 'US', remoteAddress: '203.0.113.9', data: { riskInfo: { riskScore: 0.97 } },
    };
    const first = await sendAudit(event);
    assert.equal(first.status, 200);
    assert.equal(first.json.status, 'processed');
    assert.equal(first.json.acted, 'idv_started');
    assert.match(first.json.idv_session_id, /^ses_/);
    const again = await sendAudit(event);
    assert.equal(again.status, 200);
    assert.equal(again.json.status, 'duplicate');
    assert.equal(kosmos.state.sessions.size, sessionsBefore + 1);
    const session = kosmos.state.sessions.get(first.json.idv_session_id);
    assert.equal(session.metadata.user_identifier, 'risky@test');
    assert.equal(session.metadata.descope_user_id, 'U-risky-signup');
    // The session is the new user's: its result is read for risky@test, never for another user (403 not_owner).
    const read = async (user) => {
      const body = JSON.stringify({ session_id: first.json.idv_session_id, user_identifier: user });
      const headers = { 'content-type': 'application/json', 'x-descope-webhook-s256': createHmac('sha256', CONNECTOR_SECRET).update(body).digest('base64') };
      const res = await fetch(`${worker.url}/v1/descope/idv-result`, { method: 'POST', headers, body });
      return { status: res.status, json: await res.json() };
    };
    const other = await read('someone-else@test');
    assert.equal(other.status, 403);
    assert.equal(other.json.error.code, 'not_owner');
    assert.equal((await read('risky@test')).status, 200);
  });

  test('concurrent deliveries of one event: exactly one is processed, one IDV session', async () => {
    const sessionsBefore = kosmos.state.sessions.size;
    const event = { id: `audit-${Date.now()}-race`, action: 'UserCreated', userId: 'U-race', loginIds: ['race@test'], data: { riskInfo: { riskScore: 0.99 } } };
    const answers = await Promise.all([sendAudit(event), sendAudit(event), sendAudit(event)]);
    const processed = answers.filter((a) => a.status === 200 && a.json.status === 'processed');
    assert.equal(processed.length, 1, JSON.stringify(answers));
    for (const a of answers) if (a !== processed[0]) assert.ok((a.status === 200 && a.json.status === 'duplicate') || (a.status === 409 && a.json.error.code === 'in_progress'), JSON.stringify(a));
    assert.equal(kosmos.state.sessions.size, sessionsBefore + 1);
    // After the race, a redelivery is a duplicate.
    assert.equal((await sendAudit(event)).json.status, 'duplicate');
  });

  test('an event the hooks do not act on is recorded and ignored; audit-marks wants a user_id', async () => {
    const ignored = await sendAudit({ id: `audit-${Date.now()}-other`, action: 'UserDeleted', userId: 'U-x' });
    assert.deepEqual([ignored.status, ignored.json.status, ignored.json.acted], [200, 'processed', 'ignored']);
    const body = JSON.stringify({});
    const res = await fetch(`${worker.url}/v1/descope/audit-marks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-descope-webhook-s256': createHmac('sha256', CONNECTOR_SECRET).update(body).digest('base64') },
      body,
    });
    assert.equal(res.status, 400);
    assert.equal((await res.json()).error.field, 'user_id');
  });

  test('without DESCOPE_AUDIT_HMAC_SECRET the route refuses every event (500 misconfigured, nothing started)', async () => {
    const bare = await startWorker({ vars: sandboxVars(kosmos, salesforce, { POLICY }), assets: false });
    try {
      const before = kosmos.state.sessions.size;
      const body = JSON.stringify({ id: 'audit-bare', action: 'UserCreated', userId: 'U-bare', data: { riskInfo: { riskScore: 0.99 } } });
      const res = await fetch(`${bare.url}/v1/webhooks/descope-audit`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      assert.equal(res.status, 500);
      const err = (await res.json()).error;
      assert.equal(err.code, 'misconfigured');
      assert.match(err.message, /DESCOPE_AUDIT_HMAC_SECRET/);
      assert.equal(kosmos.state.sessions.size, before);
    } finally {
      await bare.close();
    }
  });

  test('a wrongly signed or unsigned audit event is refused', async () => {
    const event = { id: 'audit-forged', action: 'UserCreated', userId: 'U-x', data: { riskInfo: { riskScore: 0.99 } } };
    const forged = await sendAudit(event, 'wrong-secret');
    assert.equal(forged.status, 401);
    const res = await fetch(`${worker.url}/v1/webhooks/descope-audit`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(event) });
    assert.equal(res.status, 401);
    assert.equal((await res.json()).error.code, 'missing_signature');
  });

  test('a login at a new device marks the user; the next flow run steps up, then the mark is cleared', async () => {
    // The user exists and signs in calmly first.
    const first = await runFlow(FLOW, { connectors, users, context: calm('match@test'), script: [welcome('match@test')] });
    assert.equal(first.outcome, 'logged-in');
    const userId = users.get('match@test').userId;
    const event = {
      id: `audit-${Date.now()}-login`, action: 'LoginSucceed', userId, loginIds: ['match@test'], geo: 'US',
      data: { riskInfo: { trustedDevice: false }, user: { fingerprint: { knownDevice: false } } },
    };
    const hook = await sendAudit(event);
    assert.equal(hook.json.acted, 'step_up_marked');
    assert.equal((await sendAudit(event)).json.status, 'duplicate');
    // The next run from a calm context is stepped up because of the mark.
    const next = await runFlow(FLOW, { connectors, users, context: calm('match@test'), script: [welcome('match@test'), liveid] });
    assert.equal(next.connectors.marks.body.step_up_required, true);
    assert.equal(next.connectors.risk.body.rule, 'audit-step-up-mark');
    assert.equal(next.outcome, 'logged-in');
    assert.equal(next.connectors.marksCleared.body.step_up_required, false);
    // Cleared after the match: the run after that is allowed again.
    const after = await runFlow(FLOW, { connectors, users, context: calm('match@test'), script: [welcome('match@test')] });
    assert.equal(after.connectors.risk.body.decision, 'allow');
  });
});
