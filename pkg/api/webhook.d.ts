import type { HeadersInput } from './common.js';

/** A body exactly as received or to be sent. */
export type WebhookBody = string | Uint8Array | ArrayBuffer | ArrayBufferView;

/** What a verified delivery yields, for replay protection. */
export interface Verified {
  /**
   * The message id: `webhook-id` for Standard Webhooks; for schemes without
   * an id, `<scheme>_` + 32 hex digits derived from the authenticated content
   * (the same for every delivery of the same signed message).
   */
  id: string;
  /** The sender's timestamp (unix seconds), `null` for schemes without one. */
  timestamp: number | null;
  /** Unix seconds until which the id must be remembered to refuse a replay. */
  remember_until: number;
}

interface CommonConfig {
  /** Secrets or keys; several allow rotation (any one verifies). */
  secrets: string[];
}

/** Standard Webhooks: `webhook-*` (or `svix-*`) headers. */
export interface StandardConfig extends CommonConfig {
  scheme: 'standard';
  /** `whsec_` (HMAC, `v1`), `whpk_` (Ed25519 public key, `v1a`, verify only) or `whsk_` (Ed25519 secret key, `v1a`). */
  secrets: string[];
  /** Allowed distance between the timestamp and now, both ways. Default 300. */
  tolerance_s?: number;
}

/** How the secrets of the HMAC schemes become key bytes. Default `utf8`. */
export type SecretEncoding = 'utf8' | 'base64' | 'hex';

/** Descope: `x-descope-webhook-s256` = base64 HMAC-SHA256 of the JSON text. */
export interface DescopeConfig extends CommonConfig {
  scheme: 'descope';
  secret_encoding?: SecretEncoding;
  /** Default `x-descope-webhook-s256`. */
  header?: string;
  /** How long a derived id is remembered. Default 86400. */
  replay_window_s?: number;
  /** After the raw body, also try `JSON.stringify(JSON.parse(body))`. Default true. */
  stringify_fallback?: boolean;
}

/** `t=<unix>,v1=<hex>` over a templated payload (the Stripe layout). */
export interface TimestampedHexConfig extends CommonConfig {
  scheme: 'timestamped_hex';
  secret_encoding?: SecretEncoding;
  /** The signature header, e.g. `stripe-signature`. Required. */
  header: string;
  /** The signed payload with `{t}` and `{body}` once each. Default `{t}.{body}`. */
  template?: string;
  /** Default `t`. */
  timestamp_key?: string;
  /** Default `v1`. */
  signature_key?: string;
  /** Default 300. */
  tolerance_s?: number;
}

/** `sha256=<hex>` over the raw body, no timestamp (GitHub's `x-hub-signature-256`). */
export interface Sha256HexConfig extends CommonConfig {
  scheme: 'sha256_hex';
  secret_encoding?: SecretEncoding;
  /** Default `x-hub-signature-256`. */
  header?: string;
  /** What precedes the hex digits; may be empty. Default `sha256=`. */
  prefix?: string;
  /** Default 86400. */
  replay_window_s?: number;
}

export type WebhookConfig = StandardConfig | DescopeConfig | TimestampedHexConfig | Sha256HexConfig;

/** A compiled verifier and signer. */
export declare class WebhookVerifier {
  private constructor();
  readonly scheme: WebhookConfig['scheme'];
  /** The lowercase names of the headers `verify` reads. */
  readonly headerNames: string[];
  /**
   * Where `verify` computes the HMAC-SHA256: `'host'` when the host's own
   * crypto does (Node's `node:crypto`, for the HMAC schemes), `'wasm'`
   * otherwise (workerd and browsers, whose WebCrypto is asynchronous only;
   * Ed25519 keys; `digest: 'wasm'`). Results are the same either way.
   */
  readonly digest: 'host' | 'wasm';
  /**
   * Verifies one delivery (`now` in unix seconds, default the current time).
   * Throws KosmosError `missing_header`, `bad_format`, `no_matching_signature`,
   * `timestamp_too_old`, `timestamp_in_future` or `payload_too_large`.
   */
  verify(headers: HeadersInput, body: WebhookBody, now?: number): Verified;
  /** The headers to send with exactly `body`. `id` is used by `standard` (random when absent). */
  sign(body: WebhookBody, options?: { id?: string; timestamp?: number }): Record<string, string>;
  free(): void;
}

