// `kosmos-connect/webhook`: webhook verification, signing and the replay
// stores alone, in their own WebAssembly module (see README.md "Which entry").
// The same functions, types and behaviour as in `kosmos-connect`.
export { KosmosError, type KosmosErrorCode } from './errors.js';
export type { HeadersInput } from './api/common.js';
export * from './api/contracts.js';
export * from './api/webhook.js';

/**
 * Loads the webhook module. Needed once in browsers and Lightning web
 * components (pass the static resource URL or the bytes of
 * `kosmos-connect/webhook/kosmos_connect_bg.wasm`); a no-op in Node and
 * workerd, where the entry initializes at import.
 */
export function init(source?: string | URL | ArrayBuffer | ArrayBufferView | WebAssembly.Module): Promise<void>;
/** Whether the module is loaded. */
export function isReady(): boolean;
/** The library version. */
export function version(): string;
