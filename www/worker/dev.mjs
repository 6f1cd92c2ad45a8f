// Runs the Worker locally in workerd (through miniflare), with the same
// bindings as wrangler.jsonc: the ReplayGuard Durable Object, the HANDOFF
// queue with its dead-letter queue, the playground as static assets, and the
// package's .wasm as a CompiledWasm module. What runs is the bundle that
// `wrangler deploy --dry-run` makes of wrangler.jsonc, i.e. what
// `wrangler deploy` uploads, not the source modules. Used by `npm start`, the
// end-to-end tests and the load benchmark.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, existsSync, statSync } from 'node:fs';
import { join, dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startWorkerd, workerdModuleOptions } from '../../tests/js/hosts.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');

export const WORKER_SCRIPT = join(here, 'src', 'index.js');
export const WRANGLER_CONFIG = join(here, 'wrangler.jsonc');

/** JSON with comments and trailing commas (wrangler.jsonc) to a value. */
export function parseJsonc(text) {
  let out = '';
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (c === '"') {
      const start = i;
      for (i += 1; i < text.length && text[i] !== '"'; i += 1) if (text[i] === '\\') i += 1;
      out += text.slice(start, i + 1);
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i += 1;
      out += '\n';
    } else if (c === '/' && text[i + 1] === '*') {
      i = text.indexOf('*/', i + 2) + 1;
    } else {
      out += c;
    }
  }
  return JSON.parse(out.replace(/,(\s*[}\]])/g, '$1'));
}

/** The Worker's wrangler configuration. */
export function wranglerConfig() {
  return parseJsonc(readFileSync(WRANGLER_CONFIG, 'utf8'));
}

const WRANGLER_BIN = join(root, 'node_modules', 'wrangler', 'bin', 'wrangler.js');

/** Every file under `dir` (recursively), sorted, skipping `skip` (absolute paths). */
function filesUnder(dir, skip = []) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (skip.includes(p)) continue;
    if (statSync(p).isDirectory()) out.push(...filesUnder(p, skip));
    else out.push(p);
  }
  return out;
}

/**
 * Bundles a Worker as `wrangler deploy` would: `wrangler deploy --dry-run
 * --outdir` of `config` (default this Worker's wrangler.jsonc). Returns the
 * directory holding the bundle (`index.js` plus the CompiledWasm module
 * files wrangler writes next to it) and its entry script. `inputs` are the
 * files and directories whose content decides the bundle (default: the
 * Worker's sources, pkg/ with its build, package.json for `sideEffects`,
 * the config); the bundle is kept under `<config dir>/dist/bundle/<hash of
 * inputs>` and reused while they are unchanged, so tests and `npm start`
 * bundle once per build, not once per Worker.
 * @param {{ config?: string, inputs?: string[] }} [options]
 * @returns {Promise<{ dir: string, script: string }>}
 */
