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
// When DESCOPE_HMAC_SECRET is set, every call must carry a valid
// `x-descope-webhook-s256` (base64 HMAC-SHA256 of the body).
import { boundedText, parseObject, readBytes, requireJson, text } from './body.js';
import { config, policySource } from './config.js';
import { decisionLog, recordDecision } from './decision-log.js';
import { checkMetadata, decideRisk, descopeVerifier, idvVerdict, kosmosProfile, parseIal, riskPolicy, stepUpVerdict } from './core.js';
import { HttpError, fromKosmos, fromPolicy, fromVerification, json } from './errors.js';
import { shardFor } from './replay.js';

const nowS = () => Math.floor(Date.now() / 1000);
const IDEMPOTENCY_LEASE_MS = 60_000;
const IDEMPOTENCY_KEEP_MS = 24 * 60 * 60 * 1000;

/** Reads, authenticates and parses a Descope call's body. */
async function descopeBody(request, env) {
  const cfg = config(env);
  const bytes = await readBytes(request, cfg.limits().descopeBody);
  const secret = cfg.descopeSecret();
  if (secret !== undefined) {
    if (!request.headers.get('x-descope-webhook-s256')) {
      throw new HttpError(401, 'missing_signature', 'this worker requires descope calls to be signed: the `x-descope-webhook-s256` header is missing');
    }
    try {
      descopeVerifier(secret).verify(request.headers, bytes, nowS());
    } catch (e) {
      throw fromVerification(e, 'the descope signature');
    }
  }
  requireJson(request);
  return parseObject(text(bytes));
}

/** A required non-empty string field. Its limits (bytes, control characters) are the core's, checked when it builds the request. */
function requiredString(body, name) {
  const v = body[name];
  if (typeof v !== 'string' || v.trim() === '') throw new HttpError(400, 'invalid_input', `\`${name}\` is required and must be a non-empty string`, { field: name });
  return v.trim();
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

/** Sends a request built by the core and gives the answer to the core's parser. */
async function kosmosCall(env, callObj, idempotencyKey) {
  const cfg = config(env);
  const profile = kosmosProfile(cfg.kosmos());
  const operation = callObj.operation;
  try {
    const req = profile.build(callObj, nowS());
    const headers = { ...req.headers };
    // The caller's key, when given, replaces the fresh one: a retried call is then the same call for 1Kosmos too.
    if (idempotencyKey !== undefined && 'idempotency-key' in headers) headers['idempotency-key'] = idempotencyKey;
    const res = await fetch(req.url, {
      method: req.method,
      headers,
      body: req.body,
      signal: AbortSignal.timeout(cfg.upstreamTimeoutMs()),
    });
    const body = await boundedText(res);
    return profile.parse(operation, res.status, res.headers, body);
  } catch (e) {
    throw fromKosmos(e);
  }
}

async function sha256Hex(s) {
  const d = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(s)));
  return Array.from(d, (b) => b.toString(16).padStart(2, '0')).join('');
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
  const answer = await idempotent(request, env, '/v1/descope/idv', body, async (key) => {
    const r = await kosmosCall(env, input, key);
    return { session_id: r.session_id, session_url: r.session_url };
  });
  return json(answer);
}

/** POST /v1/descope/idv-result */
export async function idvResult(request, env) {
  const body = await descopeBody(request, env);
  const required = ialField(body.required_ial, 'required_ial', config(env).requiredIal());
  const r = await kosmosCall(env, { operation: 'read_idv_result', session_id: requiredString(body, 'session_id') });
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
  const answer = await idempotent(request, env, '/v1/descope/step-up', body, async (key) => {
    const r = await kosmosCall(env, input, key);
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
  const r = await kosmosCall(env, { operation: 'read_step_up_result', challenge_id: requiredString(body, 'challenge_id') });
  const answer = { status: r.status, match_result: r.match_result, confidence: r.confidence ?? null };
  answer.verdict = verdictOf(() => stepUpVerdict(answer, minConfidence));
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
