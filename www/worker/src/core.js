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
  createHttpSignatureVerifier,
  createProfile,
  createWebhookVerifier,
  decisionLogRecord,
  descopeContextToSignals,
  idvVerdict,
  isRetryableStatus,
  nextAttempt,
  parseIal,
  parseVerificationEvent,
  salesforceContextToSignals,
  salesforceRecords,
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
// RFC 9421 HTTP Message Signatures (Descope's signed connector calls).

const httpSigVerifiers = cached((cfg) => createHttpSignatureVerifier(cfg));

/** What a signed Descope call must cover: the method, the URL, the body's digest. */
const DESCOPE_REQUIRED_COMPONENTS = ['@method', ['@target-uri', ['@authority', '@path']], 'content-digest'];

/**
 * The core's RFC 9421 verifier for Descope's connector keys: covered
 * `@method`, `@target-uri` (or `@authority` + `@path`) and `content-digest`
 * (checked against the body), `created` within `maxAgeS` / `toleranceS`,
 * `expires` required. `verify(message, bodyBytes, now)` returns
 * `{ keyid, alg, created, expires, nonce, components, replay: { kind, id, remember_until } }`
 * or throws a KosmosError (`missing_header`, `bad_signature`, `digest_mismatch`,
 * `signature_expired`, ...). Compiling throws for unusable keys.
 */
export function descopeHttpSigVerifier({ keys, maxAgeS, toleranceS }) {
  const cfg = {
    keys,
    required_components: DESCOPE_REQUIRED_COMPONENTS,
    require_created: true,
    require_expires: true,
    max_age_s: maxAgeS,
    tolerance_s: toleranceS,
  };
  return httpSigVerifiers(JSON.stringify(cfg), cfg);
}

/** A KosmosError with one of the core's codes (the Worker raises `duplicate` for a replayed signature). */
export const coreError = (code, message) => new KosmosError(code, message);

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
// 1Kosmos verification events (the body of a webhook) and their Salesforce records.

/**
 * The core reads a verified 1Kosmos event (`parseVerificationEvent`: `{ kind,
 * verification_id, user_id?, status, ial_level?, match_result?, confidence?,
 * metadata, occurred_at? }`) and builds its Salesforce Platform Event and Task
 * (`salesforceRecords`: `{ external_id, verdict, event, task }`, the Task's
 * outcome being the core's verdict); the Worker only carries them.
 */
export { parseVerificationEvent, salesforceRecords };

/** The core's cap on open step-up challenges (the ReplayGuard Durable Object keeps the slots, the core decides). */
export { openSlot } from '../../../pkg/workerd.js';
