// The Salesforce server side, checked offline: apex-ls (semantic check with
// the standard library and the org's SObjects) and PMD's Apex security and
// error-prone rules, both from @salesforce/code-analyzer-pmd-engine on
// Java 17; both shown to fail on broken input. Then the metadata: every file
// well-formed and in the Metadata API's shape for its folder, and the pieces
// that must agree (Flows and the invocable actions, the permission set and
// the classes, the Auth. Provider and the 1Kosmos stand-in's discovery).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import { startKosmos } from '../../www/sandbox/kosmos.mjs';
import { root } from './hosts.js';
import { forceApp, readMetadata } from './salesforce-metadata.js';

const SFDX = join(root, 'www', 'lwc');
const JAVA_LIB = join(root, 'node_modules', '@salesforce', 'code-analyzer-pmd-engine', 'dist', 'java-lib');
const CLASSES = join(forceApp, 'classes');
const asList = (v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function java(args, cwd) {
  const r = spawnSync('java', ['-cp', `${JAVA_LIB}/*`, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  if (r.error) throw new Error(`java could not run (${r.error.message}); run scripts/setup.sh --test`);
  return r;
}

/** apex-ls CheckForIssues on an SFDX project: `{ status, errors: [{ file, line, message }] }`. */
function apexLs(dir) {
  const r = java(['io.github.apexdevtools.apexls.CheckForIssues', '-n', '-w', dir]);
  const errors = [];
  let file;
  for (const line of r.stdout.split('\n')) {
    if (line.startsWith('/')) file = line.trim();
    const m = /^Error: line (\d+) at [\d-]+: (.*)$/.exec(line.trim());
    if (m) errors.push({ file: relative(dir, file ?? ''), line: Number(m[1]), message: m[2] });
  }
  return { status: r.status, errors, output: r.stdout + r.stderr };
}

// apex-ls's standard library stub declares Auth.RegistrationHandler as a
// class (standard-types com/nawforce/runforce/Auth/RegistrationHandler), while
// Apex defines it as an interface (`implements Auth.RegistrationHandler` is
// how every registration handler is written). That one diagnostic is the
// tool's, not ours; it is tolerated on exactly that line and nowhere else.
const KNOWN_FALSE = [{ file: 'force-app/main/default/classes/KosmosRegistrationHandler.cls', message: "Type 'Auth.RegistrationHandler' must be an interface" }];

/** PMD with a ruleset of whole categories over files: the violations. */
function pmd(files, categories = ['security', 'errorprone']) {
  const dir = mkdtempSync(join(tmpdir(), 'kosmos-pmd-'));
  try {
    const ruleset = join(dir, 'ruleset.xml');
    writeFileSync(ruleset, `<?xml version="1.0" encoding="UTF-8"?>
<ruleset name="kosmos-connect apex" xmlns="http://pmd.sourceforge.net/ruleset/2.0.0">
  <description>PMD Apex categories the Salesforce side must pass</description>
${categories.map((c) => `  <rule ref="category/apex/${c}.xml"/>`).join('\n')}
</ruleset>`);
    writeFileSync(join(dir, 'input.json'), JSON.stringify({ ruleSetInputFile: ruleset, runDataPerLanguage: { apex: { filesToScan: files } } }));
    const r = java(['com.salesforce.sfca.pmdwrapper.PmdWrapper', 'run', join(dir, 'input.json'), join(dir, 'out.json')]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const out = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8'));
    assert.deepEqual(out.processingErrors, [], 'PMD parsed every file');
    return out.violations.map((v) => `${basename(v.codeLocation.file)}:${v.codeLocation.startLine} ${v.rule}: ${v.message}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const apexFiles = () => readdirSync(CLASSES).filter((f) => f.endsWith('.cls')).map((f) => join(CLASSES, f));

test('apex-ls finds no error in the SFDX project (classes, tests, User fields, the Platform Event)', () => {
  const r = apexLs(SFDX);
  const real = r.errors.filter((e) => !KNOWN_FALSE.some((k) => k.file === e.file && k.message === e.message));
  assert.deepEqual(real, [], r.output);
  assert.ok(r.errors.length <= KNOWN_FALSE.length, r.output);
});

test('apex-ls fails on a deliberately broken copy of a class (the check bites)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kosmos-apexls-'));
  try {
    cpSync(join(SFDX, 'sfdx-project.json'), join(dir, 'sfdx-project.json'));
    cpSync(join(SFDX, 'force-app'), join(dir, 'force-app'), { recursive: true, filter: (src) => !src.startsWith(join(forceApp, 'lwc')) });
    const file = join(dir, 'force-app', 'main', 'default', 'classes', 'KosmosGetStepUpResult.cls');
    // A field that does not exist on the Answer, and a Decimal into a String.
    writeFileSync(file, readFileSync(file, 'utf8').replace("res.matchResult = a.text('match_result');", "res.matchResult = a.matchResult;\n        String c = 0.5;"));
    const r = apexLs(dir);
    assert.equal(r.status, 4, r.output);
    const ours = r.errors.filter((e) => e.file.endsWith('KosmosGetStepUpResult.cls'));
    assert.equal(ours.length, 2, r.output);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('PMD: no violation of the Apex security and error-prone rules', () => {
  const files = apexFiles();
  assert.ok(files.length >= 12, `${files.length} classes`);
  assert.deepEqual(pmd(files), []);
});

test('PMD bites: SOQL injection, no sharing and an empty catch are found', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kosmos-pmd-bad-'));
  try {
    const bad = join(dir, 'Bad.cls');
    writeFileSync(bad, "public class Bad {\n    public static List<Account> find(String name) {\n        try { return Database.query('SELECT Id FROM Account WHERE Name = \\'' + name + '\\''); } catch (Exception e) {}\n        return null;\n    }\n}\n");
    const v = pmd([bad]);
    for (const rule of ['ApexSOQLInjection', 'ApexSharingViolations', 'EmptyCatchBlock']) assert.ok(v.some((x) => x.includes(rule)), `${rule} in ${v.join('\n')}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// --- metadata shape -------------------------------------------------------------

/** Folder -> the Metadata API type's root element, file suffix and required elements. */
const TYPES = {
  classes: { root: 'ApexClass', suffix: '.cls-meta.xml', required: ['apiVersion', 'status'], source: '.cls' },
  objects: { root: 'CustomObject', suffix: '.object-meta.xml', required: ['label'] },
  fields: { root: 'CustomField', suffix: '.field-meta.xml', required: ['fullName', 'label', 'type'] },
  staticresources: { root: 'StaticResource', suffix: '.resource-meta.xml', required: ['cacheControl', 'contentType'] },
  lwc: { root: 'LightningComponentBundle', suffix: '.js-meta.xml', required: ['apiVersion', 'isExposed'] },
  externalCredentials: { root: 'ExternalCredential', suffix: '.externalCredential-meta.xml', required: ['authenticationProtocol', 'label', 'externalCredentialParameters'] },
  namedCredentials: { root: 'NamedCredential', suffix: '.namedCredential-meta.xml', required: ['label', 'namedCredentialType', 'namedCredentialParameters'] },
  permissionsets: { root: 'PermissionSet', suffix: '.permissionset-meta.xml', required: ['label'] },
  authproviders: { root: 'AuthProvider', suffix: '.authprovider-meta.xml', required: ['friendlyName', 'providerType'] },
  flows: { root: 'Flow', suffix: '.flow-meta.xml', required: ['apiVersion', 'label', 'processType', 'start', 'status'] },
};

function walk(dir) {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

test('every metadata file is well-formed XML in its type\'s shape (folder, suffix, root, required elements)', () => {
  const files = walk(forceApp).filter((f) => f.endsWith('-meta.xml'));
  const seen = new Set();
  for (const file of files) {
    const rel = relative(forceApp, file);
    const text = readFileSync(file, 'utf8');
    assert.equal(XMLValidator.validate(text), true, `${rel} is well-formed`);
    const folder = basename(dirname(file)) === 'fields' ? 'fields' : rel.split('/')[0];
    const type = TYPES[folder];
    assert.ok(type, `${rel}: a known metadata folder`);
    assert.ok(file.endsWith(type.suffix), `${rel} ends with ${type.suffix}`);
    const meta = readMetadata(file);
    assert.equal(meta.rootName, type.root, `${rel}: root element`);
    assert.equal(meta['@_xmlns'], 'http://soap.sforce.com/2006/04/metadata', `${rel}: metadata namespace`);
    for (const el of type.required) assert.ok(meta[el] !== undefined && meta[el] !== '', `${rel}: <${el}> is required`);
    if (type.source) assert.ok(walk(dirname(file)).includes(file.slice(0, -'-meta.xml'.length)), `${rel}: its source file is there`);
    if (folder === 'fields') assert.equal(`${meta.fullName}.field-meta.xml`, basename(file), `${rel}: file named after fullName`);
    seen.add(folder);
  }
  for (const f of ['classes', 'externalCredentials', 'namedCredentials', 'permissionsets', 'authproviders', 'flows', 'fields']) assert.ok(seen.has(f), `the project has ${f}`);
  for (const f of readdirSync(CLASSES).filter((x) => x.endsWith('.cls'))) assert.ok(files.includes(join(CLASSES, `${f}-meta.xml`)), `${f} has its -meta.xml`);
});

test('the Named Credential is a SecuredEndpoint on the External Credential, which is Custom with a named principal and signs by formula', () => {
  const nc = readMetadata(join(forceApp, 'namedCredentials', 'Kosmos_Worker.namedCredential-meta.xml'));
  assert.equal(nc.namedCredentialType, 'SecuredEndpoint');
  const params = asList(nc.namedCredentialParameters);
  const url = params.find((p) => p.parameterType === 'Url');
  assert.equal(new URL(url.parameterValue).protocol, 'https:');
  assert.equal(params.find((p) => p.parameterType === 'Authentication').externalCredential, 'Kosmos_Worker');
  const ec = readMetadata(join(forceApp, 'externalCredentials', 'Kosmos_Worker.externalCredential-meta.xml'));
  assert.equal(ec.authenticationProtocol, 'Custom');
  const ecParams = asList(ec.externalCredentialParameters);
  const principal = ecParams.find((p) => p.parameterType === 'NamedPrincipal');
  assert.equal(principal.parameterName, 'Kosmos_Worker_Principal');
  const header = ecParams.find((p) => p.parameterType === 'AuthHeader');
  assert.equal(header.parameterName, 'x-descope-webhook-s256');
  assert.match(header.parameterValue, /\$Credential\.Kosmos_Worker\.HmacSecret/);
  // No secret in the tree: the principal's HmacSecret is set in Setup.
  assert.ok(!ecParams.some((p) => p.parameterType === 'AuthParameter' && p.parameterValue), 'no secret value in metadata');
  const ps = readMetadata(join(forceApp, 'permissionsets', 'Kosmos_Connect.permissionset-meta.xml'));
  assert.equal(ps.externalCredentialPrincipalAccesses.externalCredentialPrincipal, `${'Kosmos_Worker'}-${principal.parameterName}`);
  assert.equal(ps.externalCredentialPrincipalAccesses.enabled, 'true');
});

const classSource = (name) => readFileSync(join(CLASSES, `${name}.cls`), 'utf8');

test('the permission set grants exactly the non-test classes', () => {
  const ps = readMetadata(join(forceApp, 'permissionsets', 'Kosmos_Connect.permissionset-meta.xml'));
  const granted = asList(ps.classAccesses).filter((c) => c.enabled === 'true').map((c) => c.apexClass).sort();
  const production = readdirSync(CLASSES).filter((f) => f.endsWith('.cls')).map((f) => f.slice(0, -4)).filter((c) => !/@IsTest/i.test(classSource(c)) && c !== 'KosmosRegistrationHandler').sort();
  assert.deepEqual(granted, production);
});

/** An invocable class's @InvocableVariable names in its Request and Result inner classes. */
function invocable(name) {
  const src = classSource(name);
  const label = /@InvocableMethod\(label='([^']+)'/.exec(src)?.[1];
  const part = (cls) => {
    const start = src.indexOf(`public class ${cls}`);
    const end = src.indexOf('\n    }\n', start);
    return [...src.slice(start, end).matchAll(/@InvocableVariable\(((?:[^)']|'[^']*')*)\)\s*public\s+\w+\s+(\w+);/g)].map((m) => {
      assert.match(m[1], /label='[^']+'/, `${name}.${cls}.${m[2]} has a label`);
      assert.match(m[1], /description='[^']+'/, `${name}.${cls}.${m[2]} has a description`);
      return m[2];
    });
  };
  return { label, inputs: part('Request'), outputs: part('Result') };
}

test('the invocable actions have the design\'s labels and every variable a label and a description', () => {
  const labels = { KosmosCreateIdvSession: 'Create IDV Session', KosmosRequestStepUp: 'Request LiveID Step-Up', KosmosGetIdvResult: 'Get IDV Result', KosmosGetStepUpResult: 'Get Step-Up Result', KosmosDecideRisk: 'Decide Risk Policy' };
  for (const [cls, label] of Object.entries(labels)) {
    const inv = invocable(cls);
    assert.equal(inv.label, label);
    assert.ok(inv.outputs.includes('errorCode') && inv.outputs.includes('errorMessage'), `${cls} reports errors as result fields`);
    assert.match(classSource(cls), /callout=true/, `${cls} declares its callout`);
    assert.match(classSource(cls), /List<Result> \w+\(List<Request> \w+\)/, `${cls} is List<Request> -> List<Result>`);
  }
});

/** What is wrong with a Flow's use of the invocable actions (inputs they do not have, outputs they do not give, unknown names). */
function flowProblems(file, text) {
  const problems = [];
  const check = (ok, what) => {
    if (!ok) problems.push(what);
  };
  const flow = readMetadata(file, text);
  const actions = new Map();
  for (const a of asList(flow.actionCalls)) {
    check(a.actionType === 'apex', `${a.name} is an Apex action`);
    const inv = invocable(a.actionName);
    actions.set(a.name, inv);
    for (const p of asList(a.inputParameters)) check(inv.inputs.includes(p.name), `${a.name} input ${p.name} is a variable of ${a.actionName}`);
  }
  const elements = new Set(['$Record', '$Flow', ...[...text.matchAll(/<name>(\w+)<\/name>/g)].map((m) => m[1])]);
  for (const m of text.matchAll(/(?:\{!|<(?:elementReference|leftValueReference|targetReference|assignToReference)>)([\w$]+)(?:\.(\w+))?/g)) {
    check(elements.has(m[1]), `${m[1]} is an element or variable of the flow`);
    if (actions.has(m[1]) && m[2] !== undefined) check(actions.get(m[1]).outputs.includes(m[2]), `${m[1]}.${m[2]} is an output of the action`);
  }
  return problems;
}

test('the Flows call only actions that exist, with their inputs, and read only their outputs', () => {
  for (const f of readdirSync(join(forceApp, 'flows'))) {
    const file = join(forceApp, 'flows', f);
    assert.deepEqual(flowProblems(file, readFileSync(file, 'utf8')), [], f);
  }
  // The check bites: a renamed output and a misspelt input are found.
  const file = join(forceApp, 'flows', 'Kosmos_Login_Flow.flow-meta.xml');
  const broken = readFileSync(file, 'utf8').replace('Read_Step_Up.approved', 'Read_Step_Up.passed').replace('<name>challengeId</name>', '<name>challenge</name>');
  assert.deepEqual(flowProblems(file, broken).sort(), ['Read_Step_Up.passed is an output of the action', 'Read_Step_Up input challenge is a variable of KosmosGetStepUpResult'].sort());
  const login = readMetadata(join(forceApp, 'flows', 'Kosmos_Login_Flow.flow-meta.xml'));
  assert.equal(login.processType, 'Flow', 'a Login Flow is a screen flow');
  const vars = asList(login.variables);
  assert.ok(vars.some((v) => v.name === 'LoginFlow_UserId' && v.isInput === 'true'));
  assert.ok(vars.some((v) => v.name === 'LoginFlow_ForceLogout' && v.isOutput === 'true' && v.dataType === 'Boolean'));
  const opp = readMetadata(join(forceApp, 'flows', 'Kosmos_Opportunity_Step_Up.flow-meta.xml'));
  assert.equal(opp.start.object, 'Opportunity');
  assert.equal(opp.start.triggerType, 'RecordAfterSave');
  assert.equal(opp.start.scheduledPaths.pathType, 'AsyncAfterCommit', 'the callout runs after the save commits');
  assert.ok(asList(opp.recordCreates).every((r) => r.object === 'Task'));
});

test('the Auth. Provider is OpenID Connect with the handler, on the same endpoint layout as the 1Kosmos stand-in\'s discovery', async () => {
  const ap = readMetadata(join(forceApp, 'authproviders', 'Kosmos.authprovider-meta.xml'));
  assert.equal(ap.providerType, 'OpenIdConnect');
  assert.equal(ap.registrationHandler, 'KosmosRegistrationHandler');
  assert.equal(ap.isPkceEnabled, 'true');
  assert.ok(ap.consumerSecret === undefined, 'no client secret in metadata');
  assert.match(ap.defaultScopes, /\bopenid\b/);
  const kosmos = await startKosmos();
  try {
    const d = await (await fetch(`${kosmos.oidc.issuer}/.well-known/openid-configuration`)).json();
    const path = (u) => new URL(u).pathname;
    assert.equal(path(ap.authorizeUrl), path(d.authorization_endpoint));
    assert.equal(path(ap.tokenUrl), path(d.token_endpoint));
    assert.equal(path(ap.userInfoUrl), path(d.userinfo_endpoint));
    const origins = new Set([ap.authorizeUrl, ap.tokenUrl, ap.userInfoUrl].map((u) => new URL(u).origin));
    assert.equal(origins.size, 1, 'one issuer');
  } finally {
    await kosmos.close();
  }
});

test('the Registration Handler writes only User fields that exist in the project', () => {
  const fields = new Set(readdirSync(join(forceApp, 'objects', 'User', 'fields')).map((f) => f.replace('.field-meta.xml', '')));
  const used = new Set([...classSource('KosmosRegistrationHandler').matchAll(/u\.(\w+__c)\b/g)].map((m) => m[1]));
  assert.ok(used.size >= 3);
  for (const f of used) assert.ok(fields.has(f), `User.${f} is defined`);
});
