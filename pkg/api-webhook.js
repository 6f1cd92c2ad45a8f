// The functions of the `kosmos-connect/webhook` entry: webhook verification,
// signing and the replay stores, nothing else. scripts/build.mjs generates
// that entry's host modules (pkg/gen/webhook/node.js, workerd.js, browser.js)
// from the main ones, with this file in place of api.js and the webhook-only
// module in place of the full one.
export { KosmosError } from './errors.js';
export { isReady } from './core.js';
export * from './api/contracts.js';
export * from './api/webhook.js';
import { call } from './core.js';

/** The library version. */
export function version() {
  return call((g) => g.version());
}
