// Errors as the Worker answers them: `{ error: { code, message, field? } }`
// with the right HTTP status. Messages are for people and never carry a
// secret, a key, a token or an expected signature.
import { codeInfo } from './core.js';

/** An error with an HTTP status, a stable `code` and an optional `field`. */
export class HttpError extends Error {
  /**
   * @param {number} status
   * @param {string} code
   * @param {string} message
   * @param {{ field?: string, headers?: Record<string, string>, cause?: unknown }} [extra]
   */
  constructor(status, code, message, extra = {}) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
    if (extra.field !== undefined) this.field = extra.field;
    this.headers = extra.headers ?? {};
  }
}

/** A JSON answer. */
export function json(value, status = 200, headers = {}) {
  return new Response(JSON.stringify(value), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
  });
}

/** The JSON error answer for an HttpError. */
export function errorResponse(err) {
  const error = { code: err.code, message: err.message };
  if (err.field !== undefined) error.field = err.field;
  return json({ error }, err.status, err.headers);
}

// Which codes are the caller's input, and which a refused signature: the
// core's table (src/codes.rs, through codeInfo), never a list here.
const classOf = (code) => codeInfo(code)?.class;

/**
 * Turns an error from a 1Kosmos call (a KosmosError from the core's parser,
 * or a network failure) into the HttpError the Descope connector sees.
 * 1Kosmos's own authentication failures become 502: they are the Worker's
 * configuration problem, not the caller's.
 */
export function fromKosmos(e) {
  if (e instanceof HttpError) return e;
  if (e && e.name === 'KosmosError') {
    const upstream = e.details && typeof e.details.status === 'number' ? e.details.status : undefined;
    if (upstream !== undefined) {
      const retryAfter = e.details.retry_after_s;
      const headers = typeof retryAfter === 'number' ? { 'retry-after': String(retryAfter) } : {};
      if (upstream === 404) return new HttpError(404, 'not_found', '1Kosmos does not know this id');
      if (upstream === 400 || upstream === 422) {
        return new HttpError(400, 'invalid_request', `1Kosmos refused the request${e.message ? `: ${e.message}` : ''}`, { field: e.field });
      }
      if (upstream === 409) return new HttpError(409, 'conflict', '1Kosmos reported a conflict; retry with a new request');
      if (upstream === 429) return new HttpError(429, 'rate_limited', '1Kosmos is rate limiting; retry later', { headers });
      if (upstream === 401 || upstream === 403) {
        return new HttpError(502, 'upstream_auth_failed', '1Kosmos refused the worker\'s credentials; check KOSMOS_API_KEY');
      }
      if (upstream >= 500) return new HttpError(503, 'upstream_unavailable', '1Kosmos is unavailable; retry later', { headers });
      return new HttpError(502, 'upstream_error', `1Kosmos answered with status ${upstream}`);
    }
    if (classOf(e.code) === 'bad_input') return new HttpError(codeInfo(e.code).http_status, e.code, e.message, { field: e.field });
    if (e.code === 'malformed_response') return new HttpError(502, 'upstream_malformed', `1Kosmos sent an answer the worker cannot read: ${e.message}`);
    if (e.code === 'unsupported') return new HttpError(501, 'not_supported', e.message);
    return new HttpError(500, 'internal', e.message);
  }
  if (e && (e.name === 'TimeoutError' || e.name === 'AbortError')) {
    return new HttpError(504, 'upstream_timeout', '1Kosmos did not answer in time');
  }
  return new HttpError(502, 'upstream_unreachable', '1Kosmos could not be reached');
}

/** Turns a webhook verification failure into a 401 (or 413 for an oversized body). */
export function fromVerification(e, what) {
  if (e instanceof HttpError) return e;
  if (e && e.name === 'KosmosError') {
    if (e.code === 'payload_too_large') return new HttpError(413, 'body_too_large', e.message);
    if (classOf(e.code) === 'not_authentic') return new HttpError(codeInfo(e.code).http_status, e.code, `${what}: ${e.message}`, { field: e.field });
    if (classOf(e.code) === 'configuration') return new HttpError(500, 'misconfigured', `${what}: the configured secret is not usable`);
  }
  return new HttpError(401, 'unauthorized', `${what}: the signature could not be verified`);
}

/** Turns a policy evaluation failure into a 400 naming the field, or a 500 for a bad policy. */
export function fromPolicy(e) {
  if (e instanceof HttpError) return e;
  if (e && e.name === 'KosmosError') {
    if (classOf(e.code) === 'configuration') return new HttpError(500, 'misconfigured', 'the configured policy does not compile');
    return new HttpError(400, e.code === 'internal' ? 'invalid_context' : e.code, e.message, { field: e.field });
  }
  return new HttpError(500, 'internal', 'the policy could not be evaluated');
}
