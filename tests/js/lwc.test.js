// The kosmosStepUp Lightning web component, compiled by the open-source LWC
// compiler (www/lwc/scripts/build.mjs --test-page), running in headless
// Chromium against the Worker step-up stand-in. The core is the real
// WebAssembly build, loaded from the static resource file as the component
// does in an org: fetch -> arrayBuffer -> init (no Blob, no streaming compile).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { root, serveRepo, launchChromium } from './hosts.js';
import { startStepUpStandIn } from './stepup-standin.js';
import { buildSalesforcePieces, buildTestPage } from '../../www/lwc/scripts/build.mjs';

const RESULTS = join(root, 'test-results');
const GATE = 'c-kosmos-step-up';
const FAST = { pollInitialMs: 150, pollMaxMs: 300, requestTimeoutMs: 3000 };
const OPPORTUNITY = { recordId: '006000000000001AAA', objectApiName: 'Opportunity' };

let site;
let worker;
let browser;

before(async () => {
    await buildSalesforcePieces();
    await buildTestPage();
    mkdirSync(RESULTS, { recursive: true });
    site = await serveRepo();
    worker = await startStepUpStandIn({ pendingPolls: 2, slowMs: 4000 });
    browser = await launchChromium();
});

after(async () => {
    await browser?.close();
    site?.server.close();
    await worker?.close();
});

/** A fresh page with the component mounted; records page errors, requests and what would break Lightning Web Security. */
async function open(props) {
    const page = await browser.newPage({ viewport: { width: 1100, height: 620 } });
    const errors = [];
    const requests = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (r) => requests.push(r.url()));
    await page.addInitScript(() => {
        // Lightning Web Security refuses Blob MIME types outside its list and
        // streaming compiles from synthetic Responses: the component must not need them.
        window.__forbidden = [];
        const deny = (name) => () => {
            window.__forbidden.push(name);
            throw new Error(`${name} is not available under Lightning Web Security`);
        };
        WebAssembly.instantiateStreaming = deny('WebAssembly.instantiateStreaming');
        WebAssembly.compileStreaming = deny('WebAssembly.compileStreaming');
        URL.createObjectURL = deny('URL.createObjectURL');
    });
    await page.goto(`${site.origin}/www/lwc/.build/index.html`);
    await page.waitForFunction(() => typeof window.mountGate === 'function');
    await page.evaluate((p) => window.mountGate(p), { workerUrl: worker.origin, ...FAST, ...props });
    return { page, errors, requests };
}

function events(page) {
    return page.evaluate(() => window.__events);
}

async function waitForEvent(page, type, timeout = 15000) {
    await page.waitForFunction((t) => window.__events.some((e) => e.type === t), type, { timeout });
    return (await events(page)).find((e) => e.type === type).detail;
}

async function text(page, selector) {
    return (await page.locator(`${GATE} ${selector}`).first().textContent()).trim();
}

function workerCalls(user) {
    return worker.requests.filter((r) => r.body.user_identifier === user);
}

async function noPageErrors(ctx) {
    assert.deepEqual(ctx.errors, [], 'no uncaught errors in the page');
    assert.deepEqual(await ctx.page.evaluate(() => window.__forbidden), [], 'no Blob URL, no streaming compile');
    assert.ok(
        ctx.requests.some((u) => u.endsWith('/staticresources/kosmosConnect.resource')),
        'the wasm came from the static resource'
    );
}

