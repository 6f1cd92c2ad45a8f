// The kosmosStepUp Lightning web component, compiled by the open-source LWC
// compiler (www/lwc/scripts/build.mjs --test-page), running in headless
// Chromium against the Apex gateway's contract with the REAL Worker behind
// it: every '@salesforce/apex/KosmosGateway.<method>' import of the component
// calls a stand-in of the org side (www/lwc/dev/gateway.mjs, what
// KosmosGateway.cls does: sign the body with the principal's secret, call the
// Worker, answer the same shape), which calls the Worker (www/worker, in
// workerd through miniflare) with the 1Kosmos and Salesforce stand-ins of
// www/sandbox. The Worker runs as every documented deployment runs it:
// DESCOPE_HMAC_SECRET set (unsigned calls get 401) and no ALLOWED_ORIGINS (no
// browser may call it). The page never contacts the Worker. The core is the
// real WebAssembly build, loaded from the static resource file as the
// component does in an org: fetch -> arrayBuffer -> init (no Blob, no
// streaming compile). The running user is the page session's (what a login
// gives Apex as UserInfo), never a component attribute.
// The slow and expiring cases come from the sandbox's test identities
// (`slow@test` makes 1Kosmos, hence the Worker, slow; `expired@test` expires).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { root, serveRepo, launchChromium, waitFor } from './hosts.js';
import { buildSalesforcePieces, buildTestPage, forceApp } from '../../www/lwc/scripts/build.mjs';
import { startKosmos } from '../../www/sandbox/kosmos.mjs';
import { startSalesforce } from '../../www/sandbox/salesforce.mjs';
import { sandboxVars, startWorker } from '../../www/worker/dev.mjs';
import { startGateway } from '../../www/lwc/dev/gateway.mjs';

const RESULTS = join(root, 'test-results');
const GATE = 'c-kosmos-step-up';
const FAST = { pollIntervalMs: 200, requestTimeoutMs: 3000 };
const OPPORTUNITY = { recordId: '006000000000001AAA', objectApiName: 'Opportunity' };
const SECRET = randomBytes(32).toString('base64url');
const FIXTURES = JSON.parse(readFileSync(join(forceApp, 'staticresources', 'KosmosWorkerFixtures.json'), 'utf8')).fixtures;

let site;
let kosmos;
let salesforce;
let worker;
let gateway;
let browser;

before(async () => {
    await buildSalesforcePieces();
    await buildTestPage();
    mkdirSync(RESULTS, { recursive: true });
    site = await serveRepo();
    kosmos = await startKosmos({ retryDelaysMs: [200, 400, 800, 1600], slowMs: 4000 });
    salesforce = await startSalesforce();
    // Signed calls only, and no browser origin allowed.
    const vars = sandboxVars(kosmos, salesforce, { DESCOPE_HMAC_SECRET: SECRET });
    assert.equal(vars.ALLOWED_ORIGINS, undefined);
    worker = await startWorker({ vars, assets: false });
    kosmos.setWebhookUrl(`${worker.url}/v1/webhooks/1kosmos`);
    gateway = await startGateway({ workerUrl: worker.url, secret: SECRET, allowOrigin: site.origin });
    browser = await launchChromium();
});

after(async () => {
    await browser?.close();
    site?.server.close();
    await Promise.allSettled([gateway?.close(), worker?.close(), kosmos?.close(), salesforce?.close()]);
});

/**
 * A fresh page with the component mounted for the running user `user`;
 * records page errors, every request (method, URL, body) and what would
 * break Lightning Web Security. `before(page)` runs before the component is
 * mounted (to set up routes); `apex` is the gateway the page's Apex calls go to.
 */
async function open(props, { user, apex = gateway, before: setUp } = {}) {
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
    await page.goto(`${site.origin}/www/lwc/.build/index.html`);
    await page.waitForFunction(() => typeof window.mountGate === 'function');
    await page.evaluate(([p, session]) => window.mountGate(p, session), [{ ...FAST, ...props }, { apexUrl: apex.url, user }]);
    return { page, errors, requests, responses, apex };
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

/** The page's calls of the Apex method `method`, with their parameters. */
function apexCalls(ctx, method) {
    return ctx.requests
        .filter((r) => r.method === 'POST' && r.url === `${ctx.apex.url}/apex/KosmosGateway/${method}`)
        .map((r) => JSON.parse(r.body));
}

/** What the gateway sent the Worker on `path` since `from` (an index into its callouts). */
function callouts(path, from = 0, apex = gateway) {
    return apex.state.callouts.slice(from).filter((c) => c.path === path);
}

/** Every request the page made to the Worker (there must be none). */
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
    assert.deepEqual(toWorker(ctx), [], 'the page never called the Worker');
}

