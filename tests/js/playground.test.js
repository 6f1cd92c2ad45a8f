// The playground as a newcomer uses it: the page served by the real Worker
// (workerd, with its policy in POLICY_KV) next to the 1Kosmos and Salesforce
// stand-ins and the operator console, driven panel by panel in headless
// Chromium. Each step asserts what the page shows against what the core (in
// this process) or the stand-ins say. Screenshots go to test-results/playground/.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as k from '../../pkg/node.js';
import * as tools from '../../pkg/gen/policy-tools/node.js';
import { startKosmos } from '../../www/sandbox/kosmos.mjs';
import { POLICY_KV_MINIFLARE, POLICY_KV_VARS, startOperator } from '../../www/sandbox/operator.mjs';
import { startSalesforce } from '../../www/sandbox/salesforce.mjs';
import { sandboxVars, startWorker } from '../../www/worker/dev.mjs';
import { launchChromium, root, waitFor } from './hosts.js';

const SHOTS = join(root, 'test-results', 'playground');
mkdirSync(SHOTS, { recursive: true });
const EXAMPLE = readFileSync(join(root, 'examples', 'policies', 'descope-adaptive-mfa.json'), 'utf8');

const kosmos = await startKosmos({ retryDelaysMs: [200, 400, 800, 1600, 3200] });
const salesforce = await startSalesforce();
const operator = await startOperator();
const worker = await startWorker({
  miniflare: POLICY_KV_MINIFLARE,
  vars: sandboxVars(kosmos, salesforce, {
    ...POLICY_KV_VARS,
    SANDBOX: JSON.stringify({ kosmos: kosmos.url, salesforce: salesforce.url, operator: operator.url }),
    HANDOFF_RETRY_BASE_S: '1',
  }),
});
kosmos.setWebhookUrl(`${worker.url}/v1/webhooks/1kosmos`);
await operator.attach(worker, { name: 'examples/policies/descope-adaptive-mfa.json', text: EXAMPLE });

let browser;
let page;
const pageErrors = [];
const wasmLoaded = [];

before(async () => {
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('response', (r) => { if (r.url().endsWith('.wasm')) wasmLoaded.push([new URL(r.url()).pathname, r.status()]); });
  await page.goto(`${worker.url}/`);
  await page.waitForSelector('body[data-ready=true]');
});

after(async () => {
  await browser?.close();
  await Promise.allSettled([worker.close(), kosmos.close(), salesforce.close(), operator.close()]);
});

const shot = (name) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
/** Clicks and waits until `out` is no longer busy; returns its text. */
async function click(button, out) {
  await page.click(`#${button}`);
  await page.waitForFunction((id) => {
    const o = document.getElementById(id);
    return o.dataset.busy === undefined && o.textContent !== '' && !o.textContent.includes('working…');
  }, out);
  return page.textContent(`#${out}`);
}
const tone = (out) => page.getAttribute(`#${out}`, 'data-tone');

