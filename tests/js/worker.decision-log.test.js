// The Worker's decision log (opt-in, DECISION_LOG): each context the risk
// node decided, reduced by the core (IP truncated) and bounded, in KV or as
// a log line, and `diffPolicies` replays a policy change over those records.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWorker } from '../../www/worker/dev.mjs';
import { diffPolicies } from '../../pkg/gen/policy-tools/node.js';

const POLICY = {
  version: 1,
  rules: [{ id: 'risky-login', description: 'risk score above 0.7', when: { risk_score_above: 0.7 }, then: { decision: 'step_up', max_age_s: 900 } }],
  default: { decision: 'allow' },
};
const base = { POLICY: JSON.stringify(POLICY), KOSMOS_PROFILE: 'verify-v1', KOSMOS_BASE_URL: 'http://127.0.0.1:9', KOSMOS_API_KEY: 'k' };
const logged = await startWorker({
  vars: { ...base, DECISION_LOG: 'kv', DECISION_LOG_KEY: 'a-decision-log-key-0123', DECISION_LOG_CONFIG: JSON.stringify({ max_bytes: 1024 }) },
  miniflare: { kvNamespaces: ['DECISION_LOG_KV'] },
  queue: false,
  assets: false,
});
const plain = await startWorker({ vars: base, miniflare: { kvNamespaces: ['DECISION_LOG_KV'] }, queue: false, assets: false });
after(() => Promise.allSettled([logged.close(), plain.close()]));

const flow = (riskScore, extra = {}) => ({ riskInfo: { riskScore }, user: { fingerprint: { knownDevice: true }, lastAuth: { ip: '203.0.113.77', country: 'US' } }, geo: { country: 'US' }, ...extra });
const risk = async (w, body) => {
  const res = await fetch(`${w.url}/v1/descope/risk`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
};
async function records(w) {
  const kv = await w.mf.getKVNamespace('DECISION_LOG_KV');
  const { keys } = await kv.list({ prefix: 'decision/' });
  return Promise.all(keys.map(async (k) => ({ key: k.name, line: await kv.get(k.name) })));
}

test('off by default: nothing is recorded', async () => {
  assert.equal((await risk(plain, flow(0.9))).json.decision, 'step_up');
  assert.equal((await records(plain)).length, 0);
});

test('with DECISION_LOG=kv each decided context is a reduced, bounded record that diff replays', async () => {
  const scores = [0.1, 0.65, 0.75, 0.9];
  for (const s of scores) assert.equal((await risk(logged, flow(s))).status, 200);
  // A huge custom attribute makes a record over max_bytes: it is cut, not refused.
  const big = await risk(logged, flow(0.2, { user: { fingerprint: { knownDevice: true }, customAttributes: { note: 'x'.repeat(5000) }, lastAuth: { ip: '203.0.113.77' } } }));
  assert.equal(big.status, 200);
  const got = await records(logged);
  assert.equal(got.length, scores.length + 1);
  const parsed = got.map((r) => JSON.parse(r.line));
  for (const [i, r] of got.entries()) {
    assert.match(r.key, /^decision\/\d{4}-\d\d-\d\dT[\d:.]+Z\/[0-9a-f-]{36}$/);
    assert.ok(r.line.length <= 1024, `${r.line.length} bytes`);
    assert.ok(!r.line.includes('203.0.113.77'), 'the IP is reduced');
    assert.equal(parsed[i].v, 1);
  }
  const full = parsed.filter((p) => !p.truncated);
  assert.equal(full.length, 4);
  assert.ok(full.every((p) => p.context.last_login.ip === '203.0.113.0'));
  assert.equal(parsed.filter((p) => p.truncated).length, 1);
  assert.deepEqual(parsed.map((p) => p.decision).sort(), ['allow', 'allow', 'allow', 'step_up', 'step_up']);
  // The impact of lowering the threshold to 0.6, over the recorded traffic.
  const stricter = { ...POLICY, rules: [{ ...POLICY.rules[0], when: { risk_score_above: 0.6 } }] };
  const impact = diffPolicies(POLICY, stricter, got.map((r) => r.line));
  assert.equal(impact.total, 5);
  assert.equal(impact.changed, 1);
  assert.deepEqual(impact.moves.map((m) => [m.from, m.to, m.count]), [['allow', 'step_up', 1]]);
});
