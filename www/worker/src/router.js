// A small exact-path router: `{ 'POST /v1/x': handler }`. Unknown paths get
// 404, known paths with another method 405 with `allow`.
import { HttpError } from './errors.js';

/** Builds `route(request, ...args)` from a `{ 'METHOD /path': handler }` table. */
export function router(table, fallback) {
  const byPath = new Map();
  for (const [key, handler] of Object.entries(table)) {
    const [method, path] = key.split(' ');
    if (!byPath.has(path)) byPath.set(path, new Map());
    byPath.get(path).set(method, handler);
  }
  return (request, ...args) => {
    const { pathname } = new URL(request.url);
    const methods = byPath.get(pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname);
    if (methods) {
      const handler = methods.get(request.method) ?? (request.method === 'HEAD' ? methods.get('GET') : undefined);
      if (handler) return handler(request, ...args);
      throw new HttpError(405, 'method_not_allowed', `${request.method} is not allowed here`, { headers: { allow: [...methods.keys()].join(', ') } });
    }
    if (fallback) return fallback(request, ...args);
    throw new HttpError(404, 'not_found', 'there is nothing at this path');
  };
}
