import type { HeadersInput } from './common.js';

export interface Verified { id: string; timestamp: number }
/** Verifies a Standard Webhooks (`v1`) message. `now` defaults to the current unix time. */
export function verifyStandardWebhook(
  options: { secrets: string[]; tolerance_s?: number },
  headers: HeadersInput,
  body: string | Uint8Array,
  now?: number,
): Verified;