test('below the threshold the action is allowed at once, with no challenge and no Apex call', async () => {
    const kosmosBefore = kosmos.state.requests;
    const ctx = await open({ ...OPPORTUNITY, actionType: 'funds_transfer', amount: 2500, currency: 'USD' }, { user: 'allow@test' });
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
    assert.deepEqual(ctx.requests.filter((r) => r.url.startsWith(gateway.url)), [], 'no Apex call');
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

test('above the threshold the challenge appears (link + QR) through Apex, 1Kosmos completes it, Apex confirms it, and the Worker records it in Salesforce', async (t) => {
    // A person needs a moment to scan the code; the sandbox's match@test
    // completes at its first read. So the component's reads wait here until
    // the person has pressed Finish on the hosted page, then go to Apex unchanged.
    let release;
    const released = new Promise((r) => (release = r));
    const from = gateway.state.callouts.length;
    const ctx = await open(
        { ...OPPORTUNITY, amount: 25000, currency: 'USD', requestTimeoutMs: 20000 },
        {
            user: 'match@test',
            before: (page) =>
                page.route(`${gateway.url}/apex/KosmosGateway/readStepUp`, async (route) => {
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
    assert.deepEqual(ctx.requests.filter((r) => r.url.startsWith(gateway.url)), [], 'nothing is sent before the user starts');
    await page.locator(`${GATE} .start-button`).click();

    await page.locator(`${GATE} .challenge-heading`).waitFor();
    const actionText = `Funds transfer of $25,000.00 (Opportunity ${OPPORTUNITY.recordId})`;
    assert.deepEqual(apexCalls(ctx, 'startStepUp'), [{ action: actionText, recordId: OPPORTUNITY.recordId }], 'one start, with no user: Apex uses the running user');
    // What Apex sent the Worker: signed, for the session's user.
    const starts = callouts('/v1/descope/step-up', from);
    assert.equal(starts.length, 1);
    assert.deepEqual(starts[0].body, { user_identifier: 'match@test', action: actionText, metadata: { related_record_id: OPPORTUNITY.recordId } });
    assert.equal(starts[0].signed, true);
    assert.equal(starts[0].status, 200);

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
    assert.equal(done.confirmed, true);
    assert.deepEqual(done.verdict, { final: true, outcome: 'approved', reason: 'match' }, "the core's verdict, as Apex confirmed it");
    const reads = apexCalls(ctx, 'readStepUp');
    assert.ok(reads.length >= 1 && reads.every((p) => p.challengeId === challengeId), 'read this challenge');
    assert.deepEqual(apexCalls(ctx, 'confirmStepUp'), [{ challengeId }], 'confirmed once, on the server');
    const workerReads = callouts('/v1/descope/step-up-result', from);
    assert.equal(workerReads.length, reads.length + 1, 'every read and the confirmation went to the Worker');
    assert.ok(workerReads.every((c) => c.signed && c.status === 200));
    assert.equal(kosmos.state.challenges.get(challengeId).reads, workerReads.length, 'each reached 1Kosmos through the Worker');
    assert.equal(apexCalls(ctx, 'startStepUp').length, 1, 'still one start');
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
    // and wrote the Task on the record Apex named: the metadata it kept under
    // the challenge id (the webhook itself carries none).
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
    assert.equal(task.WhatId, OPPORTUNITY.recordId, 'the Task is on the record the component named');
    assert.equal(task.Subject, '1Kosmos step-up: match (0.97)');
    assert.equal(task.Status, 'Completed');
    assert.match(task.Description, new RegExp(`^Step-up challenge: ${challengeId}\\nOutcome: approved\\n`));
    assert.ok(task.Description.includes('Match: match (confidence 0.97)'));
});

test('a step-up that passed only in the browser is not accepted: the server re-check (confirmStepUp) decides', async () => {
    // nomatch@test's face does not match. The page's reads are answered with
    // a match (the step_up_result_match fixture's body) as a tampered page or
    // a man in the browser would; confirmStepUp re-reads from the Worker.
    const forged = FIXTURES.step_up_result_match.response.body;
    const from = gateway.state.callouts.length;
    const ctx = await open(
        { ...OPPORTUNITY, amount: 50000, autoStart: true },
        {
            user: 'nomatch@test',
            before: (page) =>
                page.route(`${gateway.url}/apex/KosmosGateway/readStepUp`, (route) =>
                    route.fulfill({ status: 200, contentType: 'application/json', headers: { 'access-control-allow-origin': site.origin }, body: JSON.stringify(forged) })
                )
        }
    );
    const { page } = ctx;
    const failed = await waitForEvent(page, 'stepupfailed');
    assert.equal(failed.reason, 'not_confirmed');
    assert.match(failed.message, /server did not confirm the verification \(no_match\)/);
    const challengeId = failed.challenge_id;
    assert.deepEqual(apexCalls(ctx, 'confirmStepUp'), [{ challengeId }]);
    const confirmations = callouts('/v1/descope/step-up-result', from);
    assert.equal(confirmations.length, 1, 'only the confirmation reached the Worker');
    assert.equal(kosmos.state.challenges.get(challengeId).reads, 1);
    await page.locator(`${GATE} .message_failed`).waitFor();
    assert.equal(await text(page, '.message-title'), 'Not confirmed');
    assert.equal(await page.evaluate(() => window.__gate.verified), false);
    assert.equal(await page.evaluate(() => window.__gate.validate().isValid), false);
    // Setting the output from the page does not pass the gate either.
    assert.equal(await page.evaluate(() => ((window.__gate.verified = true), window.__gate.validate().isValid)), false);
    assert.ok(!(await events(page)).some((e) => e.type === 'stepupcomplete'));
    await noPageErrors(ctx);
    await page.close();
});

/** Calls the gateway's `method` as the org would for a page of `user` (the session's user). */
async function apexAs(user, method, params, apex = gateway) {
    const res = await fetch(`${apex.url}/apex/KosmosGateway/${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-kosmos-session-user': user },
        body: JSON.stringify(params)
    });
    assert.equal(res.status, 200, `KosmosGateway.${method} answered`);
    return res.json();
}

test('user B cannot confirm user A\'s passed challenge: every read names the running user and the Worker answers not_owner', async () => {
    // match@test (A) starts and passes a step-up through Apex.
    const started = await apexAs('match@test', 'startStepUp', { action: 'approve opportunity', recordId: OPPORTUNITY.recordId });
    const challengeId = started.challenge_id;
    assert.ok(challengeId, JSON.stringify(started));
    const before = await apexAs('nomatch@test', 'confirmStepUp', { challengeId });
    assert.equal(before.error?.code, 'not_owner', JSON.stringify(before));
    assert.equal(kosmos.state.challenges.get(challengeId).reads, 0, 'a refused read does not reach 1Kosmos');
    const mine = await apexAs('match@test', 'confirmStepUp', { challengeId });
    assert.equal(mine.allowed, true, JSON.stringify(mine));
    // nomatch@test (B)'s page is handed A's passed challenge id, as a tampered page or a shared link would,
    // and its reads are forged as a match: the server re-check decides.
    const forged = FIXTURES.step_up_result_match.response.body;
    const from = gateway.state.callouts.length;
    const fulfill = (body) => (route) =>
        route.fulfill({ status: 200, contentType: 'application/json', headers: { 'access-control-allow-origin': site.origin }, body: JSON.stringify(body) });
    const ctx = await open(
        { ...OPPORTUNITY, amount: 50000, autoStart: true },
        {
            user: 'nomatch@test',
            before: async (page) => {
                await page.route(`${gateway.url}/apex/KosmosGateway/startStepUp`, fulfill(started));
                await page.route(`${gateway.url}/apex/KosmosGateway/readStepUp`, fulfill(forged));
            }
        }
    );
    const { page } = ctx;
    const failed = await waitForEvent(page, 'stepupfailed');
    assert.equal(failed.code, 'not_owner');
    assert.deepEqual(apexCalls(ctx, 'confirmStepUp'), [{ challengeId }]);
    const confirmations = callouts('/v1/descope/step-up-result', from);
    assert.equal(confirmations.length, 1, 'only the confirmation reached the Worker');
    assert.deepEqual(confirmations[0].body, { challenge_id: challengeId, user_identifier: 'nomatch@test' }, 'the gateway names the session\'s user, not A');
    assert.equal(confirmations[0].status, 403);
    assert.equal(kosmos.state.challenges.get(challengeId).reads, 1, 'only A\'s own confirmation read 1Kosmos');
    assert.equal(await page.evaluate(() => window.__gate.verified), false);
    assert.equal(await page.evaluate(() => window.__gate.validate().isValid), false);
    assert.ok(!(await events(page)).some((e) => e.type === 'stepupcomplete'));
    assert.match(await page.locator(`${GATE} [role="alert"]`).textContent(), /not_owner/);
    // A reads its own challenge again; B's reads through Apex are refused as well.
    assert.equal((await apexAs('match@test', 'readStepUp', { challengeId })).verdict?.outcome, 'approved');
    assert.equal((await apexAs('nomatch@test', 'readStepUp', { challengeId })).error?.code, 'not_owner');
    await noPageErrors(ctx);
    await page.close();
});

test('the Worker requires the signature: the browser cannot call it, unsigned or wrongly signed calls are refused, and the component works through the signing gateway', async () => {
    // Straight at the Worker, as a browser on an org's page would: the
    // preflight is refused (no allowed origin) and an unsigned call is 401.
    const pre = await fetch(`${worker.url}/v1/descope/step-up`, {
        method: 'OPTIONS',
        headers: { origin: site.origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' }
    });
    assert.equal(pre.status, 403);
    assert.equal(pre.headers.get('access-control-allow-origin'), null);
    const challenges = kosmos.state.challenges.size;
    const unsigned = await fetch(`${worker.url}/v1/descope/step-up`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user_identifier: 'match@test' }) });
    assert.equal(unsigned.status, 401);
    assert.equal((await unsigned.json()).error.code, 'missing_signature');
    // A gateway whose principal holds another secret: the component shows the Worker's code and what the admin must set.
    const wrong = await startGateway({ workerUrl: worker.url, secret: `${SECRET}-not`, allowOrigin: site.origin });
    try {
        const ctx = await open({ ...OPPORTUNITY, amount: 50000, autoStart: true }, { user: 'match@test', apex: wrong });
        const failed = await waitForEvent(ctx.page, 'stepupfailed');
        assert.equal(failed.reason, 'worker');
        assert.equal(failed.code, 'no_matching_signature');
        assert.match(await ctx.page.locator(`${GATE} [role="alert"]`).textContent(), /no_matching_signature.*HmacSecret parameter of the Kosmos_Worker_Principal/);
        assert.deepEqual(wrong.state.callouts.map((c) => c.status), [401]);
        await noPageErrors(ctx);
        await ctx.page.close();
    } finally {
        await wrong.close();
    }
    assert.equal(kosmos.state.challenges.size, challenges, 'nothing reached 1Kosmos');
    // Every call the signing gateway made in this file was signed and accepted or answered by the Worker's logic, never 401.
    assert.ok(gateway.state.callouts.length > 0);
    assert.ok(gateway.state.callouts.every((c) => c.signed && c.status !== 401), JSON.stringify(gateway.state.callouts.filter((c) => c.status === 401)));
});

test('a challenge still pending is read until 1Kosmos completes it', async () => {
    const ctx = await open({ ...OPPORTUNITY, amount: 50000, autoStart: true }, { user: 'slow-match@test' });
    const done = await waitForEvent(ctx.page, 'stepupcomplete');
    assert.equal(done.match_result, 'match');
    assert.equal(done.confidence, 0.91);
    const reads = apexCalls(ctx, 'readStepUp');
    assert.ok(reads.length >= 3, `read until final (${reads.length} reads)`);
    assert.equal(apexCalls(ctx, 'confirmStepUp').length, 1);
    assert.equal(kosmos.state.challenges.get(done.challenge_id).reads, reads.length + 1);
    assert.match(await text(ctx.page, '.message-text'), /confidence 0\.91/);
    await noPageErrors(ctx);
    await ctx.page.close();
});

test('a no-match ends with the no-match message and stepupfailed', async () => {
    const ctx = await open({ ...OPPORTUNITY, amount: 50000, autoStart: true }, { user: 'nomatch@test' });
    const { page } = ctx;
    const failed = await waitForEvent(page, 'stepupfailed');
    assert.equal(failed.reason, 'no_match');
    assert.equal(failed.match_result, 'no_match');
    assert.equal(failed.confidence, 0.12);
    assert.equal(failed.status, 'completed');
    assert.deepEqual(failed.verdict, { final: true, outcome: 'rejected', reason: 'no_match' });
    await page.locator(`${GATE} .message_failed`).waitFor();
    assert.equal(await text(page, '.message-title'), 'Not verified: no match');
    assert.match(await text(page, '.message-text'), /did not match/);
    assert.match(await text(page, '[role="status"]'), /no match/);
    assert.equal(await page.locator(`${GATE} .retry-button`).count(), 1, 'the user can try again');
    assert.equal(await page.evaluate(() => window.__gate.validate().isValid), false);
    assert.ok(!(await events(page)).some((e) => e.type === 'stepupcomplete'));
    assert.deepEqual(apexCalls(ctx, 'confirmStepUp'), [], 'a rejection needs no confirmation');
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
    const ctx = await open({ ...OPPORTUNITY, amount: 50000, autoStart: true }, { user: 'cancel@test' });
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

test('a challenge that never completes times out with a clear message', async () => {
    const ctx = await open({ ...OPPORTUNITY, amount: 50000, autoStart: true, timeoutSeconds: 4 }, { user: 'timeout@test' });
    const { page } = ctx;
    const failed = await waitForEvent(page, 'stepupfailed', 10000);
    assert.equal(failed.reason, 'timeout');
    // The sandbox reports a challenge read more than once as in progress.
    assert.equal(failed.status, 'in_progress');
    await page.locator(`${GATE} .message_failed`).waitFor();
    assert.equal(await text(page, '.message-title'), 'No result in time');
    assert.match(await text(page, '.message-text'), /No result after 4 seconds/);
    assert.equal(await page.locator(`${GATE} .challenge`).count(), 0);
    await page.screenshot({ path: join(RESULTS, 'lwc-timeout.png') });
    const reads = apexCalls(ctx, 'readStepUp');
    assert.ok(reads.length >= 2 && reads.every((r) => r.challengeId === failed.challenge_id), `read while waiting (${reads.length} reads)`);
    assert.equal(kosmos.state.challenges.get(failed.challenge_id).reads, reads.length, 'every read reached 1Kosmos through Apex and the Worker');
    assert.equal(kosmos.state.challenges.get(failed.challenge_id).final, false, 'still open at 1Kosmos');
    await noPageErrors(ctx);
    await page.close();
});

test('an expired challenge shows the expiry message', async () => {
    const ctx = await open({ ...OPPORTUNITY, amount: 50000, autoStart: true }, { user: 'expired@test' });
    const failed = await waitForEvent(ctx.page, 'stepupfailed');
    assert.equal(failed.reason, 'expired');
    assert.equal(await text(ctx.page, '.message-title'), 'Challenge expired');
    const reads = apexCalls(ctx, 'readStepUp');
    assert.equal(reads.length, 2, 'pending once, then expired');
    assert.equal(kosmos.state.challenges.get(reads[0].challengeId).status, 'expired', 'expired at 1Kosmos, read through Apex and the Worker');
    await noPageErrors(ctx);
    await ctx.page.close();
});

test('a failed start (1Kosmos down, the Worker answers 503) shows the error in an alert with a retry button, and the retry succeeds', async () => {
    const ctx = await open({ ...OPPORTUNITY, amount: 50000 }, { user: 'match@test' });
    const { page } = ctx;
    await page.locator(`${GATE} .start-button`).waitFor();
    // The sandbox's outage switch: its next three API calls answer 503 (the Worker's first try and its two retries).
    const outage = await fetch(`${kosmos.url}/__fail?count=3&status=503`, { method: 'POST' });
    assert.equal(outage.status, 200);
    await page.locator(`${GATE} .start-button`).click();
    const failed = await waitForEvent(page, 'stepupfailed');
    assert.equal(failed.reason, 'worker');
    assert.equal(failed.code, 'upstream_unavailable');
    assert.equal(failed.retryable, true);
    const alert = page.locator(`${GATE} [role="alert"]`);
    await alert.waitFor();
    assert.match(await alert.textContent(), /refused the request \(upstream_unavailable\): .*1Kosmos is unavailable; try again in a few minutes/);
    const focused = await page.evaluate(() => window.__gate.shadowRoot.activeElement && window.__gate.shadowRoot.activeElement.className);
    assert.match(focused, /error-text/, 'focus moves to the error');
    await page.screenshot({ path: join(RESULTS, 'lwc-error.png') });
    assert.equal(apexCalls(ctx, 'startStepUp').length, 1, 'the component does not retry by itself');
    await page.locator(`${GATE} .retry-button`).click();
    const done = await waitForEvent(page, 'stepupcomplete');
    assert.equal(done.match_result, 'match');
    assert.equal(await page.locator(`${GATE} [role="alert"]`).count(), 0);
    assert.equal(apexCalls(ctx, 'startStepUp').length, 2, 'two starts: the failed one and the retry');
    assert.equal(kosmos.state.failNext.count, 0, 'the outage is over');
    await noPageErrors(ctx);
    await page.close();
});

// slow@test: 1Kosmos takes 4 s to create the challenge, so the Worker, hence Apex, does too.
test('an Apex call that does not answer in time ends in a timeout message, not a hang', async () => {
    const ctx = await open({ ...OPPORTUNITY, amount: 50000, autoStart: true, requestTimeoutMs: 700 }, { user: 'slow@test' });
    const failed = await waitForEvent(ctx.page, 'stepupfailed', 5000);
    assert.equal(failed.reason, 'timeout');
    assert.match(await ctx.page.locator(`${GATE} [role="alert"]`).textContent(), /did not answer within 1 second/);
    assert.equal(await ctx.page.locator(`${GATE} .retry-button`).count(), 1);
    assert.equal(apexCalls(ctx, 'startStepUp').length, 1, 'the start was sent (and not answered in time)');
    await noPageErrors(ctx);
    await ctx.page.close();
});

test('a Worker that Apex cannot reach ends in callout_failed, with what the admin checks', async () => {
    const down = await startGateway({ workerUrl: 'http://127.0.0.1:9', secret: SECRET, allowOrigin: site.origin });
    try {
        const ctx = await open({ ...OPPORTUNITY, amount: 50000, autoStart: true }, { user: 'match@test', apex: down });
        const failed = await waitForEvent(ctx.page, 'stepupfailed');
        assert.equal(failed.reason, 'worker');
        assert.equal(failed.code, 'callout_failed');
        assert.match(await ctx.page.locator(`${GATE} [role="alert"]`).textContent(), /check the Named Credential Kosmos_Worker/);
        await ctx.page.close();
    } finally {
        await down.close();
    }
});

test('an Apex gateway that cannot be reached is an apex error, and nothing passes', async () => {
    const ctx = await open({ ...OPPORTUNITY, amount: 50000, autoStart: true }, { user: 'match@test', apex: { url: 'http://127.0.0.1:9' } });
    const failed = await waitForEvent(ctx.page, 'stepupfailed');
    assert.equal(failed.reason, 'apex');
    assert.match(await ctx.page.locator(`${GATE} [role="alert"]`).textContent(), /could not be called: the server could not be reached/);
    assert.equal(await ctx.page.evaluate(() => window.__gate.validate().isValid), false);
    await ctx.page.close();
});

test('above the proofing threshold the component runs identity verification (IDV) through Apex and reports the IAL', async () => {
    const from = gateway.state.callouts.length;
    const ctx = await open({ ...OPPORTUNITY, amount: '250000.00', verifyAbove: '100000', autoStart: true }, { user: 'match@test' });
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
    assert.deepEqual(done.verdict, { final: true, outcome: 'approved', reason: 'completed', required_ial: 'IAL2' });
    assert.deepEqual(apexCalls(ctx, 'startIdv'), [{ documentTypes: 'passport,drivers_license,id_card', livenessMode: 'active', recordId: OPPORTUNITY.recordId }]);
    assert.deepEqual(apexCalls(ctx, 'confirmIdv'), [{ sessionId: done.session_id, requiredIal: 'IAL2' }]);
    const starts = callouts('/v1/descope/idv', from);
    assert.equal(starts.length, 1);
    assert.deepEqual(starts[0].body, { document_types: 'passport,drivers_license,id_card', liveness_mode: 'active', user_identifier: 'match@test', metadata: { related_record_id: OPPORTUNITY.recordId } });
    const results = callouts('/v1/descope/idv-result', from);
    assert.ok(results.every((c) => c.signed && c.status === 200));
    assert.ok(results.slice(0, -1).every((c) => c.body.required_ial === 'IAL2'), 'the reads and the confirmation at the required IAL');
    assert.ok(results.every((c) => c.body.user_identifier === 'match@test'), 'every read is for the running user');
    assert.deepEqual(results.at(-1).body, { session_id: done.session_id, user_identifier: 'match@test' }, "then the confirmation's second read, at the Worker's own REQUIRED_IAL");
    assert.deepEqual(kosmos.state.sessions.get(done.session_id).document_types, ['passport', 'drivers_license', 'id_card'], 'the Worker read the list Apex sent');
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
});

test('an IDV below the required IAL is not verified: the core\'s verdict, through the Worker and Apex', async () => {
    const ctx = await open({ ...OPPORTUNITY, amount: '250000.00', verifyAbove: '100000', requiredIal: 'IAL3', autoStart: true }, { user: 'match@test' });
    const failed = await waitForEvent(ctx.page, 'stepupfailed');
    assert.equal(failed.reason, 'not_verified');
    assert.equal(failed.ial_level, 'IAL2');
    assert.deepEqual(failed.verdict, { final: true, outcome: 'rejected', reason: 'ial_below_required', required_ial: 'IAL3' });
    assert.ok(apexCalls(ctx, 'readIdv').every((p) => p.requiredIal === 'IAL3'));
    assert.deepEqual(apexCalls(ctx, 'confirmIdv'), []);
    assert.match(await text(ctx.page, '.message-text'), /not at the level this action needs \(IAL3\)/);
    await noPageErrors(ctx);
    await ctx.page.close();
});

test('on a record page the amount comes from the record field, and the challenge is for the running user', async () => {
    const page = await browser.newPage();
    const requests = [];
    page.on('request', (r) => requests.push({ url: r.url(), method: r.method(), body: r.postData() }));
    await page.goto(`${site.origin}/www/lwc/.build/index.html`);
    await page.waitForFunction(() => typeof window.mountGate === 'function');
    await page.evaluate(() => {
        window.__kosmosRecords = {
            '006000000000002AAA': { apiName: 'Opportunity', id: '006000000000002AAA', fields: { Amount: { value: 75000, displayValue: '$75,000.00' } } }
        };
    });
    const from = gateway.state.calls.length;
    await page.evaluate(([p, session]) => window.mountGate(p, session), [
        { ...FAST, recordId: '006000000000002AAA', objectApiName: 'Opportunity', amountField: 'Amount', autoStart: true },
        { apexUrl: gateway.url, user: 'nomatch@test' }
    ]);
    const decision = await waitForEvent(page, 'gatedecision');
    assert.equal(decision.decision, 'step_up');
    assert.equal(decision.action.amount, 75000);
    const failed = await waitForEvent(page, 'stepupfailed');
    assert.equal(failed.reason, 'no_match');
    assert.equal((await events(page)).filter((e) => e.type === 'gatedecision').length, 1, 'decided once');
    const start = gateway.state.calls.slice(from).find((c) => c.method === 'startStepUp');
    assert.equal(start.user, 'nomatch@test');
    assert.deepEqual(start.params, { action: 'Funds transfer of $75,000.00 (Opportunity 006000000000002AAA)', recordId: '006000000000002AAA' });
    assert.deepEqual(requests.filter((r) => r.url.startsWith(`${worker.url}/`)), []);
    await page.close();
});

test('a custom policy can deny; the decision shows and nothing is started', async () => {
    const policy = {
        version: 1,
        rules: [{ id: 'no-refunds', description: 'refunds are closed this week', when: { action: 'refund' }, then: { decision: 'deny' } }],
        default: { decision: 'allow' }
    };
    const ctx = await open({ ...OPPORTUNITY, actionType: 'refund', amount: 10, policyName: 'custom', policyJson: JSON.stringify(policy) }, { user: 'deny@test' });
    const decision = await waitForEvent(ctx.page, 'gatedecision');
    assert.equal(decision.decision, 'deny');
    await ctx.page.locator(`${GATE} .message_denied`).waitFor();
    assert.equal(await text(ctx.page, '.message-text'), 'Blocked by policy: refunds are closed this week.');
    assert.deepEqual(ctx.requests.filter((r) => r.url.startsWith(gateway.url)), [], 'Apex was not called');
    await ctx.page.close();
});

test('a broken policy is a clear configuration message', async () => {
    const bad = await open({ ...OPPORTUNITY, policyName: 'custom', policyJson: '{"version": 1, "rules": []}' }, { user: 'x@test' });
    const failed = await waitForEvent(bad.page, 'stepupfailed');
    assert.equal(failed.reason, 'invalid_policy');
    assert.match(await bad.page.locator(`${GATE} [role="alert"]`).textContent(), /The policy could not be applied/);
    await bad.page.close();
});
