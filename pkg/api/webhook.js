// Webhook verification and signing: compile a verifier once, verify each
// delivery, and with `verifyOnce` refuse replays through a host store.
import { call, headerPairs, instanceGeneration } from '../core.js';
import { KosmosError } from '../errors.js';
import { hostDigest } from '../host-digest.js';

export { MemoryReplayStore, KvReplayStore, DurableObjectReplayStore, ReplayStoreObject } from './replay-stores.js';

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** The value of header `name` (lowercase) in any accepted headers shape, or undefined. */
function headerValue(headers, name) {
  if (headers == null) return undefined;
  if (typeof headers.get === 'function' && typeof headers.entries === 'function') {
    const v = headers.get(name);
    return v == null ? undefined : v;
  }
  if (Array.isArray(headers)) {
    for (const pair of headers) {
      const key = String(pair[0]);
      if (key.length === name.length && key.toLowerCase() === name) return String(pair[1]);
    }
    return undefined;
  }
  if (typeof headers === 'object') {
    let v = headers[name];
    if (v === undefined) {
      for (const key of Object.keys(headers)) {
        if (key.length === name.length && key.toLowerCase() === name) {
          v = headers[key];
          break;
        }
      }
    }
    if (Array.isArray(v)) v = v[0];
    return v == null ? undefined : String(v);
  }
  // Let the core's shape check speak for other types.
  return headerPairs(headers);
}

const encoder = new TextEncoder();

