// Signing webhooks as 1Kosmos would: Standard Webhooks `v1` (HMAC-SHA256),
// with the package's own signer (`createWebhookVerifier(...).sign`). The
// core's signing is checked against an independent implementation in
// tests/js/webhook-interop.test.js.
import { randomBytes } from 'node:crypto';
import { createWebhookVerifier } from '../../pkg/node.js';

/** A Standard Webhooks signer for `secret` (`whsec_...`): `(id, timestamp, body) -> headers`. */
export function standardSigner(secret) {
  const verifier = createWebhookVerifier({ scheme: 'standard', secrets: [secret] });
  return (id, timestamp, body) => {
    const headers = verifier.sign(body, { id, timestamp });
    return headers instanceof Map ? Object.fromEntries(headers) : headers;
  };
}

/** A fresh `msg_` id. */
export function messageId() {
  return `msg_${randomBytes(16).toString('hex')}`;
}
