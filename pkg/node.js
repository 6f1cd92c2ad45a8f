// Node.js entry: the module is read and instantiated synchronously at import.
import { readFileSync } from 'node:fs';
import { initSync } from './gen/kosmos_connect.js';
import { markReady } from './core.js';

const bytes = readFileSync(new URL('./gen/kosmos_connect_bg.wasm', import.meta.url));
initSync({ module: new WebAssembly.Module(bytes) });
markReady();

/** Already initialized at import; kept so code can `await init()` in every host. */
export async function init() {}

export * from './api.js';
