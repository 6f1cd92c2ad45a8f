import type { HeadersInput, HttpRequest } from './common.js';

export type DocumentType = 'drivers_license' | 'passport' | 'id_card' | 'residence_permit';
export type LivenessMode = 'passive' | 'active';
export type IdvStatus = 'pending' | 'in_progress' | 'completed' | 'failed' | 'expired' | 'declined';
export type IalLevel = 'IAL1' | 'IAL2' | 'IAL3';
export type StepUpStatus = 'pending' | 'in_progress' | 'completed' | 'failed' | 'expired' | 'cancelled';
export type MatchResult = 'match' | 'no_match' | 'pending' | 'expired' | 'cancelled';
export type Curve = 'secp256k1' | 'p256';
export type Operation = 'create_idv_session' | 'read_idv_result' | 'create_step_up' | 'read_step_up_result';
/** A body as received: text, or bytes decoded as UTF-8. */
export type BodyInput = string | Uint8Array | null | undefined;

/** A verify-v1 deployment. `api_key` never appears in errors or logs. */
export interface VerifyV1Config {
  /** https, or http on loopback hosts only. */
  base_url: string;
  api_key: string;
}
export interface CreateIdvSession {
  /** At least one, each at most once. */
  document_types: DocumentType[];
  liveness_mode: LivenessMode;
  /** https, or http on loopback hosts only. */
  callback_url?: string;
  /** At most 32 entries; keys 1-64 bytes, values up to 512 bytes. */
  metadata?: Record<string, string>;
}
export interface CreateStepUp {
  /** The enrolled user (1-256 bytes). */
  user_identifier: string;
  /** What the user confirms, shown to them (at most 256 bytes). */
  action_description?: string;
  /** 30 to 3600 seconds. */
  expires_in_s?: number;
}
export interface IdvSession { session_id: string; session_url: string }
export interface StepUpChallenge { challenge_id: string; challenge_url: string }

/** One check on a piece of evidence (`vdig`, `vpip`, `bvr`, ...). */
export interface CheckDetail { check_method: string; organization?: string; txn?: string; time?: string; [extra: string]: unknown }
export interface Evidence {
  type: 'document' | 'electronic_record' | 'vouch' | 'electronic_signature';
  check_details?: CheckDetail[];
  time?: string;
  document_details?: { type: string; document_number?: string; date_of_issuance?: string; date_of_expiry?: string; [extra: string]: unknown };
  [extra: string]: unknown;
}
/** One claim set of OpenID Connect for Identity Assurance 1.0, unknown members kept. */
export interface ClaimSet {
  verification: {
    trust_framework: string;
    assurance_level?: string;
    time?: string;
    verification_process?: string;
    evidence?: Evidence[];
    [extra: string]: unknown;
  };
  claims: Record<string, unknown>;
  [extra: string]: unknown;
}
export type VerifiedClaims = ClaimSet | ClaimSet[];

export interface IdvResult {
  status: IdvStatus;
  /** `null` until completed; also read from `nist_800_63A` + `ial2` forms. */
  ial_level: IalLevel | null;
  verified_claims: VerifiedClaims | null;
}
export interface StepUpResult {
  status: StepUpStatus;
  match_result: MatchResult;
  /** In [0, 1]; `null` without a verdict. */
  confidence: number | null;
}

/** Builds `POST {base}/v1/verify/sessions` with a fresh Idempotency-Key. */
export function buildCreateIdvSession(config: VerifyV1Config, request: CreateIdvSession): HttpRequest;
/** Parses the create answer (`redirect_url` becomes `session_url`); non-2xx answers throw with `details.status` and `details.retryable`. */
export function parseIdvSession(status: number, headers: HeadersInput | null, body: BodyInput): IdvSession;
/** Builds `GET {base}/v1/verify/sessions/{id}` (the id percent-encoded). */
export function buildReadIdvResult(config: VerifyV1Config, sessionId: string): HttpRequest;
/** Parses the answer to `GET {base}/v1/verify/sessions/{id}`; non-2xx answers throw with `details.status` and `details.retryable`. */
export function parseIdvResult(status: number, headers: HeadersInput | null, body: BodyInput): IdvResult;
/** Builds `POST {base}/v1/liveid/challenges` with a fresh Idempotency-Key. */
export function buildCreateStepUp(config: VerifyV1Config, request: CreateStepUp): HttpRequest;
/** Parses the answer to "create step-up challenge". */
export function parseStepUpChallenge(status: number, headers: HeadersInput | null, body: BodyInput): StepUpChallenge;
/** Builds `GET {base}/v1/liveid/challenges/{id}` (the id percent-encoded). */
export function buildReadStepUpResult(config: VerifyV1Config, challengeId: string): HttpRequest;
/** Parses the answer to "read step-up result". */
export function parseStepUpResult(status: number, headers: HeadersInput | null, body: BodyInput): StepUpResult;
/** Validates and normalizes `verified_claims`; throws `malformed_response` naming the offending path. */
export function parseVerifiedClaims(value: unknown): VerifiedClaims;

/** Checks metadata by the core's limits (entries, key/value bytes of UTF-8, control characters); throws `invalid_input`. */
export function checkMetadata(metadata: Record<string, string>): void;

/** An open step-up slot: a challenge id (or a pending token) and when it stops counting, unix ms. */
export interface OpenSlot { id: string; until: number }
/**
 * The core's cap on open step-up challenges: drops the `slots` expired at
 * `now` (unix ms), then takes one for `token` until `now + ttlMs` when fewer
 * than `max` are live (`ok: true`: store `slots`), or answers when to retry
 * (`retry_after_s`: when the soonest expires, at least 1 s). The host keeps
 * the slots; the core decides.
 */
