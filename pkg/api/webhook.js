// Webhook verification.
import { call, headerPairs } from '../core.js';

/**
 * Verifies a Standard Webhooks message; returns `{ id, timestamp }`.
 * @param {{ secrets: string[], tolerance_s?: number }} options
 * @param {number} [now] unix seconds; defaults to the current time
 */
export function verifyStandardWebhook(options, headers, body, now = Math.floor(Date.now() / 1000)) {
  return call((g) => g.verifyStandardWebhook(options, headerPairs(headers), body, now));
}