/** Options of `createWebhookVerifier`. */
export interface WebhookVerifierOptions {
  /**
   * Where the HMAC-SHA256 of `verify` runs. `'auto'` (default): in the host's
   * own synchronous crypto when the host registered one (Node: `node:crypto`,
   * with the CPU's SHA extensions) and every key is an HMAC key; the core
   * still parses and bounds the headers, checks the timestamp, says what is
   * signed and compares in constant time. `'wasm'`: always in WebAssembly.
   * workerd and browsers always use `'wasm'` (WebCrypto is async only).
   */
  digest?: 'auto' | 'wasm';
}

/** Compiles a configuration; throws `invalid_secret` or `invalid_argument` at once. */
export function createWebhookVerifier(config: WebhookConfig | string, options?: WebhookVerifierOptions): WebhookVerifier;

/** Where `verifyOnce` records ids. */
export interface ReplayStore {
  /** Resolves true when `key` was absent and is now kept at least `ttlSeconds`; false when present. */
  putIfAbsent(key: string, ttlSeconds: number): Promise<boolean>;
}

export type VerifyOnceResult =
  | ({ duplicate: false } & Verified)
  | { duplicate: true; id: string };

/**
 * Verifies, then records the id in `store` until the message could no longer
 * verify. A repeat resolves to `{ duplicate: true, id }` (acknowledge it, do
 * not process it again); a bad message rejects with the verifier's error.
 */
export function verifyOnce(
  store: ReplayStore,
  verifier: WebhookVerifier,
  headers: HeadersInput,
  body: WebhookBody,
  now?: number,
  options?: { prefix?: string },
): Promise<VerifyOnceResult>;

/** One process's store (Node servers, tests). `now` in milliseconds. */
export declare class MemoryReplayStore implements ReplayStore {
  constructor(options?: { now?: () => number; maxEntries?: number });
  readonly size: number;
  putIfAbsent(key: string, ttlSeconds: number): Promise<boolean>;
}

/**
 * A Workers KV store. KV is eventually consistent (a write may take up to a
 * minute to be seen elsewhere): it caches "seen", it does not decide. TTLs
 * below KV's minimum of 60 s are raised to 60.
 */
export declare class KvReplayStore implements ReplayStore {
  constructor(
    kv: { get(key: string): Promise<string | null>; put(key: string, value: string, options?: { expirationTtl?: number }): Promise<void> },
    options?: { prefix?: string },
  );
  putIfAbsent(key: string, ttlSeconds: number): Promise<boolean>;
}

/** The Durable Object store: strongly consistent, the one that decides. Keys are sharded over `shards` objects. */
export declare class DurableObjectReplayStore implements ReplayStore {
  constructor(
    namespace: { idFromName(name: string): unknown; get(id: unknown): { fetch(input: string, init?: RequestInit): Promise<Response> } },
    options?: { shards?: number; prefix?: string },
  );
  putIfAbsent(key: string, ttlSeconds: number): Promise<boolean>;
}

/** The Durable Object class a Worker exports and binds for DurableObjectReplayStore. */
export declare class ReplayStoreObject {
  constructor(state: { storage: unknown }, env?: unknown);
  fetch(request: Request): Promise<Response>;
  putIfAbsent(key: string, ttlSeconds: number): Promise<boolean>;
  alarm(): Promise<void>;
}

/** Verifies a Standard Webhooks (`v1`) message. `now` defaults to the current unix time. Prefer `createWebhookVerifier`. */
export function verifyStandardWebhook(
  options: { secrets: string[]; tolerance_s?: number },
  headers: HeadersInput,
  body: string | Uint8Array,
  now?: number,
): { id: string; timestamp: number };
