// Every public function and class, whatever the host.
export { KosmosError } from './errors.js';
export { isReady } from './core.js';
export { CODES, codeInfo } from './codes.js';
export * from './api/contracts.js';
export * from './api/decision-log.js';
export * from './api/httpsig.js';
export * from './api/kosmos.js';
export * from './api/oidc.js';
export * from './api/policy.js';
export * from './api/retry.js';
export * from './api/webhook.js';
import { call } from './core.js';

/** The library version. */
export function version() {
  return call((g) => g.version());
}
