// The loaded WebAssembly bindings and the one way to call them: `call`.
// Host entries (node.js, workerd.js, browser.js) load the module and hand it
// here; api/*.js call through `call`, which turns every thrown value into a
// KosmosError and, when the instance trapped, replaces it before the next call.
import * as glue from './gen/kosmos_connect.js';
import { KosmosError } from './errors.js';

let ready = false;
let generation = 0;

/** Marks the bindings usable; entries call it once the instance exists. */
export function markReady() {
  ready = true;
}

/** Whether the WebAssembly instance is loaded. */
export function isReady() {
  return ready;
}

/** Increases each time a trapped instance is replaced. Objects holding wasm
 * memory (compiled policies, verifiers) rebuild themselves when it moves. */
export function instanceGeneration() {
  return generation;
}

function replaceInstance() {
  const module = glue.__kosmosReset();
  generation += 1;
  ready = false;
  // A compiled WebAssembly.Module instantiates synchronously in every host,
  // workerd included (only compiling from bytes is refused there).
  glue.initSync({ module });
  ready = true;
}

/** Turns anything thrown by the bindings into a KosmosError. */
function toKosmosError(e) {
  if (e instanceof KosmosError) return e;
  if (e instanceof WebAssembly.RuntimeError) {
    let recovered = true;
    try {
      replaceInstance();
    } catch {
      recovered = false;
      ready = false;
    }
    return new KosmosError(
      'internal',
      recovered
        ? 'the webassembly instance failed and was replaced; the call did not complete, retry it'
        : 'the webassembly instance failed and could not be replaced',
      { cause: e },
    );
  }
  if (e && e.name === 'KosmosError' && typeof e.code === 'string') {
    return new KosmosError(e.code, e.message, { field: e.field, details: e.details });
  }
  const message = e && typeof e.message === 'string' ? e.message : String(e);
  return new KosmosError('internal', message, { cause: e });
}

/**
 * Runs `fn(glue)` and returns its result; anything thrown becomes a KosmosError.
 * @template T
 * @param {(g: typeof glue) => T} fn
 * @returns {T}
 */
export function call(fn) {
  if (!ready) {
    throw new KosmosError('not_initialized', 'kosmos-connect is not initialized: `await init()` first');
  }
  try {
    return fn(glue);
  } catch (e) {
    throw toKosmosError(e);
  }
}

/**
 * Normalizes headers (a Headers instance, a plain object, or `[name, value]`
 * pairs) to `[name, value]` pairs, the one shape the core reads.
 * @returns {[string, string][]}
 */
export function headerPairs(headers) {
  if (headers == null) return [];
  if (Array.isArray(headers)) return headers.map(([k, v]) => [String(k), String(v)]);
  if (typeof headers.entries === 'function' && typeof headers.get === 'function') {
    return Array.from(headers.entries(), ([k, v]) => [k, v]);
  }
  if (typeof headers === 'object') {
    const out = [];
    for (const [k, v] of Object.entries(headers)) {
      if (Array.isArray(v)) for (const item of v) out.push([k, String(item)]);
      else if (v != null) out.push([k, String(v)]);
    }
    return out;
  }
  throw new KosmosError('invalid_argument', '`headers` must be a Headers, an object or [name, value] pairs', { field: 'headers' });
}

export { glue };
