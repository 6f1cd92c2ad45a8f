// Runs the Worker locally in workerd (through miniflare), with the same
// bindings as wrangler.jsonc: the ReplayGuard Durable Object, the HANDOFF
// queue with its dead-letter queue, the playground as static assets, and the
// package's .wasm as a CompiledWasm module. Used by `npm start`, the
// end-to-end tests and the load benchmark.
import { cpSync, mkdirSync, readdirSync, rmSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startWorkerd } from '../../tests/js/hosts.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');

export const WORKER_SCRIPT = join(here, 'src', 'index.js');
export const QUEUE = 'kosmos-handoff';
export const DEAD_LETTER_QUEUE = 'kosmos-handoff-dlq';

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
  return outDir;
}

/**
 * Starts the Worker. `vars` are its environment variables and secrets (as in
 * wrangler.jsonc `vars` and `wrangler secret put`). `queue: false` leaves the
 * HANDOFF binding out (a failed Salesforce publish is then answered 503).
 * @param {{ vars?: Record<string, unknown>, queue?: boolean, assets?: string | false,
 *           port?: number, queueRetries?: number, log?: boolean }} [options]
 * @returns {Promise<{ url: string, mf: import('miniflare').Miniflare, close: () => Promise<void> }>}
 */
export async function startWorker(options = {}) {
  const queue = options.queue !== false;
  const mfOptions = {
    name: 'kosmos-connect',
    bindings: { ...(options.vars ?? {}) },
    durableObjects: { REPLAY: { className: 'ReplayGuard', useSQLite: true } },
    host: '127.0.0.1',
    port: options.port ?? 0,
  };
  if (queue) {
    mfOptions.queueProducers = { HANDOFF: QUEUE };
    mfOptions.queueConsumers = {
      [QUEUE]: { maxBatchSize: 10, maxBatchTimeout: 0.2, maxRetries: options.queueRetries ?? 10, deadLetterQueue: DEAD_LETTER_QUEUE },
    };
  }
  if (options.assets !== false) {
    mfOptions.assets = {
      directory: options.assets ?? buildAssets(),
      binding: 'ASSETS',
      routerConfig: { has_user_worker: true, invoke_user_worker_ahead_of_assets: true },
    };
  }
  if (options.log === false) mfOptions.log = undefined;
  const mf = await startWorkerd(WORKER_SCRIPT, mfOptions);
  const url = (await mf.ready).origin;
  return { url, mf, close: () => mf.dispose() };
}

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
    ...extra,
  };
}
