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
 * Turns an error from a 1Kosmos call (a KosmosError from the core's parser
 * or the package's client, or a failure of fetch itself) into the HttpError
 * the Descope connector sees. The HTTP status is the core's table's for the
 * core's code (src/codes.rs via codeInfo: an upstream 408 is `timeout`, 504,
 * retryable), never re-derived from the upstream status here. 1Kosmos's own
 * refusal of the Worker's credentials (a configuration code that came with an
 * upstream status) is named `upstream_auth_failed`: it is the Worker's
 * configuration problem, not the caller's.
 */
export function fromKosmos(e) {
  if (e instanceof HttpError) return e;
  if (e && e.name === 'KosmosError') {
    const info = codeInfo(e.code);
    if (info === undefined || info.class === 'internal') return new HttpError(500, 'internal', e.message);
    const upstream = typeof e.details?.status === 'number' ? e.details.status : undefined;
    const retryAfter = e.details?.retry_after_s;
    const headers = typeof retryAfter === 'number' ? { 'retry-after': String(retryAfter) } : {};
    if (info.class === 'configuration' && upstream !== undefined) {
      return new HttpError(info.http_status, 'upstream_auth_failed', '1Kosmos refused the worker\'s credentials; check KOSMOS_API_KEY');
    }
    // The Worker's public names for two of the core's codes (kept for existing callers).
    const code = e.code === 'unsupported' ? 'not_supported' : e.code === 'malformed_response' ? 'upstream_malformed' : e.code;
    const message = upstream !== undefined ? `1Kosmos answered ${upstream}${e.message ? `: ${e.message}` : ''}` : e.message;
    return new HttpError(info.http_status, code, message, { field: e.field, headers });
  }
  if (e && (e.name === 'TimeoutError' || e.name === 'AbortError')) {
    return new HttpError(codeInfo('timeout').http_status, 'upstream_timeout', '1Kosmos did not answer in time');
  }
  return new HttpError(codeInfo('network_error').http_status, 'upstream_unreachable', '1Kosmos could not be reached');
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
