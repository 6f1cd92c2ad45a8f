// Node-side helpers that run the shared suite in each host: Node itself,
// workerd (through miniflare) and headless Chromium (through playwright-core).
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { join, dirname, extname, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Every JSON file under tests/vectors/ (and one folder deep), keyed by its
 * path without `.json`: `published-webhooks`, `oidc/id_tokens`. */
export function loadVectors() {
  const dir = join(root, 'tests', 'vectors');
  const out = {};
  const read = (sub) => {
    for (const name of readdirSync(join(dir, sub))) {
      const path = join(dir, sub, name);
      if (statSync(path).isDirectory()) {
        if (sub === '') read(name);
      } else if (name.endsWith('.json')) {
        out[`${sub ? `${sub}/` : ''}${name.slice(0, -5)}`] = JSON.parse(readFileSync(path, 'utf8'));
      }
    }
  };
  read('');
  return out;
}

/** The shared suite in this Node process against `entry` (a key of `entries` in suite/index.js). */
export async function runInNode(extraEnv = {}, entry = 'full') {
  const { runAll, entries } = await import('./suite/index.js');
  const { dir, suites } = entries[entry];
  const k = await import(`../../${dir}/node.js`);
  const { call } = await import(`../../${dir}/core.js`);
  const trap = () => call((g) => g.__kosmosSelfTestTrap());
  return runAll(k, { host: 'node', vectors: loadVectors(), suites, trap, ...extraEnv });
}

/** Starts a Miniflare (workerd) instance running `scriptPath` with the package's wasm as CompiledWasm. */
/** Resolves with fn()'s first truthy value (fn may be async), polling every 50 ms; throws after `ms`. */
export async function waitFor(what, fn, ms = 15_000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** How a worker script of this repository is loaded: ES modules and the .wasm as CompiledWasm. */
export function workerdModuleOptions(scriptPath) {
  return {
    modules: true,
    scriptPath,
    modulesRoot: root,
    modulesRules: [
      { type: 'ESModule', include: ['**/*.js', '**/*.mjs'] },
      { type: 'CompiledWasm', include: ['**/*.wasm'] },
    ],
    compatibilityDate: '2025-09-01',
  };
}

export async function startWorkerd(scriptPath, options = {}) {
  const { Miniflare } = await import('miniflare');
  // With `workers` (several workers), each entry carries its own module options.
  const mf = new Miniflare(options.workers ? options : { ...workerdModuleOptions(scriptPath), ...options });
  await mf.ready;
  return mf;
}

/** The shared suite in workerd against `entry`: each entry has its Worker script in tests/js/hosts/. */
export async function runInWorkerd(extraBindings = {}, entry = 'full') {
  const script = entry === 'full' ? 'workerd-entry.js' : `workerd-${entry}-entry.js`;
  const mf = await startWorkerd(join(root, 'tests', 'js', 'hosts', script), {
    bindings: { VECTORS: loadVectors(), ...extraBindings },
  });
  try {
    const res = await mf.dispatchFetch('http://localhost/');
    return await res.json();
  } finally {
    await mf.dispose();
  }
}

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** A static file server for the repository on 127.0.0.1 (a random port); `/__vectors` serves the vectors. */
export function serveRepo(port = 0) {
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    if (url.pathname === '/__vectors') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(loadVectors()));
      return;
    }
    if (url.pathname === '/') {
      res.writeHead(302, { location: '/www/playground/' }).end();
      return;
    }
    let path = normalize(join(root, decodeURIComponent(url.pathname)));
    if (!path.startsWith(root + sep)) {
      res.writeHead(403).end();
      return;
    }
    try {
      if (statSync(path).isDirectory()) path = join(path, 'index.html');
      const body = readFileSync(path);
      res.writeHead(200, { 'content-type': MIME[extname(path)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  return new Promise((resolve) => {
    server.listen(port, '127.0.0.1', () => resolve({ server, origin: `http://127.0.0.1:${server.address().port}` }));
  });
}

export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run',
];

/** Launches Debian's headless Chromium through playwright-core. */
export async function launchChromium() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

/** The shared suite in headless Chromium against `entry` (the page loads only that entry). */
export async function runInChromium(entry = 'full') {
  const { server, origin } = await serveRepo();
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${origin}/tests/js/hosts/browser.html?entry=${entry}`);
    await page.waitForFunction(() => window.__results !== undefined || document.getElementById('out').textContent !== 'running…', null, { timeout: 60_000 });
    const results = await page.evaluate(() => window.__results);
    if (!results) throw new Error(`the browser suite did not run: ${errors.join('; ')}`);
    return results;
  } finally {
    await browser.close();
    server.close();
  }
}
