// `kosmos-connect/policy`: the policy engine alone, in its own WebAssembly
// module (about a third of the full one gzipped; see README.md "Which entry").
// The same functions, types and behaviour as in `kosmos-connect`.
export { KosmosError, type KosmosErrorCode } from './errors.js';
export * from './api/contracts.js';
export * from './api/policy.js';

/**
 * Loads the policy module. Needed once in browsers and Lightning web
 * components (pass the static resource URL or the bytes of
 * `kosmos-connect/policy/kosmos_connect_bg.wasm`); a no-op in Node and
 * workerd, where the entry initializes at import.
 */
export function init(source?: string | URL | ArrayBuffer | ArrayBufferView | WebAssembly.Module): Promise<void>;
/** Whether the module is loaded. */
export function isReady(): boolean;
/** The library version. */
export function version(): string;
