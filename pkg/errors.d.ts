/** Every stable error code the package throws. */
export type KosmosErrorCode =
  // any capability
  | 'invalid_argument' | 'internal' | 'not_initialized' | 'init_failed'
  // 1Kosmos requests and results
  | 'invalid_input' | 'malformed_response' | 'entropy_unavailable'
  | 'unauthorized' | 'forbidden' | 'not_found' | 'conflict' | 'rate_limited'
  | 'invalid_request' | 'upstream_unavailable' | 'api_error' | 'timeout' | 'gone'
  | 'unexpected_status' | 'network_error' | 'unsupported'
  | 'invalid_key' | 'bad_ciphertext' | 'decrypt_failed'
  // policies
  | 'invalid_policy' | 'invalid_context'
  // OIDC federation and step-up
  | 'unexpected_status' | 'authorization_error' | 'token_endpoint_error' | 'missing_parameter'
  | 'state_mismatch' | 'issuer_mismatch' | 'token_too_large' | 'malformed_token' | 'alg_none'
  | 'hmac_alg_rejected' | 'unsupported_alg' | 'alg_not_allowed' | 'unsupported_critical_header'
  | 'no_matching_key' | 'key_type_mismatch' | 'key_use_forbidden' | 'key_alg_mismatch'
  | 'key_ops_forbidden' | 'invalid_key' | 'bad_signature' | 'missing_claim' | 'invalid_claim'
  | 'audience_mismatch' | 'untrusted_audience' | 'azp_mismatch' | 'token_expired'
  | 'token_not_yet_valid' | 'issued_in_future' | 'nonce_mismatch' | 'acr_not_satisfied'
  | 'auth_time_too_old' | 'malformed_challenge' | 'not_a_step_up_challenge'
  | 'unexpected_typ' | 'hash_mismatch' | 'sub_mismatch' | 'userinfo_error'
  | 'insufficient_user_authentication'
  // webhooks
  | 'missing_header' | 'bad_format' | 'no_matching_signature' | 'timestamp_too_old'
  | 'timestamp_in_future' | 'payload_too_large' | 'invalid_secret' | 'duplicate';

/** The one error class: `code` is stable, `message` is for people, `field` names the input concerned. */
export declare class KosmosError extends Error {
  constructor(code: KosmosErrorCode | string, message: string, extra?: { field?: string; details?: Record<string, unknown>; cause?: unknown });
  readonly name: 'KosmosError';
  readonly code: KosmosErrorCode;
  readonly field?: string;
  /** Machine-readable extras, e.g. `{ status, retryable, retry_after_s }` for API errors, `{ problems }` for policies. */
  readonly details?: Record<string, unknown>;
  toJSON(): { code: string; message: string; field?: string };
  /** True for a KosmosError of either entry (`kosmos-connect` or `kosmos-connect/policy`): an app may load both. */
  static [Symbol.hasInstance](value: unknown): boolean;
}
