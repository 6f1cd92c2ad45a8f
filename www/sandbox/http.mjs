// Small HTTP helpers shared by the stand-ins (Node only, loopback only).
import { createServer } from 'node:http';

/** Reads a request body as text, refusing more than `limit` bytes. */
export function readBody(req, limit = 1024 * 1024) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > limit) {
        reject(Object.assign(new Error('body too large'), { status: 413 }));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, DELETE, OPTIONS',
  'access-control-allow-headers': 'content-type',
};

/** Sends JSON (with CORS headers, so the playground page can read the `/__` views). */
export function sendJson(res, status, value, headers = {}) {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), ...CORS, ...headers });
  res.end(body);
}

export function sendHtml(res, status, html) {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', ...CORS });
  res.end(html);
}

export function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

/**
 * Starts `handler(req, res, url)` on 127.0.0.1 (`port` 0 picks a free one).
 * Returns `{ server, url, close }`. Thrown errors become JSON 500s; CORS
 * preflights are answered.
 */
export function serve(handler, { port = 0, host = '127.0.0.1' } = {}) {
  const sockets = new Set();
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, `http://${host}`);
    if (req.method === 'OPTIONS') {
      res.writeHead(204, CORS).end();
      return;
    }
    try {
      await handler(req, res, url);
    } catch (e) {
      if (!res.headersSent) {
        const error = { code: e.code ?? 'internal', message: e.message };
        if (e.field) error.field = e.field;
        sendJson(res, e.status ?? 500, { error });
      }
      else res.destroy();
    }
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.keepAliveTimeout = 5_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const origin = `http://${host}:${server.address().port}`;
      resolve({
        server,
        url: origin,
        close: () => new Promise((done) => {
          server.close(() => done());
          for (const s of sockets) s.destroy();
        }),
      });
    });
  });
}

/** An error the handlers throw to answer `{ error: { code, message, field? } }`. */
export function apiError(status, code, message, field) {
  const e = new Error(message);
  e.status = status;
  e.code = code;
  e.field = field;
  return e;
}
