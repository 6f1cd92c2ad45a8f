// `kosmos-connect/policy-tools`: the policy author's tools (validatePolicy,
// formatPolicy, testPolicy, policyCoverage, diffPolicies) with the policy
// engine and decisionLogRecord, in their own WebAssembly module (see README.md
// "Which entry"). For the CLI, the playground and CI; the Worker and apps do
// not need them at run time, and `kosmos-connect` does not carry them.
export { KosmosError, type KosmosErrorCode } from './errors.js';
export * from './api/contracts.js';
export * from './api/decision-log.js';
export * from './api/policy.js';
export * from './api/policy-tools.js';

/**
 * Loads the tools' module. Needed once in browsers (pass the URL or the bytes
 * of `kosmos-connect/policy-tools/kosmos_connect_bg.wasm`); a no-op in Node
 * and workerd, where the entry initializes at import.
 */
export function init(source?: string | URL | ArrayBuffer | ArrayBufferView | WebAssembly.Module): Promise<void>;
/** Whether the module is loaded. */
export function isReady(): boolean;
/** The library version. */
export function version(): string;
