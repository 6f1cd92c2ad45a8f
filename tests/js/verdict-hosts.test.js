// One verdict rule, whatever the host: the real Worker (in workerd, against
// the 1Kosmos and Salesforce stand-ins) answers `verdict` on its result
// endpoints and writes the same verdict into the Salesforce Task, and the
// Lightning component (gateway.js, reading what the Apex gateway passes on)
// shows that verdict and computes none of its own, including for an IDV
// completed below the required IAL. A grep keeps the JS copies of the rule
// from coming back.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { outcomeOf } from '../../www/lwc/force-app/main/default/lwc/kosmosStepUp/gateway.js';
import { startKosmos } from '../../www/sandbox/kosmos.mjs';
import { startSalesforce } from '../../www/sandbox/salesforce.mjs';
import { sandboxVars, startWorker } from '../../www/worker/dev.mjs';
import { root, waitFor } from './hosts.js';

const RECORD = '001000000000001AAA';
const kosmos = await startKosmos({ retryDelaysMs: [200, 400, 800] });
const salesforce = await startSalesforce();
const worker = await startWorker({ vars: sandboxVars(kosmos, salesforce, { REQUIRED_IAL: 'ial_2' }), assets: false });
kosmos.setWebhookUrl(`${worker.url}/v1/webhooks/1kosmos`);
after(() => Promise.allSettled([worker.close(), kosmos.close(), salesforce.close()]));

async function post(path, body) {
  const res = await fetch(`${worker.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}
const taskFor = (id) => salesforce.state.received.find((r) => r.object === 'Task' && r.fields.Description.includes(`: ${id}\n`));

test('an IDV completed at IAL2 when IAL3 is required: rejected by the Worker, its Task and the component alike', async () => {
  const start = await post('/v1/descope/idv', {
    document_types: ['passport'], liveness_mode: 'passive', user_identifier: 'ada@test',
    metadata: { related_record_id: RECORD, required_ial: 'nist_800_63A_ial_3' },
  });
  assert.equal(start.status, 200, JSON.stringify(start.json));
  assert.equal(kosmos.state.sessions.get(start.json.session_id).metadata.required_ial, 'IAL3', 'recorded in the core spelling');
  let r;
  for (let i = 0; i < 3; i += 1) r = await post('/v1/descope/idv-result', { session_id: start.json.session_id, required_ial: 'IAL3' });
  assert.equal(r.status, 200);
  const { verdict, ...answer } = r.json;
  assert.equal(answer.status, 'completed');
  assert.equal(answer.ial_level, 'IAL2');
  assert.deepEqual(verdict, { final: true, outcome: 'rejected', reason: 'ial_below_required', required_ial: 'IAL3' });
  // The component, on the very answer the Worker gave it (Apex passes it on unchanged).
  const shown = outcomeOf('idv', r.json);
  assert.deepEqual(shown.verdict, verdict);
  assert.equal(shown.outcome, 'not_verified');
  assert.deepEqual(outcomeOf('idv', answer), { final: false, verdict: undefined }, 'without the Worker\'s verdict the component sees nothing final');
  // Without a required_ial the Worker's REQUIRED_IAL (ial_2 -> IAL2) applies, and IAL2 passes.
  const lenient = await post('/v1/descope/idv-result', { session_id: start.json.session_id });
  assert.deepEqual(lenient.json.verdict, { final: true, outcome: 'approved', reason: 'completed', required_ial: 'IAL2' });
  assert.deepEqual(outcomeOf('idv', lenient.json), { final: true, outcome: 'verified', verdict: lenient.json.verdict });
  // The webhook's Task uses the level recorded at the start (IAL3), not REQUIRED_IAL.
  const task = await waitFor('the task', () => taskFor(start.json.session_id));
  assert.match(task.fields.Description, /\nOutcome: rejected\nVerdict: ial_below_required\n/);
  assert.ok(task.fields.Description.includes('Required assurance: IAL3'));
});

test('step-up verdicts: the Worker and the component agree; min_confidence is the core\'s to check', async () => {
  for (const [user, reason] of [['match@test', 'match'], ['nomatch@test', 'no_match'], ['cancel@test', 'cancelled']]) {
    const start = await post('/v1/descope/step-up', { user_identifier: user });
    assert.equal(start.status, 200);
    const r = await post('/v1/descope/step-up-result', { challenge_id: start.json.challenge_id });
    const { verdict, ...answer } = r.json;
    assert.equal(verdict.reason, reason, user);
    assert.deepEqual(outcomeOf('step_up', r.json).verdict, verdict, user);
    assert.equal(outcomeOf('step_up', answer).final, false, `${user}: no verdict, nothing final`);
    if (user === 'match@test') {
      const strict = await post('/v1/descope/step-up-result', { challenge_id: start.json.challenge_id, min_confidence: '0.99' });
      assert.deepEqual(strict.json.verdict, { final: true, outcome: 'rejected', reason: 'confidence_below_required' });
      const bad = await post('/v1/descope/step-up-result', { challenge_id: start.json.challenge_id, min_confidence: 7 });
      assert.equal(bad.status, 400);
      assert.equal(bad.json.error.field, 'min_confidence');
    }
  }
  const badIal = await post('/v1/descope/idv-result', { session_id: 'ses_x', required_ial: 'AAL2' });
  assert.equal(badIal.status, 400);
  assert.equal(badIal.json.error.field, 'required_ial');
});

test('no JS copy of the verdict or IAL rules in www/ or pkg/', () => {
  // What the copies looked like: status lists, IAL ranks, digit stripping, approving any completed IDV.
  const patterns = [/FINAL_STATUSES/, /IAL_RANK/, /replace\(\/\\D\/g/, /status === 'completed' && ev\.ial_level/, /'in_progress'\]\.includes|=== 'in_progress'/];
  const files = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      if (name === 'node_modules' || name === 'gen' || name === '.build' || name === 'dist') continue;
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(js|mjs)$/.test(name) && !p.includes('/sandbox/') && !p.includes('__tests__')) files.push(p);
    }
  };
  walk(join(root, 'www'));
  walk(join(root, 'pkg'));
  assert.ok(files.length > 20);
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    if (text.startsWith('// GENERATED')) continue;
    for (const re of patterns) assert.ok(!re.test(text), `${f} holds ${re}: ask the core (idvVerdict, stepUpVerdict, parseIal)`);
  }
});

test('the Worker\'s limits are the core\'s: metadata values in bytes of UTF-8, ids at 256 bytes', async () => {
  const fits = await post('/v1/descope/step-up', { user_identifier: 'match@test', metadata: { note: 'é'.repeat(256) } });
  assert.equal(fits.status, 200, JSON.stringify(fits.json));
  // 300 UTF-16 units (the old JS count let it through) but 600 bytes.
  const over = await post('/v1/descope/step-up', { user_identifier: 'match@test', metadata: { note: 'é'.repeat(300) } });
  assert.equal(over.status, 400);
  assert.match(over.json.error.field, /^metadata/);
  const ctl = await post('/v1/descope/step-up', { user_identifier: 'match@test', metadata: { 'a\u0001': 'v' } });
  assert.equal(ctl.status, 400);
  const id256 = await post('/v1/descope/idv-result', { session_id: 's'.repeat(256) });
  assert.notEqual(id256.status, 400, 'a 256-byte id is the core\'s limit, not refused as input');
  const id257 = await post('/v1/descope/idv-result', { session_id: 's'.repeat(257) });
  assert.equal(id257.status, 400);
  assert.equal(id257.json.error.field, 'session_id');
});
