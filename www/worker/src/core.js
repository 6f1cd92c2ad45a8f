// The one place the Worker calls the kosmos-connect core. Everything about
// 1Kosmos requests and answers, webhook signatures, policy decisions and
// OpenID Connect is done by the core (Rust compiled to WebAssembly) through
// the package's public API; this module only shapes arguments and keeps the
// compiled objects (profiles, verifiers, policies) between requests. Those
// objects rebuild themselves when a trapped WebAssembly instance is replaced.
import {
  KosmosError,
  checkMetadata,
  codeInfo,
  compilePolicy,
  createProfile,
  createWebhookVerifier,
  decisionLogRecord,
  descopeContextToSignals,
  idvVerdict,
  isRetryableStatus,
  nextAttempt,
  parseIal,
  parseIdvResult,
  parseStepUpResult,
  salesforceContextToSignals,
  stepUpVerdict,
  version,
} from '../../../pkg/workerd.js';

// The core's verdicts and IAL reading, as they are: the Worker never decides
// what a result means itself.
export { idvVerdict, parseIal, stepUpVerdict };

/** The core's limits for metadata a host keeps itself (bytes of UTF-8, control characters). */
export { checkMetadata };
export { decisionLogRecord };

/** The core's retry policy (`nextAttempt`) and its reading of statuses (`isRetryableStatus`). */
export { isRetryableStatus, nextAttempt };

/** The core's class of an error code (`bad_input`, `not_authentic`, `upstream`, `configuration`, `internal`) and its HTTP status, from the one table (src/codes.rs). */
export { codeInfo };

/** The core's version. */
export const coreVersion = () => version();

/** A small cache of compiled objects by configuration text (an isolate sees few configurations). */
function cached(make, max = 8) {
  const byKey = new Map();
  return (key, arg) => {
    const hit = byKey.get(key);
    if (hit !== undefined) return hit;
    const value = make(arg);
    byKey.set(key, value);
    // The oldest goes; it is not freed here, since a request in flight may
    // still hold it (its wasm memory is released when it is collected).
    if (byKey.size > max) byKey.delete(byKey.keys().next().value);
    return value;
  };
}

// ---------------------------------------------------------------------------
// 1Kosmos: the core builds a request, the host sends it, the core parses the answer.

const profiles = cached((profileConfig) => createProfile(profileConfig));

/**
 * The checked 1Kosmos profile for a configuration (see config.js `kosmos`):
 * `{ build(call, now) -> { method, url, headers, body? }, parse(operation, status, headers, body) }`,
 * `call` being `{ operation, ...input }` with operation one of `create_idv_session`,
 * `read_idv_result`, `create_step_up`, `read_step_up_result`.
 */
export function kosmosProfile(profileConfig) {
  return profiles(JSON.stringify(profileConfig), profileConfig);
}

// ---------------------------------------------------------------------------
// Webhook and Descope signatures.

const verifiers = cached((cfg) => createWebhookVerifier(cfg));

/**
 * A verifier for `{ scheme, secrets, ...options }`: `verify(headers, bodyBytes, now)`
 * returns `{ id, timestamp, remember_until }` or throws a KosmosError
 * (`no_matching_signature`, `timestamp_too_old`, `missing_header`, ...).
 */
export function webhookVerifier(cfg) {
  return verifiers(JSON.stringify(cfg), cfg);
}

/** The verifier of Descope's `x-descope-webhook-s256` (base64 HMAC-SHA256 of the body). */
export function descopeVerifier(secret) {
  return webhookVerifier({ scheme: 'descope', secrets: [secret] });
}

// ---------------------------------------------------------------------------
// Risk policy.

const policies = cached((text) => compilePolicy(text));

/** The compiled policy for a JSON text (compiled once, kept while the text is the same). */
export function riskPolicy(text) {
  return policies(text, text);
}

/** The fields of `action` as the caller wrote them, by the adapter's field names. */
function callerField(action, field) {
  const names = { actionType: typeof action === 'string' ? 'action' : 'action.type', amount: 'action.amount', currency: 'action.currency' };
  return names[field] ?? 'action';
}

/**
 * Decides for a Descope flow context. The core's Descope adapter turns the
 * flow context into the policy's signals; `action` (a name, or
 * `{ type, amount, currency }`) goes through the core's Salesforce action
 * reading. Returns `{ decision, rule, reasons, required_ial?, step_up? }`.
 * `onDecision(context, decision)`, when given, sees the signals decided (the decision log).
 */