test('below the threshold the action is allowed at once, with no challenge', async () => {
    const ctx = await open({ ...OPPORTUNITY, userIdentifier: 'allow@test', actionType: 'funds_transfer', amount: 2500, currency: 'USD' });
    const { page } = ctx;
    const decision = await waitForEvent(page, 'gatedecision');
    assert.equal(decision.decision, 'allow');
    assert.equal(decision.rule, 'default');
    assert.deepEqual(decision.action, { type: 'funds_transfer', amount: 2500, currency: 'USD', record_id: OPPORTUNITY.recordId, object: 'Opportunity' });
    await page.locator(`${GATE} .message-title`).waitFor();
    assert.equal(await text(page, '.message-title'), 'No extra verification needed');
    assert.equal(await page.locator(`${GATE} .challenge`).count(), 0);
    assert.equal(await page.locator(`${GATE} .start-button`).count(), 0);
    assert.equal(await page.locator(`${GATE} svg.qr`).count(), 0);
    assert.equal(await text(page, '[role="status"]'), 'Allowed without verification.');
    assert.deepEqual(await page.evaluate(() => window.__gate.validate()), { isValid: true });
    assert.equal(workerCalls('allow@test').length, 0, 'the Worker was not called');
    assert.ok(!(await events(page)).some((e) => e.type === 'stepupcomplete' || e.type === 'stepupfailed'));
    await noPageErrors(ctx);
    await page.close();
});

/** Decodes the QR codes in a PNG with zbarimg (Debian's zbar-tools) when it is installed. */
function decodeQr(png) {
    const zbar = '/usr/bin/zbarimg';
    if (!existsSync(zbar)) return undefined;
    const run = spawnSync(zbar, ['--quiet', '--raw', png], { encoding: 'utf8', timeout: 20000 });
    return run.stdout.trim();
}

test('above the threshold the challenge appears (link + QR), completes, and stepupcomplete carries match_result and confidence', async (t) => {
    const ctx = await open({ ...OPPORTUNITY, userIdentifier: 'match@test', amount: 25000, currency: 'USD' });
    const { page } = ctx;
    const decision = await waitForEvent(page, 'gatedecision');
    assert.equal(decision.decision, 'step_up');
    assert.equal(decision.rule, 'step-up-above-threshold');
    assert.deepEqual(decision.step_up, { max_age_s: 300 });
    await page.locator(`${GATE} .start-button`).waitFor();
    assert.match(await text(page, '.required-text'), /needs a LiveID step-up: amount above 10000 USD/);
    assert.deepEqual(await page.evaluate(() => window.__gate.validate()), { isValid: false, errorMessage: 'Complete the identity check before you continue.' });
    await page.locator(`${GATE} .start-button`).click();

    await page.locator(`${GATE} .challenge-heading`).waitFor();
    const start = workerCalls('match@test').find((r) => r.path === '/v1/descope/step-up');
    assert.deepEqual(start.body, {
        user_identifier: 'match@test',
        action: `Funds transfer of $25,000.00 (Opportunity ${OPPORTUNITY.recordId})`,
        metadata: { related_record_id: OPPORTUNITY.recordId, action_type: 'funds_transfer', decision: 'step_up', rule: 'step-up-above-threshold' }
    });
    const href = await page.locator(`${GATE} a.challenge-link`).getAttribute('href');
    assert.match(href, /^https:\/\/liveid\.1kosmos\.test\/c\/chl_\d{6}$/);
    assert.equal(await page.locator(`${GATE} a.challenge-link`).getAttribute('target'), '_blank');
    assert.equal(await page.locator(`${GATE} a.challenge-link`).getAttribute('rel'), 'noopener noreferrer');
    const qr = page.locator(`${GATE} svg.qr`);
    assert.equal(await qr.getAttribute('role'), 'img');
    assert.equal(await qr.getAttribute('aria-label'), `QR code for ${href}`);
    const viewBox = (await qr.getAttribute('viewBox')).split(' ').map(Number);
    assert.ok(viewBox[2] >= 29 && viewBox[2] === viewBox[3], `a square QR of version 1 or more with its quiet zone, got ${viewBox}`);
    const d = await page.locator(`${GATE} path.qr-modules`).getAttribute('d');
    assert.ok((d.match(/M/g) || []).length > 50, 'the QR code has modules');
    const focused = await page.evaluate(() => window.__gate.shadowRoot.activeElement && window.__gate.shadowRoot.activeElement.className);
    assert.match(focused, /challenge-heading/, 'focus moves to the challenge heading');
    assert.match(await text(page, '[role="status"]'), /LiveID challenge ready/);
    await page.screenshot({ path: join(RESULTS, 'lwc-challenge.png') });
    const decoded = decodeQr(join(RESULTS, 'lwc-challenge.png'));
    if (decoded === undefined) t.diagnostic('zbarimg not installed: the QR code was not decoded');
    else assert.equal(decoded, href, 'the QR code on screen decodes to the challenge URL');

    const done = await waitForEvent(page, 'stepupcomplete');
    assert.equal(done.match_result, 'match');
    assert.equal(done.confidence, 0.97);
    assert.equal(done.status, 'completed');
    assert.equal(done.kind, 'step_up');
    assert.equal(done.challenge_id, href.split('/').pop());
    assert.equal(done.action.record_id, OPPORTUNITY.recordId);
    const polls = workerCalls('match@test').length;
    assert.ok(worker.requests.filter((r) => r.path === '/v1/descope/step-up-result' && r.body.challenge_id === done.challenge_id).length >= 3, 'polled until final');
    assert.equal(polls, 1, 'one start');
    await page.locator(`${GATE} .message_verified`).waitFor();
    assert.equal(await text(page, '.message-title'), 'Verified');
    assert.match(await text(page, '.message-text'), /confidence 0\.97/);
    assert.equal(await page.locator(`${GATE} .challenge`).count(), 0);
    assert.deepEqual(await page.evaluate(() => window.__gate.validate()), { isValid: true });
    assert.equal(await page.evaluate(() => window.__gate.verified), true);
    assert.equal(await page.evaluate(() => window.__gate.matchResult), 'match');
    assert.equal(await page.evaluate(() => window.__gate.confidence), '0.97');
    const flow = (await events(page)).filter((e) => e.type === 'lightning__flowattributechange').map((e) => e.detail);
    assert.deepEqual(flow.find((f) => f.attributeName === 'verified'), { attributeName: 'verified', attributeValue: true });
    await page.screenshot({ path: join(RESULTS, 'lwc-verified.png') });
    await noPageErrors(ctx);
    await page.close();
});

