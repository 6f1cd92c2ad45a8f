// The retry policy: whether a failed call is sent again, and after how long.
// The rule (retryable statuses, Retry-After in seconds or as an HTTP-date,
// idempotency, jittered exponential backoff, limits) is the core's; this
// module only brings the entropy and the clock the core does not draw.
import { call } from '../core.js';

function entropy() {
  const word = new Uint32Array(1);
  globalThis.crypto.getRandomValues(word);
  return word[0];
}

/**
 * After `attempts` failed attempts (1 after the first), the delay in ms before
 * the next one, or `undefined` to give up. `failure`: `{ status?, retryable?,
 * retry_after? (header value), retry_after_s?, idempotent? }`; `policy`:
 * `{ max_attempts?, base_delay_ms?, max_delay_ms?, max_retry_after_ms? }`.
 */
export function nextAttempt(failure, attempts, policy = {}, { now = Math.floor(Date.now() / 1000), random = entropy() } = {}) {
  const f = JSON.stringify(failure ?? {});
  const p = typeof policy === 'string' ? policy : JSON.stringify(policy ?? {});
  return call((g) => g.nextAttempt(f, attempts >>> 0, random >>> 0, now, p));
}

/** Whether an HTTP status may succeed when the same request is sent again (408, 429, 500, 502, 503, 504). */
export function isRetryableStatus(status) {
  return call((g) => g.isRetryableStatus(Number(status) & 0xffff));
}