export function decideRisk(policy, flowContext, now, onDecision) {
  const { action, ...flow } = flowContext;
  const context = descopeContextToSignals(flow, now);
  if (action !== undefined && action !== null && action !== '') {
    const input = typeof action === 'string'
      ? { actionType: action }
      : { actionType: action.type, amount: action.amount, currency: action.currency };
    let actionContext;
    try {
      actionContext = salesforceContextToSignals(input, now);
    } catch (e) {
      // Name the field as the caller wrote it.
      if (e instanceof KosmosError && typeof e.field === 'string') {
        const field = callerField(action, e.field);
        e.message = e.message.replaceAll(`\`${e.field}\``, `\`${field}\``);
        e.field = field;
      }
      throw e;
    }
    if (actionContext.action) context.action = actionContext.action;
  }
  const d = policy.decide(context);
  if (onDecision) onDecision(context, d);
  const out = { decision: d.decision, rule: d.rule, reasons: d.reasons };
  if (d.required_ial !== undefined && d.required_ial !== null) out.required_ial = d.required_ial;
  if (d.step_up !== undefined && d.step_up !== null) out.step_up = d.step_up;
  return out;
}

// ---------------------------------------------------------------------------
// 1Kosmos verification events (the body of a webhook).

/**
 * Reads a verified 1Kosmos event into
 * `{ kind, verification_id, user_id?, status, match_result?, confidence?, ial_level?, metadata, occurred_at? }`.
 *
 * The event envelope is `{ type, timestamp?, data }`, `type` one of
 * `idv.session.completed` / `idv.session.updated` (data: a session result
 * plus `session_id` and `metadata`) or `liveid.challenge.completed` /
 * `liveid.challenge.updated` (data: a challenge result plus `challenge_id`,
 * `user_identifier` and `metadata`). The results inside are read by the
 * core's result parsers (`parseIdvResult`, `parseStepUpResult`); only the
 * ids and metadata are picked here.
 */
export function readVerificationEvent(text) {
  let event;
  try {
    event = JSON.parse(text);
  } catch {
    throw new KosmosError('invalid_input', 'the event is not valid JSON', { field: 'body' });
  }
  const data = event && typeof event === 'object' ? event.data : undefined;
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    throw new KosmosError('invalid_input', '`data` is missing or not an object', { field: 'data' });
  }
  const type = typeof event.type === 'string' ? event.type : '';
  const metadata = readMetadata(data.metadata);
  const occurredAt = typeof event.timestamp === 'string' ? event.timestamp : undefined;
  if (type.startsWith('idv.')) {
    const r = parseIdvResult(200, [], JSON.stringify(data));
    return {
      kind: 'idv',
      verification_id: idOf(data, 'session_id'),
      user_id: metadata.user_identifier,
      status: r.status,
      ial_level: r.ial_level ?? undefined,
      metadata,
      occurred_at: occurredAt,
    };
  }
  if (type.startsWith('liveid.')) {
    const r = parseStepUpResult(200, [], JSON.stringify(data));
    return {
      kind: 'step_up',
      verification_id: idOf(data, 'challenge_id'),
      user_id: typeof data.user_identifier === 'string' ? data.user_identifier : metadata.user_identifier,
      status: r.status,
      match_result: r.match_result,
      confidence: r.confidence ?? undefined,
      metadata,
      occurred_at: occurredAt,
    };
  }
  throw new KosmosError('invalid_input', `event type \`${type.slice(0, 64)}\` is not an idv or liveid event`, { field: 'type' });
}

function idOf(data, name) {
  const v = data[name];
  if (typeof v !== 'string' || v === '' || v.length > 255) {
    throw new KosmosError('invalid_input', `\`data.${name}\` is missing or not a string of 1 to 255 characters`, { field: `data.${name}` });
  }
  return v;
}

function readMetadata(m) {
  if (m === undefined || m === null) return {};
  if (typeof m !== 'object' || Array.isArray(m)) {
    throw new KosmosError('invalid_input', '`data.metadata` is not an object', { field: 'data.metadata' });
  }
  const out = {};
  for (const [key, v] of Object.entries(m)) if (typeof v === 'string') out[key] = v;
  return out;
}
