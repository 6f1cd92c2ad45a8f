// The endpoints Descope flows call through the Generic HTTP connector. A
// flow reads the answer at `connectors.<contextKey>.body.<field>`, so the
// field names of the answers are fixed:
//   POST /v1/descope/idv              -> { session_id, session_url }
//   POST /v1/descope/idv-result       -> { status, ial_level, verified_claims, verdict }
//   POST /v1/descope/step-up          -> { challenge_id, challenge_url }
//   POST /v1/descope/step-up-result   -> { status, match_result, confidence, verdict }
// `verdict` is the core's `{ final, outcome, reason, required_ial? }`: for an
// IDV at the body's `required_ial` (default the `REQUIRED_IAL` var, IAL2), for
// a step-up at the body's optional `min_confidence`.
//   POST /v1/descope/risk             -> { decision, rule, reasons, required_ial?, step_up? }
// Calls are authenticated as descope-auth.js says: RFC 9421 HTTP Message
// Signatures (DESCOPE_HTTPSIG_KEYS), the `x-descope-webhook-s256` HMAC
// (DESCOPE_HMAC_SECRET), either (DESCOPE_AUTH), or not at all.
import { parseObject, readBytes, requireJson, text } from './body.js';
import { config, policySource } from './config.js';
import { decisionLog, recordDecision } from './decision-log.js';
import { authenticateDescope } from './descope-auth.js';
import { checkMetadata, decideRisk, idvVerdict, kosmosProfile, parseIal, riskPolicy, stepUpVerdict } from './core.js';
import { HttpError, fromKosmos, fromPolicy, json } from './errors.js';
import { descopeCaller, finishStepUp, openStepUp, rateLimit } from './limits.js';
import { bindOwner, requireOwner } from './owners.js';
import { shardFor } from './replay.js';
import { sha256Hex } from './digest.js';

const nowS = () => Math.floor(Date.now() / 1000);
const IDEMPOTENCY_LEASE_MS = 60_000;
const IDEMPOTENCY_KEEP_MS = 24 * 60 * 60 * 1000;

/** Reads, authenticates (descope-auth.js) and parses a Descope call's body. */
async function descopeBody(request, env) {
  const cfg = config(env);
  const bytes = await readBytes(request, cfg.limits().descopeBody);
  await authenticateDescope(request, env, bytes);
  requireJson(request);
  return parseObject(text(bytes));
}

/** A required non-empty string field. Its limits (bytes, control characters) are the core's, checked when it builds the request. */
function requiredString(body, name) {
  const v = body[name];
  if (typeof v !== 'string' || v.trim() === '') throw new HttpError(400, 'invalid_input', `\`${name}\` is required and must be a non-empty string`, { field: name });
  return v.trim();
}

/** An optional non-empty string field (absent, null and '' are absent): `undefined` or the trimmed text. */
function optionalString(body, name) {
  const v = body[name];
  if (v === undefined || v === null || v === '') return undefined;
  return requiredString(body, name);
}

/** An optional IAL field (any spelling the core reads) in the core's spelling, or `fallback`. */
function ialField(value, name, fallback) {
  if (value === undefined || value === null || value === '') return fallback;
  try {
    return parseIal(String(value));
  } catch (e) {
    throw new HttpError(400, 'invalid_input', `\`${name}\` is not an identity assurance level (IAL1, IAL2 or IAL3)`, { field: name });
  }
}

/** The core's verdict; an input the core refuses (e.g. `min_confidence` out of range) is the caller's 400. */
function verdictOf(fn) {
  try {
    return fn();
  } catch (e) {
    if (e && e.name === 'KosmosError' && e.code === 'invalid_argument') throw new HttpError(400, 'invalid_input', e.message, { field: e.field });
    throw fromKosmos(e);
  }
}

/** A list given as an array, a JSON array text, or comma-separated text (what a connector body template renders). */
function list(body, name) {
  const v = body[name];
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') {
    const t = v.trim();
    if (t.startsWith('[')) {
      try {
        const parsed = JSON.parse(t);
        if (Array.isArray(parsed)) return parsed;
      } catch {
        // fall through to the error
      }
      throw new HttpError(400, 'invalid_input', `\`${name}\` is not a valid JSON array`, { field: name });
    }
    return t.split(',').map((s) => s.trim()).filter(Boolean);
  }
  if (v === undefined || v === null) throw new HttpError(400, 'invalid_input', `\`${name}\` is required`, { field: name });
  throw new HttpError(400, 'invalid_input', `\`${name}\` must be a list`, { field: name });
}

