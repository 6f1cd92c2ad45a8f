// The Descope configuration as code (examples/descope/terraform): the HCL
// parses (python-hcl2, installed by `scripts/setup.sh --test`) and uses only
// resources and attributes of the provider's documented schema
// (tests/vectors/descope-provider-schema.json, with its source), every
// secret a sensitive variable, and the Worker settings it pairs with are
// documented in wrangler.jsonc.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { root } from './hosts.js';

const TF_DIR = join(root, 'examples', 'descope', 'terraform');
const SCHEMA = JSON.parse(readFileSync(join(root, 'tests', 'vectors', 'descope-provider-schema.json'), 'utf8'));

function parseHcl(files) {
  const r = spawnSync('python3', [join(root, 'examples', 'descope', 'tools', 'hcl2json.py'), ...files], { encoding: 'utf8' });
  if (r.error || /No module named 'hcl2'/.test(r.stderr)) assert.fail(`python-hcl2 is missing: run scripts/setup.sh --test (${r.error?.message ?? r.stderr.trim()})`);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

/** python-hcl2 8 keeps quotes on labels and strings and marks blocks and comments; take them off. */
function clean(v) {
  if (Array.isArray(v)) return v.map(clean);
  if (v && typeof v === 'object') {
    const out = {};
    for (const [k, x] of Object.entries(v)) if (k !== '__is_block__' && k !== '__comments__') out[k.replace(/^"(.*)"$/, '$1')] = clean(x);
    return out;
  }
  if (typeof v === 'string') return v.replace(/^"(.*)"$/s, '$1');
  return v;
}

const tfFiles = readdirSync(TF_DIR).filter((f) => f.endsWith('.tf')).map((f) => join(TF_DIR, f));
const parsed = clean(parseHcl(tfFiles));
const blocks = (kind) => Object.values(parsed).flatMap((file) => file[kind] ?? []);
const variables = Object.assign({}, ...blocks('variable'));
const resources = blocks('resource').flatMap((r) => Object.entries(r).flatMap(([type, named]) => Object.entries(named).map(([name, body]) => ({ type, name, body }))));

/** Problems with `body` against `schema` (required / optional / nested), at `where`. */
function schemaProblems(body, schema, where, meta = []) {
  const problems = [];
  const known = new Set([...(schema.required ?? []), ...(schema.optional ?? []), ...meta]);
  for (const k of Object.keys(body)) if (!known.has(k)) problems.push(`${where}: \`${k}\` is not in the provider's schema`);
  for (const k of schema.required ?? []) if (!(k in body)) problems.push(`${where}: required \`${k}\` is missing`);
  for (const [k, nested] of Object.entries(schema.nested ?? {})) {
    if (!(k in body)) continue;
    const items = nested.list ? body[k] : [body[k]];
    if (nested.list && !Array.isArray(items)) problems.push(`${where}.${k}: must be a list`);
    for (const [i, item] of (Array.isArray(items) ? items : []).entries()) {
      if (!item || typeof item !== 'object' || Array.isArray(item)) problems.push(`${where}.${k}: must be an object`);
      else problems.push(...schemaProblems(item, nested, nested.list ? `${where}.${k}[${i}]` : `${where}.${k}`));
    }
  }
  for (const [k, allowed] of Object.entries(schema.enums ?? {})) {
    if (k in body && !allowed.includes(body[k])) problems.push(`${where}.${k}: \`${body[k]}\` is not one of ${allowed.join(', ')}`);
  }
  return problems;
}

function allProblems(list) {
  const problems = [];
  for (const { type, name, body } of list) {
    const schema = SCHEMA.resources[type];
    if (!schema) problems.push(`${type}.${name}: resource type not in the checked schema`);
    else problems.push(...schemaProblems(body, schema, `${type}.${name}`, SCHEMA.meta_arguments));
  }
  return problems;
}

test('the HCL parses and every resource and attribute is in the documented provider schema', () => {
  assert.ok(resources.length >= 4);
  assert.deepEqual(allProblems(resources), []);
  const types = new Set(resources.map((r) => r.type));
  for (const t of ['descope_http_connector', 'descope_flow', 'descope_audit_webhook_connector']) assert.ok(types.has(t), t);
  const provider = Object.assign({}, ...blocks('provider')).descope;
  for (const k of Object.keys(provider)) assert.ok(SCHEMA.provider.optional.includes(k), `provider.${k}`);
  const required = blocks('terraform').flatMap((t) => t.required_providers ?? []);
  assert.equal(Object.assign({}, ...required).descope.source, SCHEMA.provider.source);
});

test('the schema check catches a misspelled, a missing and a misplaced attribute', () => {
  const http = resources.find((r) => r.type === 'descope_http_connector');
  const misspelled = { ...http, body: { ...http.body, hmac_secert: 'x' } };
  const { base_url: _drop, ...rest } = http.body;
  const missing = { ...http, body: rest };
  const nested = { ...http, body: { ...http.body, authentication: { bearer: 'x' } } };
  const unknownType = { type: 'descope_http_connectors', name: 'x', body: {} };
  assert.match(allProblems([misspelled]).join('\n'), /`hmac_secert` is not in the provider's schema/);
  assert.match(allProblems([missing]).join('\n'), /required `base_url` is missing/);
  assert.match(allProblems([nested]).join('\n'), /authentication: `bearer` is not in the provider's schema/);
  assert.match(allProblems([unknownType]).join('\n'), /resource type not in the checked schema/);
});

test('every secret is a sensitive variable, and every variable used is declared', () => {
  const refs = new Set();
  const walk = (v) => {
    if (typeof v === 'string') for (const m of v.matchAll(/var\.([A-Za-z0-9_]+)/g)) refs.add(m[1]);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(resources);
  walk(blocks('provider'));
  for (const name of refs) assert.ok(variables[name], `var.${name} is not declared`);
  for (const { type, name, body } of resources) {
    const schema = SCHEMA.resources[type];
    for (const k of schema.sensitive ?? []) {
      if (!(k in body)) continue;
      const m = /^\$\{var\.([A-Za-z0-9_]+)\}$/.exec(body[k]);
      assert.ok(m, `${type}.${name}.${k} must be a variable, not a literal`);
      assert.equal(variables[m[1]].sensitive, true, `var.${m[1]} must be sensitive`);
    }
  }
  const provider = Object.assign({}, ...blocks('provider')).descope;
  assert.equal(variables[/var\.(\w+)/.exec(provider.management_key)[1]].sensitive, true);
});

test('the flow resource loads the template; the connectors point at the Worker routes that exist', () => {
  const flow = resources.find((r) => r.type === 'descope_flow');
  const m = /file\("\$\{path\.module\}\/(.+?)"\)/.exec(flow.body.data);
  assert.ok(m, flow.body.data);
  const path = resolve(TF_DIR, m[1]);
  assert.ok(existsSync(path), path);
  const template = JSON.parse(readFileSync(path, 'utf8'));
  assert.equal(template.flowId, flow.body.flow_id);
  const http = resources.find((r) => r.type === 'descope_http_connector');
  const connectorIds = new Set(Object.values(template.contents.tasks).filter((t) => t.action === 'connector').map((t) => t.connectorId));
  assert.deepEqual([...connectorIds], [http.body.name]);
  const index = readFileSync(join(root, 'www', 'worker', 'src', 'index.js'), 'utf8');
  const audit = resources.find((r) => r.type === 'descope_audit_webhook_connector');
  const auditPath = audit.body.base_url.replace('${var.worker_base_url}', '');
  assert.ok(index.includes(`'POST ${auditPath}'`), auditPath);
  for (const t of Object.values(template.contents.tasks).filter((x) => x.action === 'connector')) {
    assert.ok(index.includes(`'POST ${t.arguments.endpoint.value}'`), t.arguments.endpoint.value);
  }
  // The audit filter lets through exactly the actions the Worker acts on.
  const actions = audit.body.audit_filters[0].values;
  const auditJs = readFileSync(join(root, 'www', 'worker', 'src', 'audit.js'), 'utf8');
  for (const a of actions) assert.ok(auditJs.includes(`'${a}'`), a);
  // Every custom attribute the flow writes is declared.
  const declared = new Set(Object.keys(Object.assign({}, ...blocks('locals')).kosmos_attributes));
  for (const attr of Object.keys(template.contents.tasks['save-claims'].arguments.customAttributes.value)) assert.ok(declared.has(attr), attr);
});

test('the Worker settings the Terraform pairs with are documented in wrangler.jsonc', () => {
  const wrangler = readFileSync(join(root, 'www', 'worker', 'wrangler.jsonc'), 'utf8');
  for (const name of ['DESCOPE_HMAC_SECRET', 'DESCOPE_AUDIT_HMAC_SECRET', 'DESCOPE_HTTPSIG_KEYS']) assert.match(wrangler, new RegExp(`//\\s+${name}\\s`), name);
  const vars = readFileSync(join(TF_DIR, 'variables.tf'), 'utf8');
  assert.match(vars, /DESCOPE_HMAC_SECRET/);
  assert.match(vars, /DESCOPE_AUDIT_HMAC_SECRET/);
  assert.match(vars, /DESCOPE_HTTPSIG_KEYS/);
});
