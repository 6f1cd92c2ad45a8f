// workerd (Miniflare): verifyOnce with the real Durable Object class and a
// real KV namespace. Concurrent deliveries of one message: exactly one is
// processed by the Durable Object store.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as k from '../../pkg/node.js';
import { root, startWorkerd } from './hosts.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const signer = k.createWebhookVerifier({ scheme: 'standard', secrets: [SECRET] });
let mf;

before(async () => {
  mf = await startWorkerd(join(root, 'tests', 'js', 'hosts', 'webhook-worker.js'), {
    bindings: { WEBHOOK_SECRET: SECRET },
    durableObjects: { REPLAY: 'ReplayStoreObject' },
    kvNamespaces: ['KV'],
  });
});
after(() => mf?.dispose());

const deliver = async (path, headers, body, now) => {
  const res = await mf.dispatchFetch(`http://localhost${path}?now=${now}`, { method: 'POST', headers, body });
  return { status: res.status, json: await res.json() };
};

test('Durable Object store: of 12 concurrent deliveries of one message, one is processed', async () => {
  const now = Math.floor(Date.now() / 1000);
  const body = JSON.stringify({ type: 'idv.completed', session_id: 's_1' });
  const headers = signer.sign(body, { id: 'msg_concurrent_1', timestamp: now });
  const results = await Promise.all(Array.from({ length: 12 }, () => deliver('/do', headers, body, now)));
  const fresh = results.filter((r) => r.json.duplicate === false);
  const dups = results.filter((r) => r.json.duplicate === true);
  assert.equal(fresh.length, 1, JSON.stringify(results));
  assert.equal(dups.length, 11);
  assert.deepEqual(fresh[0].json, { duplicate: false, id: 'msg_concurrent_1', timestamp: now, remember_until: now + 300 });
  assert.deepEqual(dups[0].json, { duplicate: true, id: 'msg_concurrent_1' });
  // Other messages are independent of that one, over every shard.
  for (let i = 0; i < 8; i++) {
    const h = signer.sign(body, { id: `msg_other_${i}`, timestamp: now });
    assert.equal((await deliver('/do', h, body, now)).json.duplicate, false);
  }
});

test('a forged delivery is refused before any store is touched', async () => {
  const now = Math.floor(Date.now() / 1000);
  const headers = signer.sign('{"a":1}', { id: 'msg_forged', timestamp: now });
  const r = await deliver('/do', headers, '{"a":2}', now);
  assert.equal(r.status, 400);
  assert.equal(r.json.code, 'no_matching_signature');
  // The id was not recorded: the genuine message still goes through.
  assert.equal((await deliver('/do', headers, '{"a":1}', now)).json.duplicate, false);
});

test('KV store: sequential deliveries see the first one', async () => {
  const now = Math.floor(Date.now() / 1000);
  const headers = signer.sign('{"kv":true}', { id: 'msg_kv_1', timestamp: now });
  assert.equal((await deliver('/kv', headers, '{"kv":true}', now)).json.duplicate, false);
  assert.equal((await deliver('/kv', headers, '{"kv":true}', now)).json.duplicate, true);
  const kv = await mf.getKVNamespace('KV');
  assert.equal(await kv.get('replay:webhook:standard:msg_kv_1'), '1');
});
