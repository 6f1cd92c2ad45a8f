// 1Kosmos: request building, result parsing, the blockid-tenant envelope,
// and the async client. Inputs use the core's JSON field names
// (`base_url`, `document_types`, ...); results are plain objects. Structured
// values cross into the core as JSON text.
import { call, headerPairs, instanceGeneration } from '../core.js';
import { KosmosError } from '../errors.js';
import { nextAttempt } from './retry.js';

const decoder = new TextDecoder();
/** A body as text: strings pass, bytes are decoded as UTF-8, nothing is ''. */
const text = (body) => (body == null ? '' : typeof body === 'string' ? body : decoder.decode(body));
const unixNow = () => Math.floor(Date.now() / 1000);

/** JSON text of an argument, or `invalid_argument` naming it. */
function json(value, field) {
  let out;
  try {
    out = JSON.stringify(value);
  } catch (e) {
    throw new KosmosError('invalid_argument', `\`${field}\` is not json-serializable: ${e.message}`, { field });
  }
  if (out === undefined) throw new KosmosError('invalid_argument', `\`${field}\` is missing`, { field });
  return out;
}

/** Splits `{ tag: name, ...rest }` into the name and the JSON text of the rest. */
function untag(value, tag, field) {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new KosmosError('invalid_argument', `\`${field}\` must be an object`, { field });
  }
  const { [tag]: name, ...rest } = value;
  return [String(name), json(rest, field)];
}

/** Runs a verify-v1 call with a one-off profile. */
function v1(config, operation, input) {
  const configJson = json(config, 'config');
  const profile = call((g) => g.createProfile('verify-v1', configJson));
  try {
    const inputJson = json(input, 'request');
    return JSON.parse(call(() => profile.build(operation, inputJson, unixNow())));
  } finally {
    profile.free();
  }
}

const parseV1 = (operation, status, headers, body) =>
  JSON.parse(call((g) => g.parseVerifyV1(operation, status, headerPairs(headers), text(body))));

// verify-v1, one function per call.

/** Builds `POST {base}/v1/verify/sessions` with a fresh Idempotency-Key. */
export function buildCreateIdvSession(config, request) {
  return v1(config, 'create_idv_session', request);
}

/** Parses the answer to "create IDV session" into `{ session_id, session_url }`. */
export function parseIdvSession(status, headers, body) {
  return parseV1('create_idv_session', status, headers, body);
}

/** Builds `GET {base}/v1/verify/sessions/{id}`. */
export function buildReadIdvResult(config, sessionId) {
  return v1(config, 'read_idv_result', { session_id: sessionId });
}

/** Parses the answer to "read IDV result" into `{ status, ial_level, verified_claims }`. */
export function parseIdvResult(status, headers, body) {
  return parseV1('read_idv_result', status, headers, body);
}

/** Builds `POST {base}/v1/liveid/challenges` with a fresh Idempotency-Key. */
export function buildCreateStepUp(config, request) {
  return v1(config, 'create_step_up', request);
}

/** Parses the answer to "create step-up challenge" into `{ challenge_id, challenge_url }`. */
export function parseStepUpChallenge(status, headers, body) {
  return parseV1('create_step_up', status, headers, body);
}

/** Builds `GET {base}/v1/liveid/challenges/{id}`. */
export function buildReadStepUpResult(config, challengeId) {
  return v1(config, 'read_step_up_result', { challenge_id: challengeId });
}

/** Parses the answer to "read step-up result" into `{ status, match_result, confidence }`. */
export function parseStepUpResult(status, headers, body) {
  return parseV1('read_step_up_result', status, headers, body);
}

/** Validates and normalizes `verified_claims` (OpenID Connect for Identity Assurance 1.0). */
export function parseVerifiedClaims(value) {
  return JSON.parse(call((g) => g.parseVerifiedClaims(json(value, 'verified_claims'))));
}

/**
 * Checks metadata by the core's limits (at most 32 entries, keys 1-64 bytes
 * without control characters, values up to 512 bytes of UTF-8); throws
 * `invalid_input` naming `metadata`.
 */
export function checkMetadata(metadata) {
  const text = json(metadata, 'metadata');
  call((g) => g.checkMetadata(text));
}

/** The core's open step-up challenge cap (pkg/api/kosmos.d.ts). */
export function openSlot({ slots = [], now, max, ttlMs, token }) {
  const text = JSON.stringify({ slots, now, max, ttl_ms: ttlMs, token });
  return JSON.parse(call((g) => g.openSlot(text)));
}

