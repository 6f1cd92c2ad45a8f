// No configured secret leaks: across the Worker's error paths (in workerd,
// against the stand-ins), no answer body, no response header and no line the
// Worker logs (its console, captured from workerd) contains the 1Kosmos API
// key, the webhook secret, the Salesforce client secret, the Descope HMAC
// secret or the OIDC client and cookie secrets, in clear or in the encodings
// they travel in (base64 of the webhook key, HTTP Basic credentials).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { startKosmos } from '../../www/sandbox/kosmos.mjs';
import { startSalesforce } from '../../www/sandbox/salesforce.mjs';
import { standardSigner } from '../../www/sandbox/sign.mjs';
import { sandboxVars, startWorker } from '../../www/worker/dev.mjs';

const kosmos = await startKosmos({ retryDelaysMs: [] });
const salesforce = await startSalesforce();
const DESCOPE_SECRET = 'descope-hmac-secret-7d1f0c2b9e';
const COOKIE_SECRET = 'oidc-cookie-secret-5b8e2f71c04a9d36e1f2';
const logs = [];
const capture = {
  handleStructuredLogs: ({ level, message }) => {
    logs.push(`${level} ${message}`);
  },
};

const good = await startWorker({
  vars: sandboxVars(kosmos, salesforce, { DESCOPE_HMAC_SECRET: DESCOPE_SECRET, OIDC_COOKIE_SECRET: COOKIE_SECRET }),
  assets: false, miniflare: capture,
});
// A Worker whose every credential is wrong or unusable, and whose 1Kosmos is unreachable.
const WRONG = {
  KOSMOS_API_KEY: 'wrong-kosmos-api-key-0c9a7e',
  SF_CLIENT_SECRET: 'wrong-sf-client-secret-4e1d22',
  OIDC_CLIENT_SECRET: 'wrong-oidc-client-secret-88af10',
  KOSMOS_WEBHOOK_SECRET: 'whsec_not*base64*webhook*secret*9f3e',
};
const broken = await startWorker({
  vars: sandboxVars(kosmos, salesforce, { ...WRONG, OIDC_COOKIE_SECRET: COOKIE_SECRET, DESCOPE_HMAC_SECRET: DESCOPE_SECRET }),
  assets: false, queue: false, miniflare: capture,
});
const unreachable = await startWorker({
  vars: sandboxVars(kosmos, salesforce, { KOSMOS_BASE_URL: 'http://127.0.0.1:9', OIDC_COOKIE_SECRET: COOKIE_SECRET }),
  assets: false, queue: false, miniflare: capture,
});

after(async () => {
  await Promise.allSettled([good.close(), broken.close(), unreachable.close(), kosmos.close(), salesforce.close()]);
});

const basic = (id, secret) => Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64');
const SECRETS = {
  'KOSMOS_API_KEY': kosmos.apiKey,
  'KOSMOS_WEBHOOK_SECRET': kosmos.webhookSecret,
  'KOSMOS_WEBHOOK_SECRET (key)': kosmos.webhookSecret.slice('whsec_'.length),
  'SF_CLIENT_SECRET': salesforce.clientSecret,
  'DESCOPE_HMAC_SECRET': DESCOPE_SECRET,
  'OIDC_CLIENT_SECRET': kosmos.oidc.clientSecret,
  'OIDC_CLIENT_SECRET (basic)': basic(kosmos.oidc.clientId, kosmos.oidc.clientSecret),
  'OIDC_COOKIE_SECRET': COOKIE_SECRET,
  ...Object.fromEntries(Object.entries(WRONG).map(([k, v]) => [`${k} (broken worker)`, v])),
  'OIDC_CLIENT_SECRET (broken worker, basic)': basic(kosmos.oidc.clientId, WRONG.OIDC_CLIENT_SECRET),
};

