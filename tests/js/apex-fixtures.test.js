// The contract fixtures the Apex tests mock (the static resource
// KosmosWorkerFixtures) replayed against the real Worker in workerd, with the
// 1Kosmos and Salesforce stand-ins: every fixture's status and body must be
// what the Worker answers today, so an Apex mock cannot drift from the
// Worker. The signature is computed by the External Credential's header
// formula (evaluated here by tests/js/apex-formula.js), the way the org
// computes it.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startKosmos } from '../../www/sandbox/kosmos.mjs';
import { startSalesforce } from '../../www/sandbox/salesforce.mjs';
import { sandboxVars, startWorker } from '../../www/worker/dev.mjs';
import { root } from './hosts.js';
import { forceApp } from './salesforce-metadata.js';
import { signatureHeader } from './apex-formula.js';

export const FIXTURES_PATH = join(forceApp, 'staticresources', 'KosmosWorkerFixtures.json');
const FIXTURES = JSON.parse(readFileSync(FIXTURES_PATH, 'utf8'));
const SECRET = FIXTURES.worker.descope_hmac_secret;

const kosmos = await startKosmos();
const salesforce = await startSalesforce();
const policy = readFileSync(join(root, FIXTURES.worker.policy), 'utf8');
const worker = await startWorker({ vars: sandboxVars(kosmos, salesforce, { POLICY: policy, DESCOPE_HMAC_SECRET: SECRET }), assets: false });
kosmos.setWebhookUrl(`${worker.url}/v1/webhooks/1kosmos`);
after(() => Promise.allSettled([worker.close(), kosmos.close(), salesforce.close()]));

async function call(path, body, signature = 'valid') {
  const text = JSON.stringify(body);
  const headers = { 'content-type': 'application/json' };
  if (signature === 'valid') headers['x-descope-webhook-s256'] = signatureHeader(text, SECRET);
  if (signature === 'wrong') headers['x-descope-webhook-s256'] = signatureHeader(text, `${SECRET}-not`);
  const res = await fetch(`${worker.url}${path}`, { method: 'POST', headers, body: text });
  const answer = await res.text();
  let json;
  try {
    json = JSON.parse(answer);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text: answer };
}

const fill = (body, ids) => JSON.parse(JSON.stringify(body), (k, v) => (typeof v === 'string' && v.startsWith('$') && v.slice(1) in ids ? ids[v.slice(1)] : v));
const typeOf = (v) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/** Compares `got` with `want`: same keys at every level, same values except at `vary` paths (same type). */
function sameShape(got, want, vary, path = '') {
  if (vary.has(path)) {
    assert.equal(typeOf(got), typeOf(want), `${path}: type`);
    return;
  }
  if (typeOf(want) === 'object') {
    assert.equal(typeOf(got), 'object', `${path || 'body'} is an object`);
    assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort(), `${path || 'body'}: keys`);
    for (const k of Object.keys(want)) sameShape(got[k], want[k], vary, path ? `${path}.${k}` : k);
    return;
  }
  assert.deepEqual(got, want, `${path || 'body'}: value`);
}

/** Runs one fixture against the Worker and returns the last answer. */
export async function replay(fx) {
  const ids = {};
  for (const step of fx.before ?? []) {
    const r = await call(step.path, step.body);
    assert.equal(r.status, 200, `setup ${step.path}: ${r.text}`);
    Object.assign(ids, r.json);
  }
  if (fx.kosmos_fail) kosmos.state.failNext = { ...fx.kosmos_fail };
  let r;
  try {
    for (let i = 0; i < (fx.reads ?? 1); i += 1) r = await call(fx.request.path, fill(fx.request.body, ids), fx.signature);
  } finally {
    kosmos.state.failNext = { count: 0, status: 503 };
  }
  return r;
}

for (const [name, fx] of Object.entries(FIXTURES.fixtures)) {
  test(`fixture ${name}: the Worker answers ${fx.response.status} with the fixture's body`, async () => {
    const r = await replay(fx);
    if (process.env.RECORD_FIXTURES) console.log(name, r.status, r.text);
    assert.equal(r.status, fx.response.status, r.text);
    sameShape(r.json, fx.response.body, new Set(fx.vary ?? []));
  });
}

test('every fixture is used by an Apex test, and every fixture an Apex test names exists', () => {
  const classes = join(forceApp, 'classes');
  const tests = readdirSync(classes).filter((f) => f.endsWith('Test.cls')).map((f) => readFileSync(join(classes, f), 'utf8')).join('\n');
  // Fixture names are the quoted snake_case words given to KosmosWorkerMock.
  const mocks = [...tests.matchAll(/KosmosWorkerMock\((?:new List<String>\{([^}]*)\}|'([a-z_]+)')\)/g)].map((m) => m[1] ?? `'${m[2]}'`).join(',');
  const named = new Set([...mocks.matchAll(/'([a-z_]+)'/g)].map((m) => m[1]));
  assert.ok(named.size > 10, `the Apex tests name ${named.size} fixtures`);
  for (const n of Object.keys(FIXTURES.fixtures)) assert.ok(named.has(n), `fixture ${n} is used by an Apex test`);
  for (const n of named) assert.ok(n in FIXTURES.fixtures, `the Apex tests name fixture ${n}, which does not exist`);
});

test('a changed fixture fails the replay (the check bites)', async () => {
  const fx = structuredClone(FIXTURES.fixtures.step_up_result_match);
  fx.response.body.confidence = 0.5;
  const r = await replay(fx);
  assert.throws(() => sameShape(r.json, fx.response.body, new Set()), /confidence/);
});
