// The one place the Worker calls the kosmos-connect core. Everything about
// 1Kosmos requests and answers, webhook signatures and policy decisions is
// done by the core (Rust compiled to WebAssembly); this module only picks the
// core function and shapes arguments.
//
// Functions are looked up by name, first on the package's public API and
// then on the raw bindings (through the shim's `call`, which turns what they
// throw into KosmosError and recovers from traps), so the Worker uses a
// richer core as soon as it is built, without edits here. When a function is
// missing from this build, the call fails with code `core_missing` (HTTP 501)
// naming what it needs.
import * as k from '../../../pkg/workerd.js';
import { call, glue, headerPairs, instanceGeneration } from '../../../pkg/core.js';
import { KosmosError } from '../../../pkg/errors.js';

/** The core's version. */
export const coreVersion = () => k.version();

function coreFn(name) {
  if (typeof k[name] === 'function') return k[name];
  if (typeof glue[name] === 'function') return (...args) => call((g) => g[name](...args));
  return undefined;
}

function missing(what, needs) {
  return new KosmosError('core_missing', `${what} is not in this build of kosmos-connect (it needs \`${needs}\`)`);
}

/** Whether the core has `name` (tests use it to know which features to expect). */
export function coreHas(name) {
  return coreFn(name) !== undefined;
}

// Objects held in wasm memory die with a trapped instance: rebuild them when
// the instance generation moves.
function generational(make) {
  const byKey = new Map();
  return (key, ...args) => {
    const hit = byKey.get(key);
    if (hit && hit.generation === instanceGeneration()) return hit.value;
    const value = make(...args);
    byKey.set(key, { value, generation: instanceGeneration() });
    if (byKey.size > 8) byKey.delete(byKey.keys().next().value);
    return value;
  };
}

// ---------------------------------------------------------------------------
// 1Kosmos: build a request, the host sends it, parse the answer.

/** The four operations, with the per-operation functions of the core. */
const OPERATIONS = {
  create_idv_session: { build: 'buildCreateIdvSession', parse: 'parseIdvSession', arg: (c) => strip(c) },
  read_idv_result: { build: 'buildReadIdvResult', parse: 'parseIdvResult', arg: (c) => c.session_id },
  create_step_up: { build: 'buildCreateStepUp', parse: 'parseStepUpChallenge', arg: (c) => strip(c) },
  read_step_up_result: { build: 'buildReadStepUpResult', parse: 'parseStepUpResult', arg: (c) => c.challenge_id },
};

function strip(c) {
  const { operation: _, ...rest } = c;
  return rest;
}

const profiles = generational((profileConfig) => {
  const create = coreFn('createProfile');
  if (create) {
    const p = create(profileConfig);
    return {
      build: (c, now) => call(() => p.build(c, now)),
      parse: (op, status, headers, body) => call(() => p.parse(op, status, headerPairs(headers), body)),
    };
  }
  // A core without profiles: verify-v1 only, one function per operation.
  if (profileConfig.profile !== 'verify-v1') throw missing(`the \`${profileConfig.profile}\` profile`, 'createProfile');
  const { profile: _, ...v1 } = profileConfig;
  return {
    build(c, _now) {
      const op = OPERATIONS[c.operation];
      const fn = op && coreFn(op.build);
      if (!fn) throw missing(`building \`${c.operation}\``, op ? op.build : 'createProfile');
      return fn(v1, op.arg(c));
    },
    parse(operation, status, headers, body) {
      const op = OPERATIONS[operation];
      const fn = op && coreFn(op.parse);
      if (!fn) throw missing(`parsing \`${operation}\``, op ? op.parse : 'createProfile');
      return fn(status, headerPairs(headers), body);
    },
  };
});

/**
 * The 1Kosmos profile for a configuration (see config.js `kosmos`):
 * `{ build(call, now) -> { method, url, headers, body? }, parse(operation, status, headers, body) }`.
 * `call` is `{ operation, ...input }` with operation one of
 * `create_idv_session`, `read_idv_result`, `create_step_up`, `read_step_up_result`.
 */
export function kosmosProfile(profileConfig) {
  return profiles(JSON.stringify(profileConfig), profileConfig);
}

// ---------------------------------------------------------------------------
// Webhook and Descope signatures.

const verifiers = generational((cfg) => {
  const create = coreFn('createWebhookVerifier');
  if (create) {
    const v = create(cfg);
    return { verify: (headers, body, now) => call(() => v.verify(headerPairs(headers), body, now)) };
  }
  // A core with Standard Webhooks only.
  if (cfg.scheme !== 'standard') throw missing(`the \`${cfg.scheme}\` webhook scheme`, 'createWebhookVerifier');
  const options = { secrets: cfg.secrets };
  if (cfg.tolerance_s !== undefined) options.tolerance_s = cfg.tolerance_s;
  return { verify: (headers, body, now) => k.verifyStandardWebhook(options, headers, body, now) };
});

/**
 * A verifier for `{ scheme, secrets, ...options }`: `verify(headers, bodyBytes, now)`
 * returns `{ id, timestamp, ... }` or throws a KosmosError
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

const policies = generational((text) => k.compilePolicy(text));

/** The compiled policy for a JSON text (compiled once, kept while the text is the same). */
export function riskPolicy(text) {
  return policies(text, text);
}

/**
 * Decides for a Descope flow context. The core's Descope adapter turns the
 * flow context into the policy's signals; `action` (a name, or
 * `{ type, amount, currency }`) goes through the core's action reading.
 * Returns `{ decision, rule, reasons, required_ial?, step_up? }`.
 */
export function decideRisk(policy, flowContext, now) {
  const { action, ...flow } = flowContext;
  const fromDescope = coreFn('descopeContextToSignals');
  let context;
  if (fromDescope) {
    context = fromDescope(flow, now);
    if (action !== undefined && action !== null && action !== '') {
      const fromSalesforce = coreFn('salesforceContextToSignals');
      const a = typeof action === 'string' ? { actionType: action } : {
        actionType: action.type, amount: action.amount, currency: action.currency,
      };
      if (!fromSalesforce) throw missing('reading `action`', 'salesforceContextToSignals');
      let actionContext;
      try {
        actionContext = fromSalesforce(a, now);
      } catch (e) {
        // Name the field as the caller wrote it.
        if (e && typeof e.field === 'string') {
          const field = { actionType: typeof action === 'string' ? 'action' : 'action.type', amount: 'action.amount', currency: 'action.currency' }[e.field] ?? 'action';
          e.message = e.message.replaceAll(`\`${e.field}\``, `\`${field}\``);
          e.field = field;
        }
        throw e;
      }
      if (actionContext.action) context.action = actionContext.action;
    }
  } else {
    // A core without adapters: the policy reads the body as its context.
    context = { ...flowContext, now };
  }
  const d = policy.decide(context);
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
 * `user_identifier` and `metadata`). Until the core has
 * `parseVerificationEvent`, the results inside are read by the core's
 * result parsers and only the ids and metadata are picked here.
 */
export function readVerificationEvent(text) {
  const parseEvent = coreFn('parseVerificationEvent');
  if (parseEvent) return parseEvent(text);
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
    const r = profileFreeParse('read_idv_result', data);
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
    const r = profileFreeParse('read_step_up_result', data);
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

function profileFreeParse(operation, data) {
  const fn = coreFn(OPERATIONS[operation].parse);
  if (!fn) throw missing(`reading a \`${operation}\` event`, OPERATIONS[operation].parse);
  return fn(200, [], JSON.stringify(data));
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
