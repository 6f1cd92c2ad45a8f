// The playground: every panel calls the real package, loaded as a browser does.
import * as k from '../../pkg/browser.js';

const $ = (id) => document.getElementById(id);
const show = (el, fn) => {
  try {
    el.classList.remove('error');
    el.textContent = JSON.stringify(fn(), null, 2);
  } catch (e) {
    el.classList.add('error');
    el.textContent = JSON.stringify(e.toJSON ? { ...e.toJSON(), details: e.details } : { message: String(e) }, null, 2);
  }
};

$('policy').value = JSON.stringify({
  version: 1,
  rules: [
    { id: 'risky-login', description: 'risk score above 0.7', when: { risk_score_above: 0.7 }, then: { decision: 'step_up', max_age_s: 900 } },
    { id: 'bot-on-new-device', description: 'very high risk on a new device', when: { all: [{ risk_score_above: 0.95 }, { device: 'new' }] }, then: { decision: 'deny' } },
    { id: 'geo-anomaly', description: 'another country than the last login', when: { country_changed: true, on_missing: 'match' }, then: { decision: 'step_up' } },
  ],
  default: { decision: 'allow' },
}, null, 2);
$('context').value = JSON.stringify({
  now: Math.floor(Date.now() / 1000),
  device: { known: false },
  risk: { score: 0.82 },
  geo: { country: 'US' },
  last_login: { country: 'US' },
}, null, 2);
$('wh-secret').value = 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD';
$('wh-headers').value = JSON.stringify({
  'webhook-id': 'msg_27UH4WbU6Z5A5EzD8u03UvzRbpk',
  'webhook-timestamp': '1649367553',
  'webhook-signature': 'v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=',
}, null, 2);
$('wh-body').value = '{"email":"test@example.com","username":"test_user"}';
$('wh-now').value = '1649367553';

$('decide').onclick = () => show($('decision'), () => k.compilePolicy($('policy').value).decide(JSON.parse($('context').value)));
$('verify').onclick = () => show($('verified'), () => k.verifyStandardWebhook(
  { secrets: [$('wh-secret').value] }, JSON.parse($('wh-headers').value), $('wh-body').value, Number($('wh-now').value)));
$('build').onclick = () => show($('request'), () => {
  const docs = [...document.querySelectorAll('input[name=doc]:checked')].map((c) => c.value);
  const req = k.buildCreateIdvSession({ base_url: $('idv-base').value, api_key: 'playground-key' },
    { document_types: docs, liveness_mode: $('idv-liveness').value });
  return { ...req, headers: { ...req.headers, authorization: 'Bearer [hidden]' } };
});

try {
  await k.init();
  $('status').textContent = `core ${k.version()} loaded`;
} catch (e) {
  $('status').textContent = `could not load the core: ${e.message}`;
}
