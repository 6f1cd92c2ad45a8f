// Abuse limits on the endpoints that cost money (a 1Kosmos IDV session or
// LiveID challenge per call) or state (a sealed OIDC state per call):
//
// - a per-caller rate limit per endpoint, counted by the Workers Rate Limiting
//   binding (wrangler.jsonc `ratelimits`: the limit and the period); a caller
//   over it gets 429 `too_many_requests` with `Retry-After` (the period);
// - at most STEP_UP_MAX_OPEN unexpired step-up challenges per user, counted in
//   the ReplayGuard Durable Object (strongly consistent); one more gets 429
//   `too_many_open_challenges` with `Retry-After` (when the oldest expires).
//   A challenge stops counting when its result is final (step-up-result or
//   its webhook) or after STEP_UP_OPEN_TTL_S.
//
// Who "the caller" is (README "Abuse limits"):
// - a Descope call verified with DESCOPE_HMAC_SECRET comes from the
//   configured Descope project, so the user the body names is trusted: the
//   caller is that user (`user_identifier`); without one, the address the
//   call comes from (Descope's egress) for the whole project;
// - an unsigned call (and every GET /v1/oidc/start, a browser) is its client
//   address, CF-Connecting-IP (set by Cloudflare; an IPv6 address as its /64;
//   the body is not trusted, since anyone can name any user).
// Keys are SHA-256 hashes: no user id or address is kept in a limiter or the
// Durable Object's keys.
import { codeInfo } from './core.js';
import { config } from './config.js';
import { HttpError } from './errors.js';
import { shardFor } from './replay.js';
import { sha256Hex } from './digest.js';

/** The binding that counts each limited endpoint. */
export const RATE_LIMITED = Object.freeze({
  idv: 'IDV_RATE_LIMIT',
  step_up: 'STEP_UP_RATE_LIMIT',
  oidc_start: 'OIDC_RATE_LIMIT',
});

/** The error the core's table gives `code` its status for. */
function limitError(code, message, retryAfterS) {
  return new HttpError(codeInfo(code).http_status, code, message, { headers: { 'retry-after': String(retryAfterS) } });
}

/**
 * The client address a limit counts: CF-Connecting-IP, an IPv6 address as
 * its /64 (one subscriber usually holds a whole /64, so counting single
 * addresses would let it rotate through them).
 */
function clientAddress(request) {
  const ip = (request.headers.get('cf-connecting-ip') ?? 'unknown').trim().toLowerCase();
  if (!ip.includes(':') || ip.includes('.')) return ip;
  const [head = '', tail = ''] = ip.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...h, ...Array(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t] : h;
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

/**
 * Who calls a Descope endpoint: the user the body names when the call is
 * signed (the project vouches for it), else the client address.
 */
export function descopeCaller(request, env, user) {
  // Every call has passed the configured check (descope-auth.js) by now.
  const signed = config(env).descopeAuth().mode !== 'none';
  if (signed && user) return `descope-user:${user}`;
  return `${signed ? 'descope-ip' : 'ip'}:${clientAddress(request)}`;
}

/** Who calls GET /v1/oidc/start (a browser): its address. */
export const browserCaller = (request) => `ip:${clientAddress(request)}`;

/** Counts one call of `endpoint` (a key of RATE_LIMITED) by `caller`; throws 429 when over the limit. */
export async function rateLimit(env, endpoint, caller) {
  const { binding, periodS } = config(env).rateLimiter(RATE_LIMITED[endpoint]);
  const { success } = await binding.limit({ key: await sha256Hex(`${endpoint}\n${caller}`) });
  if (!success) {
    throw limitError('too_many_requests', `too many calls of this endpoint from this caller; retry in ${periodS} s`, periodS);
  }
}

const userShard = async (env, user) => {
  const cfg = config(env);
  const key = `open:${await sha256Hex(user)}`;
  return { key, guard: shardFor(cfg.replay(), cfg.replayShards(), key) };
};

/**
 * Takes one of the user's open step-up slots for a challenge about to be
 * created; throws 429 when all are taken. Returns `{ created(id), failed() }`.
 */
export async function openStepUp(env, user) {
  const cfg = config(env);
  const max = cfg.stepUpMaxOpen();
  const ttlMs = cfg.stepUpOpenTtlS() * 1000;
  const { key, guard } = await userShard(env, user);
  const token = `pending:${crypto.randomUUID()}`;
  const taken = await guard.openSlot(key, token, max, ttlMs);
  if (!taken.ok) {
    throw limitError('too_many_open_challenges', `this user has ${max} step-up challenges open; finish one or retry in ${taken.retry_after_s} s`, taken.retry_after_s);
  }
  return {
    /**
     * The challenge exists: the slot is its until it is finished or expires.
     * Best effort: the challenge is made (and paid for), so the caller gets it
     * even if this fails; the slot then simply lasts until it expires.
     */
    async created(challengeId) {
      try {
        await guard.renameSlot(key, token, challengeId);
        await shardFor(cfg.replay(), cfg.replayShards(), `owner:${challengeId}`).putOwner(challengeId, key, ttlMs);
      } catch (e) {
        console.error('step-up slot not linked to its challenge (it expires on its own):', e?.name, e?.message);
      }
    },
    /** No challenge was created: the slot is free again. */
    failed: () => guard.closeSlot(key, token),
  };
}

/** A challenge's result is final: its slot is free (best effort; the slot expires anyway). */
export async function finishStepUp(env, challengeId) {
  try {
    const cfg = config(env);
    const key = await shardFor(cfg.replay(), cfg.replayShards(), `owner:${challengeId}`).takeOwner(challengeId);
    if (key) await shardFor(cfg.replay(), cfg.replayShards(), key).closeSlot(key, challengeId);
  } catch (e) {
    console.error('step-up slot not freed (it expires on its own):', e?.name, e?.message);
  }
}
