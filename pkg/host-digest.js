// The host's own synchronous HMAC-SHA256, when it has one. The Node entry
// registers node:crypto here (pkg/node-digest.js), whose SHA-256 uses the
// CPU's SHA extensions; workerd and browsers register nothing (WebCrypto is
// asynchronous only) and their webhook verifiers hash in WebAssembly.
//
// Only the MAC moves: the core still reads and bounds the headers, checks
// the id and the timestamp, says what is signed and compares the MACs with
// the listed signatures in constant time (see `prepareParts` and
// `finishParts` in src/wasm/webhook.rs). This module imports nothing, so
// the host-neutral shim can use it everywhere.

/**
 * @typedef {object} HostDigest
 * @property {string} name what computes the MACs, e.g. `node:crypto`
 * @property {(bytes: Uint8Array) => unknown} importKey wraps raw HMAC key
 *   bytes in an opaque host key; must copy them (the caller zero-fills them)
 * @property {(key: unknown, prefix: string, body: string | Uint8Array, suffix: string) => Uint8Array}
 *   hmacSha256 the 32-byte HMAC-SHA256 of `prefix ++ body ++ suffix`
 *   (strings as UTF-8)
 * @property {(text: string) => number} byteLength the UTF-8 length of `text`
 */

/** @type {HostDigest | null} */
let current = null;

/**
 * Registers the host digest that webhook verifiers made from now on use
 * (`null` to remove it). Verifiers already made keep what they had.
 * @param {HostDigest | null} provider
 */
export function setHostDigest(provider) {
  if (provider !== null) {
    for (const f of ['importKey', 'hmacSha256', 'byteLength']) {
      if (typeof provider?.[f] !== 'function') throw new TypeError(`a host digest needs \`${f}\``);
    }
  }
  current = provider;
}

/** The registered host digest, or null. */
export function hostDigest() {
  return current;
}