describe('playground', { timeout: 180_000 }, () => {
  test('loads with the core, the end-to-end panels and the Worker\'s own policy', async () => {
    assert.match(await page.textContent('#status'), /core \d+\.\d+\.\d+ loaded, Worker and stand-ins running/);
    assert.equal(await page.isVisible('#stepup-panel'), true);
    assert.deepEqual(JSON.parse(await page.inputValue('#policy')), JSON.parse(EXAMPLE), 'the panel shows the policy the Worker has');
    assert.match(await page.textContent('#policy-where'), /POLICY_KV:policy.*descope-adaptive-mfa/);
    await shot('01-loaded');
  });

  test('risk policy: "Decide here" shows the core\'s decision; a broken policy shows the core\'s problems', async () => {
    const text = await click('decide', 'decision');
    const expected = k.compilePolicy(await page.inputValue('#policy')).decide(await page.inputValue('#context'));
    assert.ok(text.includes(`(decided in this page)`), text);
    assert.ok(text.includes(expected.rule), `${text} names ${expected.rule}`);
    for (const r of expected.reasons) assert.ok(text.includes(r), `reason ${r}`);
    const good = await page.inputValue('#policy');
    await page.fill('#policy', '{"version": 1, "rules": [{"id": "x"}]}');
    const bad = await click('decide', 'decision');
    assert.equal(await tone('decision'), 'bad');
    assert.match(bad, /does not compile.*invalid_policy/s);
    assert.match(bad, /rules\[0\]\.when/);
    await page.fill('#context', '{not json');
    await page.fill('#policy', good);
    const refused = await click('decide', 'decision');
    assert.match(refused, /invalid_context/);
    assert.equal(await page.isVisible('#decision details.raw pre'), false, 'the raw JSON is folded');
  });

  test('policy checks: problems marked at their line, the test cases and the impact of an edit, as the core says', async () => {
    // The tools come from the `kosmos-connect/policy-tools` entry's browser build, beside the full module.
    assert.deepEqual(wasmLoaded.sort(), [['/pkg/gen/kosmos_connect_bg.wasm', 200], ['/pkg/gen/policy-tools/gen/kosmos_connect_bg.wasm', 200]]);
    const tests = JSON.parse(readFileSync(join(root, 'examples', 'policies', 'descope-adaptive-mfa.test.json'), 'utf8'));
    const text = (id) => page.textContent(`#${id}`);
    const good = await page.inputValue('#policy');
    await page.waitForFunction(() => /tests: \d+ passed/.test(document.getElementById('policy-test-results').textContent));
    assert.match(await text('policy-test-results'), new RegExp(`tests: ${tests.cases.length} passed, 0 failed`));
    assert.match(await text('policy-impact'), new RegExp(`0 of ${tests.cases.length} example contexts change`));
    assert.match(await text('policy-problems'), /valid, 0 warnings/);
    // An edit: elevated-risk from above 0.6 to above 0.97.
    const edited = good.replace('"risk_score_above": 0.6', '"risk_score_above": 0.97');
    assert.notEqual(edited, good);
    await page.fill('#policy', edited);
    await page.waitForFunction(() => /change decision/.test(document.getElementById('policy-impact').textContent) && !/ 0 of /.test(document.getElementById('policy-impact').textContent));
    const impact = tools.diffPolicies(good, edited, tests.cases.map((c) => c.context));
    assert.ok(impact.changed > 0);
    assert.match(await text('policy-impact'), new RegExp(`${impact.changed} of ${impact.total} example contexts change`));
    const rows = await page.$$eval('#policy-impact-table tbody tr', (trs) => trs.map((tr) => [...tr.children].slice(0, 3).map((td) => td.textContent)));
    assert.deepEqual(rows, impact.moves.map((m) => [m.from, m.to, String(m.count)]));
    const report = tools.testPolicy(edited, tests);
    assert.ok(report.failed > 0);
    assert.match(await text('policy-test-results'), new RegExp(`tests: ${report.passed} passed, ${report.failed} failed`));
    const failing = await page.$$eval('#policy-test-table tr.bad td:nth-child(2)', (tds) => tds.map((td) => td.textContent));
    assert.deepEqual(failing, report.cases.filter((c) => !c.ok).map((c) => c.name));
    await shot('01b-policy-checks-impact');
    // A typo: marked in the gutter at its line, with the core's hint.
    const broken = edited.replace('"on_missing": "match"', '"on_mising": "match"');
    const line = broken.split('\n').findIndex((l) => l.includes('"on_mising"')) + 1;
    assert.ok(line > 1);
    await page.fill('#policy', broken);
    await page.waitForSelector(`#policy-gutter span[data-line="${line}"].bad`);
    const v = tools.validatePolicy(broken);
    assert.equal(v.problems[0].line, line);
    assert.match(await text('policy-problems'), new RegExp(`${v.problems.length} problem`));
    assert.match(await text('policy-problems'), new RegExp(`line ${line}:${v.problems[0].column}.*did you mean \`on_missing\``, 's'));
    assert.equal(await page.$$eval('#policy-gutter span.bad', (s) => s.length), new Set(v.problems.map((p) => p.line)).size);
    // Its link selects the line in the editor.
    await page.click('#policy-problems button.link');
    const selected = await page.evaluate(() => { const e = document.getElementById('policy'); return e.value.slice(e.selectionStart, e.selectionEnd); });
    assert.equal(selected, broken.split('\n')[v.problems[0].line - 1]);
    await shot('01c-policy-checks-problem');
    await page.fill('#policy', good);
    await page.waitForFunction(() => / 0 failed/.test(document.getElementById('policy-test-results').textContent));
    assert.match(await text('policy-impact'), / 0 of /);
  });

  test('step-up: "Evaluate risk" is decided by the Worker with the policy shown, edits included', async () => {
    const first = await click('risk-go', 'risk-out');
    assert.match(first, /decided by the Worker/);
    // Edit the shown policy: the Worker's next decision follows it.
    const edited = JSON.parse(await page.inputValue('#policy'));
    edited.rules.unshift({ id: 'playground-edit', description: 'edited in the page: no transfers today', when: { action: 'funds_transfer' }, then: { decision: 'deny' } });
    await page.fill('#policy', JSON.stringify(edited, null, 2));
    const denied = await click('risk-go', 'risk-out');
    assert.match(denied, /deny \(decided by the Worker with the policy just saved\)/);
    assert.match(denied, /playground-edit/);
    assert.equal(await tone('risk-out'), 'bad');
    const kv = await (await fetch(`${operator.url}/policy`)).json();
    assert.equal(JSON.parse(kv.text).rules[0].id, 'playground-edit', 'the Worker\'s POLICY_KV holds the shown policy');
    assert.match(await page.textContent('#policy-where'), /edited in the playground at/);
    // The same answer straight from the Worker (the page added nothing).
    const direct = await (await fetch(`${worker.url}/v1/descope/risk`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: await page.inputValue('#risk-ctx') })).json();
    assert.equal(direct.rule, 'playground-edit');
    await shot('02-risk-edited');
    // A context that is not JSON: the Worker's code, shown.
    const ctx = await page.inputValue('#risk-ctx');
    await page.fill('#risk-ctx', '{"riskInfo": ');
    const notJson = await click('risk-go', 'risk-out');
    assert.match(notJson, /invalid_json/);
    assert.match(notJson, /HTTP400/);
    await page.fill('#risk-ctx', ctx);
    edited.rules.shift();
    await page.fill('#policy', JSON.stringify(edited, null, 2));
    assert.match(await click('risk-go', 'risk-out'), /decided by the Worker with the policy just saved/);
  });

  test('step-up: match@test matches at the first read; the challenge then says it is finished', async () => {
    await page.selectOption('#su-user', 'match@test');
    const started = await click('su-start', 'su-challenge');
    assert.match(started, /challenge created/);
    const url = await page.getAttribute('#su-challenge a', 'href');
    const result = await click('su-poll', 'su-result');
    assert.match(result, /completed: match/);
    assert.match(result, /confidence0\.97/);
    assert.match(await page.textContent('#su-challenge'), /challenge finished \(match\)/);
    const userPage = await (await fetch(url)).text();
    assert.doesNotMatch(userPage, /Pretend to look at the camera/);
    assert.match(userPage, /already finished: <strong id="outcome">completed, match/);
  });

  test('sign-up proofing: the IDV result arrives at the 3rd read with IAL2', async () => {
    assert.match(await click('idv-start', 'idv-session'), /session created/);
    assert.match(await click('idv-poll', 'idv-result'), /in_progress|pending/);
    await click('idv-poll', 'idv-result');
    const done = await click('idv-poll', 'idv-result');
    assert.match(done, /completed at IAL2/);
    assert.equal(await tone('idv-result'), 'ok');
  });

  test('webhooks and Salesforce: the events land and are listed; outage and duplicate buttons say what they did', async () => {
    await waitFor('both events in Salesforce', async () => (await (await fetch(`${salesforce.url}/__received`)).json()).events.length >= 2);
    await page.waitForFunction(() => /2 events/.test(document.getElementById('received').textContent));
    const received = await page.textContent('#received');
    assert.match(received, /step_up completed\s*match/);
    assert.match(received, /idv completed\s*IAL2/);
    assert.match(received, /001000000000001AAA/);
    const deliveries = await page.textContent('#deliveries');
    assert.match(deliveries, /idv\.session\.completed/);
    assert.match(deliveries, /liveid\.challenge\.completed/);
    const outage = await click('sf-fail', 'sf-feedback');
    assert.match(outage, /Salesforce will answer 503 to its next 3 calls/);
    await page.waitForFunction(() => /failing the next 3/.test(document.getElementById('received').textContent));
    await fetch(`${salesforce.url}/__recover`, { method: 'POST' });
    const again = await click('wh-again', 'sf-feedback');
    assert.match(again, /sent .* again: the Worker answered 200 duplicate/);
    await page.waitForFunction(() => /\(again\)\s*delivered\s*\S+ 200 duplicate/.test(document.getElementById('deliveries').textContent));
    await shot('03-activity');
  });

  test('OIDC: the redirect step-up comes back to the page with the verified result; a refusal says why', async () => {
    await page.click('#oidc-match');
    await page.waitForSelector('body[data-ready=true]');
    await page.waitForFunction(() => document.getElementById('oidc-out').dataset.tone !== 'info');
    const url = new URL(page.url());
    assert.equal(url.origin, worker.url);
    assert.equal(url.search, '', 'the page cleaned its URL');
    const ok = await page.textContent('#oidc-out');
    assert.match(ok, /verified: usr_match_0001/);
    assert.match(ok, /acrliveID push/);
    assert.equal(await tone('oidc-out'), 'ok');
    await shot('04-oidc-verified');
    await page.click('#oidc-nomatch');
    await page.waitForSelector('body[data-ready=true]');
    await page.waitForFunction(() => document.getElementById('oidc-out').dataset.tone !== 'info');
    const refused = await page.textContent('#oidc-out');
    assert.match(refused, /not verified.*access_denied/s);
    assert.equal(await tone('oidc-out'), 'bad');
  });

  test('webhook signatures: every scheme signs and verifies at the current time; an edited body is refused', async () => {
    const schemes = await page.$$eval('#wh-scheme option', (os) => os.map((o) => o.value));
    assert.deepEqual(schemes, ['standard-v1', 'standard-v1a', 'descope', 'timestamped_hex', 'sha256_hex']);
    const body = await page.inputValue('#wh-body');
    for (const s of schemes) {
      await page.selectOption('#wh-scheme', s);
      await page.fill('#wh-body', body);
      const before = Math.floor(Date.now() / 1000);
      assert.match(await click('wh-sign', 'verified'), /signed at/, s);
      const headers = JSON.parse(await page.inputValue('#wh-headers'));
      // What the page signed verifies here too, with the core in Node, now.
      const secret = s === 'standard-v1a' ? await page.inputValue('#wh-verify-key') : await page.inputValue('#wh-secret');
      const config = { scheme: s.startsWith('standard') ? 'standard' : s, secrets: [secret], ...(s === 'timestamped_hex' ? { header: 'x-kosmos-signature' } : {}) };
      const verified = k.createWebhookVerifier(config).verify(headers, body);
      if (verified.timestamp !== null) assert.ok(verified.timestamp >= before, `${s}: signed with the current time`);
      assert.match(await click('wh-verify', 'verified'), /verified.*message id/s, s);
      assert.equal(await tone('verified'), 'ok');
      await page.fill('#wh-body', body.replace('IAL2', 'IAL3'));
      const refused = await click('wh-verify', 'verified');
      assert.equal(await tone('verified'), 'bad', `${s}: ${refused}`);
      assert.match(refused, /refused.*codeno_matching_signature/s, s);
    }
    await page.selectOption('#wh-scheme', 'standard-v1');
    await page.fill('#wh-body', body);
    await click('wh-sign', 'verified');
    await page.fill('#wh-skew', '3600');
    assert.match(await click('wh-verify', 'verified'), /timestamp_too_old/);
    await page.fill('#wh-skew', '0');
  });

  test('the page stays compact and raised no script errors', async () => {
    await click('build', 'request');
    await shot('05-all-panels');
    const height = await page.evaluate(() => document.body.scrollHeight);
    assert.ok(height < 2200, `the page is ${height} px tall`);
    assert.deepEqual(pageErrors, []);
  });
});
