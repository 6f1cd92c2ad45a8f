// The redirect step-up (OpenID Connect): the links go to the Worker, which
// sends the browser to the provider and, after validating the ID token in
// the core, back to this page (303). The result waits in a sealed cookie for
// one read at GET /v1/oidc/result: it never travels in the URL.
import { $, el, show, showError } from '../lib.js';

const RETURN_TO = '/?oidc=done#oidc';

/** Mounts the panel; shows the result when the Worker just sent the browser back. */
export async function mount() {
  for (const a of document.querySelectorAll('a[data-login-hint]')) {
    a.href = `/v1/oidc/start?${new URLSearchParams({ return_to: RETURN_TO, login_hint: a.dataset.loginHint })}`;
  }
  const out = $('oidc-out');
  const here = new URL(location.href);
  if (here.searchParams.get('oidc') !== 'done') {
    show(out, { tone: 'info', title: 'pick a user: the page comes back here with the verified result' });
    return;
  }
  history.replaceState(null, '', `${here.pathname}#oidc`);
  const r = await fetch('/v1/oidc/result');
  const answer = await r.json();
  if (!r.ok) {
    showError(out, answer.error, { title: `the step-up was not verified: ${answer.error.message}`, raw: answer, status: r.status });
    return;
  }
  const claims = Array.isArray(answer.verified_claims) ? answer.verified_claims[0] : answer.verified_claims;
  show(out, {
    tone: 'ok',
    title: `verified: ${answer.sub}`,
    facts: [
      ['acr', el('code', {}, answer.acr)],
      ['amr', answer.amr?.join(', ')],
      ['signed in at', answer.auth_time ? new Date(answer.auth_time * 1000).toISOString() : undefined],
      ['verified name', claims?.claims ? [claims.claims.given_name, claims.claims.family_name].filter(Boolean).join(' ') : undefined],
      ['assurance', claims?.verification ? `${claims.verification.trust_framework}${claims.verification.assurance_level ? ` ${claims.verification.assurance_level}` : ''}` : undefined],
    ],
    raw: answer,
  });
}
