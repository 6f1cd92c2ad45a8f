// Webhook verification and signing: compile a verifier once, verify each
// delivery, and with `verifyOnce` refuse replays through a host store.
import { call, headerPairs, instanceGeneration } from '../core.js';
import { KosmosError } from '../errors.js';

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
      if (String(pair[0]).toLowerCase() === name) return String(pair[1]);
    }
    return undefined;
  }
  if (typeof headers === 'object') {
    let v = headers[name];
    if (v === undefined) {
      for (const key of Object.keys(headers)) {
        if (key.toLowerCase() === name) {
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
 */
export class WebhookVerifier {
  #config;
  #compiled;
  #generation;
  #names;

  /** Use `createWebhookVerifier`. */
  constructor(config, compiled) {
    this.#config = config;
    this.#compiled = compiled;
    this.#generation = instanceGeneration();
    this.#names = compiled.headerNames();
    /** The scheme: `standard`, `descope`, `timestamped_hex` or `sha256_hex`. */
    this.scheme = compiled.scheme;
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

  /**
   * Verifies one delivery: `headers` as received (a Headers, an object or
   * `[name, value]` pairs), the raw `body` (string or bytes, exactly as
   * received), `now` in unix seconds. Returns `{ id, timestamp, remember_until }`;
   * throws a KosmosError (`missing_header`, `bad_format`, `no_matching_signature`,
   * `timestamp_too_old`, `timestamp_in_future`, `payload_too_large`).
   */
  verify(headers, body, now = nowSeconds()) {
    const bytes = bodyBytes(body);
    let joined = '';
    for (let i = 0; i < this.#names.length; i++) {
      const v = headerValue(headers, this.#names[i]);
      if (v !== undefined && (v.includes('\n') || v.includes('\0'))) {
        // Not an HTTP header value; let the general path judge it.
        return call(() => this.#live().verify(headerPairs(headers), bytes, now));
      }
      joined += (i ? '\n' : '') + (v === undefined ? '\0' : v);
    }
    const [id, timestamp, remember_until] = call(() => this.#live().verifyParts(joined, bytes, now));
    return { id, timestamp, remember_until };
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
 */
export function createWebhookVerifier(config) {
  const text = typeof config === 'string' ? config : JSON.stringify(config);
  if (typeof text !== 'string') {
    throw new KosmosError('invalid_argument', '`config` must be an object or JSON text', { field: 'config' });
  }
  return new WebhookVerifier(text, call((g) => g.createWebhookVerifier(text)));
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
