// CORS for the routes a browser page of your own may call directly:
// POST /v1/descope/step-up and /v1/descope/step-up-result (and /idv,
// /idv-result for identity proofing). The Lightning component (www/lwc) does
// not: it calls the Apex gateway, which calls the Worker signed.
// Only origins listed in ALLOWED_ORIGINS get `access-control-allow-origin`
// (their own origin, never `*`); credentials are never allowed. Any other
// origin's preflight is refused with 403. An Origin header is not
// authentication: when DESCOPE_HMAC_SECRET is set, these calls still need a
// valid `x-descope-webhook-s256`, which a browser cannot make (route them
// through a server that signs, as the Apex gateway KosmosGateway does).
import { config } from './config.js';
import { HttpError } from './errors.js';

/** The paths a browser may call cross-origin. */
export const CORS_PATHS = new Set(['/v1/descope/step-up', '/v1/descope/step-up-result', '/v1/descope/idv', '/v1/descope/idv-result']);

const ALLOW_HEADERS = 'content-type, idempotency-key';
const MAX_AGE_S = '600';

function pathOf(request) {
  const { pathname } = new URL(request.url);
  return pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
}

/** The request's Origin when it is allowed for this path, else undefined. */
function allowedOrigin(request, env) {
  const origin = request.headers.get('origin');
  if (origin === null || !CORS_PATHS.has(pathOf(request))) return undefined;
  return config(env).allowedOrigins().has(origin) ? origin : undefined;
}

/** Answers a CORS preflight (OPTIONS on a CORS path); undefined for any other request. */
export function preflight(request, env) {
  if (request.method !== 'OPTIONS' || !CORS_PATHS.has(pathOf(request))) return undefined;
  const origin = allowedOrigin(request, env);
  if (origin === undefined) {
    throw new HttpError(403, 'origin_not_allowed', 'this origin may not call the worker from a browser; add it to ALLOWED_ORIGINS', { headers: { vary: 'Origin' } });
  }
  const method = request.headers.get('access-control-request-method');
  if (method !== null && method !== 'POST') {
    throw new HttpError(405, 'method_not_allowed', `${method.slice(0, 16)} is not allowed here`, { headers: { allow: 'POST', vary: 'Origin' } });
  }
  return new Response(null, {
    status: 204,
    headers: {
      'access-control-allow-origin': origin,
      'access-control-allow-methods': 'POST',
      'access-control-allow-headers': ALLOW_HEADERS,
      'access-control-max-age': MAX_AGE_S,
      vary: 'Origin',
    },
  });
}

/** Adds `access-control-allow-origin` (and `vary`) to an answer on a CORS path. */
export function withCors(request, env, response) {
  if (!CORS_PATHS.has(pathOf(request))) return response;
  let origin;
  try {
    origin = allowedOrigin(request, env);
  } catch {
    origin = undefined;
  }
  const out = new Response(response.body, response);
  out.headers.append('vary', 'Origin');
  if (origin !== undefined) out.headers.set('access-control-allow-origin', origin);
  return out;
}