test('a no-match ends with the no-match message and stepupfailed', async () => {
    const ctx = await open({ ...OPPORTUNITY, userIdentifier: 'nomatch@test', amount: 50000, autoStart: true });
    const { page } = ctx;
    const failed = await waitForEvent(page, 'stepupfailed');
    assert.equal(failed.reason, 'no_match');
    assert.equal(failed.match_result, 'no_match');
    assert.equal(failed.confidence, 0.12);
    assert.equal(failed.status, 'completed');
    await page.locator(`${GATE} .message_failed`).waitFor();
    assert.equal(await text(page, '.message-title'), 'Not verified: no match');
    assert.match(await text(page, '.message-text'), /did not match/);
    assert.match(await text(page, '[role="status"]'), /no match/);
    assert.equal(await page.locator(`${GATE} .retry-button`).count(), 1, 'the user can try again');
    assert.equal(await page.evaluate(() => window.__gate.validate().isValid), false);
    assert.ok(!(await events(page)).some((e) => e.type === 'stepupcomplete'));
    await page.screenshot({ path: join(RESULTS, 'lwc-no-match.png') });
    await noPageErrors(ctx);
    await page.close();
});

test('a challenge that never completes times out with a clear message, and no request hangs', async () => {
    const ctx = await open({ ...OPPORTUNITY, userIdentifier: 'timeout@test', amount: 50000, autoStart: true, timeoutSeconds: 2 });
    const { page } = ctx;
    const t0 = Date.now();
    const failed = await waitForEvent(page, 'stepupfailed', 10000);
    const took = Date.now() - t0;
    assert.equal(failed.reason, 'timeout');
    assert.equal(failed.status, 'pending');
    assert.ok(took < 6000, `gave up in time (${took} ms)`);
    await page.locator(`${GATE} .message_failed`).waitFor();
    assert.equal(await text(page, '.message-title'), 'No result in time');
    assert.match(await text(page, '.message-text'), /No result after 2 seconds/);
    assert.equal(await page.locator(`${GATE} .challenge`).count(), 0);
    const polls = workerCalls('timeout@test').length + worker.requests.filter((r) => r.path === '/v1/descope/step-up-result' && r.body.challenge_id === failed.challenge_id).length;
    assert.ok(polls >= 4 && polls < 30, `polled with backoff (${polls} requests)`);
    await noPageErrors(ctx);
    await page.close();
});

