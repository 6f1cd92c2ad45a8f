/** What a client knows about a failed attempt. */
export interface RetryFailure {
  /** The HTTP status, when there was an answer; `retryable` defaults to the core's reading of it. */
  status?: number;
  /** Transient (a timeout, a network error, a retryable status). */
  retryable?: boolean;
  /** The `Retry-After` header as received: delay-seconds or an HTTP-date. */
  retry_after?: string | number;
  /** `Retry-After` already read, in seconds. */
  retry_after_s?: number;
  /** A read, or a create carrying its idempotency key (default true). A create without one is sent once. */
  idempotent?: boolean;
}
export interface RetryPolicy {
  /** Attempts in all, the first included: 1 to 11, default 3. */
  max_attempts?: number;
  /** First backoff, doubled per retry (jittered in its upper half); default 250. */
  base_delay_ms?: number;
  /** Backoff cap; default 8000. */
  max_delay_ms?: number;
  /** A longer Retry-After gives up instead of waiting; default 30000. */
  max_retry_after_ms?: number;
}
/**
 * The core's retry policy: the delay in ms before attempt `attempts + 1`, or
 * `undefined` to give up. Never sooner than Retry-After. `now` (unix seconds)
 * dates an HTTP-date Retry-After; `random` (a u32) draws the jitter.
 */
export function nextAttempt(failure: RetryFailure, attempts: number, policy?: RetryPolicy | string, extra?: { now?: number; random?: number }): number | undefined;
/** 408, 429, 500, 502, 503 and 504: the statuses worth sending the same request again for. */
export function isRetryableStatus(status: number): boolean;
