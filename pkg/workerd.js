// Cloudflare Workers entry. workerd refuses to compile WebAssembly from
// bytes, so the module comes in as an import (a compiled WebAssembly.Module)
// and is instantiated synchronously: callers need no `await`.
import wasmModule from './gen/kosmos_connect_bg.wasm';
import { initSync } from './gen/kosmos_connect.js';
import { markReady } from './core.js';

initSync({ module: wasmModule });
markReady();

/** Already initialized at import; kept so code can `await init()` in every host. */
export async function init() {}

export * from './api.js';