export async function bundleWorker(options = {}) {
  const config = options.config ?? WRANGLER_CONFIG;
  const configDir = dirname(config);
  const inputs = options.inputs ?? [join(here, 'src'), join(root, 'pkg'), join(root, 'package.json'), config];
  const hash = createHash('sha256');
  for (const input of inputs) {
    const files = statSync(input).isDirectory() ? filesUnder(input, [join(root, 'pkg', 'gen', 'size.json')]) : [input];
    for (const f of files) hash.update(`${relative(configDir, f)}\0`).update(readFileSync(f)).update('\0');
  }
  const dir = join(configDir, 'dist', 'bundle', hash.digest('hex').slice(0, 16));
  const script = join(dir, 'index.js');
  if (existsSync(script)) return { dir, script };
  // wrangler refuses a config whose assets directory is missing; the bundle does not depend on it.
  const assetsDir = parseJsonc(readFileSync(config, 'utf8')).assets?.directory;
  if (assetsDir) mkdirSync(join(configDir, assetsDir), { recursive: true });
  // Written aside and renamed: test files running in parallel may bundle at once.
  const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
  try {
    await promisify(execFile)(process.execPath, [WRANGLER_BIN, 'deploy', '--dry-run', '--outdir', tmp, '-c', config], {
      cwd: configDir,
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1', FORCE_COLOR: '0' },
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw new Error(`wrangler could not bundle ${config}:\n${e.stdout ?? ''}${e.stderr ?? e.message}`);
  }
  // Bundles of earlier builds go (each is a copy of the .wasm).
  const bundles = dirname(dir);
  for (const old of existsSync(bundles) ? readdirSync(bundles) : []) {
    if (!old.includes('.tmp-')) rmSync(join(bundles, old), { recursive: true, force: true });
  }
  try {
    renameSync(tmp, dir);
  } catch (e) {
    // Another process renamed its identical bundle first.
    rmSync(tmp, { recursive: true, force: true });
    if (!existsSync(script)) throw e;
  }
  return { dir, script };
}

/** How miniflare loads a wrangler bundle: ES modules and the .wasm files as CompiledWasm. */
export function bundleModuleOptions(bundle) {
  return {
    modules: true,
    scriptPath: bundle.script,
    modulesRoot: bundle.dir,
    modulesRules: [
      { type: 'ESModule', include: ['**/*.js', '**/*.mjs'] },
      { type: 'CompiledWasm', include: ['**/*.wasm'] },
    ],
  };
}

/**
 * Copies the playground and the browser build of the package into `outDir`
 * (default www/worker/dist/assets), laid out so that the page at `/` finds
 * `/pkg/browser.js` as it does in the repository.
 */
export function buildAssets(outDir = join(here, 'dist', 'assets')) {
  if (!existsSync(join(root, 'pkg', 'gen', 'kosmos_connect_bg.wasm'))) {
    throw new Error('pkg/gen is missing: run `npm run build` first');
  }
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(join(outDir, 'pkg', 'gen'), { recursive: true });
  cpSync(join(root, 'www', 'playground'), outDir, { recursive: true, filter: (src) => !src.includes(`${join('playground', 'dist')}`) });
  for (const f of readdirSync(join(root, 'pkg'))) if (f.endsWith('.js')) cpSync(join(root, 'pkg', f), join(outDir, 'pkg', f));
  cpSync(join(root, 'pkg', 'api'), join(outDir, 'pkg', 'api'), { recursive: true, filter: (src) => !src.endsWith('.d.ts') });
  for (const f of ['kosmos_connect.js', 'kosmos_connect_bg.wasm']) cpSync(join(root, 'pkg', 'gen', f), join(outDir, 'pkg', 'gen', f));
  // The Policy checks panel's tools: the `kosmos-connect/policy-tools` entry's browser build and its module.
  const tools = join(root, 'pkg', 'gen', 'policy-tools');
  cpSync(tools, join(outDir, 'pkg', 'gen', 'policy-tools'), { recursive: true, filter: (src) => statSync(src).isDirectory() || src.endsWith('.js') || src.endsWith('_bg.wasm') });
  // The example policies and their test cases (the Policy checks panel loads one).
  cpSync(join(root, 'examples', 'policies'), join(outDir, 'examples', 'policies'), { recursive: true });
  return outDir;
}

/**
 * Starts the Worker. `vars` are its environment variables and secrets (as in
 * wrangler.jsonc `vars` and `wrangler secret put`). `queue: false` leaves the
 * HANDOFF binding out (a failed Salesforce publish is then answered 503).
 * `deadLetterSink` (a URL) adds a second worker that consumes the
 * dead-letter queue and POSTs each message's body there as JSON, so a test
 * can see what the queue gave up on. `persist` (a directory) keeps the
 * Durable Object and KV state on disk across a stop and a start. The Worker runs as wrangler bundles it
 * (`bundleWorker`); `source: true` runs the source modules instead (for
 * debugging with readable stacks; nothing in the repository needs it).
 * @param {{ vars?: Record<string, unknown>, queue?: boolean, assets?: string | false,
 *           port?: number, queueRetries?: number, log?: boolean, miniflare?: object,
 *           deadLetterSink?: string, source?: boolean, persist?: string,
 *           ratelimits?: Record<string, { limit: number, period: 10 | 60 }> }} [options]
 * @returns {Promise<{ url: string, mf: import('miniflare').Miniflare, close: () => Promise<void> }>}
 */
export async function startWorker(options = {}) {
  const w = wranglerConfig();
  const modules = options.source
    ? workerdModuleOptions(WORKER_SCRIPT)
    : { ...bundleModuleOptions(await bundleWorker()), compatibilityDate: w.compatibility_date };
  const sqlite = new Set((w.migrations ?? []).flatMap((m) => m.new_sqlite_classes ?? []));
  let mfOptions = {
    name: w.name,
    compatibilityDate: w.compatibility_date,
    bindings: { ...w.vars, ...(options.vars ?? {}) },
    durableObjects: Object.fromEntries((w.durable_objects?.bindings ?? []).map((b) => [b.name, { className: b.class_name, useSQLite: sqlite.has(b.class_name) }])),
    host: '127.0.0.1',
    port: options.port ?? 0,
  };
  // Workers Rate Limiting bindings; `ratelimits` ({ NAME: { limit, period } }) replaces some for a test,
  // and RATE_LIMIT_PERIOD_S follows (the Worker reads the period there for Retry-After).
  const limits = Object.fromEntries((w.ratelimits ?? []).map((r) => [r.name, { ...r.simple }]));
  Object.assign(limits, options.ratelimits ?? {});
  if (Object.keys(limits).length) {
    mfOptions.ratelimits = Object.fromEntries(Object.entries(limits).map(([name, simple]) => [name, { simple }]));
    if (options.ratelimits) {
      const periods = JSON.parse(mfOptions.bindings.RATE_LIMIT_PERIOD_S ?? '{}');
      for (const [name, simple] of Object.entries(options.ratelimits)) periods[name] = simple.period;
      mfOptions.bindings.RATE_LIMIT_PERIOD_S = JSON.stringify(periods);
    }
  }
  if (options.queue !== false && w.queues) {
    mfOptions.queueProducers = Object.fromEntries(w.queues.producers.map((p) => [p.binding, p.queue]));
    mfOptions.queueConsumers = Object.fromEntries(w.queues.consumers.map((c) => [c.queue, {
      maxBatchSize: c.max_batch_size,
      // Locally a batch waits a fifth of a second, not seconds.
      maxBatchTimeout: Math.min(c.max_batch_timeout ?? 5, 0.2),
      maxRetries: options.queueRetries ?? c.max_retries,
      deadLetterQueue: c.dead_letter_queue,
    }]));
  }
  if (options.assets !== false) {
    mfOptions.assets = {
      directory: options.assets ?? buildAssets(),
      binding: w.assets?.binding ?? 'ASSETS',
      routerConfig: { has_user_worker: true, invoke_user_worker_ahead_of_assets: true },
    };
  }
  if (options.persist) {
    // State on disk, kept across a stop and a start with the same `persist`
    // directory: the Durable Objects (with their alarms) and KV. miniflare's
    // local Queue broker keeps its messages in memory only (it has no
    // persistence option); the ReplayGuard keeps queued hand-offs itself and
    // sends them again after a restart (src/replay.js).
    mfOptions.durableObjectsPersist = join(options.persist, 'do');
    mfOptions.kvPersist = join(options.persist, 'kv');
  }
  if (options.log === false) mfOptions.log = undefined;
  // Extra Miniflare options (tests pass `handleStructuredLogs` to read the Worker's console).
  Object.assign(mfOptions, options.miniflare ?? {});
  const dlq = w.queues?.consumers?.[0]?.dead_letter_queue;
  if (options.deadLetterSink && mfOptions.queueConsumers && dlq) {
    // miniflare runs several workers when given a list: the Worker first
    // (it receives dispatchFetch), then the observer. Shared options stay on top.
    const { host, port, log, handleStructuredLogs, durableObjectsPersist, kvPersist, ...worker } = mfOptions;
    mfOptions = {
      host, port, log, handleStructuredLogs, durableObjectsPersist, kvPersist,
      workers: [
        { ...modules, ...worker },
        {
          name: 'dead-letter-observer',
          modules: true,
          script: DEAD_LETTER_OBSERVER,
          compatibilityDate: w.compatibility_date,
          bindings: { SINK: options.deadLetterSink },
          queueConsumers: { [dlq]: { maxBatchSize: 10, maxBatchTimeout: 0.2, maxRetries: 0 } },
        },
      ],
    };
    for (const k of ['log', 'handleStructuredLogs', 'durableObjectsPersist', 'kvPersist']) if (mfOptions[k] === undefined) delete mfOptions[k];
  }
  const mf = await startWorkerd(WORKER_SCRIPT, mfOptions.workers ? mfOptions : { ...modules, ...mfOptions });
  const url = (await mf.ready).origin;
  return { url, mf, close: () => mf.dispose() };
}

/** Consumes the dead-letter queue and hands each message body to SINK (tests only). */
const DEAD_LETTER_OBSERVER = `export default {
  async queue(batch, env) {
    for (const m of batch.messages) {
      await fetch(env.SINK, { method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ queue: batch.queue, attempts: m.attempts, body: m.body }) });
      m.ack();
    }
  },
};`;

/** The Worker's variables for talking to the stand-ins. */
export function sandboxVars(kosmos, salesforce, extra = {}) {
  return {
    KOSMOS_PROFILE: 'verify-v1',
    KOSMOS_BASE_URL: kosmos.url,
    KOSMOS_API_KEY: kosmos.apiKey,
    KOSMOS_WEBHOOK_SCHEME: 'standard',
    KOSMOS_WEBHOOK_SECRET: kosmos.webhookSecret,
    SF_INSTANCE_URL: salesforce.url,
    SF_CLIENT_ID: salesforce.clientId,
    SF_CLIENT_SECRET: salesforce.clientSecret,
    SF_API_VERSION: 'v62.0',
    HANDOFF_RETRY_BASE_S: '1',
    // The stand-in is the OpenID provider too (redirect step-up at /v1/oidc/start).
    OIDC_ISSUER: kosmos.oidc.issuer,
    OIDC_CLIENT_ID: kosmos.oidc.clientId,
    OIDC_CLIENT_SECRET: kosmos.oidc.clientSecret,
    OIDC_COOKIE_SECRET: 'sandbox-oidc-cookie-secret-not-for-production',
    OIDC_VERIFIED_CLAIMS: 'given_name,family_name',
    ...extra,
  };
}

if (import.meta.url === `file://${process.argv[1]}` && process.argv[2] === 'assets') {
  console.log(`assets in ${buildAssets()}`);
}
