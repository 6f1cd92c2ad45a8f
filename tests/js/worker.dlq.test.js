// The hand-off queue gives up: with Salesforce down for good, a queued event
// is retried up to the queue's max_retries and then lands in the dead-letter
// queue with everything needed to publish it later. Seen through a second
// worker that consumes the dead-letter queue (www/worker/dev.mjs
// `deadLetterSink`) and reports to a loopback sink here.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { startKosmos } from '../../www/sandbox/kosmos.mjs';
import { startSalesforce } from '../../www/sandbox/salesforce.mjs';
import { standardSigner } from '../../www/sandbox/sign.mjs';
import { sandboxVars, startWorker } from '../../www/worker/dev.mjs';
import { waitFor } from './hosts.js';

const dead = [];
const sink = createServer((req, res) => {
  let text = '';
  req.on('data', (c) => (text += c));
  req.on('end', () => {
    dead.push(JSON.parse(text));
    res.end('ok');
  });
});
await new Promise((r) => sink.listen(0, '127.0.0.1', r));
const sinkUrl = `http://127.0.0.1:${sink.address().port}/dead`;

const kosmos = await startKosmos();
const salesforce = await startSalesforce();
// Two attempts by the consumer, no backoff: the test stays short.
const worker = await startWorker({
  vars: sandboxVars(kosmos, salesforce, { HANDOFF_RETRY_BASE_S: '0' }),
  assets: false,
  queueRetries: 1,
  deadLetterSink: sinkUrl,
});

after(async () => {
  await fetch(`${salesforce.url}/__recover`, { method: 'POST' }).catch(() => {});
  await Promise.allSettled([worker.close(), kosmos.close(), salesforce.close(), new Promise((r) => sink.close(r))]);
});

test('after max_retries a queued event lands in the dead-letter queue, whole and unpublished', async () => {
  await fetch(`${salesforce.url}/__down`, { method: 'POST' });
  const sessionId = `ses_dlq_${Date.now()}`;
  const id = `msg_dlq_${Date.now()}`;
  const body = JSON.stringify({
    type: 'idv.session.completed',
    timestamp: new Date().toISOString(),
    data: { session_id: sessionId, status: 'completed', ial_level: 'IAL2', verified_claims: null, metadata: { user_identifier: 'dlq@test', related_record_id: '001000000000001AAA' } },
  });
  const headers = standardSigner(kosmos.webhookSecret)(id, Math.floor(Date.now() / 1000), body);
  const res = await fetch(`${worker.url}/v1/webhooks/1kosmos`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  assert.equal(res.status, 202, await res.clone().text());
  assert.deepEqual(await res.json(), { status: 'queued', id });

  const letter = await waitFor('the dead letter', () => dead.find((d) => d.body?.id === id), 20_000);
  assert.equal(letter.queue, 'kosmos-handoff-dlq');
  // The event and the Task travel whole: enough to publish them by hand later.
  assert.equal(letter.body.records.event.Verification_Id__c, sessionId);
  assert.equal(letter.body.records.event.Status__c, 'completed');
  assert.equal(letter.body.records.task.WhatId, '001000000000001AAA');
  // Nothing reached Salesforce, and a redelivery is still a duplicate (not processed twice).
  assert.equal(salesforce.state.received.filter((r) => r.fields.Verification_Id__c === sessionId).length, 0);
  const again = await fetch(`${worker.url}/v1/webhooks/1kosmos`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  assert.equal((await again.json()).status, 'duplicate');
  assert.equal(dead.filter((d) => d.body?.id === id).length, 1, 'dead-lettered once');
});
