// The functions of the `kosmos-connect/policy-tools` entry: the policy
// author's tools (validate, format, test, coverage, diff) with the policy
// engine and the decision-log record they work with, nothing else.
// scripts/build.mjs generates that entry's host modules
// (pkg/gen/policy-tools/node.js, workerd.js, browser.js) from the main ones,
// with this file in place of api.js and the module built with
// `--features policy-tools` in place of the full one.
export { KosmosError } from './errors.js';
export { isReady } from './core.js';
export * from './api/contracts.js';
export * from './api/decision-log.js';
export * from './api/policy.js';
export * from './api/policy-tools.js';
import { call } from './core.js';

/** The library version. */
export function version() {
  return call((g) => g.version());
}