// 1Kosmos verification events (webhook bodies) and their Salesforce records.

/**
 * Reads a 1Kosmos verification event (the text of a webhook body whose
 * signature was verified) into `{ kind, verification_id, user_id?, status,
 * ial_level?, match_result?, confidence?, metadata, occurred_at? }`; throws
 * `invalid_input` naming the field, or `malformed_response` for a result
 * the core's parsers refuse.
 */
export function parseVerificationEvent(body) {
  const t = text(body);
  return JSON.parse(call((g) => g.parseVerificationEvent(t)));
}

/**
 * The Salesforce records of a verification event: `{ external_id, verdict,
 * event, task }` (`task` is null unless `metadata.related_record_id` is a
 * Salesforce id). `options`: `{ webhook_id, timestamp, required_ial?,
 * metadata? }` (metadata the host kept for the verification; the event's own
 * wins). The Task's outcome is the core's verdict.
 */
export function salesforceRecords(body, options) {
  const t = text(body);
  const o = json(options, 'options');
  return JSON.parse(call((g) => g.salesforceRecords(t, o)));
}

// The blockid-tenant envelope.

/** A new key pair `{ curve, privateKey, publicKey }` (base64). */
export function generateKeyPair(curve) {
  return JSON.parse(call((g) => g.generateKeyPair(curve)));
}

/** The public key (64-byte form, base64) of a base64 private key. */
export function publicKeyOf(privateKey, curve) {
  return call((g) => g.publicKeyOf(privateKey, curve));
}

/** Seals text for the peer: base64(iv || ciphertext || tag). */
export function envelopeSeal(keys, plaintext) {
  return call((g) => g.envelopeSeal(keys.curve, keys.privateKey, keys.peerPublicKey, plaintext));
}

/** Opens a sealed message; tampered or truncated ones throw `decrypt_failed` or `bad_ciphertext`. */
export function envelopeOpen(keys, message) {
  return call((g) => g.envelopeOpen(keys.curve, keys.privateKey, keys.peerPublicKey, message));
}

/** Builds `GET {docuverify}/publickeys`. */
export function buildReadServicePublicKey(docuverifyUrl) {
  return JSON.parse(call((g) => g.buildReadServicePublicKey(docuverifyUrl)));
}

/** Parses the answer to `GET {docuverify}/publickeys` into the checked base64 key. */
export function parseServicePublicKey(status, headers, body, curve) {
  return call((g) => g.parseServicePublicKey(curve, status, headerPairs(headers), text(body)));
}

// One interface over both profiles, and the client.