test('an expired challenge shows the expiry message', async () => {
    const ctx = await open({ ...OPPORTUNITY, userIdentifier: 'expired@test', amount: 50000, autoStart: true });
    const failed = await waitForEvent(ctx.page, 'stepupfailed');
    assert.equal(failed.reason, 'expired');
    assert.equal(await text(ctx.page, '.message-title'), 'Challenge expired');
    await noPageErrors(ctx);
    await ctx.page.close();
});

test('a failed start shows the error in an alert with a retry button, and the retry succeeds', async () => {
    const ctx = await open({ ...OPPORTUNITY, userIdentifier: 'flaky@test', amount: 50000 });
    const { page } = ctx;
    await page.locator(`${GATE} .start-button`).click();
    const failed = await waitForEvent(page, 'stepupfailed');
    assert.equal(failed.reason, 'http');
    assert.equal(failed.status, 503);
    assert.equal(failed.code, 'upstream_unavailable');
    assert.equal(failed.retryable, true);
    const alert = page.locator(`${GATE} [role="alert"]`);
    await alert.waitFor();
    assert.match(await alert.textContent(), /answered 503: 1kosmos did not answer/);
    const focused = await page.evaluate(() => window.__gate.shadowRoot.activeElement && window.__gate.shadowRoot.activeElement.className);
    assert.match(focused, /error-text/, 'focus moves to the error');
    await page.screenshot({ path: join(RESULTS, 'lwc-error.png') });
    await page.locator(`${GATE} .retry-button`).click();
    const done = await waitForEvent(page, 'stepupcomplete');
    assert.equal(done.match_result, 'match');
    assert.equal(await page.locator(`${GATE} [role="alert"]`).count(), 0);
    assert.equal(workerCalls('flaky@test').length, 2, 'two starts: the failed one and the retry');
    await noPageErrors(ctx);
    await page.close();
});

test('a Worker that does not answer in time ends in a timeout message, not a hang', async () => {
    const ctx = await open({ ...OPPORTUNITY, userIdentifier: 'slow@test', amount: 50000, autoStart: true, requestTimeoutMs: 700 });
    const t0 = Date.now();
    const failed = await waitForEvent(ctx.page, 'stepupfailed', 5000);
    assert.equal(failed.reason, 'timeout');
    assert.ok(Date.now() - t0 < 3000);
    assert.match(await ctx.page.locator(`${GATE} [role="alert"]`).textContent(), /did not answer within 1 second/);
    assert.equal(await ctx.page.locator(`${GATE} .retry-button`).count(), 1);
    await noPageErrors(ctx);
    await ctx.page.close();
});

test('an unreachable Worker ends in a network message', async () => {
    const ctx = await open({ ...OPPORTUNITY, userIdentifier: 'match@test', amount: 50000, autoStart: true, workerUrl: 'http://127.0.0.1:9' });
    const failed = await waitForEvent(ctx.page, 'stepupfailed');
    assert.equal(failed.reason, 'network');
    assert.match(await ctx.page.locator(`${GATE} [role="alert"]`).textContent(), /could not be reached/);
    await ctx.page.close();
});

