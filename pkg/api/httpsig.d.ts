import type { HeadersInput } from './common.js';

/** A message to verify or sign. The body goes apart. */
export interface HttpSigMessage {
  method?: string;
  url?: string;
  status?: number;
  headers: HeadersInput;
  /** The request a response answers (components with `;req`). */
  request?: HttpSigMessage;
}

/** A required component: a name, or alternatives (a name or a set of names). */
export type HttpSigRequirement = string | (string | string[])[];

/** Verifier configuration. */
export interface HttpSigConfig {
  /** Key entries `{ keyid, alg?, jwk | pem | secret | raw }`, a JWK set, or `{ keyid: PEM }`. */
  keys: unknown;
  /** Default: `@method`, `@target-uri` (or `@authority` + `@path`), `content-digest`, `content-type`. */
  required_components?: HttpSigRequirement[];
  tolerance_s?: number;
  max_age_s?: number;
  require_created?: boolean;
  require_expires?: boolean;
  require_nonce?: boolean;
  label?: string;
  tag?: string;
  algorithms?: ('ecdsa-p256-sha256' | 'ed25519' | 'rsa-pss-sha512' | 'rsa-v1_5-sha256' | 'hmac-sha256')[];
}

/** A verified signature. */
export interface VerifiedHttpSignature {
  label: string;
  keyid: string;
  alg: string;
  created: number | null;
  expires: number | null;
  nonce: string | null;
  tag: string | null;
  components: string[];
  /** What the replay store must remember, and until when (unix seconds). */
  replay: { kind: 'nonce' | 'signature'; id: string; remember_until: number };
}

/** What to sign. */
export interface HttpSigSignRequest {
  keyid: string;
  components: string[];
  label?: string;
  created?: number;
  expires?: number;
  nonce?: string;
  tag?: string;
  alg?: string;
  include_alg?: boolean;
  omit_keyid?: boolean;
}

/** The header values to add. */
export interface HttpSigSigned {
  signature_input: string;
  signature: string;
  base: string;
}

/** A compiled verifier and signer. */
export declare class HttpSignatureVerifier {
  private constructor();
  verify(message: HttpSigMessage, body?: string | Uint8Array | ArrayBuffer, now?: number): VerifiedHttpSignature;
  sign(message: HttpSigMessage, request: HttpSigSignRequest, now?: number): HttpSigSigned;
}

/** Compiles a configuration; throws `invalid_key` / `invalid_argument`. */
export declare function createHttpSignatureVerifier(config: HttpSigConfig | string): HttpSignatureVerifier;

/** `Content-Digest` of a body. */
export declare function contentDigest(body: string | Uint8Array | ArrayBuffer, algorithms?: ('sha-256' | 'sha-512')[]): string;
