/** Every stable error code the package throws. */
export type KosmosErrorCode =
  // any capability
  | 'invalid_argument' | 'internal' | 'not_initialized' | 'init_failed'
  // 1Kosmos requests and results
  | 'invalid_input' | 'malformed_response' | 'entropy_unavailable'
  | 'unauthorized' | 'forbidden' | 'not_found' | 'conflict' | 'rate_limited'
  | 'invalid_request' | 'upstream_unavailable' | 'api_error'
  // policies
  | 'invalid_policy' | 'invalid_context'
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
}
