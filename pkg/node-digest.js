// node:crypto as the webhook host digest (see host-digest.js): OpenSSL's
// HMAC-SHA256 with the CPU's SHA extensions; keys only in KeyObjects.
import { Buffer } from 'node:buffer';
import { createRequire } from 'node:module';
import { setHostDigest } from './host-digest.js';

// node:crypto loads at the first webhook key, not at import: loading it is
// about 2 ms of a cold `import('kosmos-connect')` (bench/import.mjs), paid
// by every app whether or not it verifies webhooks.
let cryptoModule;
const nodeCrypto = () => (cryptoModule ??= createRequire(import.meta.url)('node:crypto'));

/** @type {import('./host-digest.js').HostDigest} */
export const nodeDigest = Object.freeze({
  name: 'node:crypto',
  importKey: (bytes) => nodeCrypto().createSecretKey(bytes),
  hmacSha256(key, prefix, body, suffix) {
    const mac = nodeCrypto().createHmac('sha256', key);
    if (prefix) mac.update(prefix);
    mac.update(body);
    if (suffix) mac.update(suffix);
    return mac.digest();
  },
  byteLength: (text) => Buffer.byteLength(text, 'utf8'),
});

/** Registers `nodeDigest` (the Node entry does at import). */
export function useNodeDigest() {
  setHostDigest(nodeDigest);
}
