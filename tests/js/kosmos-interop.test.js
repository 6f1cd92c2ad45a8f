// The envelope against an independent implementation: Node's crypto
// (createECDH + aes-256-gcm with a 16-byte IV), with fresh keys each run,
// both directions, both curves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as k from '../../pkg/node.js';
import { nodeEnvelope, nodeKeyPair } from './kosmos-standin.js';

const MESSAGES = ['', 'lic-0123', JSON.stringify({ ts: 1700000000, appid: 'a', uuid: 'u' }), 'é😀'.repeat(100), 'x'.repeat(70000)];

for (const curve of ['secp256k1', 'p256']) {
  test(`${curve}: Node seals, we open; we seal, Node opens`, () => {
    for (let round = 0; round < 5; round += 1) {
      const node = nodeKeyPair(curve);
      const ours = k.generateKeyPair(curve);
      assert.equal(ours.curve, curve);
      assert.equal(Buffer.from(ours.publicKey, 'base64').length, 64);
      const nodeSide = nodeEnvelope(curve, node.privateKey, ours.publicKey);
      const ourKeys = { curve, privateKey: ours.privateKey, peerPublicKey: node.publicKey };
      for (const m of MESSAGES) {
        assert.equal(k.envelopeOpen(ourKeys, nodeSide.seal(m)), m);
        const sealed = k.envelopeSeal(ourKeys, m);
        assert.equal(Buffer.from(sealed, 'base64').length, 16 + Buffer.byteLength(m) + 16);
        assert.equal(nodeSide.open(sealed), m);
      }
      // Node's private key read by us gives Node's public key.
      assert.equal(k.publicKeyOf(node.privateKey.toString('base64'), curve), node.publicKey);
    }
  });

  test(`${curve}: what Node tampers or truncates we reject, and the reverse`, () => {
    const node = nodeKeyPair(curve);
    const ours = k.generateKeyPair(curve);
    const nodeSide = nodeEnvelope(curve, node.privateKey, ours.publicKey);
    const ourKeys = { curve, privateKey: ours.privateKey, peerPublicKey: node.publicKey };
    const raw = Buffer.from(nodeSide.seal('{"license":"x"}'), 'base64');
    for (const i of [0, 15, 16, raw.length - 17, raw.length - 1]) {
      const t = Buffer.from(raw);
      t[i] ^= 0x40;
      assert.throws(() => k.envelopeOpen(ourKeys, t.toString('base64')), { name: 'KosmosError', code: 'decrypt_failed' });
    }
    assert.throws(() => k.envelopeOpen(ourKeys, raw.subarray(0, raw.length - 1).toString('base64')), { code: 'decrypt_failed' });
    assert.throws(() => k.envelopeOpen(ourKeys, raw.subarray(0, 31).toString('base64')), { code: 'bad_ciphertext' });
    const ourRaw = Buffer.from(k.envelopeSeal(ourKeys, 'hello'), 'base64');
    ourRaw[20] ^= 1;
    assert.throws(() => nodeSide.open(ourRaw.toString('base64')), /unable to authenticate|Unsupported state/);
  });
}