/** An object given as an object or JSON object text; absent is `{}`. */
function objectField(body, name) {
  let v = body[name];
  if (v === undefined || v === null || v === '') return {};
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch {
      throw new HttpError(400, 'invalid_input', `\`${name}\` is not a valid JSON object`, { field: name });
    }
  }
  if (typeof v !== 'object' || Array.isArray(v)) throw new HttpError(400, 'invalid_input', `\`${name}\` must be an object`, { field: name });
  const out = {};
  for (const [k, val] of Object.entries(v)) {
    if (typeof val === 'string') out[k] = val;
    else if (typeof val === 'number' || typeof val === 'boolean') out[k] = String(val);
    else throw new HttpError(400, 'invalid_input', `\`${name}.${k.slice(0, 64)}\` must be a string`, { field: `${name}.${k.slice(0, 64)}` });
  }
  return out;
}

/**
 * A 1Kosmos call through the package's client (`profile.call`): the core
 * builds the request and parses the answer, the core's retry policy decides
 * whether and when to send again (retryable statuses, Retry-After, creates
 * only with their idempotency key).
 */
async function kosmosCall(env, callObj, idempotencyKey) {
  const cfg = config(env);
  const profile = kosmosProfile(cfg.kosmos());
  try {
    return await profile.call(callObj, {
      timeoutMs: Math.min(cfg.upstreamTimeoutMs(), 120_000),
      maxRetries: cfg.kosmosRetries(),
      idempotencyKey,
    });
  } catch (e) {
    throw fromKosmos(e);
  }
}

/**
 * Runs `work` once per `Idempotency-Key` (when the caller sends one): a
 * repeated call with the same key and body gets the first answer again.
 */
async function idempotent(request, env, path, body, work) {
  const key = request.headers.get('idempotency-key');
  if (key === null) return work(undefined);
  if (!/^[\x21-\x7e]{1,255}$/.test(key)) throw new HttpError(400, 'invalid_input', '`Idempotency-Key` must be 1 to 255 visible ASCII characters', { field: 'idempotency-key' });
  const cfg = config(env);
  const scoped = `${path} ${key}`;
  const guard = shardFor(cfg.replay(), cfg.replayShards(), scoped);
  const fingerprint = await sha256Hex(JSON.stringify(body));
  const begun = await guard.beginIdempotent(scoped, fingerprint, IDEMPOTENCY_LEASE_MS, IDEMPOTENCY_KEEP_MS);
  if (begun.outcome === 'replay') return begun.response;
  if (begun.outcome === 'busy') throw new HttpError(409, 'in_progress', 'a request with this Idempotency-Key is in progress; retry later', { headers: { 'retry-after': '1' } });
  if (begun.outcome === 'mismatch') throw new HttpError(422, 'idempotency_key_reused', 'this Idempotency-Key was used with a different body');
  try {
    const answer = await work(key);
    await guard.endIdempotent(scoped, answer);
    return answer;
  } catch (e) {
    await guard.endIdempotent(scoped, null).catch(() => {});
    throw e;
  }
}

function callbackUrl(request, env) {
  const base = config(env).publicUrl() ?? new URL(request.url).origin;
  return `${base.replace(/\/+$/, '')}/v1/webhooks/1kosmos`;
}

/** POST /v1/descope/idv */
export async function idv(request, env) {
  const body = await descopeBody(request, env);
  const metadata = objectField(body, 'metadata');
  // The level this IDV must reach, recorded for the webhook's verdict (Platform Event, Task).
  const requiredIal = ialField(body.required_ial ?? metadata.required_ial, body.required_ial != null ? 'required_ial' : 'metadata.required_ial', undefined);
  if (requiredIal !== undefined) metadata.required_ial = requiredIal;
  if (body.user_identifier !== undefined && body.user_identifier !== null && body.user_identifier !== '') {
    metadata.user_identifier = requiredString(body, 'user_identifier');
    // A BlockID tenant names the user `userUID`, which the core takes from `metadata.user_uid`.
    if (config(env).kosmos().profile === 'blockid-tenant' && metadata.user_uid === undefined) metadata.user_uid = metadata.user_identifier;
  }
  const input = {
    operation: 'create_idv_session',
    document_types: list(body, 'document_types'),
    liveness_mode: requiredString(body, 'liveness_mode'),
    callback_url: callbackUrl(request, env),
  };
  if (Object.keys(metadata).length) input.metadata = metadata;
  // Each start is a paid 1Kosmos session: counted per caller (limits.js).
  await rateLimit(env, 'idv', descopeCaller(request, env, metadata.user_identifier));
  const answer = await idempotent(request, env, '/v1/descope/idv', body, async (key) => {
    const r = await kosmosCall(env, input, key);
    // The session's result is read only for this user when a read names one (owners.js).
    if (metadata.user_identifier !== undefined) await bindOwner(env, 'idv', r.session_id, metadata.user_identifier);
    return { session_id: r.session_id, session_url: r.session_url };
  });
  return json(answer);
}

