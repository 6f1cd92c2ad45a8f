// The host's own synchronous HMAC-SHA256, if any: the Node entry registers
// node:crypto (node-digest.js); workerd and browsers have only the async
// WebCrypto, so their webhook verifiers hash in wasm. Only the MAC moves:
// the core still checks the headers, says what is signed and compares.

/**
 * @typedef {object} HostDigest
 * @property {string} name
 * @property {(bytes: Uint8Array) => unknown} importKey an opaque key; copies `bytes` (zero-filled after)
 * @property {(key: unknown, prefix: string, body: string | Uint8Array, suffix: string) => Uint8Array} hmacSha256 of prefix ++ body ++ suffix (strings as UTF-8)
 * @property {(text: string) => number} byteLength UTF-8 length
 */

/** @type {HostDigest | null} */
let current = null;

/** Registers the digest verifiers made from now on use (`null`: none). */
export function setHostDigest(provider) {
  for (const f of provider === null ? [] : ['importKey', 'hmacSha256', 'byteLength']) {
    if (typeof provider?.[f] !== 'function') throw new TypeError(`a host digest needs \`${f}\``);
  }
  current = provider;
}

/** The registered host digest, or null. */
export function hostDigest() {
  return current;
}