/** Every answer seen: `{ what, status, text, headers }`. */
const seen = [];
async function send(what, url, init = {}) {
  const res = await fetch(url, { redirect: 'manual', ...init });
  const text = await res.text();
  seen.push({ what, status: res.status, text, headers: [...res.headers].map(([k, v]) => `${k}: ${v}`).join('\n') });
  return { status: res.status, text, headers: res.headers };
}
const json = (body) => (typeof body === 'string' ? body : JSON.stringify(body));
const descopeHeaders = (body, secret = DESCOPE_SECRET) => ({
  'content-type': 'application/json',
  'x-descope-webhook-s256': createHmac('sha256', secret).update(body).digest('base64'),
});
async function descope(w, path, body, { sign = true, secret } = {}) {
  const text = json(body);
  const headers = sign ? descopeHeaders(text, secret) : { 'content-type': 'application/json' };
  return send(`${path} ${text.slice(0, 40)}`, `${w.url}${path}`, { method: 'POST', headers, body: text });
}
const signWebhook = standardSigner(kosmos.webhookSecret);
let n = 0;
function event() {
  n += 1;
  return JSON.stringify({
    type: 'idv.session.completed', timestamp: new Date().toISOString(),
    data: { session_id: `ses_secret_${Date.now()}_${n}`, status: 'completed', ial_level: 'IAL2', verified_claims: null, metadata: { user_identifier: 'leak@test', related_record_id: '001000000000001AAA' } },
  });
}
async function webhook(w, body, headers) {
  return send(`webhook ${body.slice(0, 30)}`, `${w.url}/v1/webhooks/1kosmos`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
}

test('error paths answer with the right status and leak no secret in bodies, headers or logs', async () => {
  const now = Math.floor(Date.now() / 1000);
  // Descope signature failures.
  assert.equal((await descope(good, '/v1/descope/risk', { riskInfo: { riskScore: 0.2 } }, { sign: false })).status, 401);
  assert.equal((await descope(good, '/v1/descope/risk', { riskInfo: { riskScore: 0.2 } }, { secret: 'another-secret' })).status, 401);
  // 1Kosmos refusing the key, down, unknown ids, bad input.
  kosmos.state.failNext = { count: 1, status: 401 };
  assert.equal((await descope(good, '/v1/descope/idv-result', { session_id: 'ses_x' })).status, 502);
  kosmos.state.failNext = { count: 3, status: 503 }; // every attempt of the retrying client
  assert.equal((await descope(good, '/v1/descope/idv', { document_types: ['passport'], liveness_mode: 'passive' })).status, 503);
  kosmos.state.failNext = { count: 0, status: 503 };
  assert.equal((await descope(good, '/v1/descope/idv-result', { session_id: 'ses_unknown' })).status, 404);
  assert.equal((await descope(good, '/v1/descope/step-up', { user_identifier: 'stranger@test' })).status, 404);
  assert.equal((await descope(good, '/v1/descope/step-up', { action: 'x' })).status, 400);
  assert.equal((await descope(good, '/v1/descope/risk', '{"riskInfo": ')).status, 400);
  assert.equal((await descope(broken, '/v1/descope/idv-result', { session_id: 'ses_x' })).status, 502);
  assert.equal((await descope(broken, '/v1/descope/step-up', { user_identifier: 'match@test' })).status, 502);
  assert.equal((await send('unreachable 1kosmos', `${unreachable.url}/v1/descope/idv-result`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"session_id":"ses_x"}' })).status, 502);

  // Webhook signature failures, a bad event, an unusable configured secret.
  const body = event();
  const signed = signWebhook(`msg_leak_${n}`, now, body);
  assert.equal((await webhook(good, body.replace('IAL2', 'IAL3'), signed)).status, 401);
  assert.equal((await webhook(good, body, signWebhook(`msg_leak_${n}`, now - 3600, body))).status, 401);
  assert.equal((await webhook(good, body, { 'webhook-id': signed['webhook-id'] })).status, 401);
  const notEvent = '{"type":"billing.invoice","data":{}}';
  assert.equal((await webhook(good, notEvent, signWebhook(`msg_leak_x${n}`, now, notEvent))).status, 400);
  assert.equal((await webhook(broken, body, signed)).status, 500);

  // Salesforce unreachable (queued, the queue consumer retries and logs), then
  // refusing the Worker's credentials (without a queue: 503), then with a queue.
  const e1 = event();
  await fetch(`${salesforce.url}/__down?mode=reset`, { method: 'POST' });
  try {
    assert.equal((await webhook(good, e1, signWebhook(`msg_leak_down${n}`, now, e1))).status, 202);
    await new Promise((r) => setTimeout(r, 800));
  } finally {
    await fetch(`${salesforce.url}/__recover`, { method: 'POST' });
  }
  const badSfVars = sandboxVars(kosmos, salesforce, { SF_CLIENT_SECRET: WRONG.SF_CLIENT_SECRET, HANDOFF_RETRY_BASE_S: '60' });
  for (const queue of [false, true]) {
    const e2 = event();
    const badSfSecret = await startWorker({ vars: badSfVars, assets: false, queue, miniflare: capture });
    try {
      assert.equal((await webhook(badSfSecret, e2, signWebhook(`msg_leak_sfauth${n}`, now, e2))).status, queue ? 202 : 503);
      if (queue) await new Promise((r) => setTimeout(r, 800));
    } finally {
      await badSfSecret.close();
    }
  }

  // OIDC: a bad cookie, no cookie, a token exchange refused for the wrong client secret.
  assert.equal((await send('oidc no cookie', `${good.url}/v1/oidc/callback?code=x&state=y`)).status, 400);
  assert.equal((await send('oidc bad cookie', `${good.url}/v1/oidc/callback?code=x&state=y`, { headers: { cookie: 'kosmos_oidc=e30.AAAA' } })).status, 400);
  const start = await send('oidc start (broken)', `${broken.url}/v1/oidc/start?login_hint=match@test`);
  assert.equal(start.status, 302);
  const cookie = start.headers.get('set-cookie').split(';')[0];
  const back = await fetch(start.headers.get('location'), { redirect: 'manual' });
  const refused = await send('oidc callback (wrong client secret)', back.headers.get('location'), { headers: { cookie } });
  assert.equal(refused.status, 502, refused.text);
  assert.equal(JSON.parse(refused.text).error.code, 'token_exchange_failed');

  // Let workerd flush its log lines.
  await new Promise((r) => setTimeout(r, 300));
  assert.ok(seen.length >= 20, `${seen.length} answers checked`);
  assert.ok(logs.some((l) => l.includes('handoff: publish failed')), 'the queue consumer\'s log lines are captured');
  assert.ok(logs.some((l) => l.includes('-> 502 upstream_auth_failed')), 'the answers\' log lines are captured');
  if (process.env.SHOW_LOGS) console.log(logs.join('\n'));
  for (const [name, secret] of Object.entries(SECRETS)) {
    assert.ok(secret.length >= 8, name);
    for (const s of seen) {
      assert.ok(!s.text.includes(secret), `${name} in the body of ${s.what} (${s.status})`);
      assert.ok(!s.headers.includes(secret), `${name} in a header of ${s.what} (${s.status})`);
    }
    for (const line of logs) assert.ok(!line.includes(secret), `${name} in the log line: ${line.slice(0, 200)}`);
  }
});
