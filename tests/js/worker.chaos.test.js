// The chaos run in short form (bench/worker-chaos.mjs; `npm run bench` runs
// 5,000): 400 signed deliveries (10% repeats) through the real Worker in
// workerd while the Salesforce stand-in fails a seeded 10% of its requests
// five ways (503, 429 + Retry-After, connection reset, a 2 s stall past the
// Worker's timeout, the answer lost after the record was stored) and workerd
// is stopped and started twice with its Durable Object and KV state on disk.
// Nothing accepted is lost, nothing is duplicated in a way Salesforce cannot
// tell, and the repeats a lost answer causes land on the same records. No
// timing assertions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chaosTest, describe as describeRun } from '../../bench/worker-chaos.mjs';
import { startSalesforce } from '../../www/sandbox/salesforce.mjs';

/** A client-credentials token from the Salesforce stand-in. */
async function accessToken(sf) {
  const res = await fetch(`${sf.url}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: sf.clientId, client_secret: sf.clientSecret }),
  });
  return (await res.json()).access_token;
}

test('the Salesforce stand-in upserts by external id as Salesforce does', async () => {
  const sf = await startSalesforce();
  try {
    const token = await accessToken(sf);
    const call = (method, path, body) => fetch(`${sf.url}/services/data/v62.0/sobjects/${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const task = { WhatId: '006000000000001AAA', Subject: 'x', Status: 'Completed', Description: 'IDV session: ses_1\n' };
    const first = await call('PATCH', 'Task/Kosmos_Delivery_Key__c/msg_1', task);
    assert.equal(first.status, 201);
    const created = await first.json();
    assert.equal(created.created, true);
    const again = await call('PATCH', 'Task/Kosmos_Delivery_Key__c/msg_1', { ...task, Subject: 'y' });
    assert.equal(again.status, 200);
    assert.deepEqual(await again.json(), { id: created.id, success: true, errors: [], created: false });
    const tasks = sf.state.received.filter((r) => r.object === 'Task');
    assert.equal(tasks.length, 1, 'the second write updated the first Task');
    assert.equal(tasks[0].fields.Subject, 'y');
    assert.equal(tasks[0].fields.Kosmos_Delivery_Key__c, 'msg_1');
    assert.equal(sf.state.upsertsUpdated.Task, 1);
    assert.equal((await call('PATCH', 'Task/Kosmos_Delivery_Key__c/msg_2', { ...task, Kosmos_Delivery_Key__c: 'msg_2' })).status, 400, 'the key in the body is refused');
    assert.equal((await call('PATCH', 'Task/Subject/msg_3', task)).status, 404, 'only an external id field upserts');
    assert.equal((await call('POST', 'Task/Kosmos_Delivery_Key__c/msg_4', task)).status, 405);
    assert.equal((await call('PATCH', `Task/Kosmos_Delivery_Key__c/${'k'.repeat(256)}`, task)).status, 400, 'the key fits the field');
  } finally {
    await sf.close();
  }
});

test('chaos: 400 deliveries, Salesforce failing 10% five ways, workerd restarted twice: 0 lost, 0 duplicated', async () => {
  const r = await chaosTest({ deliveries: 400, concurrency: 25, restarts: 2, seed: 17 });
  const summary = describeRun(r).join('\n');
  console.log(summary);
  assert.equal(r.restarts.length, 2, summary);
  for (const kind of ['5xx', '429', 'reset', 'stall', 'lost']) assert.ok(r.faults[kind] > 0, `no ${kind} fault was injected\n${summary}`);
  assert.ok(r.statuses.network > 0, 'the restarts cut requests the sender then retried');
  assert.equal(r.sender_gave_up, 0, summary);
  assert.equal(r.accepted, r.unique, summary);
  assert.equal(r.lost, 0, `${summary}\nlost: ${r.lost_ids.join(', ')}`);
  assert.equal(r.duplicated, 0, summary);
  assert.equal(r.delivered + r.dead_lettered, r.unique, summary);
  assert.equal(r.tasks_received, r.expected_tasks - (r.unique - r.delivered), 'one Task per delivery that names a record');
  assert.equal(r.rejected_by_salesforce, 0, summary);
  // The answer-lost and stall faults made the Worker write records Salesforce already had; each landed on its record.
  assert.ok(r.task_upserts_absorbed + r.event_repeats_same_key > 0, `no repeat was absorbed\n${summary}`);
  assert.equal(r.events_without_key, 0, 'every event carries its Delivery_Key__c');
  // The Durable Object state was on disk: what was acknowledged before the first restart is still known after the second.
  assert.ok(r.resent_after_restarts > 0, summary);
  assert.equal(r.resent_answered_duplicate, r.resent_after_restarts, summary);
  assert.equal(r.resent_published, 0, summary);
});

test('the stand-in\'s faults: a stall and a lost answer store the record, the other three do not', async () => {
  const sf = await startSalesforce({ chaos: { rate: 1, seed: 5, stallMs: 600, retryAfterS: 3 } });
  try {
    const token = await accessToken(sf);
    const seen = { 503: 0, 429: 0, cut: 0 };
    for (let i = 0; i < 40; i += 1) {
      try {
        const res = await fetch(`${sf.url}/services/data/v62.0/sobjects/Task/Kosmos_Delivery_Key__c/k${i}`, {
          method: 'PATCH',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ WhatId: '006000000000001AAA', Subject: 'x', Status: 'Completed' }),
          signal: AbortSignal.timeout(300),
        });
        seen[res.status] += 1;
        if (res.status === 429) assert.equal(res.headers.get('retry-after'), '3');
      } catch {
        seen.cut += 1;
      }
    }
    await new Promise((r) => setTimeout(r, 1000));
    const c = sf.state.chaos;
    assert.equal(c.decided, 40);
    for (const kind of ['5xx', '429', 'reset', 'stall', 'lost']) assert.ok(c[kind] > 0, kind);
    assert.deepEqual(seen, { 503: c['5xx'], 429: c['429'], cut: c.reset + c.stall + c.lost });
    assert.equal(sf.state.received.length, c.stall + c.lost, 'stored: what stalled and what lost its answer');
  } finally {
    await sf.close();
  }
});
