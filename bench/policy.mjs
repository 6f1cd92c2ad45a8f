// Side by side, in one Node process: kosmos-connect's `decide` and
// @cedar-policy/cedar-wasm's prepared-policy-set authorization
// (`preparsePolicySet` once, `statefulIsAuthorized` per request) on the same
// 12-rule policy: examples/policies/financial-services.json and its Cedar
// equivalent bench/financial-services.cedar. Both sides start from the same
// context object and end with the same decision object; the harness first
// checks that they agree on every scenario, then reports the median time per
// decision and the module sizes.
//
// Ours runs through `kosmos-connect/policy`, the entry a host that only
// decides policy loads (the Salesforce component does): its module is the
// policy engine alone. The full module (every capability) is listed too.
//
// `npm run bench` runs it through bench/run.mjs (the `run()` export); alone:
//   npm run build && node bench/policy.mjs [--json]
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { createRequire } from 'node:module';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as k from 'kosmos-connect/policy';
import { glue } from '../pkg/gen/policy/core.js';
import { fmtBytes, fmtNs, measure } from './lib.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const cedar = require('@cedar-policy/cedar-wasm/nodejs');
const NOW = 1767225600;

async function measurePolicies() {
  // ---- kosmos-connect ----
  const policyText = readFileSync(join(root, 'examples/policies/financial-services.json'), 'utf8');
  const policy = k.compilePolicy(policyText);

  // ---- Cedar: prepared policy set, outcomes in annotations ----
  const cedarText = readFileSync(join(root, 'bench/financial-services.cedar'), 'utf8');
  const parts = cedar.policySetTextToParts(cedarText);
  if (parts.type !== 'success') throw new Error(JSON.stringify(parts.errors));
  const staticPolicies = {};
  const meta = {};
  for (const text of parts.policies) {
    const ann = Object.fromEntries([...text.matchAll(/@(\w+)\("([^"]*)"\)/g)].map((m) => [m[1], m[2]]));
    staticPolicies[ann.id] = text;
    if (ann.decision) {
      meta[ann.id] = {
        order: Number(ann.order),
        kind: ann.decision,
        max_age_s: ann.max_age_s === undefined ? undefined : Number(ann.max_age_s),
        required_ial: ann.required_ial === undefined ? undefined : Number(ann.required_ial),
      };
    }
  }
  const prepared = cedar.preparsePolicySet('fs', { staticPolicies });
  if (prepared.type !== 'success') throw new Error(JSON.stringify(prepared.errors));
  const STRICT = { allow: 0, step_up: 1, verify_identity: 2, deny: 3 };

  /** What Cedar cannot compute: great-circle speed (haversine), as the host would. */
  function travelTooFast(ctx) {
    const g = ctx.geo ?? {};
    const l = ctx.last_login ?? {};
    if ([g.lat, g.lon, l.lat, l.lon, l.at, ctx.now].some((v) => v === undefined)) return false; // on_missing: no_match
    if (ctx.now - l.at > 30 * 86400) return false; // on_stale: no_match
    const rad = Math.PI / 180;
    const h = Math.sin(((g.lat - l.lat) * rad) / 2) ** 2
      + Math.cos(l.lat * rad) * Math.cos(g.lat * rad) * Math.sin(((g.lon - l.lon) * rad) / 2) ** 2;
    const km = 2 * 6371.0088 * Math.asin(Math.sqrt(Math.min(1, Math.max(0, h))));
    return km * 3600 > 805 * Math.max(0, ctx.now - l.at);
  }

  /** The context in Cedar's JSON form: no floats (coordinates become the travel verdict), decimals as extension values. */
  function cedarContext(ctx) {
    const out = { ...ctx, travel_too_fast: travelTooFast(ctx) };
    if (ctx.geo) out.geo = ctx.geo.country === undefined ? {} : { country: ctx.geo.country };
    if (ctx.last_login) out.last_login = ctx.last_login.country === undefined ? {} : { country: ctx.last_login.country };
    if (ctx.risk?.score !== undefined) {
      out.risk = { ...ctx.risk, score: { __extn: { fn: 'decimal', arg: ctx.risk.score.toFixed(4) } } };
    }
    return out;
  }

  function met(m, ctx) {
    if (m.kind === 'step_up') {
      return m.max_age_s > 0 && ctx.last_step_up_at !== undefined && Math.max(0, ctx.now - ctx.last_step_up_at) <= m.max_age_s;
    }
    if (m.kind === 'verify_identity') {
      if (ctx.current_ial === undefined || ctx.current_ial < m.required_ial) return false;
      if (m.max_age_s === undefined) return true;
      return ctx.last_verification_at !== undefined && Math.max(0, ctx.now - ctx.last_verification_at) <= m.max_age_s;
    }
    return false;
  }

  function cedarDecide(ctx) {
    const answer = cedar.statefulIsAuthorized({
      principal: { type: 'User', id: ctx.user?.id ?? 'anonymous' },
      action: { type: 'Action', id: 'decide' },
      resource: { type: 'Resource', id: ctx.action?.record_id ?? 'none' },
      context: cedarContext(ctx),
      preparsedPolicySetId: 'fs',
      entities: [],
    });
    if (answer.type !== 'success') throw new Error(JSON.stringify(answer.errors));
    const matched = answer.response.diagnostics.reason.filter((id) => meta[id]).sort((a, b) => meta[a].order - meta[b].order);
    let win;
    let winKind;
    for (const id of matched) {
      const kind = met(meta[id], ctx) ? 'allow' : meta[id].kind;
      if (win === undefined || STRICT[kind] > STRICT[winKind]) {
        win = id;
        winKind = kind;
      }
    }
    return { decision: win ? winKind : 'allow', rule: win ?? 'default', matched_rules: matched };
  }

  // ---- Scenarios: the financial-services cases of the shared vectors ----
  const examples = JSON.parse(readFileSync(join(root, 'tests/vectors/policy-examples.json'), 'utf8'));
  const fs = examples.examples.find((e) => e.file.endsWith('financial-services.json'));
  const merge = (ctx, extra) => {
    const out = { ...ctx };
    for (const [key, v] of Object.entries(extra ?? {})) {
      out[key] = v && typeof v === 'object' && !Array.isArray(v) && out[key] ? { ...out[key], ...v } : v;
    }
    return out;
  };
  const scenarios = fs.cases
    .filter((c) => !c.error)
    .map((c) => (c.salesforce ? merge(k.salesforceContextToSignals(c.salesforce, c.now), c.with) : { now: NOW, ...c.context }));

  // ---- Equivalence first ----
  for (const ctx of scenarios) {
    const a = policy.decide(ctx);
    const b = cedarDecide(ctx);
    if (a.decision !== b.decision || a.rule !== b.rule || JSON.stringify(a.matched_rules) !== JSON.stringify(b.matched_rules)) {
      throw new Error(`the engines disagree on ${JSON.stringify(ctx)}:\n  kosmos ${JSON.stringify(a)}\n  cedar  ${JSON.stringify(b)}`);
    }
  }

  // ---- Timing: median per decision, over the scenarios in turn ----
  let i = 0;
  const next = () => scenarios[(i = (i + 1) % scenarios.length)];
  const ours = measure(() => policy.decide(next()), { ms: 1500, batch: 100 });
  const theirs = measure(() => cedarDecide(next()), { ms: 1500, batch: 10 });

  // ---- Where decide's time goes: the JS boundary against the core's own work ----
  // The same policy, the same scenarios: from JSON text through the shim (no
  // JSON.stringify), the bare glue call (text in, text out: the wasm call and
  // the two string copies), and the JS JSON work alone.
  const texts = scenarios.map((c) => JSON.stringify(c));
  const raw = glue.compilePolicy(policyText);
  const outs = texts.map((t) => raw.decideJson(t));
  const nextText = () => texts[(i = (i + 1) % texts.length)];
  const fromText = measure(() => policy.decide(nextText()), { ms: 800, batch: 100 });
  const glueOnly = measure(() => raw.decideJson(nextText()), { ms: 800, batch: 100 });
  const stringify = measure(() => JSON.stringify(next()), { ms: 400, batch: 100 });
  const parse = measure(() => JSON.parse(outs[(i = (i + 1) % outs.length)]), { ms: 400, batch: 100 });
  raw.free();

  // ---- Module sizes ----
  const size = (path) => {
    const buf = readFileSync(path);
    return { raw: buf.length, gzip: gzipSync(buf, { level: 9 }).length };
  };
  const ourWasm = size(join(root, 'pkg/gen/policy/gen/kosmos_connect_bg.wasm'));
  const fullWasm = size(join(root, 'pkg/gen/kosmos_connect_bg.wasm'));
  const cedarWasm = size(join(dirname(require.resolve('@cedar-policy/cedar-wasm/nodejs')), 'cedar_wasm_bg.wasm'));

  const result = {
    policy: 'examples/policies/financial-services.json (12 rules) vs bench/financial-services.cedar',
    scenarios: scenarios.length,
    cedar_version: cedar.getCedarVersion(),
    median_ns_per_decision: { kosmos: Math.round(ours.median_ns), cedar: Math.round(theirs.median_ns) },
    p90_ns_per_decision: { kosmos: Math.round(ours.p90_ns), cedar: Math.round(theirs.p90_ns) },
    speedup: +(theirs.median_ns / ours.median_ns).toFixed(1),
    boundary_ns: {
      decide_object: Math.round(ours.median_ns),
      decide_text: Math.round(fromText.median_ns),
      glue_decide_json: Math.round(glueOnly.median_ns),
      json_stringify_context: Math.round(stringify.median_ns),
      json_parse_result: Math.round(parse.median_ns),
    },
    entry: 'kosmos-connect/policy',
    module_bytes: { kosmos: ourWasm, kosmos_full: fullWasm, cedar: cedarWasm },
    size_ratio_gzip: +(cedarWasm.gzip / ourWasm.gzip).toFixed(1),
    size_ratio_raw: +(cedarWasm.raw / ourWasm.raw).toFixed(1),
    full_size_ratio_gzip: +(cedarWasm.gzip / fullWasm.gzip).toFixed(1),
    full_size_ratio_raw: +(cedarWasm.raw / fullWasm.raw).toFixed(1),
  };
  return result;
}

/** The report section for bench/run.mjs. */
export async function run() {
  const r = await measurePolicies();
  return {
    title: 'Policy decisions: kosmos-connect vs cedar-wasm',
    summary: `kosmos-connect decides ${r.speedup}x faster than @cedar-policy/cedar-wasm ${r.cedar_version} with a prepared policy set, with a ${r.size_ratio_gzip}x smaller module (gzip; ${r.size_ratio_raw}x raw): the policy module of \`kosmos-connect/policy\`. Both run the same 12-rule policy (${r.policy}) on the ${r.scenarios} financial-services scenarios of the shared vectors, which both decide identically (checked first), from a context object to a decision object.`,
    rows: [
      { engine: 'kosmos-connect/policy `policy.decide`', 'median / decision': fmtNs(r.median_ns_per_decision.kosmos), p90: fmtNs(r.p90_ns_per_decision.kosmos), 'wasm raw': fmtBytes(r.module_bytes.kosmos.raw), 'wasm gzip': fmtBytes(r.module_bytes.kosmos.gzip) },
      { engine: `cedar-wasm ${r.cedar_version} \`statefulIsAuthorized\``, 'median / decision': fmtNs(r.median_ns_per_decision.cedar), p90: fmtNs(r.p90_ns_per_decision.cedar), 'wasm raw': fmtBytes(r.module_bytes.cedar.raw), 'wasm gzip': fmtBytes(r.module_bytes.cedar.gzip) },
      { engine: 'cedar / ours', 'median / decision': `${r.speedup}x`, p90: '', 'wasm raw': `${r.size_ratio_raw}x`, 'wasm gzip': `${r.size_ratio_gzip}x` },
      { engine: 'for reference: the full kosmos-connect module (every capability)', 'median / decision': '', p90: '', 'wasm raw': fmtBytes(r.module_bytes.kosmos_full.raw), 'wasm gzip': fmtBytes(r.module_bytes.kosmos_full.gzip) },
      { engine: 'cedar / full module', 'median / decision': '', p90: '', 'wasm raw': `${r.full_size_ratio_raw}x`, 'wasm gzip': `${r.full_size_ratio_gzip}x` },
    ],
    more: {
      title: 'Policy decisions: where `decide` spends its time (the JS boundary against the core)',
      summary: 'The same 12-rule policy and scenarios. Each row as a share of `policy.decide(object)`; the native figure to hold it against is `cargo bench --bench policy` (`decide_json(&str)`, the core deciding from JSON text without wasm or JS), which is not part of this run.',
      rows: [
        ['`policy.decide(object)` (what apps call)', r.boundary_ns.decide_object],
        ['`policy.decide(jsonText)` (no JSON.stringify)', r.boundary_ns.decide_text],
        ['glue `decideJson(text)` alone (the wasm call: text in, text out, no JSON.parse)', r.boundary_ns.glue_decide_json],
        ['`JSON.stringify(context)` alone', r.boundary_ns.json_stringify_context],
        ['`JSON.parse(result)` alone', r.boundary_ns.json_parse_result],
      ].map(([what, ns]) => ({ what, 'share of decide(object)': `${((ns / r.boundary_ns.decide_object) * 100).toFixed(0)}%`, median: fmtNs(ns) })),
    },
    notes: 'Cedar has no trigonometry or floats: its side computes impossible travel (haversine) in JavaScript and passes the risk score as a decimal; outcome strictness, rule order and met step-up / IAL requirements are applied in JavaScript from policy annotations. Those steps are inside its timed call. Our module: the policy engine alone, as `kosmos-connect/policy` loads it (Cargo `--no-default-features --features policy`); the full module, which `kosmos-connect` loads with 1Kosmos, OIDC and webhooks beside the same engine, gives the same decisions (tests/js/hosts.test.js compares them case by case).',
    figures: r,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await measurePolicies();
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify(result, null, 2));
  } else {
    const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
    const { kosmos, kosmos_full: full, cedar: c } = result.module_bytes;
    console.log(`policy decision, ${result.scenarios} scenarios that both engines decide identically`);
    console.log(`  kosmos-connect/policy ${String(result.median_ns_per_decision.kosmos).padStart(7)} ns/decision   wasm ${kb(kosmos.raw)} (gzip ${kb(kosmos.gzip)}, the policy module)`);
    console.log(`  cedar-wasm ${result.cedar_version.padEnd(11)}${String(result.median_ns_per_decision.cedar).padStart(7)} ns/decision   wasm ${kb(c.raw)} (gzip ${kb(c.gzip)})`);
    console.log(`  kosmos-connect/policy is ${result.speedup}x faster per decision and ${result.size_ratio_gzip}x smaller (gzip; ${result.size_ratio_raw}x raw)`);
    console.log(`  the full kosmos-connect module (every capability): wasm ${kb(full.raw)} (gzip ${kb(full.gzip)}), ${result.full_size_ratio_gzip}x smaller than cedar-wasm (gzip; ${result.full_size_ratio_raw}x raw)`);
  }
}