/** The body as bytes: text is encoded here (natively), once. */
function bodyBytes(body) {
  if (typeof body === 'string') return encoder.encode(body);
  if (body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  throw new KosmosError('invalid_argument', '`body` must be a string, a Uint8Array or an ArrayBuffer', { field: 'body' });
}

/**
 * A compiled webhook verifier: the configuration (secrets decoded and
 * checked) is compiled once; `verify` and `sign` run per message. Survives
 * an instance replacement by recompiling itself.
 * With a host digest (Node: node:crypto) and HMAC keys only, `verify`
 * splits around the MAC: the core checks and says what is signed, the host
 * hashes, the core compares. Keys go to the host once; no raw bytes kept.
 */
export class WebhookVerifier {
  #config;
  #compiled;
  #generation;
  #names;
  #host;
  #keys;

  /** Use `createWebhookVerifier`. */
  constructor(config, compiled, digest = 'auto') {
    this.#config = config;
    this.#compiled = compiled;
    this.#generation = instanceGeneration();
    this.#names = compiled.headerNames();
    /** The scheme: `standard`, `descope`, `timestamped_hex` or `sha256_hex`. */
    this.scheme = compiled.scheme;
    const host = digest === 'wasm' ? null : hostDigest();
    if (host) this.#importKeys(host);
  }

  #importKeys(host) {
    const raw = call(() => this.#compiled.hmacKeys());
    if (raw == null) return; // Ed25519 keys: wasm only.
    try {
      const keys = raw.map((bytes) => host.importKey(bytes));
      this.#keys = keys;
      this.#host = host;
    } catch (e) {
      throw new KosmosError('internal', 'the host digest refused a webhook key', { cause: e });
    } finally {
      for (const bytes of raw) bytes.fill(0);
    }
  }

  #live() {
    if (this.#generation !== instanceGeneration()) {
      this.#compiled = call((g) => g.createWebhookVerifier(this.#config));
      this.#generation = instanceGeneration();
    }
    return this.#compiled;
  }

  /** The lowercase names of the headers `verify` reads. */
  get headerNames() {
    return [...this.#names];
  }

  /** Where `verify` computes the MAC: `'host'` (the host's own crypto) or `'wasm'`. */
  get digest() {
    return this.#host ? 'host' : 'wasm';
  }

  /**
   * Verifies one delivery: `headers` as received (a Headers, an object or
   * `[name, value]` pairs), the raw `body` (string or bytes, exactly as
   * received), `now` in unix seconds. Returns `{ id, timestamp, remember_until }`;
   * throws a KosmosError (`missing_header`, `bad_format`, `no_matching_signature`,
   * `timestamp_too_old`, `timestamp_in_future`, `payload_too_large`).
   */
  verify(headers, body, now = nowSeconds()) {
    // The host hashes a string as UTF-8 itself: no copy here.
    const input = this.#host && typeof body === 'string' ? body : bodyBytes(body);
    let joined = '';
    for (let i = 0; i < this.#names.length; i++) {
      const v = headerValue(headers, this.#names[i]);
      if (v !== undefined && (v.includes('\n') || v.includes('\0'))) {
        // Not an HTTP header value; let the general path judge it.
        return call(() => this.#live().verify(headerPairs(headers), bodyBytes(input), now));
      }
      joined += (i ? '\n' : '') + (v === undefined ? '\0' : v);
    }
    if (this.#host) {
      const verified = this.#verifyHost(joined, input, now);
      if (verified !== undefined) return verified;
    }
    const bytes = typeof input === 'string' ? bodyBytes(input) : input;
    const [id, timestamp, remember_until] = call(() => this.#live().verifyParts(joined, bytes, now));
    return { id, timestamp, remember_until };
  }

  /** `verify` with the MAC by the host; undefined when the wasm path must judge. */
  #verifyHost(joined, body, now) {
    const host = this.#host;
    const compiled = this.#live();
    const length = typeof body === 'string' ? host.byteLength(body) : body.byteLength;
    const content = call(() => compiled.prepareParts(joined, length, now));
    let prefix = content;
    let suffix = '';
    if (typeof content !== 'string') [prefix, suffix] = content;
    const keys = this.#keys;
    let macs;
    try {
      if (keys.length === 1) {
        macs = host.hmacSha256(keys[0], prefix, body, suffix);
      } else {
        macs = new Uint8Array(32 * keys.length);
        for (let i = 0; i < keys.length; i++) macs.set(host.hmacSha256(keys[i], prefix, body, suffix), 32 * i);
      }
    } catch (e) {
      throw new KosmosError('internal', `${host.name} failed to compute a webhook MAC`, { cause: e });
    }
    try {
      // `<remember_until> <timestamp or -> <id>`; the id may hold spaces.
      const out = call(() => compiled.finishParts(macs));
      const a = out.indexOf(' ');
      const b = out.indexOf(' ', a + 1);
      const ts = out.slice(a + 1, b);
      return { id: out.slice(b + 1), timestamp: ts === '-' ? null : Number(ts), remember_until: Number(out.slice(0, a)) };
    } catch (e) {
      // Descope: the raw body did not match; wasm also tries JSON.stringify.
      if (e.code === 'no_matching_signature' && this.scheme === 'descope') return undefined;
      throw e;
    }
  }

  /**
   * Signs an outgoing message: returns the headers (an object) to send with
   * exactly `body`. `id` (Standard Webhooks; random when absent) and
   * `timestamp` (unix seconds, default now) are optional.
   */
  sign(body, options = {}) {
    if (options === null || typeof options !== 'object') {
      throw new KosmosError('invalid_argument', '`options` must be an object `{ id?, timestamp? }`', { field: 'options' });
    }
    const { id, timestamp = nowSeconds() } = options;
    const input = bodyBytes(body);
    return call(() => this.#live().sign(input, timestamp, id));
  }

  /** Frees the wasm memory now instead of at garbage collection. */
  free() {
    if (this.#compiled && this.#generation === instanceGeneration()) this.#compiled.free();
    this.#compiled = undefined;
  }
}

/**
 * Compiles a verifier configuration:
 * `{ scheme: 'standard' | 'descope' | 'timestamped_hex' | 'sha256_hex', secrets: string[], ... }`.
 * Throws `invalid_secret` (a secret or key that does not decode) or
 * `invalid_argument` (unknown field, bad header name or template) at once.
 *
 * `options.digest`: `'auto'` (default) computes the HMAC with the host's own
 * crypto where the host registered one (Node) and the scheme is HMAC only;
 * `'wasm'` always computes it in WebAssembly.
 */
export function createWebhookVerifier(config, options = {}) {
  const text = typeof config === 'string' ? config : JSON.stringify(config);
  if (typeof text !== 'string') {
    throw new KosmosError('invalid_argument', '`config` must be an object or JSON text', { field: 'config' });
  }
  if (options === null || typeof options !== 'object') {
    throw new KosmosError('invalid_argument', '`options` must be an object `{ digest? }`', { field: 'options' });
  }
  const { digest = 'auto' } = options;
  if (digest !== 'auto' && digest !== 'wasm') {
    throw new KosmosError('invalid_argument', '`digest` must be `auto` or `wasm`', { field: 'digest' });
  }
  return new WebhookVerifier(text, call((g) => g.createWebhookVerifier(text)), digest);
}

/**
 * Verifies a delivery and records its id so that the same message is
 * processed once. `store.putIfAbsent(key, ttlSeconds)` must resolve to
 * `true` when the key was absent (and is now kept for `ttlSeconds`), `false`
 * when it was already there. The id is kept until the message could no
 * longer verify (`timestamp + tolerance`), or for the scheme's replay window
 * when it has no timestamp.
 *
 * Resolves to `{ duplicate: false, id, timestamp, remember_until }` for a
 * new message and `{ duplicate: true, id }` for a repeat (acknowledge it,
 * do not process it again). Rejects with the verifier's KosmosError when
 * the message does not verify, and with the store's error when the store
 * fails (answer 5xx so that the sender retries).
 *
 * @param {{ putIfAbsent(key: string, ttlSeconds: number): Promise<boolean> }} store
 * @param {WebhookVerifier} verifier
 * @param {{ prefix?: string }} [options] key prefix (default `webhook:<scheme>:`)
 */
export async function verifyOnce(store, verifier, headers, body, now = nowSeconds(), options = {}) {
  if (!store || typeof store.putIfAbsent !== 'function') {
    throw new KosmosError('invalid_argument', '`store` must have `putIfAbsent(key, ttlSeconds)`', { field: 'store' });
  }
  if (!(verifier instanceof WebhookVerifier)) {
    throw new KosmosError('invalid_argument', '`verifier` must come from `createWebhookVerifier`', { field: 'verifier' });
  }
  const verified = verifier.verify(headers, body, now);
  const ttl = Math.max(1, verified.remember_until - now);
  const prefix = options.prefix ?? `webhook:${verifier.scheme}:`;
  const fresh = await store.putIfAbsent(prefix + verified.id, ttl);
  if (fresh !== true && fresh !== false) {
    throw new KosmosError('invalid_argument', '`store.putIfAbsent` must resolve to true or false', { field: 'store' });
  }
  return fresh ? { duplicate: false, ...verified } : { duplicate: true, id: verified.id };
}

/**
 * Verifies a Standard Webhooks message; returns `{ id, timestamp }`.
 * Compiles the secrets on every call: prefer `createWebhookVerifier`.
 * @param {{ secrets: string[], tolerance_s?: number }} options
 * @param {number} [now] unix seconds; defaults to the current time
 */
export function verifyStandardWebhook(options, headers, body, now = nowSeconds()) {
  return call((g) => g.verifyStandardWebhook(options, headerPairs(headers), body, now));
}
