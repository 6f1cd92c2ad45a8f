// Reading request bodies with a bound: a declared length over the bound is
// refused before reading, and a stream is cut off as soon as it passes it.
import { HttpError } from './errors.js';

/**
 * Reads the body as bytes, at most `limit` of them; 413 beyond.
 * @param {Request} request
 * @param {number} limit
 * @returns {Promise<Uint8Array>}
 */
export async function readBytes(request, limit) {
  const tooLarge = () => new HttpError(413, 'body_too_large', `the body is larger than ${limit} bytes`);
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > limit) throw tooLarge();
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Decodes UTF-8 text; 400 for invalid UTF-8. */
export function text(bytes) {
  try {
    return decoder.decode(bytes);
  } catch {
    throw new HttpError(400, 'invalid_json', 'the body is not valid UTF-8');
  }
}

/** Parses a JSON object; 400 `invalid_json` for anything else. */
export function parseObject(body) {
  let value;
  try {
    value = JSON.parse(body);
  } catch {
    throw new HttpError(400, 'invalid_json', 'the body is not valid JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new HttpError(400, 'invalid_json', 'the body must be a JSON object');
  }
  return value;
}

/** Refuses a content type other than JSON (an absent one is accepted: some senders omit it). */
export function requireJson(request) {
  const type = request.headers.get('content-type');
  if (type !== null && !/^application\/(?:[\w.+-]+\+)?json\b/i.test(type.trim())) {
    throw new HttpError(415, 'unsupported_media_type', 'the body must be application/json');
  }
}

/**
 * Reads an upstream answer's body as text, at most `limit` bytes (a larger
 * answer is cut there: the core's parser then refuses it as malformed).
 * @param {Response} res
 */
export async function boundedText(res, limit = 1024 * 1024) {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
    if (size >= limit) {
      await reader.cancel().catch(() => {});
      break;
    }
  }
  const out = new Uint8Array(Math.min(size, limit));
  let at = 0;
  for (const c of chunks) {
    const part = c.subarray(0, Math.min(c.byteLength, out.length - at));
    out.set(part, at);
    at += part.byteLength;
  }
  return new TextDecoder().decode(out);
}
