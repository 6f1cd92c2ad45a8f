// HTTP Message Signatures (RFC 9421): compile a verifier once (keys parsed
// then), verify each request, sign outgoing ones. Every rule is the core's;
// this shim only moves the message and body across.
import { call, headerPairs, instanceGeneration } from '../core.js';
import { KosmosError } from '../errors.js';

const nowSeconds = () => Math.floor(Date.now() / 1000);
const encoder = new TextEncoder();

function bodyBytes(body) {
  if (body === undefined || body === null) return new Uint8Array(0);
  if (typeof body === 'string') return encoder.encode(body);
  if (body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  throw new KosmosError('invalid_argument', '`body` must be a string, a Uint8Array or an ArrayBuffer', { field: 'body' });
}

/** The message in the core's shape: `{ method?, url?, status?, headers: [name, value][], request? }`. */
function messageArg(message) {
  if (message == null || typeof message !== 'object') {
    throw new KosmosError('invalid_argument', '`message` must be an object with `headers`', { field: 'message' });
  }
  const out = { headers: headerPairs(message.headers) };
  if (message.method !== undefined) out.method = String(message.method);
  if (message.url !== undefined) out.url = String(message.url);
  if (message.status !== undefined) out.status = message.status;
  if (message.request !== undefined) out.request = messageArg(message.request);
  return out;
}

/** A compiled HTTP message signature verifier and signer. Survives an instance replacement. */
export class HttpSignatureVerifier {
  #config;
  #compiled;
  #generation;

  /** Use `createHttpSignatureVerifier`. */
  constructor(config, compiled) {
    this.#config = config;
    this.#compiled = compiled;
    this.#generation = instanceGeneration();
  }

  #live() {
    if (this.#generation !== instanceGeneration()) {
      this.#compiled = call((g) => g.createHttpSigVerifier(this.#config));
      this.#generation = instanceGeneration();
    }
    return this.#compiled;
  }

  /**
   * Verifies a signed message. Returns `{ label, keyid, alg, created, expires,
   * nonce, tag, components, replay: { kind, id, remember_until } }` or throws.
   */
  verify(message, body, now = nowSeconds()) {
    const msg = messageArg(message);
    const bytes = bodyBytes(body);
    return call(() => this.#live().verify(msg, bytes, now));
  }

  /**
   * Signs a message: `request` is `{ keyid, components, label?, created?,
   * expires?, nonce?, tag?, alg?, include_alg? }`. Returns
   * `{ signature_input, signature, base }` (the two header values to add).
   */
  sign(message, request, now = nowSeconds()) {
    const msg = messageArg(message);
    return call(() => this.#live().sign(msg, request, now));
  }
}

/** Compiles a verifier configuration (an object or JSON text). */
export function createHttpSignatureVerifier(config) {
  const text = typeof config === 'string' ? config : JSON.stringify(config);
  if (typeof text !== 'string') {
    throw new KosmosError('invalid_argument', '`config` must be an object or JSON text', { field: 'config' });
  }
  return new HttpSignatureVerifier(text, call((g) => g.createHttpSigVerifier(text)));
}

/** The `Content-Digest` header value (RFC 9530) of `body`, by default `sha-256`. */
export function contentDigest(body, algorithms = ['sha-256']) {
  const bytes = bodyBytes(body);
  return call((g) => g.httpContentDigest(bytes, algorithms));
}
