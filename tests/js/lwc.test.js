// The kosmosStepUp Lightning web component, compiled by the open-source LWC
// compiler (www/lwc/scripts/build.mjs --test-page), running in headless
// Chromium against the REAL Worker (www/worker, in workerd through miniflare,
// started as tests/js/worker.e2e.test.js does) and the 1Kosmos and
// Salesforce stand-ins of www/sandbox. The Worker runs with ALLOWED_ORIGINS
// set to the test page's origin and without DESCOPE_HMAC_SECRET (a browser
// cannot hold it; see the README). The core is the real WebAssembly build,
// loaded from the static resource file as the component does in an org:
// fetch -> arrayBuffer -> init (no Blob, no streaming compile).
// The slow and expiring cases come from the sandbox's test identities
// (`slow@test` makes 1Kosmos, hence the Worker, slow; `expired@test` expires).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { root, serveRepo, launchChromium, waitFor } from './hosts.js';
import { buildSalesforcePieces, buildTestPage } from '../../www/lwc/scripts/build.mjs';
import { startKosmos } from '../../www/sandbox/kosmos.mjs';
import { startSalesforce } from '../../www/sandbox/salesforce.mjs';
import { sandboxVars, startWorker } from '../../www/worker/dev.mjs';

const RESULTS = join(root, 'test-results');
const GATE = 'c-kosmos-step-up';
const FAST = { pollInitialMs: 150, pollMaxMs: 300, requestTimeoutMs: 3000 };
const OPPORTUNITY = { recordId: '006000000000001AAA', objectApiName: 'Opportunity' };

let site;
let kosmos;
let salesforce;
let worker;
let browser;

before(async () => {
    await buildSalesforcePieces();
    await buildTestPage();
    mkdirSync(RESULTS, { recursive: true });
    site = await serveRepo();
    kosmos = await startKosmos({ retryDelaysMs: [200, 400, 800, 1600], slowMs: 4000 });
    salesforce = await startSalesforce();
    // The browser calls the Worker directly: only the test page's origin is
    // allowed, and no Descope HMAC secret is set (a browser cannot sign).
    const vars = sandboxVars(kosmos, salesforce, { ALLOWED_ORIGINS: site.origin });
    assert.equal(vars.DESCOPE_HMAC_SECRET, undefined);
    worker = await startWorker({ vars, assets: false });
    kosmos.setWebhookUrl(`${worker.url}/v1/webhooks/1kosmos`);
    browser = await launchChromium();
});

after(async () => {
    await browser?.close();
    site?.server.close();
    await Promise.allSettled([worker?.close(), kosmos?.close(), salesforce?.close()]);
});

/**
 * A fresh page with the component mounted; records page errors, every request
 * (method, URL, body) and what would break Lightning Web Security.
 * `before(page)` runs before the component is mounted (to set up routes).
 */
async function open(props, { origin = site.origin, before: setUp } = {}) {
    const page = await browser.newPage({ viewport: { width: 1100, height: 620 } });
    const errors = [];
    const requests = [];
    const responses = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (r) => requests.push({ url: r.url(), method: r.method(), body: r.postData() }));
    page.on('response', (r) => responses.push(r));
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
    if (setUp) await setUp(page);
    await page.goto(`${origin}/www/lwc/.build/index.html`);
    await page.waitForFunction(() => typeof window.mountGate === 'function');
    await page.evaluate((p) => window.mountGate(p), { workerUrl: worker.url, ...FAST, ...props });
    return { page, errors, requests, responses };
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

/** The page's POSTs to the real Worker on `path`, with their JSON bodies. */
function workerPosts(ctx, path) {
    return ctx.requests
        .filter((r) => r.method === 'POST' && r.url === `${worker.url}${path}`)
        .map((r) => ({ ...r, body: JSON.parse(r.body) }));
}

/** Every request the page made to the real Worker (preflights included). */
function toWorker(ctx) {
    return ctx.requests.filter((r) => r.url.startsWith(`${worker.url}/`));
}

/** The Platform Event and the Task the Worker published to the Salesforce stand-in for one verification id. */
async function publishedFor(verificationId, { task = true } = {}) {
    const event = await waitFor(`the Platform Event for ${verificationId}`, () =>
        salesforce.state.received.find((r) => r.object === 'Kosmos_Verification__e' && r.fields.Verification_Id__c === verificationId)
    );
    const found = task
        ? await waitFor(`the Task for ${verificationId}`, () =>
              salesforce.state.received.find((r) => r.object === 'Task' && r.fields.Description.includes(`: ${verificationId}\n`))
          )
        : undefined;
    return { event: event.fields, task: found?.fields };
}

