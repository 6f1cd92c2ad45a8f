// Signing webhooks as 1Kosmos would: Standard Webhooks `v1` (HMAC-SHA256).
//
// The stand-in signs with the package's own core when it has a signer
// (`createWebhookVerifier({ scheme: 'standard', secrets }).sign(...)`, from
// the webhook work). Until that is in the build, it signs with node:crypto
// by the Standard Webhooks specification, an independent implementation
// that the core's verifier must accept.
import { createHmac, randomBytes } from 'node:crypto';
import * as k from '../../pkg/node.js';
import { call, glue } from '../../pkg/core.js';

function coreSigner(secret) {
  const create = typeof k.createWebhookVerifier === 'function'
    ? k.createWebhookVerifier
    : typeof glue.createWebhookVerifier === 'function'
      ? (cfg) => call((g) => g.createWebhookVerifier(cfg))
      : undefined;
  if (!create) return undefined;
  const v = create({ scheme: 'standard', secrets: [secret] });
  if (typeof v.sign !== 'function') return undefined;
  return (id, timestamp, body) => {
    const headers = call(() => v.sign(body, timestamp, id));
    return headers instanceof Map ? Object.fromEntries(headers) : headers;
  };
}

function nodeSigner(secret) {
  if (!secret.startsWith('whsec_')) throw new Error('the sandbox signs with `whsec_` secrets only');
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  return (id, timestamp, body) => {
    const mac = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
    return { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': `v1,${mac}` };
  };
}

/**
 * A Standard Webhooks signer for `secret`: `(id, timestamp, body) -> headers`.
 * `signer.by` says which implementation signs (`core` or `node:crypto`).
 */
export function standardSigner(secret) {
  const core = coreSigner(secret);
  const sign = core ?? nodeSigner(secret);
  sign.by = core ? 'core' : 'node:crypto';
  return sign;
}

/** A fresh `msg_` id. */
export function messageId() {
  return `msg_${randomBytes(16).toString('hex')}`;
}
