// Sign-up proofing (IDV) and the step-up (risk, then LiveID), through the
// Worker's Descope connector endpoints as a Descope flow calls them. What is
// shown is what the Worker answered (its decisions come from the core).
import { $, action, callWorker, el, show, showDecision, showWorkerError } from '../lib.js';

const WAITING = new Set(['pending', 'in_progress', 'created']);

function link(href, text) {
  return el('a', { href, target: '_blank', rel: 'noopener' }, text);
}

/** The record id the Task goes to, and the metadata both flows send. */
function metadata() {
  const record = $('idv-record').value.trim();
  return record ? { related_record_id: record } : {};
}

/** Mounts the IDV column. */
export function mountIdv() {
  let sessionId;
  action($('idv-start'), $('idv-session'), async () => {
    const a = await callWorker('/v1/descope/idv', {
      document_types: ['passport', 'drivers_license'],
      liveness_mode: 'passive',
      user_identifier: $('idv-user').value.trim(),
      metadata: metadata(),
    });
    if (showWorkerError($('idv-session'), a, 'the Worker refused to start the session')) return;
    sessionId = a.json.session_id;
    show($('idv-session'), {
      tone: 'ok',
      title: 'session created',
      facts: [['session', el('code', {}, sessionId)], ['user page', link(a.json.session_url, 'open the capture page (as the user)')]],
      raw: a.json,
    });
  });
  action($('idv-poll'), $('idv-result'), async () => {
    if (!sessionId) {
      show($('idv-result'), { tone: 'warn', title: 'start a session first (step 1)' });
      return;
    }
    const a = await callWorker('/v1/descope/idv-result', { session_id: sessionId });
    if (showWorkerError($('idv-result'), a, 'the Worker could not read the result')) return;
    const r = a.json;
    const waiting = WAITING.has(r.status);
    const claims = Array.isArray(r.verified_claims) ? r.verified_claims[0] : r.verified_claims;
    show($('idv-result'), {
      tone: waiting ? 'info' : r.status === 'completed' ? 'ok' : 'bad',
      title: waiting ? `${r.status}: read again (the stand-in finishes at the 3rd read)` : `${r.status}${r.ial_level ? ` at ${r.ial_level}` : ''}`,
      facts: [
        ['trust framework', claims?.verification?.trust_framework],
        ['name', claims?.claims ? [claims.claims.given_name, claims.claims.family_name].filter(Boolean).join(' ') : undefined],
        ['webhook', waiting ? undefined : '1Kosmos sends it now: see "Webhooks and Salesforce"'],
      ],
      raw: r,
    });
  });
}

/** Mounts the step-up column; `policy` is the policy panel (the Worker decides with its policy). */
export function mountStepUp({ policy }) {
  let challengeId;
  let challengeUrl;
  let lastDecision;
  $('risk-ctx').value = JSON.stringify({
    riskInfo: { riskScore: '0.55', vpnDetected: 'false', trustedDevice: 'false' },
    user: { fingerprint: { knownDevice: 'false' }, lastAuth: { country: 'US' } },
    geo: { country: 'US' },
    action: { type: 'funds_transfer', amount: '12500', currency: 'USD' },
  }, null, 2);

  action($('risk-go'), $('risk-out'), async () => {
    const saved = await policy.inWorker();
    // The context goes as typed: the Worker (and the core) say what is wrong with it.
    const a = await callWorker('/v1/descope/risk', $('risk-ctx').value);
    if (showWorkerError($('risk-out'), a, 'the Worker refused the context')) return;
    lastDecision = a.json;
    showDecision($('risk-out'), a.json, `decided by the Worker${saved ? ' with the policy just saved' : ''}`);
  });

  action($('su-start'), $('su-challenge'), async () => {
    const meta = metadata();
    if (lastDecision) Object.assign(meta, { decision: lastDecision.decision, rule: lastDecision.rule });
    const a = await callWorker('/v1/descope/step-up', { user_identifier: $('su-user').value, action: $('su-action').value, metadata: meta });
    if (showWorkerError($('su-challenge'), a, 'the Worker refused to start the step-up')) return;
    challengeId = a.json.challenge_id;
    challengeUrl = a.json.challenge_url;
    show($('su-challenge'), {
      tone: 'ok',
      title: 'challenge created: read the result, or open the LiveID page first',
      facts: [['challenge', el('code', {}, challengeId)], ['user page', link(challengeUrl, 'open the LiveID page (as the user)')]],
      raw: a.json,
    });
  });

  action($('su-poll'), $('su-result'), async () => {
    if (!challengeId) {
      show($('su-result'), { tone: 'warn', title: 'start a step-up first (step 2)' });
      return;
    }
    const a = await callWorker('/v1/descope/step-up-result', { challenge_id: challengeId });
    if (showWorkerError($('su-result'), a, 'the Worker could not read the result')) return;
    const r = a.json;
    const waiting = WAITING.has(r.status);
    show($('su-result'), {
      tone: waiting ? 'info' : r.match_result === 'match' ? 'ok' : 'bad',
      title: waiting ? `${r.status}: the user has not finished yet` : `${r.status}: ${r.match_result}`,
      facts: [
        ['confidence', r.confidence ?? undefined],
        ['webhook', waiting ? undefined : '1Kosmos sends it now: see "Webhooks and Salesforce"'],
      ],
      raw: r,
    });
    if (!waiting) {
      // The challenge is over: its page has nothing left to ask of the user.
      show($('su-challenge'), {
        tone: 'ok',
        title: `challenge finished (${r.match_result})`,
        facts: [['challenge', el('code', {}, challengeId)], ['user page', 'nothing left to do there']],
      });
    }
  });
}
