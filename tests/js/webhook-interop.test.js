// Node only: the npm `standardwebhooks` and `svix` libraries against ours,
// both ways, on fresh random messages; and the stored interop vectors (which
// the shared suite verifies in every host) are still what the libraries make.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import * as k from '../../pkg/node.js';
import { interopCases } from '../vectors/gen/interop.mjs';

const vectors = JSON.parse(readFileSync(new URL('../vectors/webhooks.json', import.meta.url), 'utf8'));
const LIBS = { standardwebhooks: StandardWebhook, svix: SvixWebhook };
const secret = () => `whsec_${randomBytes(24).toString('base64')}`;
const nowS = () => Math.floor(Date.now() / 1000);

function randomBody(i) {
  switch (i % 4) {
    case 0:
      return JSON.stringify({ type: 'idv.completed', n: randomInt(1e9), note: 'é\u2028😀' });
    case 1:
      // A Buffer of UTF-8 text. (Both libraries decode a Buffer as UTF-8
      // before signing, so bytes that are not UTF-8 are signed as their
      // U+FFFD-replaced text by them and as raw bytes by the standard and by
      // us: webhook payloads are JSON, always UTF-8, so only text compares.)
      return Buffer.from(JSON.stringify({ bytes: randomBytes(randomInt(0, 2048)).toString('base64'), s: 'ü' }));
    case 2:
      return 'x'.repeat(randomInt(0, 70_000));
    default:
      return '';
  }
}

test('the stored interop vectors are what the libraries sign today', () => {
  assert.deepEqual(vectors.interop, interopCases());
});

for (const [name, Lib] of Object.entries(LIBS)) {
  test(`${name} signs, we verify (webhook- and svix- header names)`, () => {
    for (let i = 0; i < 40; i++) {
      const s = secret();
      const id = `msg_${randomBytes(8).toString('hex')}`;
      const ts = nowS() - randomInt(0, 300);
      const body = randomBody(i);
      const signature = new Lib(s).sign(id, new Date(ts * 1000), body);
      const wh = k.createWebhookVerifier({ scheme: 'standard', secrets: [secret(), s] });
      const p = i % 2 ? 'svix' : 'webhook';
      const headers = { [`${p}-id`]: id, [`${p}-timestamp`]: String(ts), [`${p}-signature`]: signature };
      assert.equal(wh.verify(headers, body).id, id);
      const tampered = typeof body === 'string' ? body + ' ' : Buffer.concat([body, Buffer.from([0])]);
      assert.throws(() => wh.verify(headers, tampered), { code: 'no_matching_signature' });
    }
  });

  test(`we sign, ${name} verifies (and refuses a tampered body)`, () => {
    for (let i = 0; i < 40; i++) {
      const s = secret();
      const body = randomBody(i);
      // Two secrets: the signature list carries both; theirs checks each entry.
      const wh = k.createWebhookVerifier({ scheme: 'standard', secrets: [secret(), s] });
      const headers = wh.sign(body, { id: `msg_${i}` });
      assert.match(headers['webhook-signature'], /^v1,\S+ v1,\S+$/);
      const theirs = new Lib(s);
      const payload = typeof body === 'string' ? body : Buffer.from(body);
      theirs.verify(payload, headers, { jsonParse: false }); // svix ignores the options
      const svixNames = { 'svix-id': headers['webhook-id'], 'svix-timestamp': headers['webhook-timestamp'], 'svix-signature': headers['webhook-signature'] };
      if (name === 'svix') theirs.verify(payload, svixNames);
      const tampered = typeof body === 'string' ? body + ' ' : Buffer.concat([Buffer.from(body), Buffer.from([0])]);
      assert.throws(() => theirs.verify(tampered, headers, { jsonParse: false }), /signature/i);
    }
  });
}

test('the libraries refuse what we refuse: stale timestamps', () => {
  const s = secret();
  const wh = k.createWebhookVerifier({ scheme: 'standard', secrets: [s] });
  const stale = wh.sign('{}', { id: 'msg_old', timestamp: nowS() - 3600 });
  assert.throws(() => wh.verify(stale, '{}'), { code: 'timestamp_too_old' });
  for (const Lib of Object.values(LIBS)) assert.throws(() => new Lib(s).verify('{}', stale));
});
