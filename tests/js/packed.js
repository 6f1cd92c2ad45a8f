// The package as users get it: `npm pack` of this repository, installed from
// the tarball into a fresh project in a temporary directory, and what the
// consumer tests do with such a project (bundle a Worker with wrangler and run
// it in workerd, serve a browser bundle). Used by tests/js/consumers.test.js
// and tests/js/readme-examples.test.js.
import { execFile } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, extname, normalize } from 'node:path';
import { promisify } from 'node:util';
import { root } from './hosts.js';
import { bundleWorker, bundleModuleOptions } from '../../www/worker/dev.mjs';

export const run = promisify(execFile);

/** npm, quiet and offline-friendly (the tarball has no dependencies to fetch). */
export function npm(args, cwd) {
  return run('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, maxBuffer: 16 * 1024 * 1024 });
}

/**
 * Packs the repository (its `prepack` guard included) into a new temporary
 * directory and installs the tarball into `<dir>/app`, a project of its own.
 * @returns {Promise<{ dir: string, tarball: string, app: string, installed: string }>}
 */
export async function packAndInstall() {
  const dir = mkdtempSync(join(tmpdir(), 'kosmos-consumer-'));
  const { stdout } = await npm(['pack', '--json', '--pack-destination', dir], root);
  const tarball = join(dir, JSON.parse(stdout)[0].filename);
  const app = join(dir, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }, null, 2));
  await npm(['install', tarball, '--offline'], app);
  return { dir, tarball, app, installed: join(app, 'node_modules', 'kosmos-connect') };
}

/** Writes `files` (path relative to `dir` -> text) under `dir`. */
export function writeFiles(dir, files) {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
}

/**
 * Bundles the Worker project at `project` (its wrangler.jsonc) as
 * `wrangler deploy` would and starts the bundle in workerd.
 * @returns {Promise<import('miniflare').Miniflare>} (`ready` may reject: the Worker failed to start)
 */
export async function bundledWorker(project, { bindings = {}, compatibilityDate = '2025-09-01' } = {}) {
  const config = join(project, 'wrangler.jsonc');
  const bundle = await bundleWorker({ config, inputs: [config, join(project, 'src'), join(project, 'node_modules', 'kosmos-connect')] });
  const { Miniflare } = await import('miniflare');
  return new Miniflare({ ...bundleModuleOptions(bundle), compatibilityDate, bindings, host: '127.0.0.1', port: 0 });
}

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json' };

/** Serves `dir` on a free loopback port. */
export function serveDir(dir) {
  const server = createServer((req, res) => {
    const path = normalize(join(dir, decodeURIComponent(new URL(req.url, 'http://x').pathname)));
    const file = path.startsWith(dir) && existsSync(path) && statSync(path).isDirectory() ? join(path, 'index.html') : path;
    if (!file.startsWith(dir) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) }));
  });
}

/** The fenced block after `<!-- example: name -->` in README.md, exactly as written. */
export function readmeExample(name) {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const marker = `<!-- example: ${name} -->\n`;
  const at = readme.indexOf(marker);
  if (at < 0) throw new Error(`README.md has no \`${marker.trim()}\``);
  const m = /^```[\w-]*\n([\s\S]*?)^```$/m.exec(readme.slice(at + marker.length));
  if (!m || m.index !== 0) throw new Error(`README.md: no fenced block right after \`${marker.trim()}\``);
  return m[1];
}
