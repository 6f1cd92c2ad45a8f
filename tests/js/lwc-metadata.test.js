// The Salesforce DX metadata under www/lwc/: the Platform Event against the
// shared contract, no browser access to the Worker (no Trusted URL / Remote
// Site: the component calls the Apex gateway), the static resource, and the
// component's js-meta.xml and Apex imports against its JavaScript and KosmosGateway.cls.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './hosts.js';
import { buildSalesforcePieces, connectModulePath, resourcePath } from '../../www/lwc/scripts/build.mjs';
import { CONTRACT, forceApp, readMetadata, readPlatformEvent, eventRecordProblems, taskRecordProblems } from './salesforce-metadata.js';

const asList = (v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

test('Task has the contract external id (an Activity custom field, unique), the key the Worker upserts by', () => {
    const ext = CONTRACT.task.external_id;
    const f = readMetadata(join(forceApp, 'objects', 'Activity', 'fields', `${ext.field}.field-meta.xml`));
    assert.equal(f.rootName, 'CustomField');
    assert.equal(f.fullName, ext.field);
    assert.equal(f.type, ext.type);
    assert.equal(Number(f.length), ext.length);
    assert.equal(f.externalId, 'true', 'an external id: PATCH sobjects/Task/<field>/<value> upserts by it');
    assert.equal(f.unique, 'true', 'unique: a second Task with the same key is refused');
    assert.equal(f.caseSensitive, 'true');
});

test('Kosmos_Verification__e has exactly the contract fields, with their types and sizes', () => {
    const event = readPlatformEvent();
    assert.equal(event.rootName, 'CustomObject');
    assert.equal(event.publishBehavior, CONTRACT.platform_event.publish_behavior);
    assert.equal(event.eventType, 'HighVolume');
    assert.deepEqual(Object.keys(event.fields).sort(), Object.keys(CONTRACT.platform_event.fields).sort());
    for (const [name, want] of Object.entries(CONTRACT.platform_event.fields)) {
        const got = event.fields[name];
        assert.equal(got.file, `${name}.field-meta.xml`, `${name}: file name matches fullName`);
        assert.equal(got.type, want.type, `${name}: type`);
        assert.equal(got.length, want.length, `${name}: length`);
        assert.equal(got.precision, want.precision, `${name}: precision`);
        assert.equal(got.scale, want.scale, `${name}: scale`);
        assert.equal(got.required, false, `${name}: optional (a step-up has no IAL, an IDV no match result)`);
        assert.ok(got.label && got.label.length <= 40, `${name}: a label`);
    }
});

test('the record checkers accept what the Worker should publish and name what is wrong', () => {
    const stepUp = {
        Verification_Id__c: 'chl_000001',
        Kind__c: 'step_up',
        User_Id__c: 'dana@example.com',
        Status__c: 'completed',
        Match_Result__c: 'match',
        Confidence__c: 0.97,
        Related_Record_Id__c: '006000000000001AAA',
        Decision__c: 'step_up',
        Occurred_At__c: '2026-01-31T12:00:00Z'
    };
    assert.deepEqual(eventRecordProblems(stepUp), []);
    assert.deepEqual(eventRecordProblems({ Verification_Id__c: 'ses_1', Kind__c: 'idv', IAL__c: 'IAL2', Status__c: 'completed', Match_Result__c: null }), []);
    assert.deepEqual(eventRecordProblems({ attributes: { type: 'Kosmos_Verification__e' }, Kind__c: 'idv' }), []);
    assert.deepEqual(eventRecordProblems({ ...stepUp, MatchResult__c: 'match', Kind__c: 'stepup', Confidence__c: 0.97123, Occurred_At__c: 1767182400 }), [
        'Kind__c must be one of idv, step_up, got "stepup"',
        'Confidence__c 0.97123 has more than 4 decimals',
        'Occurred_At__c must be an ISO 8601 date-time with a zone, like 2026-01-31T12:00:00Z',
        'MatchResult__c is not a field of Kosmos_Verification__e'
    ]);
    assert.deepEqual(eventRecordProblems({ Related_Record_Id__c: '006000000000001AAAX', Confidence__c: 12 }), [
        'Related_Record_Id__c is 19 characters, the field holds 18',
        'Confidence__c 12 does not fit Number(5, 4)'
    ]);
    assert.deepEqual(
        taskRecordProblems({ WhatId: '006000000000001AAA', Subject: '1Kosmos step-up: match (0.97)', Status: 'Completed', Description: 'challenge chl_000001', ActivityDate: '2026-01-31' }),
        []
    );
    assert.deepEqual(taskRecordProblems({ WhatId: 'not-an-id', Subject: 'x', Status: 'Done', ActivityDate: '2026-01-31T00:00:00Z' }), [
        'WhatId must be a 15 or 18 character Salesforce id',
        'Status must be one of Completed, got "Done"',
        'ActivityDate must be a date like 2026-01-31'
    ]);
});

test('the browser does not call the Worker: no Trusted URL or Remote Site for it, no Worker URL attribute; the Named Credential holds the URL', () => {
    assert.ok(!existsSync(join(forceApp, 'cspTrustedSites')), 'no CSP Trusted Site (the component makes no fetch to the Worker)');
    assert.ok(!existsSync(join(forceApp, 'remoteSiteSettings')), 'no Remote Site (Apex calls callout:Kosmos_Worker, which the Named Credential covers)');
    const nc = readMetadata(join(forceApp, 'namedCredentials', 'Kosmos_Worker.namedCredential-meta.xml'));
    assert.equal(new URL(asList(nc.namedCredentialParameters).find((p) => p.parameterType === 'Url').parameterValue).protocol, 'https:');
    const meta = readMetadata(join(forceApp, 'lwc', 'kosmosStepUp', 'kosmosStepUp.js-meta.xml'));
    for (const c of asList(meta.targetConfigs.targetConfig)) {
        const names = asList(c.property).map((p) => p['@_name']);
        assert.ok(!names.includes('workerUrl'), `${c['@_targets']}: no Worker URL`);
        assert.ok(!names.includes('userIdentifier'), `${c['@_targets']}: no user identifier (Apex uses the running user)`);
    }
    const dir = join(forceApp, 'lwc', 'kosmosStepUp');
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.js'))) {
        const js = readFileSync(join(dir, f), 'utf8');
        assert.doesNotMatch(js, /\bfetch\(\s*(?!KOSMOS_WASM)/, `${f}: the only fetch is the static resource`);
        assert.doesNotMatch(js, /\/v1\/descope\//, `${f}: no Worker path`);
    }
});

test('every @salesforce/apex import of the component is an @AuraEnabled method of KosmosGateway, called with its parameter names', () => {
    const js = readFileSync(join(forceApp, 'lwc', 'kosmosStepUp', 'kosmosStepUp.js'), 'utf8');
    const imported = [...js.matchAll(/import\s+(\w+)\s+from\s+'@salesforce\/apex\/(\w+)\.(\w+)'/g)].map((m) => ({ local: m[1], cls: m[2], method: m[3] }));
    assert.deepEqual(imported.map((i) => i.method).sort(), ['confirmIdv', 'confirmStepUp', 'readIdv', 'readStepUp', 'startIdv', 'startStepUp']);
    const apex = readFileSync(join(forceApp, 'classes', 'KosmosGateway.cls'), 'utf8');
    const methods = new Map(
        [...apex.matchAll(/@AuraEnabled\s+public\s+static\s+[\w<>, ]+?\s(\w+)\(([^)]*)\)/g)].map((m) => [m[1], m[2].split(',').map((p) => p.trim().split(/\s+/).pop()).filter(Boolean)])
    );
    for (const i of imported) {
        assert.equal(i.cls, 'KosmosGateway');
        assert.ok(methods.has(i.method), `KosmosGateway.${i.method} is @AuraEnabled`);
    }
    // The parameter objects the component builds (gateway.js and kosmosStepUp.js) use the Apex names.
    const sources = ['kosmosStepUp.js', 'gateway.js'].map((f) => readFileSync(join(forceApp, 'lwc', 'kosmosStepUp', f), 'utf8')).join('\n');
    const used = new Set([...sources.matchAll(/\b(challengeId|sessionId|requiredIal|documentTypes|livenessMode|recordId|action):/g)].map((m) => m[1]));
    const apexParams = new Set([...methods.values()].flat());
    for (const name of used) assert.ok(apexParams.has(name), `${name} is a KosmosGateway parameter`);
    for (const m of ['startStepUp', 'readStepUp', 'confirmStepUp', 'startIdv', 'readIdv', 'confirmIdv']) {
        for (const p of methods.get(m)) assert.ok(used.has(p), `the component passes ${m}'s ${p}`);
    }
});

test('the static resource is the wasm as bytes, built not committed', () => {
    const meta = readMetadata(join(forceApp, 'staticresources', 'kosmosConnect.resource-meta.xml'));
    assert.equal(meta.rootName, 'StaticResource');
    assert.equal(meta.contentType, 'application/octet-stream');
    assert.equal(meta.cacheControl, 'Public');
    const ignore = readFileSync(join(root, 'www', 'lwc', '.gitignore'), 'utf8');
    for (const generated of ['staticresources/kosmosConnect.resource', 'lwc/kosmosConnect/kosmosConnect.js', 'lwc/kosmosQr/kosmosQr.js']) {
        assert.ok(ignore.includes(generated), `${generated} is ignored by git`);
    }
});

test('the component ships the policy entry: the static resource is the policy-only module, c/kosmosConnect its browser entry', async () => {
    await buildSalesforcePieces();
    const resource = readFileSync(resourcePath);
    assert.ok(resource.equals(readFileSync(join(root, 'pkg', 'gen', 'policy', 'gen', 'kosmos_connect_bg.wasm'))), 'the resource is pkg/gen/policy/gen/kosmos_connect_bg.wasm');
    const size = JSON.parse(readFileSync(join(root, 'pkg', 'gen', 'size.json'), 'utf8'));
    assert.equal(resource.length, size.policy.wasm_opt_bytes);
    assert.ok(resource.length < size.wasm_opt_bytes, 'smaller than the full module');
    // What the component calls, and nothing of the Worker's capabilities.
    const exported = (code) => new Set([...code.matchAll(/^export\s*\{([^}]*)\}/gm)].flatMap((m) => m[1].split(',').map((x) => x.trim().split(/\s+as\s+/).pop())));
    const names = exported(readFileSync(connectModulePath, 'utf8'));
    for (const n of ['init', 'compilePolicy', 'salesforceContextToSignals', 'KosmosError']) assert.ok(names.has(n), `${n} is exported`);
    for (const n of ['createWebhookVerifier', 'buildCreateIdvSession', 'validateIdToken']) assert.ok(!names.has(n), `${n} is not shipped`);
    const module = new WebAssembly.Module(resource);
    assert.ok(WebAssembly.Module.exports(module).some((e) => e.name === 'compilePolicy'));
    assert.ok(!WebAssembly.Module.exports(module).some((e) => e.name === 'createWebhookVerifier'));
});