export function openSlot(input: { slots?: OpenSlot[]; now: number; max: number; ttlMs: number; token: string }):
  | { ok: true; open: number; slots: OpenSlot[] }
  | { ok: false; open: number; retry_after_s: number };

/** A 1Kosmos verification event (a webhook body), as the core reads it. */
export interface VerificationEvent {
  kind: 'idv' | 'step_up';
  verification_id: string;
  user_id?: string;
  status: IdvStatus | StepUpStatus;
  ial_level?: IalLevel;
  match_result?: MatchResult;
  confidence?: number;
  metadata: Record<string, string>;
  occurred_at?: string;
}
/** Reads a verified webhook body; throws `invalid_input` naming the field or `malformed_response`. */
export function parseVerificationEvent(body: BodyInput): VerificationEvent;

/** The Salesforce records of a verification event. */
export interface SalesforceRecords {
  /** `kc_` + 32 hex digits of SHA-256 over the webhook id: the same for every redelivery (a dedupe / External ID key). */
  external_id: string;
  /** The core's verdict on the result (an IDV at `metadata.required_ial`, else `options.required_ial`). */
  verdict: import('./contracts.js').Verdict;
  /** The Platform Event's fields (`Verification_Id__c`, `Kind__c`, `Status__c`, `Decision__c`, `Occurred_At__c`, ...). */
  event: Record<string, string | number>;
  /** The Task on `metadata.related_record_id`, or null. */
  task: Record<string, string> | null;
}
/** Builds the Platform Event and Task of a verified webhook body. */
export function salesforceRecords(
  body: BodyInput,
  options: { webhook_id: string; timestamp: number; required_ial?: string; metadata?: Record<string, string> },
): SalesforceRecords;

/** Keys of the envelope, base64. */
export interface EnvelopeKeys { curve?: Curve; privateKey: string; peerPublicKey: string }
/** A new key pair; keep `privateKey` secret. */
export function generateKeyPair(curve?: Curve): { curve: Curve; privateKey: string; publicKey: string };
/** The 64-byte-form public key of a private key. */
export function publicKeyOf(privateKey: string, curve?: Curve): string;
/** Seals text: base64(iv[16] || ciphertext || tag[16]) under the ECDH-agreed AES-256-GCM key. */
export function envelopeSeal(keys: EnvelopeKeys, plaintext: string): string;
/** Opens a sealed message; throws `decrypt_failed` (tampered, truncated, other key) or `bad_ciphertext`. */
export function envelopeOpen(keys: EnvelopeKeys, message: string): string;

/** A BlockID tenant's DocuVerify service. */
export interface BlockIdConfig {
  docuverify_url: string;
  /** Sent sealed, never logged. */
  license_key: string;
  /** Our private key, base64. */
  private_key: string;
  /** DocuVerify's public key, base64 (see `buildReadServicePublicKey`). */
  service_public_key: string;
  curve?: Curve;
  app_id?: string;
  dvc_id: string;
  tenant_dns: string;
  community_name: string;
  /** Named in mapped `verified_claims`; default `nist_800_63A`. */
  trust_framework?: string;
}
export function buildReadServicePublicKey(docuverifyUrl: string): HttpRequest;
export function parseServicePublicKey(status: number, headers: HeadersInput | null, body: BodyInput, curve?: Curve): string;
export type ProfileConfig = ({ profile: 'verify-v1' } & VerifyV1Config) | ({ profile: 'blockid-tenant' } & BlockIdConfig);
export type Call =
  | ({ operation: 'create_idv_session' } & CreateIdvSession)
  | { operation: 'read_idv_result'; session_id: string }
  | ({ operation: 'create_step_up' } & CreateStepUp)
  | { operation: 'read_step_up_result'; challenge_id: string };
export type Answer<C extends Call> =
  C extends { operation: 'create_idv_session' } ? IdvSession
  : C extends { operation: 'read_idv_result' } ? IdvResult
  : C extends { operation: 'create_step_up' } ? StepUpChallenge
  : StepUpResult;

export interface CallOptions {
  /** Defaults to the global fetch. */
  fetch?: (url: string, init: { method: string; headers: Record<string, string>; body?: string; signal?: AbortSignal }) => Promise<Response>;
  /** Per attempt, default 10000 (at most 120000). */
  timeoutMs?: number;
  /** Retries after the first attempt, default 2 (at most 10); only retryable failures, never a create without its idempotency key. */
  maxRetries?: number;
  /** First backoff delay, doubling per retry (jittered, capped at 8 s); default 250. */
  retryBaseMs?: number;
  /** A longer `Retry-After` ends the call instead of waiting; default 30. */
  maxRetryAfterS?: number;
  /** The caller's idempotency key (1 to 255 characters): replaces the fresh one of a create. */
  idempotencyKey?: string;
}

/**
 * A checked profile; both profiles give the same result shapes. blockid-tenant
 * runs `create_idv_session` as a DocuVerify document session (the first of
 * `document_types` it offers; `metadata.user_uid` / `metadata.did` become
 * `userUID` / `did`) and throws `unsupported` for step-up.
 */
export declare class KosmosProfile {
  private constructor();
  readonly name: 'verify-v1' | 'blockid-tenant';
  build(call: Call, now?: number): HttpRequest;
  parse(operation: Operation, status: number, headers: HeadersInput | null, body: BodyInput): IdvSession | IdvResult | StepUpChallenge | StepUpResult;
  /** Rejects with a KosmosError whose `details.attempts` counts the requests sent. */
  call<C extends Call>(call: C, options?: CallOptions): Promise<Answer<C>>;
  free(): void;
}
export function createProfile(config: ProfileConfig): KosmosProfile;
export function kosmosCall<C extends Call>(config: ProfileConfig, call: C, options?: CallOptions): Promise<Answer<C>>;
