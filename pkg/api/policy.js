// Risk branching: compile a JSON policy once, decide per request.
import { call, instanceGeneration } from '../core.js';

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

  /** Decides for one context: `{ decision, rule, reasons, matched_rules, required_ial?, step_up? }`. */
  decide(context) {
    return call(() => this.#live().decide(context));
  }

  /** Frees the wasm memory now instead of at garbage collection. */
  free() {
    if (this.#generation === instanceGeneration()) this.#compiled.free();
    this.#compiled = undefined;
  }
}

/** Compiles a policy given as JSON text or as an object; throws `invalid_policy` listing every problem. */
export function compilePolicy(policy) {
  const source = typeof policy === 'string' ? policy : JSON.stringify(policy);
  return new Policy(source, call((g) => g.compilePolicy(source)));
}
