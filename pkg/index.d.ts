export { KosmosError, type KosmosErrorCode } from './errors.js';
export type { HeadersInput, HttpRequest } from './api/common.js';
export { CODES, codeInfo, type KosmosErrorClass } from './codes.js';
export * from './api/contracts.js';
export * from './api/decision-log.js';
export * from './api/httpsig.js';
export * from './api/kosmos.js';
export * from './api/oidc.js';
export * from './api/policy.js';
export * from './api/retry.js';
export * from './api/webhook.js';

/**
 * Loads the WebAssembly module. Needed once in browsers and Lightning web
 * components (pass the static resource URL or the bytes); a no-op in Node and
 * workerd, where the package initializes at import.
 */
export function init(source?: string | URL | ArrayBuffer | ArrayBufferView | WebAssembly.Module): Promise<void>;
/** Whether the module is loaded. */
export function isReady(): boolean;
/** The library version. */
export function version(): string;
