// Browser and Lightning Web Components entry: `await init(source)` once.
// The module is fetched as bytes and compiled with WebAssembly.compile: no
// Blob and no streaming compile from a synthetic Response, which Lightning
// Web Security refuses.
import initGlue from './gen/kosmos_connect.js';
import { isReady, markReady } from './core.js';
import { KosmosError } from './errors.js';

let pending;

/**
 * Loads the module. `source`: a URL (string or URL, e.g. a static resource
 * URL), an ArrayBuffer / typed array of the .wasm bytes, or a compiled
 * WebAssembly.Module. Defaults to the .wasm next to this package.
 * @param {string | URL | ArrayBuffer | ArrayBufferView | WebAssembly.Module} [source]
 */
export function init(source) {
  if (isReady()) return Promise.resolve();
  pending ??= load(source).catch((e) => {
    pending = undefined;
    throw e instanceof KosmosError ? e : new KosmosError('init_failed', `could not load the webassembly module: ${e && e.message}`, { cause: e });
  });
  return pending;
}

async function load(source) {
  let module;
  if (source instanceof WebAssembly.Module) {
    module = source;
  } else {
    let bytes = source;
    if (source === undefined || typeof source === 'string' || source instanceof URL) {
      const url = source ?? new URL('./gen/kosmos_connect_bg.wasm', import.meta.url);
      const res = await fetch(url);
      if (!res.ok) throw new KosmosError('init_failed', `fetching the webassembly module answered http ${res.status}`);
      bytes = await res.arrayBuffer();
    }
    module = await WebAssembly.compile(bytes);
  }
  await initGlue({ module_or_path: module });
  markReady();
}

export * from './api.js';
