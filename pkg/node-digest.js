// node:crypto as the webhook host digest (see host-digest.js): OpenSSL's
// HMAC-SHA256 with the CPU's SHA extensions; keys only in KeyObjects.
import { Buffer } from 'node:buffer';
import { createHmac, createSecretKey } from 'node:crypto';
import { setHostDigest } from './host-digest.js';

/** @type {import('./host-digest.js').HostDigest} */
export const nodeDigest = Object.freeze({
  name: 'node:crypto',
  importKey: (bytes) => createSecretKey(bytes),
  hmacSha256(key, prefix, body, suffix) {
    const mac = createHmac('sha256', key);
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
