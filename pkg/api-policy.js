// The functions of the `kosmos-connect/policy` entry: the policy engine and
// its adapters, nothing else. scripts/build.mjs generates that entry's host
// modules (pkg/gen/policy/node.js, workerd.js, browser.js) from the main
// ones, with this file in place of api.js and the policy-only module in place
// of the full one.
export { KosmosError } from './errors.js';
export { isReady } from './core.js';
export * from './api/contracts.js';
export * from './api/policy.js';
import { call } from './core.js';

/** The library version. */
export function version() {
  return call((g) => g.version());
}