/** Anything thrown, as a KosmosError (traps recover the way `call` does). */
function asKosmosError(e) {
  if (e instanceof KosmosError) return e;
  try {
    call(() => {
      throw e;
    });
  } catch (k) {
    return k;
  }
  return new KosmosError('internal', String(e));
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function whole(options, name, fallback, max) {
  const v = options[name];
  if (v === undefined || v === null) return fallback;
  if (!Number.isInteger(v) || v < 0 || v > max) {
    throw new KosmosError('invalid_argument', `\`options.${name}\` must be a whole number from 0 to ${max}`, { field: `options.${name}` });
  }
  return v;
}

/** One attempt: fetch with an AbortController timeout covering the body read. */
async function send(fetchFn, request, timeoutMs) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const init = { method: request.method, headers: request.headers, signal: controller.signal };
    if (request.body !== undefined) init.body = request.body;
    const response = await fetchFn(request.url, init);
    const body = await response.text();
    return { status: response.status, headers: response.headers, body };
  } catch (e) {
    if (controller.signal.aborted) {
      throw new KosmosError('timeout', `1kosmos did not answer in time: no answer within ${timeoutMs} ms`, { details: { retryable: true } });
    }
    const why = e && typeof e.message === 'string' ? e.message.slice(0, 200) : 'fetch failed';
    throw new KosmosError('network_error', `1kosmos could not be reached: ${why}`, { details: { retryable: true }, cause: e });
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A checked profile (verify-v1 or blockid-tenant). Survives an instance
 * replacement by rebuilding itself from its configuration.
 */
export class KosmosProfile {
  #config;
  #inner;
  #generation;

  /** Use `createProfile`. */
  constructor(config, inner) {
    this.#config = config;
    this.#inner = inner;
    this.#generation = instanceGeneration();
  }

  #live() {
    if (this.#generation !== instanceGeneration()) {
      this.#inner = call((g) => g.createProfile(...this.#config));
      this.#generation = instanceGeneration();
    }
    return this.#inner;
  }

  /** `verify-v1` or `blockid-tenant`. */
  get name() {
    return call(() => this.#live().name);
  }

  /** Builds the request of `{ operation, ...input }`: `{ method, url, headers, body? }`. */
  build(request, now = unixNow()) {
    const [operation, inputJson] = untag(request, 'operation', 'request');
    return JSON.parse(call(() => this.#live().build(operation, inputJson, now)));
  }

  /** Parses the answer to `operation`; the same result shapes for both profiles. */
  parse(operation, status, headers, body) {
    return JSON.parse(call(() => this.#live().parse(operation, status, headerPairs(headers), text(body))));
  }

  /**
   * Builds, sends (with `options.fetch` or the global fetch) and parses.
   * Each attempt has a timeout; the core's retry policy (src/retry.rs) decides:
   * only retryable failures (408, 429, 500, 502-504, network errors,
   * timeouts) are retried, at most `maxRetries` times with
   * backoff, never sooner than Retry-After asks; a create is retried only
   * with its idempotency key (the very same request), a create without one
   * is sent once; reads are rebuilt per attempt. `options.idempotencyKey`
   * (the caller's own key) replaces the fresh one of a create, so a call the
   * caller repeats is the same call for 1Kosmos too. Rejects with a
   * KosmosError whose `details.attempts` counts the requests sent.
   */
  async call(request, options = {}) {
    const fetchFn = options.fetch ?? globalThis.fetch;
    if (typeof fetchFn !== 'function') {
      throw new KosmosError('invalid_argument', '`options.fetch` must be a function (and there is no global fetch)', { field: 'options.fetch' });
    }
    const timeoutMs = Math.max(1, whole(options, 'timeoutMs', 10000, 120000));
    const maxRetries = whole(options, 'maxRetries', 2, 10);
    const baseMs = whole(options, 'retryBaseMs', 250, 8000);
    const maxRetryAfterS = whole(options, 'maxRetryAfterS', 30, 3600);
    // The core's retry policy decides whether and when (src/retry.rs).
    const policy = JSON.stringify({ max_attempts: maxRetries + 1, base_delay_ms: baseMs, max_retry_after_ms: maxRetryAfterS * 1000 });
    const operation = request && request.operation;
    const isCreate = operation === 'create_idv_session' || operation === 'create_step_up';
    let http = this.build(request);
    const key = options.idempotencyKey;
    if (key !== undefined && key !== null) {
      if (typeof key !== 'string' || key === '' || key.length > 255) {
        throw new KosmosError('invalid_argument', '`options.idempotencyKey` must be a string of 1 to 255 characters', { field: 'options.idempotencyKey' });
      }
      if (http.headers['idempotency-key'] !== undefined) http = { ...http, headers: { ...http.headers, 'idempotency-key': key } };
    }
    const idempotent = !isCreate || http.headers['idempotency-key'] !== undefined;
    for (let attempt = 1; ; attempt += 1) {
      let error;
      try {
        const got = await send(fetchFn, http, timeoutMs);
        return this.parse(operation, got.status, got.headers, got.body);
      } catch (e) {
        error = asKosmosError(e);
      }
      const d = error.details ?? {};
      const delay = nextAttempt({ retryable: Boolean(d.retryable), retry_after_s: d.retry_after_s, idempotent }, attempt, policy);
      if (delay === undefined) {
        error.details = { ...d, attempts: attempt };
        throw error;
      }
      await sleep(delay);
      // Reads are rebuilt (blockid-tenant wants a fresh requestid); creates resend the same request.
      if (!isCreate) http = this.build(request);
    }
  }

  /** Frees the wasm memory now instead of at garbage collection. */
  free() {
    if (this.#inner && this.#generation === instanceGeneration()) this.#inner.free();
    this.#inner = undefined;
  }
}

/** Checks a profile configuration: `{ profile: 'verify-v1' | 'blockid-tenant', ... }`. */
export function createProfile(config) {
  const tagged = untag(config, 'profile', 'config');
  return new KosmosProfile(tagged, call((g) => g.createProfile(...tagged)));
}

/** One call with a throwaway profile: `createProfile(config).call(request, options)`. */
export async function kosmosCall(config, request, options) {
  const profile = createProfile(config);
  try {
    return await profile.call(request, options);
  } finally {
    profile.free();
  }
}
