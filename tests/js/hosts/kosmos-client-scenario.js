// One client scenario against the 1Kosmos stand-in, run unchanged in Node,
// workerd and Chromium with each host's own global fetch. No node: imports.

/** Runs every verify-v1 call and a blockid-tenant document session; returns what came back. */
export async function clientScenario(k, origin, { apiKey, licenseKey }) {
  const v1 = k.createProfile({ profile: 'verify-v1', base_url: origin, api_key: apiKey });
  const fast = { retryBaseMs: 5, timeoutMs: 5000 };
  const session = await v1.call({ operation: 'create_idv_session', document_types: ['passport', 'drivers_license'], liveness_mode: 'passive', metadata: { user: 'u-1' } }, fast);
  const result = await v1.call({ operation: 'read_idv_result', session_id: session.session_id }, fast);
  const challenge = await v1.call({ operation: 'create_step_up', user_identifier: 'ada@example.com', action_description: 'Approve wire', expires_in_s: 120 }, fast);
  const stepUp = await v1.call({ operation: 'read_step_up_result', challenge_id: challenge.challenge_id }, fast);
  const errors = {};
  try {
    await v1.call({ operation: 'read_idv_result', session_id: 'missing' }, fast);
  } catch (e) {
    errors.notFound = e.code;
  }
  try {
    await v1.call({ operation: 'read_idv_result', session_id: 'slow' }, { timeoutMs: 200, maxRetries: 0 });
  } catch (e) {
    errors.timeout = e.code;
  }
  v1.free();

  // blockid-tenant: fetch DocuVerify's key, make ours, open a document session.
  const keyRequest = k.buildReadServicePublicKey(`${origin}/docuverify`);
  const keyAnswer = await fetch(keyRequest.url, { method: keyRequest.method, headers: keyRequest.headers });
  const servicePublicKey = k.parseServicePublicKey(keyAnswer.status, keyAnswer.headers, await keyAnswer.text());
  const ours = k.generateKeyPair();
  const config = {
    profile: 'blockid-tenant',
    docuverify_url: `${origin}/docuverify`,
    license_key: licenseKey,
    private_key: ours.privateKey,
    service_public_key: servicePublicKey,
    dvc_id: 'dvc-standin',
    tenant_dns: 'standin.example',
    community_name: 'default',
  };
  const docSession = await k.kosmosCall(config, { operation: 'create_idv_session', document_types: ['drivers_license'], liveness_mode: 'passive' }, fast);
  const docResult = await k.kosmosCall(config, { operation: 'read_idv_result', session_id: docSession.session_id }, fast);
  return {
    v1: {
      session,
      result: { status: result.status, ial_level: result.ial_level },
      challenge,
      stepUp,
    },
    blockid: {
      session: docSession,
      result: { status: docResult.status, claims: docResult.verified_claims.claims },
    },
    errors,
  };
}
