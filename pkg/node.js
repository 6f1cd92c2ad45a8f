// Node.js entry: the module is read and instantiated synchronously at import.
import { readFileSync } from 'node:fs';
import { initSync } from './gen/kosmos_connect.js';
import { markReady } from './core.js';
import { useNodeDigest } from './node-digest.js';

const bytes = readFileSync(new URL('./gen/kosmos_connect_bg.wasm', import.meta.url));
initSync({ module: new WebAssembly.Module(bytes) });
markReady();
useNodeDigest(); // webhook MACs by node:crypto (opt out: `{ digest: 'wasm' }`)

/** Already initialized at import; kept so code can `await init()` in every host. */
export async function init() {}

export * from './api.js';
