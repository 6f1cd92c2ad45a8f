// Risk branching: compile a JSON policy once, decide per request.
//
// `decide` is the hot path. The context crosses into WebAssembly as one JSON
// string (JSON.stringify is native) which the core reads straight into its
// typed context, and the decision comes back as JSON text for JSON.parse:
// measured faster than walking the object property by property across the
// boundary (see bench/policy.mjs).
import { call, instanceGeneration } from '../core.js';
import { KosmosError } from '../errors.js';

/** The context as JSON text; a context JSON cannot represent is an `invalid_context` error. */
function contextText(context) {
  if (typeof context === 'string') return context;
  let text;
  try {
    text = JSON.stringify(context);
  } catch (e) {
    throw new KosmosError('invalid_context', `the context cannot be written as json: ${e && e.message}`, { field: '$', cause: e });
  }
  if (text === undefined) {
    throw new KosmosError('invalid_context', 'the context must be a json object', { field: '$' });
  }
  return text;
}

/** A compiled policy. Survives an instance replacement by recompiling itself. */
export class Policy {
  #source;
  #compiled;
  #generation;

  /** Use `compilePolicy`. */
  constructor(source, compiled) {
    this.#source = source;
    this.#compiled = compiled;
    this.#generation = instanceGeneration();
  }

  #live() {
    if (this.#generation !== instanceGeneration()) {
      this.#compiled = call((g) => g.compilePolicy(this.#source));
      this.#generation = instanceGeneration();
    }
    return this.#compiled;
  }

  /**
   * Decides for one context (an object, or its JSON text):
   * `{ decision, rule, reasons, matched_rules, required_ial?, step_up? }`.
   */
  decide(context) {
    const text = contextText(context);
    return JSON.parse(call(() => this.#live().decideJson(text)));
  }

  /** The rule ids, in policy order. */
  ruleIds() {
    return call(() => this.#live().ruleIds());
  }

  /** Frees the wasm memory now instead of at garbage collection. */
  free() {
    if (this.#compiled && this.#generation === instanceGeneration()) this.#compiled.free();
    this.#compiled = undefined;
  }
}

/** Compiles a policy given as JSON text or as an object; throws `invalid_policy` listing every problem. */
export function compilePolicy(policy) {
  const source = typeof policy === 'string' ? policy : JSON.stringify(policy);
  if (typeof source !== 'string') {
    throw new KosmosError('invalid_policy', 'the policy must be json text or an object', { field: '$' });
  }
  return new Policy(source, call((g) => g.compilePolicy(source)));
}

function nowArg(now) {
  return now === undefined || now === null ? undefined : now;
}

/** A decision context from a Descope flow context (`riskInfo.*`, `user.fingerprint`, `user.lastAuth`, `geo`, `user.customAttributes`). */
export function descopeContextToSignals(flowContext, now) {
  return call((g) => g.descopeContextToSignals(flowContext, nowArg(now)));
}

/** A decision context from a Salesforce action context (`object`, `recordId`, `actionType`, `amount`, `currency`, `user`, ...). */
export function salesforceContextToSignals(actionContext, now) {
  return call((g) => g.salesforceContextToSignals(actionContext, nowArg(now)));
}
