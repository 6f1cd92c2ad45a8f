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
  signals: { risk_score: 'number', new_device: 'boolean' },
  rules: [
    { id: 'risky-login', description: 'risk score above 70', when: { signal: 'risk_score', op: 'gt', value: 70 }, then: { decision: 'step_up', max_age_s: 900 } },
    { id: 'bot-on-new-device', description: 'very high risk on a new device', when: { all: [{ signal: 'risk_score', op: 'gte', value: 95 }, { signal: 'new_device', value: true }] }, then: { decision: 'deny' } },
  ],
  default: { decision: 'allow' },
}, null, 2);
$('context').value = JSON.stringify({ risk_score: 82, new_device: true }, null, 2);
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
