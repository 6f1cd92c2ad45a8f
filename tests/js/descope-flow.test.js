// The Descope flow template (examples/descope/flows) run end to end by the
// local flow runner (it plays Descope) against the real Worker in workerd and
// the 1Kosmos stand-in: every branch of the risk decision, signed connector
// calls, and the audit-event hooks (Mechanism C) with a repeated delivery.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FlowError, checkFlow, runFlow } from '../../examples/descope/runner/flow-runner.mjs';
import { startKosmos } from '../../www/sandbox/kosmos.mjs';
import { startSalesforce } from '../../www/sandbox/salesforce.mjs';
import { sandboxVars, startWorker } from '../../www/worker/dev.mjs';
import { root } from './hosts.js';

const FLOW = JSON.parse(readFileSync(join(root, 'examples', 'descope', 'flows', 'kosmos-sign-up-or-in.json'), 'utf8'));
const POLICY = readFileSync(join(root, 'examples', 'descope', 'policy.json'), 'utf8');
const CONNECTOR_SECRET = 'descope-http-connector-hmac-secret-for-tests';
const AUDIT_SECRET = 'descope-audit-connector-hmac-secret-for-tests';

const kosmos = await startKosmos({ retryDelaysMs: [200, 400, 800] });
const salesforce = await startSalesforce();
const worker = await startWorker({
  vars: sandboxVars(kosmos, salesforce, { POLICY, DESCOPE_HMAC_SECRET: CONNECTOR_SECRET, DESCOPE_AUDIT_HMAC_SECRET: AUDIT_SECRET }),
  assets: false,
});
kosmos.setWebhookUrl(`${worker.url}/v1/webhooks/1kosmos`);
after(async () => {
  await Promise.allSettled([worker.close(), kosmos.close(), salesforce.close()]);
});

const connectors = { 'kosmos-connect': { baseUrl: worker.url, hmacSecret: CONNECTOR_SECRET } };
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

  test('unsigned or wrongly signed connector calls are refused (the flow fails closed)', async () => {
    const wrong = { 'kosmos-connect': { baseUrl: worker.url, hmacSecret: 'not-the-secret' } };
    const run = await runFlow(FLOW, { connectors: wrong, users, context: calm('alice@test'), script: [welcome('alice@test')] });
    assert.equal(run.outcome, 'screen:denied');
    assert.equal(run.calls[0].status, 401);
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