async function noPageErrors(ctx) {
    assert.deepEqual(ctx.errors, [], 'no uncaught errors in the page');
    assert.deepEqual(await ctx.page.evaluate(() => window.__forbidden), [], 'no Blob URL, no streaming compile');
    assert.ok(
        ctx.requests.some((r) => r.url.endsWith('/staticresources/kosmosConnect.resource')),
        'the wasm came from the static resource'
    );
}

test('below the threshold the action is allowed at once, with no challenge', async () => {
    const kosmosBefore = kosmos.state.requests;
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
    assert.deepEqual(toWorker(ctx), [], 'the Worker was not called (not even a preflight)');
    assert.equal(kosmos.state.requests, kosmosBefore, '1Kosmos was not called');
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

test('above the threshold the challenge appears (link + QR), 1Kosmos completes it, stepupcomplete carries match_result and confidence, and the Worker records it in Salesforce', async (t) => {
    // A person needs a moment to scan the code; the sandbox's match@test
    // completes at its first read. So the component's result polls wait here
    // until the person has pressed Finish on the hosted page, then go to the
    // Worker unchanged.
    let release;
    const released = new Promise((r) => (release = r));
    const ctx = await open(
        { ...OPPORTUNITY, userIdentifier: 'match@test', amount: 25000, currency: 'USD', requestTimeoutMs: 20000 },
        {
            before: (page) =>
                page.route(`${worker.url}/v1/descope/step-up-result`, async (route) => {
                    await released;
                    await route.continue();
                })
        }
    );
    const { page } = ctx;
    const decision = await waitForEvent(page, 'gatedecision');
    assert.equal(decision.decision, 'step_up');
    assert.equal(decision.rule, 'step-up-above-threshold');
    assert.deepEqual(decision.step_up, { max_age_s: 300 });
    await page.locator(`${GATE} .start-button`).waitFor();
    assert.match(await text(page, '.required-text'), /needs a LiveID step-up: amount above 10000 USD/);
    assert.deepEqual(await page.evaluate(() => window.__gate.validate()), { isValid: false, errorMessage: 'Complete the identity check before you continue.' });
    assert.deepEqual(toWorker(ctx), [], 'nothing is sent before the user starts');
    await page.locator(`${GATE} .start-button`).click();

    await page.locator(`${GATE} .challenge-heading`).waitFor();
    const starts = workerPosts(ctx, '/v1/descope/step-up');
    assert.equal(starts.length, 1, 'one start');
    const actionText = `Funds transfer of $25,000.00 (Opportunity ${OPPORTUNITY.recordId})`;
    assert.deepEqual(starts[0].body, {
        user_identifier: 'match@test',
        action: actionText,
        metadata: { related_record_id: OPPORTUNITY.recordId, action_type: 'funds_transfer', decision: 'step_up', rule: 'step-up-above-threshold' }
    });
    // The Worker answered the browser with CORS for exactly this origin.
    const startAnswer = ctx.responses.find((r) => r.url() === `${worker.url}/v1/descope/step-up` && r.request().method() === 'POST');
    assert.equal(startAnswer.status(), 200);
    assert.equal(await startAnswer.headerValue('access-control-allow-origin'), site.origin);

    const href = await page.locator(`${GATE} a.challenge-link`).getAttribute('href');
    assert.ok(href.startsWith(`${kosmos.url}/c/chl_`), `the 1Kosmos challenge URL, got ${href}`);
    assert.match(href, /\/c\/chl_[0-9a-f]{24}$/);
    const challengeId = href.split('/').pop();
    // The challenge exists at 1Kosmos, for this user and this action, and nobody has read it yet.
    const atKosmos = kosmos.state.challenges.get(challengeId);
    assert.equal(atKosmos.user_identifier, 'match@test');
    assert.equal(atKosmos.action_description, actionText);
    assert.equal(atKosmos.reads, 0);
    assert.equal(atKosmos.metadata, undefined, 'a LiveID challenge carries no metadata: the Worker keeps it');
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

    // The person opens the link (the 1Kosmos hosted page) and finishes.
    const phone = await browser.newPage();
    await phone.goto(href);
    assert.equal(await phone.title(), 'LiveID step-up (sandbox)');
    const hosted = await phone.locator('body').textContent();
    assert.ok(hosted.includes('match@test') && hosted.includes(actionText), 'the hosted page names the user and the action');
    await phone.locator('#go').click();
    await phone.waitForFunction(() => document.getElementById('out').textContent.includes('"status":"completed"'));
    await phone.close();
    release();

    const done = await waitForEvent(page, 'stepupcomplete');
    assert.equal(done.match_result, 'match');
    assert.equal(done.confidence, 0.97);
    assert.equal(done.status, 'completed');
    assert.equal(done.kind, 'step_up');
    assert.equal(done.challenge_id, challengeId);
    assert.equal(done.action.record_id, OPPORTUNITY.recordId);
    const polls = workerPosts(ctx, '/v1/descope/step-up-result');
    assert.ok(polls.length >= 1 && polls.every((p) => p.body.challenge_id === challengeId), 'polled this challenge');
    assert.equal(kosmos.state.challenges.get(challengeId).reads, polls.length, 'every poll reached 1Kosmos through the Worker');
    assert.equal(workerPosts(ctx, '/v1/descope/step-up').length, 1, 'still one start');
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

    // 1Kosmos's webhook reached the Worker, which published the Platform Event
    // and wrote the Task on the record the component named: the metadata it
    // kept under the challenge id (the webhook itself carries none).
    const delivery = await waitFor('the webhook delivery', () =>
        kosmos.state.deliveries.find((x) => x.state === 'delivered' && JSON.parse(x.body).data.challenge_id === challengeId)
    );
    assert.equal(JSON.parse(delivery.body).type, 'liveid.challenge.completed');
    assert.equal(JSON.parse(delivery.body).data.metadata, undefined);
    const { event, task } = await publishedFor(challengeId);
    assert.equal(event.Kind__c, 'step_up');
    assert.equal(event.Status__c, 'completed');
    assert.equal(event.Match_Result__c, 'match');
    assert.equal(event.Confidence__c, 0.97);
    assert.equal(event.Related_Record_Id__c, OPPORTUNITY.recordId);
    assert.equal(event.Decision__c, 'step_up');
    assert.equal(task.WhatId, starts[0].body.metadata.related_record_id, 'the Task is on the record the component sent');
    assert.equal(task.WhatId, OPPORTUNITY.recordId);
    assert.equal(task.Subject, '1Kosmos step-up: match (0.97)');
    assert.equal(task.Status, 'Completed');
    assert.match(task.Description, new RegExp(`^Step-up challenge: ${challengeId}\\nOutcome: approved\\n`));
    assert.ok(task.Description.includes('Asked by: step_up (rule step-up-above-threshold)'));
    assert.ok(task.Description.includes('Action: funds_transfer'));
    assert.ok(task.Description.includes('Match: match (confidence 0.97)'));
});

test('a challenge still pending is polled with backoff until 1Kosmos completes it', async () => {
    const ctx = await open({ ...OPPORTUNITY, userIdentifier: 'slow-match@test', amount: 50000, autoStart: true });
    const done = await waitForEvent(ctx.page, 'stepupcomplete');
    assert.equal(done.match_result, 'match');
    assert.equal(done.confidence, 0.91);
    const polls = workerPosts(ctx, '/v1/descope/step-up-result');
    assert.ok(polls.length >= 3, `polled until final (${polls.length} polls)`);
    assert.equal(kosmos.state.challenges.get(done.challenge_id).reads, polls.length);
    assert.match(await text(ctx.page, '.message-text'), /confidence 0\.91/);
    await noPageErrors(ctx);
    await ctx.page.close();
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
    // The no-match is on the record too.
    const { event, task } = await publishedFor(failed.challenge_id);
    assert.equal(event.Match_Result__c, 'no_match');
    assert.equal(event.Confidence__c, 0.12);
    assert.equal(event.Related_Record_Id__c, OPPORTUNITY.recordId);
    assert.equal(task.WhatId, OPPORTUNITY.recordId);
    assert.equal(task.Subject, '1Kosmos step-up: no_match (0.12)');
    assert.ok(task.Description.includes('Outcome: rejected'));
});

test('a challenge cancelled on the phone ends with the cancelled message, and is on the record', async () => {
    const ctx = await open({ ...OPPORTUNITY, userIdentifier: 'cancel@test', amount: 50000, autoStart: true });
    const { page } = ctx;
    const failed = await waitForEvent(page, 'stepupfailed');
    assert.equal(failed.reason, 'cancelled');
    assert.equal(failed.status, 'cancelled');
    assert.equal(failed.match_result, 'cancelled');
    await page.locator(`${GATE} .message_failed`).waitFor();
    assert.equal(await text(page, '.message-title'), 'Verification cancelled');
    assert.match(await text(page, '.message-text'), /cancelled on the phone/);
    assert.equal(await page.locator(`${GATE} .retry-button`).count(), 1);
    assert.equal(await page.evaluate(() => window.__gate.validate().isValid), false);
    await noPageErrors(ctx);
    await page.close();
    const { event, task } = await publishedFor(failed.challenge_id);
    assert.equal(event.Status__c, 'cancelled');
    assert.equal(event.Related_Record_Id__c, OPPORTUNITY.recordId);
    assert.equal(task.WhatId, OPPORTUNITY.recordId);
    assert.equal(task.Subject, '1Kosmos step-up: cancelled');
    assert.ok(task.Description.includes('Outcome: rejected'));
});

test('a challenge that never completes times out with a clear message, and no request hangs', async () => {
    const ctx = await open({ ...OPPORTUNITY, userIdentifier: 'timeout@test', amount: 50000, autoStart: true, timeoutSeconds: 2 });
    const { page } = ctx;
    const t0 = Date.now();
    const failed = await waitForEvent(page, 'stepupfailed', 10000);
    const took = Date.now() - t0;
    assert.equal(failed.reason, 'timeout');
    // The sandbox reports a challenge read more than once as in progress.
    assert.equal(failed.status, 'in_progress');
    assert.ok(took < 6000, `gave up in time (${took} ms)`);
    await page.locator(`${GATE} .message_failed`).waitFor();
    assert.equal(await text(page, '.message-title'), 'No result in time');
    assert.match(await text(page, '.message-text'), /No result after 2 seconds/);
    assert.equal(await page.locator(`${GATE} .challenge`).count(), 0);
    await page.screenshot({ path: join(RESULTS, 'lwc-timeout.png') });
    const results = workerPosts(ctx, '/v1/descope/step-up-result');
    assert.ok(results.every((r) => r.body.challenge_id === failed.challenge_id));
    const polls = workerPosts(ctx, '/v1/descope/step-up').length + results.length;
    assert.ok(polls >= 4 && polls < 30, `polled with backoff (${polls} requests)`);
    assert.equal(kosmos.state.challenges.get(failed.challenge_id).reads, results.length, 'every poll reached 1Kosmos through the Worker');
    assert.equal(kosmos.state.challenges.get(failed.challenge_id).final, false, 'still open at 1Kosmos');
    await noPageErrors(ctx);
    await page.close();
});

test('an expired challenge shows the expiry message', async () => {
    const ctx = await open({ ...OPPORTUNITY, userIdentifier: 'expired@test', amount: 50000, autoStart: true });
    const failed = await waitForEvent(ctx.page, 'stepupfailed');
    assert.equal(failed.reason, 'expired');
    assert.equal(await text(ctx.page, '.message-title'), 'Challenge expired');
    const results = workerPosts(ctx, '/v1/descope/step-up-result');
    assert.equal(results.length, 2, 'pending once, then expired');
    assert.equal(kosmos.state.challenges.get(results[0].body.challenge_id).status, 'expired', 'expired at 1Kosmos, read through the Worker');
    await noPageErrors(ctx);
    await ctx.page.close();
});

test('a failed start (1Kosmos down, the Worker answers 503) shows the error in an alert with a retry button, and the retry succeeds', async () => {
    const ctx = await open({ ...OPPORTUNITY, userIdentifier: 'match@test', amount: 50000 });
    const { page } = ctx;
    await page.locator(`${GATE} .start-button`).waitFor();
    // The sandbox's outage switch: its next API call answers 503.
    const outage = await fetch(`${kosmos.url}/__fail?count=1&status=503`, { method: 'POST' });
    assert.equal(outage.status, 200);
    await page.locator(`${GATE} .start-button`).click();
    const failed = await waitForEvent(page, 'stepupfailed');
    assert.equal(failed.reason, 'http');
    assert.equal(failed.status, 503);
    assert.equal(failed.code, 'upstream_unavailable');
    assert.equal(failed.retryable, true);
    const alert = page.locator(`${GATE} [role="alert"]`);
    await alert.waitFor();
    assert.match(await alert.textContent(), /answered 503: 1Kosmos is unavailable; retry later/);
    const focused = await page.evaluate(() => window.__gate.shadowRoot.activeElement && window.__gate.shadowRoot.activeElement.className);
    assert.match(focused, /error-text/, 'focus moves to the error');
    await page.screenshot({ path: join(RESULTS, 'lwc-error.png') });
    await page.locator(`${GATE} .retry-button`).click();
    const done = await waitForEvent(page, 'stepupcomplete');
    assert.equal(done.match_result, 'match');
    assert.equal(await page.locator(`${GATE} [role="alert"]`).count(), 0);
    assert.equal(workerPosts(ctx, '/v1/descope/step-up').length, 2, 'two starts: the failed one and the retry');
    assert.equal(kosmos.state.failNext.count, 0, 'the outage is over');
    await noPageErrors(ctx);
    await page.close();
});

// slow@test: 1Kosmos takes 4 s to create the challenge, so the Worker does too.
test('a Worker that does not answer in time ends in a timeout message, not a hang', async () => {
    const ctx = await open({ ...OPPORTUNITY, userIdentifier: 'slow@test', amount: 50000, autoStart: true, requestTimeoutMs: 700 });
    const t0 = Date.now();
    const failed = await waitForEvent(ctx.page, 'stepupfailed', 5000);
    assert.equal(failed.reason, 'timeout');
    assert.ok(Date.now() - t0 < 3000);
    assert.match(await ctx.page.locator(`${GATE} [role="alert"]`).textContent(), /did not answer within 1 second/);
    assert.equal(await ctx.page.locator(`${GATE} .retry-button`).count(), 1);
    const starts = workerPosts(ctx, '/v1/descope/step-up');
    assert.equal(starts.length, 1, 'the start was sent (and not answered in time)');
    assert.equal(starts[0].body.user_identifier, 'slow@test');
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

test('a page on an origin the Worker does not allow is refused by CORS, and nothing reaches 1Kosmos', async () => {
    const challenges = kosmos.state.challenges.size;
    const other = site.origin.replace('127.0.0.1', 'localhost');
    const ctx = await open({ ...OPPORTUNITY, userIdentifier: 'match@test', amount: 50000, autoStart: true }, { origin: other });
    const failed = await waitForEvent(ctx.page, 'stepupfailed');
    assert.equal(failed.reason, 'network');
    assert.match(await ctx.page.locator(`${GATE} [role="alert"]`).textContent(), /could not be reached/);
    assert.equal(kosmos.state.challenges.size, challenges, 'no challenge was created');
    // The same preflight from the allowed origin is answered.
    const pre = (origin) =>
        fetch(`${worker.url}/v1/descope/step-up`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });
    assert.equal((await pre(other)).status, 403);
    const ok = await pre(site.origin);
    assert.equal(ok.status, 204);
    assert.equal(ok.headers.get('access-control-allow-origin'), site.origin);
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
    const href = await page.locator(`${GATE} a.challenge-link`).getAttribute('href');
    assert.ok(href.startsWith(`${kosmos.url}/s/ses_`), `the 1Kosmos session URL, got ${href}`);
    const done = await waitForEvent(page, 'stepupcomplete');
    assert.equal(done.kind, 'idv');
    assert.equal(done.ial_level, 'IAL2');
    assert.equal(done.status, 'completed');
    assert.equal(done.verified_claims.verification.assurance_level, 'IAL2');
    assert.equal(done.session_id, href.split('/').pop());
    const starts = workerPosts(ctx, '/v1/descope/idv');
    assert.equal(starts.length, 1);
    const start = starts[0];
    assert.equal(start.body.user_identifier, 'match@test');
    assert.deepEqual(start.body.metadata, { related_record_id: OPPORTUNITY.recordId, action_type: 'funds_transfer', decision: 'verify_identity', rule: 'verify-above-threshold', required_ial: 'IAL2' });
    assert.deepEqual(start.body.document_types, ['passport', 'drivers_license', 'id_card']);
    assert.equal(start.body.liveness_mode, 'active');
    assert.match(await text(page, '.message-text'), /Identity verified at IAL2/);
    await noPageErrors(ctx);
    await page.close();
    // 1Kosmos carried the metadata with the session; the Worker recorded the result on the record.
    const { event, task } = await publishedFor(done.session_id);
    assert.equal(event.Kind__c, 'idv');
    assert.equal(event.IAL__c, 'IAL2');
    assert.equal(event.Decision__c, 'verify_identity');
    assert.equal(event.Related_Record_Id__c, OPPORTUNITY.recordId);
    assert.equal(task.WhatId, OPPORTUNITY.recordId);
    assert.equal(task.Subject, '1Kosmos IDV: completed (IAL2)');
    assert.ok(task.Description.includes('Required assurance: IAL2'));
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
    await page.evaluate((p) => window.mountGate(p), { workerUrl: worker.url, ...FAST, recordId: '006000000000002AAA', objectApiName: 'Opportunity', amountField: 'Amount', autoStart: true });
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
    assert.deepEqual(toWorker(ctx), [], 'the Worker was not called');
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
