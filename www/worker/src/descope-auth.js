// Authenticates Descope's connector calls, by configuration (config.js
// `descopeAuth`): RFC 9421 HTTP Message Signatures (the connector's
// `rfc9421_signing_enabled`), the older `x-descope-webhook-s256` HMAC, either,
// or none. Every check is the core's; a verified RFC 9421 signature is
// remembered in the replay store (its nonce, or its bytes) until the core says
// it would be refused anyway, so a replayed call is refused too.
import { config } from './config.js';
import { codeInfo, coreError, descopeHttpSigVerifier, descopeVerifier } from './core.js';
import { HttpError, fromVerification } from './errors.js';
import { shardFor } from './replay.js';

const nowS = () => Math.floor(Date.now() / 1000);
const WHAT = 'the descope signature';

function verifyHmac(request, bytes, secret, either) {
  if (!request.headers.get('x-descope-webhook-s256')) {
    const also = either ? ' (and there is no RFC 9421 `Signature-Input`)' : '';
    throw new HttpError(401, 'missing_signature', `this worker requires descope calls to be signed: the \`x-descope-webhook-s256\` header is missing${also}`);
  }
  try {
    descopeVerifier(secret).verify(request.headers, bytes, nowS());
  } catch (e) {
    throw fromVerification(e, WHAT);
  }
}

/**
 * A refused RFC 9421 signature as the core's table (src/codes.rs) says: a
 * not-authentic code (401, 409 for `duplicate`) or, for what the request
 * lacks (`missing_parameter`, e.g. no `expires`), the caller's 400.
 */
function refused(e) {
  const info = e && e.name === 'KosmosError' ? codeInfo(e.code) : undefined;
  if (info?.class === 'bad_input' && e.code !== 'payload_too_large') {
    return new HttpError(info.http_status, e.code, `${WHAT}: ${e.message}`, { field: e.field });
  }
  return fromVerification(e, WHAT);
}

async function verifyHttpSig(request, env, bytes, auth) {
  let verifier;
  try {
    verifier = descopeHttpSigVerifier(auth);
  } catch {
    // Never the key material: only that the setting is unusable.
    throw new HttpError(500, 'misconfigured', 'the secret `DESCOPE_HTTPSIG_KEYS` holds no usable key');
  }
  const now = nowS();
  let verified;
  try {
    verified = verifier.verify({ method: request.method, url: request.url, headers: request.headers }, bytes, now);
  } catch (e) {
    throw refused(e);
  }
  const cfg = config(env);
  const { id, remember_until: until } = verified.replay;
  const fresh = await shardFor(cfg.replay(), cfg.replayShards(), id).useOnce(id, Math.max(1, until - now + 1) * 1000);
  if (!fresh) throw refused(coreError('duplicate', 'this signature was already used: a replayed call'));
  return verified;
}

/**
 * Checks a Descope call's signature over `bytes` (its body) as configured.
 * Returns `{ scheme: 'httpsig', keyid, ... } | { scheme: 'hmac' } | { scheme: 'none' }`
 * or throws an HttpError (401 refused, 409 replayed, 500 misconfigured).
 */
export async function authenticateDescope(request, env, bytes) {
  const auth = config(env).descopeAuth();
  const signed = request.headers.has('signature-input') || request.headers.has('signature');
  if (auth.mode === 'httpsig' || (auth.mode === 'either' && signed)) {
    return { scheme: 'httpsig', ...(await verifyHttpSig(request, env, bytes, auth)) };
  }
  if (auth.mode === 'hmac' || auth.mode === 'either') {
    verifyHmac(request, bytes, auth.secret, auth.mode === 'either');
    return { scheme: 'hmac' };
  }
  return { scheme: 'none' };
}
