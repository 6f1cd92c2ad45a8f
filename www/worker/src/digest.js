// SHA-256 as lowercase hex (WebCrypto): the one digest the Worker's own keys
// use (idempotency fingerprints, rate-limit keys, user bindings).

/** SHA-256 of the UTF-8 text `s`, as 64 lowercase hex digits. */
export async function sha256Hex(s) {
  const d = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(s)));
  return Array.from(d, (b) => b.toString(16).padStart(2, '0')).join('');
}
