// Mechanism C: Descope audit events as hooks that trigger 1Kosmos.
//
//   POST /v1/webhooks/descope-audit   what Descope's Audit Webhook connector sends
//     verify `x-descope-webhook-s256` with DESCOPE_AUDIT_HMAC_SECRET (the
//       connector's `hmac_secret`; the core verifies, constant-time)
//     -> claim the event id in the ReplayGuard Durable Object
//          done already  -> 200 `duplicate` (nothing started again)
//          being handled -> 409 + retry-after
//     -> the risk policy (POLICY, the core decides) on the event's context
//          UserCreated + verify_identity -> start an IDV session, record it
//          LoginSucceed + step_up (or stricter) -> mark the user for step-up
//     -> 200 `processed`
//
//   POST /v1/descope/audit-marks      what a flow reads before its risk call
//     { user_id }               -> { step_up_required, idv_session_id, idv_session_url, rule }
//     { user_id, clear: true }  -> the step-up mark removed (after a LiveID match)
//     signed like the other /v1/descope/* connector calls (DESCOPE_HMAC_SECRET).
//
// The event's shape is Descope's audit record as its audit API returns it:
// `id`, `action` (`UserCreated`, `LoginSucceed`, ...), `userId`, `loginIds`,
// `occurred`, `geo` and `remoteAddress`, with `data` holding the flow
// context (`riskInfo`, `user.fingerprint`, `user.lastAuth`) when the flow
// adds it. See examples/descope/README.md for what is assumed.
import { parseObject, readBytes, requireJson, text } from './body.js';
import { config, policySource } from './config.js';
import { authenticateDescope } from './descope-auth.js';
import { decideRisk, descopeVerifier, kosmosProfile, riskPolicy } from './core.js';
import { HttpError, fromKosmos, fromPolicy, fromVerification, json } from './errors.js';
import { rateLimit } from './limits.js';
import { bindOwner } from './owners.js';
import { shardFor } from './replay.js';

/** How long a claim protects an event being handled. */
const LEASE_MS = 60_000;
/** How long a mark on a user is kept (the next flow run reads it). */
const MARK_KEEP_MS = 30 * 86_400 * 1000;
const STRICTER_THAN_ALLOW = new Set(['step_up', 'verify_identity', 'deny']);

const nowS = () => Math.floor(Date.now() / 1000);
const setting = (env, name) => (typeof env[name] === 'string' && env[name].trim() !== '' ? env[name].trim() : undefined);

/** Verifies Descope's HMAC over the body with `secret` (the core's verifier). */
function verifyDescope(request, bytes, secret, what) {
  if (!request.headers.get('x-descope-webhook-s256')) {
    throw new HttpError(401, 'missing_signature', `${what} must be signed: the \`x-descope-webhook-s256\` header is missing`);
  }
  try {
    return descopeVerifier(secret).verify(request.headers, bytes, nowS());
  } catch (e) {
    throw fromVerification(e, what);
  }
}

const markKey = (userId) => `descope-user:${userId}`;
const markStore = (env, userId) => {
  const cfg = config(env);
  return shardFor(cfg.replay(), cfg.replayShards(), markKey(userId));
};

async function readMark(env, userId) {
  return (await markStore(env, userId).metadata(markKey(userId))) ?? {};
}

async function writeMark(env, userId, mark) {
  await markStore(env, userId).putMetadata(markKey(userId), mark, MARK_KEEP_MS);
}

/** The flow context the core's Descope adapter reads, from an audit event. */
function flowContextOf(ev) {
  const data = ev.data && typeof ev.data === 'object' && !Array.isArray(ev.data) ? ev.data : {};
  const ctx = {};
  if (data.riskInfo !== undefined) ctx.riskInfo = data.riskInfo;
  const user = {};
  const u = data.user && typeof data.user === 'object' ? data.user : {};
  if (u.fingerprint !== undefined) user.fingerprint = u.fingerprint;
  if (u.lastAuth !== undefined) user.lastAuth = u.lastAuth;
  if (Object.keys(user).length) ctx.user = user;
  const country = typeof ev.geo === 'string' ? ev.geo : ev.geo?.country ?? data.geo?.country;
  if (country !== undefined) ctx.geo = { country };
  return ctx;
}

/** Starts an IDV session for a new user (the core builds the request and reads the answer). */
async function startIdv(request, env, ev, userId) {
  const cfg = config(env);
  const profile = kosmosProfile(cfg.kosmos());
  const base = (cfg.publicUrl() ?? new URL(request.url).origin).replace(/\/+$/, '');
  const loginId = Array.isArray(ev.loginIds) && typeof ev.loginIds[0] === 'string' ? ev.loginIds[0] : userId;
  const call = {
    operation: 'create_idv_session',
    document_types: (setting(env, 'DESCOPE_AUDIT_IDV_DOCUMENTS') ?? 'drivers_license,passport').split(',').map((s) => s.trim()).filter(Boolean),
    liveness_mode: setting(env, 'DESCOPE_AUDIT_IDV_LIVENESS') ?? 'passive',
    callback_url: `${base}/v1/webhooks/1kosmos`,
    metadata: { user_identifier: loginId, descope_user_id: userId, trigger: 'descope_audit' },
  };
  // A BlockID tenant names the user `userUID`, which the core takes from `metadata.user_uid`.
  if (cfg.kosmos().profile === 'blockid-tenant') call.metadata.user_uid = loginId;
  let session;
  try {
    // The package's client: the core's retry policy decides (the create carries its idempotency key).
    session = await profile.call(call, { timeoutMs: Math.min(cfg.upstreamTimeoutMs(), 120_000), maxRetries: cfg.kosmosRetries() });
  } catch (e) {
    throw fromKosmos(e);
  }
  // Its result is read only for this user when a read names one, as for POST /v1/descope/idv (owners.js).
  await bindOwner(env, 'idv', session.session_id, loginId);
  return session;
}

