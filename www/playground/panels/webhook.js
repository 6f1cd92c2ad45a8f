// Webhook signatures in this page: sign a body with the core for any scheme
// the Worker can verify, then verify it (or an edited copy) at the current
// time. The verdict and its code are the core's.
import { $, action, el, errorFacts, nowS, show, showError } from '../lib.js';

// Demo secrets only. The Ed25519 pair is the public test vector's
// ("TESTSIGNINGKEYDONOTUSETHISFORANY" as the seed).
const SCHEMES = {
  'standard-v1': {
    label: 'Standard Webhooks v1 (HMAC, whsec_)',
    sign: { scheme: 'standard', secrets: ['whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD'] },
  },
  'standard-v1a': {
    label: 'Standard Webhooks v1a (Ed25519: whsk_ signs, whpk_ verifies)',
    sign: { scheme: 'standard', secrets: ['whsk_VEVTVFNJR05JTkdLRVlET05PVFVTRVRISVNGT1JBTlk='] },
    verifyKey: 'whpk_ZlN4eg7dSSqi0moX9hQUk3orrOouK3QVQSlJa248c/g=',
  },
  descope: {
    label: 'Descope (x-descope-webhook-s256)',
    sign: { scheme: 'descope', secrets: ['descope-connector-secret'] },
  },
  timestamped_hex: {
    label: 't=…,v1=… hex (Stripe layout)',
    sign: { scheme: 'timestamped_hex', header: 'x-kosmos-signature', secrets: ['whsec_stripe_style_secret'] },
  },
  sha256_hex: {
    label: 'sha256=… hex (GitHub layout)',
    sign: { scheme: 'sha256_hex', secrets: ['github-webhook-secret'] },
  },
};

/** Mounts the panel. */
export function mount({ k }) {
  const scheme = $('wh-scheme');
  const secret = $('wh-secret');
  const verifyKey = $('wh-verify-key');
  const headers = $('wh-headers');
  const out = $('verified');
  scheme.replaceChildren(...Object.entries(SCHEMES).map(([v, s]) => el('option', { value: v }, s.label)));
  $('wh-body').value = JSON.stringify({ type: 'idv.session.completed', data: { session_id: 'ses_demo', status: 'completed', ial_level: 'IAL2' } });

  const current = () => SCHEMES[scheme.value];
  function pick() {
    const s = current();
    secret.value = s.sign.secrets[0];
    verifyKey.value = s.verifyKey ?? '';
    $('wh-verify-row').hidden = s.verifyKey === undefined;
    headers.value = '';
    show(out, { tone: 'info', title: `${s.label}: sign first, then verify (edit the body or a header in between to see a refusal)` });
  }
  scheme.addEventListener('change', pick);
  pick();

  const config = (key) => ({ ...current().sign, secrets: [key] });
  const body = () => $('wh-body').value;

  action($('wh-sign'), out, () => {
    const v = k.createWebhookVerifier(config(secret.value));
    try {
      const now = nowS();
      const signed = v.sign(body(), { timestamp: now });
      headers.value = JSON.stringify(signed, null, 2);
      show(out, {
        tone: 'ok',
        title: `signed at ${new Date(now * 1000).toISOString().slice(11, 19)} UTC`,
        facts: Object.entries(signed).map(([h, value]) => [h, el('code', {}, value.length > 60 ? `${value.slice(0, 57)}…` : value)]),
        raw: signed,
      });
    } finally {
      v.free();
    }
  });

  action($('wh-verify'), out, () => {
    let h;
    try {
      h = JSON.parse(headers.value || '{}');
    } catch (e) {
      showError(out, { code: 'bad_format', message: `the headers are not a JSON object: ${e.message}` }, { title: 'the headers are not JSON' });
      return;
    }
    const s = current();
    const v = k.createWebhookVerifier(config(s.verifyKey === undefined ? secret.value : verifyKey.value));
    const now = nowS() + Number($('wh-skew').value || 0);
    try {
      const r = v.verify(h, body(), now);
      show(out, {
        tone: 'ok',
        title: 'verified',
        facts: [
          ['message id', el('code', {}, r.id)],
          ['sent at', r.timestamp === null ? 'no timestamp in this scheme' : new Date(r.timestamp * 1000).toISOString()],
          ['checked at', new Date(now * 1000).toISOString()],
          ['remember id until', new Date(r.remember_until * 1000).toISOString()],
        ],
        raw: r,
      });
    } catch (e) {
      showError(out, errorFacts(e), { title: `refused: ${e.message}` });
    } finally {
      v.free();
    }
  });
}
