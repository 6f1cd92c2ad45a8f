// The Worker's configuration, read from its environment (wrangler.jsonc
// `vars`, secrets set with `wrangler secret put`, and bindings). Each part is
// checked when a request first needs it, so a Worker that only serves
// webhooks does not need the 1Kosmos API key, and a missing value answers
// 500 `misconfigured` naming the variable (never its value).
import { parseIal } from './core.js';
import { HttpError } from './errors.js';

/** Default bounds on request bodies, in bytes. */
export const DEFAULT_DESCOPE_BODY_BYTES = 64 * 1024;
export const DEFAULT_WEBHOOK_BODY_BYTES = 256 * 1024;

const misconfigured = (message) => new HttpError(500, 'misconfigured', message);

function required(env, name) {
  const v = env[name];
  if (typeof v !== 'string' || v.trim() === '') throw misconfigured(`the worker setting \`${name}\` is not set`);
  return v.trim();
}

function optional(env, name) {
  const v = env[name];
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

function positiveInt(env, name, fallback) {
  const v = env[name];
  if (v === undefined || v === null || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw misconfigured(`the worker setting \`${name}\` must be a positive whole number`);
  return n;
}

function jsonObject(env, name) {
  const v = env[name];
  if (v === undefined || v === null || v === '') return {};
  if (typeof v === 'object') return v;
  try {
    const parsed = JSON.parse(v);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed;
  } catch {
    // fall through
  }
  throw misconfigured(`the worker setting \`${name}\` must be a JSON object`);
}

/** Secrets given as one string: several separated by spaces or commas (key rotation). */
function secretList(value) {
  return value.split(/[\s,]+/).filter(Boolean);
}

const cache = new WeakMap();

/**
 * The checked configuration for `env`, computed once per env object.
 * Every getter throws `misconfigured` when what it needs is missing.
 */
export function config(env) {
  let c = cache.get(env);
  if (!c) {
    c = makeConfig(env);
    cache.set(env, c);
  }
  return c;
}

function memo(fn) {
  let done = false;
  let value;
  return () => {
    if (!done) {
      value = fn();
      done = true;
    }
    return value;
  };
}

function makeConfig(env) {
  const ratePeriods = memo(() => {
    const periods = { ...jsonObject(env, 'RATE_LIMIT_PERIOD_S') };
    for (const [name, v] of Object.entries(periods)) {
      if (v !== 10 && v !== 60 && v !== '10' && v !== '60') throw misconfigured(`the worker setting \`RATE_LIMIT_PERIOD_S\` gives \`${name.slice(0, 64)}\` a period other than 10 or 60 seconds`);
      periods[name] = Number(v);
    }
    return periods;
  });
  return {
    /** The IAL an IDV must reach when the caller names none (`REQUIRED_IAL`, default IAL2), in the core's spelling. */
    requiredIal: memo(() => {
      const text = optional(env, 'REQUIRED_IAL') ?? 'IAL2';
      try {
        return parseIal(text);
      } catch {
        throw misconfigured('the worker setting `REQUIRED_IAL` must be an identity assurance level such as `IAL2`');
      }
    }),
    limits: memo(() => ({
      descopeBody: positiveInt(env, 'MAX_DESCOPE_BODY_BYTES', DEFAULT_DESCOPE_BODY_BYTES),
      webhookBody: positiveInt(env, 'MAX_WEBHOOK_BODY_BYTES', DEFAULT_WEBHOOK_BODY_BYTES),
    })),
    upstreamTimeoutMs: memo(() => positiveInt(env, 'UPSTREAM_TIMEOUT_MS', 10_000)),
    /** Retries of a 1Kosmos call after the first attempt (the package client's, the core's retry policy): 0 to 10, default 2. */
    kosmosRetries: memo(() => {
      const raw = optional(env, 'KOSMOS_MAX_RETRIES');
      if (raw === undefined) return 2;
      const n = Number(raw);
      if (!Number.isInteger(n) || n < 0 || n > 10) throw misconfigured('the worker setting `KOSMOS_MAX_RETRIES` must be a whole number from 0 to 10');
      return n;
    }),
    /** The public origin 1Kosmos calls back (webhooks); defaults to the request's origin. */
    publicUrl: memo(() => optional(env, 'PUBLIC_URL')),

    /** The 1Kosmos profile configuration as the core's `createProfile` reads it. */
    kosmos: memo(() => {
      const profile = optional(env, 'KOSMOS_PROFILE') ?? 'verify-v1';
      if (profile === 'verify-v1') {
        return { profile, base_url: required(env, 'KOSMOS_BASE_URL'), api_key: required(env, 'KOSMOS_API_KEY') };
      }
      if (profile === 'blockid-tenant') {
        // Non-secret tenant settings (docuverify_url, service_public_key,
        // dvc_id, tenant_dns, community_name, ...) as a JSON var; keys as secrets.
        return {
          ...jsonObject(env, 'KOSMOS_TENANT'),
          profile,
          license_key: required(env, 'KOSMOS_LICENSE_KEY'),
          private_key: required(env, 'KOSMOS_PRIVATE_KEY'),
        };
      }
      throw misconfigured('the worker setting `KOSMOS_PROFILE` must be `verify-v1` or `blockid-tenant`');
    }),

    /** The 1Kosmos webhook verifier configuration: `{ scheme, secrets, ...options }`. */
    webhook: memo(() => {
      const scheme = optional(env, 'KOSMOS_WEBHOOK_SCHEME') ?? 'standard';
      const options = jsonObject(env, 'KOSMOS_WEBHOOK_OPTIONS');
      return { ...options, scheme, secrets: secretList(required(env, 'KOSMOS_WEBHOOK_SECRET')) };
    }),
    /** How long a delivered webhook id is remembered, in seconds. */
    replayWindowS: memo(() => positiveInt(env, 'REPLAY_WINDOW_S', 7 * 86_400)),
    replayShards: memo(() => positiveInt(env, 'REPLAY_SHARDS', 16)),
    /** How long a claim protects a webhook delivery being handled, in seconds (longer than the slowest hand-off). */
    replayLeaseS: memo(() => positiveInt(env, 'REPLAY_LEASE_S', 60)),
    /**
     * How long a queued hand-off may go without the consumer touching it
     * before the ReplayGuard sends it to the queue again, in seconds (the
     * Durable Object keeps it until it is published; see replay.js).
     */
    handoffRedriveS: memo(() => positiveInt(env, 'HANDOFF_REDRIVE_S', 3600)),
    /** The ReplayGuard Durable Object namespace. */
    replay: memo(() => {
      if (!env.REPLAY || typeof env.REPLAY.idFromName !== 'function') throw misconfigured('the durable object binding `REPLAY` (class ReplayGuard) is missing');
      return env.REPLAY;
    }),

    /** Origins a browser may call the step-up routes from (CORS): `https://host[:port]`, space- or comma-separated. */
    allowedOrigins: memo(() => {
      const list = secretList(optional(env, 'ALLOWED_ORIGINS') ?? '');
      for (const origin of list) {
        let u;
        try {
          u = new URL(origin);
        } catch {
          u = undefined;
        }
        if (origin === '*' || !u || u.origin !== origin) {
          throw misconfigured('the worker setting `ALLOWED_ORIGINS` must list origins like `https://example.lightning.force.com` (no `*`, no path)');
        }
      }
      return new Set(list);
    }),

    /** OpenID Connect redirect step-up (GET /v1/oidc/start, /v1/oidc/callback). */
    oidc: memo(() => {
      const issuer = required(env, 'OIDC_ISSUER');
      const provider = env.OIDC_PROVIDER === undefined || env.OIDC_PROVIDER === '' ? undefined : jsonObject(env, 'OIDC_PROVIDER');
      const method = optional(env, 'OIDC_TOKEN_AUTH_METHOD') ?? 'client_secret_basic';
      if (!['client_secret_basic', 'client_secret_post', 'private_key_jwt'].includes(method)) {
        throw misconfigured('the worker setting `OIDC_TOKEN_AUTH_METHOD` must be `client_secret_basic`, `client_secret_post` or `private_key_jwt`');
      }
      // private_key_jwt: the client's private JWK (EC P-256 or OKP Ed25519, with `d`), as JSON;
      // the core checks the key itself when the client is read (errors never show it).
      const keyJwt = method === 'private_key_jwt';
      const privateJwk = keyJwt ? jsonObject(env, 'OIDC_CLIENT_PRIVATE_JWK') : undefined;
      if (keyJwt && Object.keys(privateJwk).length === 0) {
        throw misconfigured('the worker setting `OIDC_CLIENT_PRIVATE_JWK` is required by `OIDC_TOKEN_AUTH_METHOD` `private_key_jwt`');
      }
      const cookieSecret = required(env, 'OIDC_COOKIE_SECRET');
      if (cookieSecret.length < 32) throw misconfigured('the worker setting `OIDC_COOKIE_SECRET` must be at least 32 characters');
      const maxAge = optional(env, 'OIDC_MAX_AGE_S');
      return {
        issuer,
        provider,
        clientId: required(env, 'OIDC_CLIENT_ID'),
        clientSecret: keyJwt ? undefined : required(env, 'OIDC_CLIENT_SECRET'),
        privateJwk,
        tokenAuthMethod: method,
        redirectUri: optional(env, 'OIDC_REDIRECT_URI'),
        cookieSecret,
        cookieTtlS: positiveInt(env, 'OIDC_COOKIE_TTL_S', 600),
        // Essential acr values; `liveID push` is 1Kosmos LiveID. Comma-separated (a value may hold spaces).
        acr: (optional(env, 'OIDC_ACR') ?? 'liveID push').split(',').map((a) => a.trim()).filter(Boolean),
        scope: (optional(env, 'OIDC_SCOPE') ?? '').split(/\s+/).filter(Boolean),
        // Claim names asked for as `verified_claims` (OpenID Connect for Identity Assurance), comma-separated.
        verifiedClaims: (optional(env, 'OIDC_VERIFIED_CLAIMS') ?? '').split(',').map((c) => c.trim()).filter(Boolean),
        maxAgeS: maxAge === undefined ? undefined : positiveInt(env, 'OIDC_MAX_AGE_S', undefined),
      };
    }),

    /**
     * The abuse limits (README "Abuse limits"): per endpoint a Workers Rate
     * Limiting binding (wrangler.jsonc `ratelimits`, which holds the limit and
     * the period) and its period in seconds from `RATE_LIMIT_PERIOD_S` (a JSON
     * object by binding name, 10 or 60, default 60; the binding cannot tell
     * its period, and `Retry-After` needs it).
     */
    rateLimiter: (name) => {
      const binding = env[name];
      if (!binding || typeof binding.limit !== 'function') throw misconfigured(`the rate limiting binding \`${name}\` is missing (wrangler.jsonc \`ratelimits\`)`);
      return { binding, periodS: ratePeriods()[name] ?? 60 };
    },
    /** At most this many unexpired step-up challenges per user (`STEP_UP_MAX_OPEN`, default 3). */
    stepUpMaxOpen: memo(() => positiveInt(env, 'STEP_UP_MAX_OPEN', 3)),
    /** How long a step-up challenge counts as open unless finished first, in seconds (`STEP_UP_OPEN_TTL_S`, default 300). */
    stepUpOpenTtlS: memo(() => positiveInt(env, 'STEP_UP_OPEN_TTL_S', 300)),

    /**
     * How Descope's connector calls are authenticated: `mode` is `httpsig`
     * (RFC 9421 HTTP Message Signatures with DESCOPE_HTTPSIG_KEYS), `hmac`
     * (`x-descope-webhook-s256` with DESCOPE_HMAC_SECRET), `either` (a call
     * carrying `Signature-Input` must verify with RFC 9421, any other the
     * HMAC) or `none` (nothing configured: unsigned calls pass). DESCOPE_AUTH
     * picks it; unset, the configured keys decide, RFC 9421 preferred.
     */
    descopeAuth: memo(() => {
      const keysText = optional(env, 'DESCOPE_HTTPSIG_KEYS');
      const secret = optional(env, 'DESCOPE_HMAC_SECRET');
      const asked = optional(env, 'DESCOPE_AUTH');
      if (asked !== undefined && !['httpsig', 'hmac', 'either'].includes(asked)) {
        throw misconfigured('the worker setting `DESCOPE_AUTH` must be `httpsig`, `hmac` or `either`');
      }
      if ((asked === 'httpsig' || asked === 'either') && keysText === undefined) {
        throw misconfigured(`the worker setting \`DESCOPE_AUTH\` is \`${asked}\` but the secret \`DESCOPE_HTTPSIG_KEYS\` is not set`);
      }
      if ((asked === 'hmac' || asked === 'either') && secret === undefined) {
        throw misconfigured(`the worker setting \`DESCOPE_AUTH\` is \`${asked}\` but the secret \`DESCOPE_HMAC_SECRET\` is not set`);
      }
      const mode = asked ?? (keysText !== undefined && secret !== undefined ? 'either' : keysText !== undefined ? 'httpsig' : secret !== undefined ? 'hmac' : 'none');
      let keys;
      if (keysText !== undefined) {
        try {
          keys = JSON.parse(keysText);
        } catch {
          throw misconfigured('the secret `DESCOPE_HTTPSIG_KEYS` must be JSON: key entries `[{ keyid, pem | jwk | secret }]`, a JWK set or `{ keyid: PEM }`');
        }
      }
      return {
        mode,
        keys,
        secret,
        // RFC 9421 `created` may be this old (seconds) and this far ahead of the Worker's clock.
        maxAgeS: positiveInt(env, 'DESCOPE_HTTPSIG_MAX_AGE_S', 300),
        toleranceS: positiveInt(env, 'DESCOPE_HTTPSIG_TOLERANCE_S', 60),
      };
    }),

    /** Salesforce: where to publish and how to get a token. */
    salesforce: memo(() => {
      const instanceUrl = required(env, 'SF_INSTANCE_URL').replace(/\/+$/, '');
      const apiVersion = optional(env, 'SF_API_VERSION') ?? 'v62.0';
      if (!/^v\d{2,3}\.\d$/.test(apiVersion)) throw misconfigured('the worker setting `SF_API_VERSION` must look like `v62.0`');
      return {
        instanceUrl,
        loginUrl: (optional(env, 'SF_LOGIN_URL') ?? instanceUrl).replace(/\/+$/, ''),
        clientId: required(env, 'SF_CLIENT_ID'),
        clientSecret: required(env, 'SF_CLIENT_SECRET'),
        apiVersion,
        eventObject: optional(env, 'SF_EVENT_OBJECT') ?? 'Kosmos_Verification__e',
        timeoutMs: positiveInt(env, 'SF_TIMEOUT_MS', 10_000),
        tokenTtlS: positiveInt(env, 'SF_TOKEN_TTL_S', 1_800),
      };
    }),
  };
}

const policyCache = new WeakMap();

/** How long a policy read from KV is kept per isolate: `POLICY_KV_TTL_S` (default 60; 0 reads KV on every request). */
function policyTtlMs(env) {
  const v = env.POLICY_KV_TTL_S;
  if (v === undefined || v === null || v === '') return 60_000;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw misconfigured('the worker setting `POLICY_KV_TTL_S` must be a whole number of seconds (0 reads the policy on every request)');
  return n * 1000;
}

/**
 * The policy's JSON text: the `POLICY` var (JSON text or an object), or the
 * value at `POLICY_KEY` (default `policy`) in the `POLICY_KV` namespace, read
 * at most once a minute (`POLICY_KV_TTL_S`; KV is eventually consistent: fine
 * for a policy).
 * Returns `{ text, version }`; `version` changes when the text does.
 */
export async function policySource(env) {
  const cached = policyCache.get(env);
  if (cached && (cached.fromVar || Date.now() - cached.at < policyTtlMs(env))) return cached;
  let text;
  let fromVar = false;
  if (env.POLICY !== undefined && env.POLICY !== null && env.POLICY !== '') {
    text = typeof env.POLICY === 'string' ? env.POLICY : JSON.stringify(env.POLICY);
    fromVar = true;
  } else if (env.POLICY_KV && typeof env.POLICY_KV.get === 'function') {
    const key = optional(env, 'POLICY_KEY') ?? 'policy';
    text = await env.POLICY_KV.get(key);
    if (text === null) throw misconfigured(`the policy key \`${key}\` is missing from \`POLICY_KV\``);
  } else {
    throw misconfigured('no policy is configured: set `POLICY` or bind `POLICY_KV`');
  }
  const entry = { text, fromVar, at: Date.now(), version: text };
  policyCache.set(env, entry);
  return entry;
}
