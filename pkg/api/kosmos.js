// 1Kosmos request building and result parsing.
import { call, headerPairs } from '../core.js';

/** Builds the verify-v1 "create IDV session" request: `{ method, url, headers, body }`. */
export function buildCreateIdvSession(config, request) {
  return call((g) => g.buildCreateIdvSession(config, request));
}

/** Parses the answer to "read IDV result" into `{ status, ial_level, verified_claims }`. */
export function parseIdvResult(status, headers, body) {
  return call((g) => g.parseIdvResult(status, headerPairs(headers), body));
}