/** POST /v1/descope/idv-result */
export async function idvResult(request, env) {
  const body = await descopeBody(request, env);
  const required = ialField(body.required_ial, 'required_ial', config(env).requiredIal());
  const sessionId = requiredString(body, 'session_id');
  // A read that names a user (Apex always does) is answered only for the user the session was started for.
  await requireOwner(env, 'idv', sessionId, optionalString(body, 'user_identifier'));
  const r = await kosmosCall(env, { operation: 'read_idv_result', session_id: sessionId });
  const answer = { status: r.status, ial_level: r.ial_level ?? null, verified_claims: r.verified_claims ?? null };
  answer.verdict = verdictOf(() => idvVerdict(answer, required));
  return json(answer);
}

/**
 * POST /v1/descope/step-up. `metadata` (optional; e.g. `related_record_id`,
 * `decision`, `rule`) cannot travel with a LiveID challenge, so the Worker
 * keeps it in the ReplayGuard object under the challenge id until the
 * challenge's webhook arrives.
 */
export async function stepUp(request, env) {
  const body = await descopeBody(request, env);
  const input = { operation: 'create_step_up', user_identifier: requiredString(body, 'user_identifier') };
  if (body.action !== undefined && body.action !== null && body.action !== '') {
    if (typeof body.action !== 'string') throw new HttpError(400, 'invalid_input', '`action` must be a string describing what the user confirms', { field: 'action' });
    input.action_description = body.action;
  }
  const metadata = objectField(body, 'metadata');
  try {
    // The core's limits (the same as for IDV sessions, in bytes).
    checkMetadata(metadata);
  } catch (e) {
    throw fromKosmos(e);
  }
  // Each start is a paid LiveID challenge: counted per caller, and at most STEP_UP_MAX_OPEN open per user (limits.js).
  await rateLimit(env, 'step_up', descopeCaller(request, env, input.user_identifier));
  const answer = await idempotent(request, env, '/v1/descope/step-up', body, async (key) => {
    const slot = await openStepUp(env, input.user_identifier);
    let r;
    try {
      r = await kosmosCall(env, input, key);
    } catch (e) {
      await slot.failed().catch(() => {});
      throw e;
    }
    // The challenge's result is read only for this user when a read names one (owners.js).
    await bindOwner(env, 'step_up', r.challenge_id, input.user_identifier);
    await slot.created(r.challenge_id);
    if (Object.keys(metadata).length) {
      const cfg = config(env);
      await shardFor(cfg.replay(), cfg.replayShards(), r.challenge_id).putMetadata(r.challenge_id, metadata, cfg.replayWindowS() * 1000);
    }
    return { challenge_id: r.challenge_id, challenge_url: r.challenge_url };
  });
  return json(answer);
}

/** An optional number given as a number or as text (what a connector body template renders). */
function numberField(body, name) {
  const v = body[name];
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v.trim()) : NaN;
  if (!Number.isFinite(n)) throw new HttpError(400, 'invalid_input', `\`${name}\` must be a number`, { field: name });
  return n;
}

/** POST /v1/descope/step-up-result */
export async function stepUpResult(request, env) {
  const body = await descopeBody(request, env);
  const minConfidence = numberField(body, 'min_confidence');
  const challengeId = requiredString(body, 'challenge_id');
  // A read that names a user (Apex always does) is answered only for the user the challenge was started for,
  // and only then frees a slot.
  await requireOwner(env, 'step_up', challengeId, optionalString(body, 'user_identifier'));
  const r = await kosmosCall(env, { operation: 'read_step_up_result', challenge_id: challengeId });
  const answer = { status: r.status, match_result: r.match_result, confidence: r.confidence ?? null };
  answer.verdict = verdictOf(() => stepUpVerdict(answer, minConfidence));
  // A final result frees the user's open-challenge slot.
  if (answer.verdict.final) await finishStepUp(env, challengeId);
  return json(answer);
}

/** POST /v1/descope/risk */
export async function risk(request, env) {
  const body = await descopeBody(request, env);
  const source = await policySource(env);
  let policy;
  try {
    policy = riskPolicy(source.text);
  } catch (e) {
    throw fromPolicy(e);
  }
  const log = decisionLog(env);
  let logged;
  let answer;
  try {
    answer = decideRisk(policy, body, nowS(), log && ((context, d) => { logged = recordDecision(log, context, d); }));
  } catch (e) {
    throw fromPolicy(e);
  }
  await logged;
  return json(answer);
}