test('above the proofing threshold the component runs identity verification (IDV) and reports the IAL', async () => {
    const ctx = await open({ ...OPPORTUNITY, userIdentifier: 'match@test', amount: '250000.00', verifyAbove: '100000', autoStart: true });
    const { page } = ctx;
    const decision = await waitForEvent(page, 'gatedecision');
    assert.equal(decision.decision, 'verify_identity');
    assert.equal(decision.required_ial, 'IAL2');
    await page.locator(`${GATE} .challenge-heading`).waitFor();
    assert.equal(await text(page, '.challenge-heading'), 'Verify your identity');
    assert.match(await page.locator(`${GATE} a.challenge-link`).getAttribute('href'), /^https:\/\/idv\.1kosmos\.test\/s\/ses_/);
    const done = await waitForEvent(page, 'stepupcomplete');
    assert.equal(done.kind, 'idv');
    assert.equal(done.ial_level, 'IAL2');
    assert.equal(done.status, 'completed');
    assert.equal(done.verified_claims.verification.assurance_level, 'IAL2');
    const start = worker.requests.find((r) => r.path === '/v1/descope/idv' && r.body.user_identifier === 'match@test');
    assert.deepEqual(start.body.metadata, { related_record_id: OPPORTUNITY.recordId, action_type: 'funds_transfer', decision: 'verify_identity', rule: 'verify-above-threshold', required_ial: 'IAL2' });
    assert.deepEqual(start.body.document_types, ['passport', 'drivers_license', 'id_card']);
    assert.equal(start.body.liveness_mode, 'active');
    assert.match(await text(page, '.message-text'), /Identity verified at IAL2/);
    await noPageErrors(ctx);
    await page.close();
});

test('on a record page the amount comes from the record field', async () => {
    const page = await browser.newPage();
    await page.goto(`${site.origin}/www/lwc/.build/index.html`);
    await page.waitForFunction(() => typeof window.mountGate === 'function');
    await page.evaluate(() => {
        window.__kosmosRecords = {
            '006000000000002AAA': { apiName: 'Opportunity', id: '006000000000002AAA', fields: { Amount: { value: 75000, displayValue: '$75,000.00' } } },
            '005000000000001AAA': { apiName: 'User', id: '005000000000001AAA', fields: { Email: { value: 'nomatch@test' } } }
        };
    });
    await page.evaluate((p) => window.mountGate(p), { workerUrl: worker.origin, ...FAST, recordId: '006000000000002AAA', objectApiName: 'Opportunity', amountField: 'Amount', autoStart: true });
    const decision = await waitForEvent(page, 'gatedecision');
    assert.equal(decision.decision, 'step_up');
    assert.equal(decision.action.amount, 75000);
    // No user identifier attribute: the running user's email is used.
    const failed = await waitForEvent(page, 'stepupfailed');
    assert.equal(failed.reason, 'no_match');
    assert.equal((await events(page)).filter((e) => e.type === 'gatedecision').length, 1, 'decided once');
    await page.close();
});

test('a custom policy can deny; the decision shows and nothing is started', async () => {
    const policy = {
        version: 1,
        rules: [{ id: 'no-refunds', description: 'refunds are closed this week', when: { action: 'refund' }, then: { decision: 'deny' } }],
        default: { decision: 'allow' }
    };
    const ctx = await open({ ...OPPORTUNITY, userIdentifier: 'deny@test', actionType: 'refund', amount: 10, policyName: 'custom', policyJson: JSON.stringify(policy) });
    const decision = await waitForEvent(ctx.page, 'gatedecision');
    assert.equal(decision.decision, 'deny');
    await ctx.page.locator(`${GATE} .message_denied`).waitFor();
    assert.equal(await text(ctx.page, '.message-text'), 'Blocked by policy: refunds are closed this week.');
    assert.equal(workerCalls('deny@test').length, 0);
    await ctx.page.close();
});

test('a broken policy or Worker URL is a clear configuration message', async () => {
    const bad = await open({ ...OPPORTUNITY, userIdentifier: 'x@test', policyName: 'custom', policyJson: '{"version": 1, "rules": []}' });
    const failed = await waitForEvent(bad.page, 'stepupfailed');
    assert.equal(failed.reason, 'invalid_policy');
    assert.match(await bad.page.locator(`${GATE} [role="alert"]`).textContent(), /The policy could not be applied/);
    await bad.page.close();

    const noUrl = await open({ ...OPPORTUNITY, userIdentifier: 'x@test', amount: 50000, autoStart: true, workerUrl: 'javascript:alert(1)' });
    const f2 = await waitForEvent(noUrl.page, 'stepupfailed');
    assert.equal(f2.reason, 'config');
    assert.match(await noUrl.page.locator(`${GATE} [role="alert"]`).textContent(), /Worker URL is missing or not an https URL/);
    await noUrl.page.close();
});