test('kosmosStepUp is exposed on Opportunity, Case and Account record pages and Flow screens, and every design attribute is a public property', () => {
    const meta = readMetadata(join(forceApp, 'lwc', 'kosmosStepUp', 'kosmosStepUp.js-meta.xml'));
    assert.equal(meta.isExposed, 'true');
    assert.deepEqual(asList(meta.targets.target).sort(), ['lightning__FlowScreen', 'lightning__RecordPage']);
    const configs = asList(meta.targetConfigs.targetConfig);
    const recordPage = configs.find((c) => c['@_targets'] === 'lightning__RecordPage');
    const flow = configs.find((c) => c['@_targets'] === 'lightning__FlowScreen');
    assert.deepEqual(asList(recordPage.objects.object).sort(), ['Account', 'Case', 'Opportunity']);

    const js = readFileSync(join(forceApp, 'lwc', 'kosmosStepUp', 'kosmosStepUp.js'), 'utf8');
    const publicProps = new Set([...js.matchAll(/@api\s+(?:get\s+)?([A-Za-z_$][\w$]*)/g)].map((m) => m[1]));
    const flowTypes = ['String', 'Integer', 'Boolean', 'Date', 'DateTime'];
    for (const [target, config] of [['record page', recordPage], ['flow', flow]]) {
        for (const p of asList(config.property)) {
            const name = p['@_name'];
            assert.ok(publicProps.has(name), `${target} property ${name} is an @api property`);
            assert.ok(flowTypes.includes(p['@_type']), `${target} property ${name} has a supported type`);
            assert.ok(p['@_label'], `${target} property ${name} has a label`);
        }
    }
    const names = (c) => asList(c.property).map((p) => p['@_name']);
    for (const n of ['policyName', 'stepUpAbove', 'verifyAbove', 'requiredIal']) {
        assert.ok(names(recordPage).includes(n), `record page design attribute ${n}`);
        assert.ok(names(flow).includes(n), `flow input ${n}`);
    }
    const outputs = asList(flow.property).filter((p) => p['@_role'] === 'outputOnly').map((p) => p['@_name']).sort();
    assert.deepEqual(outputs, ['confidence', 'decision', 'matchResult', 'verificationId', 'verified']);
    for (const name of ['kosmosConnect', 'kosmosQr']) {
        const m = readMetadata(join(forceApp, 'lwc', name, `${name}.js-meta.xml`));
        assert.equal(m.isExposed, 'false', `${name} is a private library module`);
    }
});

test('the sfdx project points at force-app and ignores what must not deploy', () => {
    const project = JSON.parse(readFileSync(join(root, 'www', 'lwc', 'sfdx-project.json'), 'utf8'));
    assert.deepEqual(project.packageDirectories.map((p) => p.path), ['force-app']);
    assert.match(project.sourceApiVersion, /^\d+\.0$/);
    assert.ok(existsSync(join(root, 'www', 'lwc', project.packageDirectories[0].path)));
    const ignore = readFileSync(join(root, 'www', 'lwc', '.forceignore'), 'utf8');
    assert.match(ignore, /__tests__/);
});
