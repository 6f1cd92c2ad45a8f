// No configured secret ever shows in an error (message, field, details, JSON
// form) or in a printed object, in any host.
import { ok, throwsCode } from './assert.js';

const SECRETS = {
  api_key: 'kc_live_API_KEY_4f1d2e9a77',
  whsec: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  client_secret: 'oidc_CLIENT_SECRET_90ab17',
};

function leaks(value) {
  let text;
  try {
    text = JSON.stringify(value, Object.getOwnPropertyNames(value ?? {}));
  } catch {
    text = '';
  }
  text += ` ${String(value)} ${value && value.message} ${value && JSON.stringify(value.details)} ${value && value.field}`;
  return Object.values(SECRETS).filter((s) => text.includes(s) || text.includes(s.replace(/^whsec_/, '')));
}

export default [
  {
    name: 'secrets stay out of errors and printed objects',
    run(k) {
      const errors = [];
      const profile = k.createProfile({ profile: 'verify-v1', base_url: 'https://idv.example.com', api_key: SECRETS.api_key });
      errors.push(throwsCode(() => profile.build({ operation: 'create_idv_session', document_types: [], liveness_mode: 'active' }), 'invalid_input'));
      errors.push(throwsCode(() => k.createProfile({ profile: 'verify-v1', base_url: 'http://evil.example', api_key: SECRETS.api_key }), 'invalid_input'));
      errors.push(throwsCode(() => k.parseIdvResult(401, {}, JSON.stringify({ error: { message: 'bad key' } })), 'unauthorized'));
      const verifier = k.createWebhookVerifier({ scheme: 'standard', secrets: [SECRETS.whsec] });
      const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': '1700000000', 'webhook-signature': 'v1,AAAA' };
      errors.push(throwsCode(() => verifier.verify(headers, '{}', 1700000000), 'no_matching_signature'));
      errors.push(throwsCode(() => k.createWebhookVerifier({ scheme: 'standard', secrets: [SECRETS.whsec + '!'] }), 'invalid_secret'));
      errors.push(throwsCode(() => k.createWebhookVerifier({ scheme: 'standard', secrets: [SECRETS.whsec], tolerance_s: 'x' }), 'invalid_argument'));
      const client = { client_id: 'app', client_secret: SECRETS.client_secret, redirect_uri: 'https://app.example.com/cb' };
      const provider = { issuer: 'https://idp.example.com', authorization_endpoint: 'https://idp.example.com/a', token_endpoint: 'https://idp.example.com/t', jwks_uri: 'https://idp.example.com/j' };
      errors.push(throwsCode(() => k.buildOidcAuthorization(provider, { ...client, redirect_uri: 'http://evil.example/cb' }), 'invalid_input'));
      const found = errors.flatMap((e) => leaks(e));
      ok(found.length === 0, `secrets leaked: ${found.join(', ')}`);
      // Printed objects: the verifier and profile hold secrets in wasm memory only.
      ok(leaks(verifier).length === 0 && leaks(profile).length === 0, 'objects print no secret');
      return errors.map((e) => e.code);
    },
  },
];