/** What the policy says about an event, and what is done about it. */
async function act(request, env, ev) {
  const userId = typeof ev.userId === 'string' && ev.userId !== '' ? ev.userId : undefined;
  const action = typeof ev.action === 'string' ? ev.action : '';
  if (!userId || !['UserCreated', 'LoginSucceed'].includes(action)) return { acted: 'ignored' };
  let decision;
  try {
    decision = decideRisk(riskPolicy((await policySource(env)).text), flowContextOf(ev), nowS());
  } catch (e) {
    throw fromPolicy(e);
  }
  const out = { decision: decision.decision, rule: decision.rule ?? null };
  if (action === 'UserCreated' && decision.decision === 'verify_identity') {
    // A paid 1Kosmos session, like POST /v1/descope/idv: counted per user (the event is signed by the audit connector).
    await rateLimit(env, 'idv', `descope-user:${userId}`);
    const session = await startIdv(request, env, ev, userId);
    await writeMark(env, userId, { ...(await readMark(env, userId)), idv_session_id: session.session_id, idv_session_url: session.session_url, rule: decision.rule ?? null });
    return { ...out, acted: 'idv_started', idv_session_id: session.session_id };
  }
  if (action === 'LoginSucceed' && STRICTER_THAN_ALLOW.has(decision.decision)) {
    await writeMark(env, userId, { ...(await readMark(env, userId)), step_up_required: true, rule: decision.rule ?? null });
    return { ...out, acted: 'step_up_marked' };
  }
  return { ...out, acted: 'none' };
}

/** POST /v1/webhooks/descope-audit */
export async function descopeAuditWebhook(request, env) {
  const secret = setting(env, 'DESCOPE_AUDIT_HMAC_SECRET');
  if (secret === undefined) throw new HttpError(500, 'misconfigured', 'the worker setting `DESCOPE_AUDIT_HMAC_SECRET` is not set (audit events are accepted signed only)');
  const cfg = config(env);
  const bytes = await readBytes(request, cfg.limits().webhookBody);
  const verified = verifyDescope(request, bytes, secret, 'the descope audit event');
  requireJson(request);
  const ev = parseObject(text(bytes));
  // Descope's own event id; the id derived from the signed content when there is none.
  const eventId = typeof ev.id === 'string' && ev.id !== '' ? ev.id : verified.id;
  if (typeof eventId !== 'string' || eventId === '') throw new HttpError(400, 'invalid_event', 'the audit event has no `id` to deduplicate by', { field: 'id' });
  const id = `descope-audit:${eventId}`;
  const guard = shardFor(cfg.replay(), cfg.replayShards(), id);
  const claim = await guard.claim(id, LEASE_MS, cfg.replayWindowS() * 1000);
  if (claim.outcome === 'done') return json({ status: 'duplicate', id: eventId });
  if (claim.outcome === 'busy') {
    throw new HttpError(409, 'in_progress', 'this audit event is being handled; retry later', { headers: { 'retry-after': String(claim.retry_after_s) } });
  }
  let result;
  try {
    result = await act(request, env, ev);
  } catch (e) {
    await guard.release(id, []).catch(() => {});
    throw e;
  }
  await guard.finish(id, 'processed', []).catch((err) => console.error('replay finish failed after an audit event', eventId, err?.message));
  return json({ status: 'processed', id: eventId, action: ev.action ?? null, ...result });
}

/** POST /v1/descope/audit-marks */
export async function auditMarks(request, env) {
  const cfg = config(env);
  const bytes = await readBytes(request, cfg.limits().descopeBody);
  await authenticateDescope(request, env, bytes);
  requireJson(request);
  const body = parseObject(text(bytes));
  const userId = body.user_id;
  if (typeof userId !== 'string' || userId.trim() === '' || userId.length > 255) {
    throw new HttpError(400, 'invalid_input', '`user_id` is required and must be a non-empty string of at most 255 characters', { field: 'user_id' });
  }
  const mark = await readMark(env, userId.trim());
  if (body.clear === true || body.clear === 'true') {
    const { step_up_required: _cleared, ...rest } = mark;
    await writeMark(env, userId.trim(), rest);
    return json({ step_up_required: false, idv_session_id: rest.idv_session_id ?? null, idv_session_url: rest.idv_session_url ?? null, rule: null });
  }
  return json({
    step_up_required: mark.step_up_required === true,
    idv_session_id: mark.idv_session_id ?? null,
    idv_session_url: mark.idv_session_url ?? null,
    rule: mark.rule ?? null,
  });
}
