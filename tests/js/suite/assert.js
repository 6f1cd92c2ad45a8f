// A tiny assertion library that runs unchanged in Node, workerd and Chromium
// (node:assert is not available in the latter two).

export class AssertionError extends Error {
  constructor(message) {
    super(message);
    this.name = 'AssertionError';
  }
}

const show = (v) => {
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
};

export function ok(value, message = 'expected a truthy value') {
  if (!value) throw new AssertionError(`${message} (got ${show(value)})`);
}

export function equal(actual, expected, message = '') {
  if (!Object.is(actual, expected)) {
    throw new AssertionError(`${message ? message + ': ' : ''}expected ${show(expected)}, got ${show(actual)}`);
  }
}

function canonical(v) {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object' && !(v instanceof Uint8Array)) {
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical(v[k])]));
  }
  return v;
}

export function deepEqual(actual, expected, message = '') {
  const a = show(canonical(actual));
  const e = show(canonical(expected));
  if (a !== e) throw new AssertionError(`${message ? message + ': ' : ''}expected ${e}, got ${a}`);
}

export function match(actual, re, message = '') {
  if (typeof actual !== 'string' || !re.test(actual)) {
    throw new AssertionError(`${message ? message + ': ' : ''}expected ${show(actual)} to match ${re}`);
  }
}

/** Runs fn, expects a KosmosError with `code` (and `field` if given); returns the error. */
export function throwsCode(fn, code, field) {
  let caught;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  if (!caught) throw new AssertionError(`expected a KosmosError \`${code}\`, nothing was thrown`);
  if (caught.name !== 'KosmosError') throw new AssertionError(`expected a KosmosError, got ${caught.name}: ${caught.message}`);
  equal(caught.code, code, `error code (message: ${caught.message})`);
  if (field !== undefined) equal(caught.field, field, 'error field');
  return caught;
}

/** Like throwsCode for async functions. */
export async function rejectsCode(fn, code, field) {
  let caught;
  try {
    await fn();
  } catch (e) {
    caught = e;
  }
  if (!caught) throw new AssertionError(`expected a KosmosError \`${code}\`, nothing was thrown`);
  if (caught.name !== 'KosmosError') throw new AssertionError(`expected a KosmosError, got ${caught.name}: ${caught.message}`);
  equal(caught.code, code, `error code (message: ${caught.message})`);
  if (field !== undefined) equal(caught.field, field, 'error field');
  return caught;
}

/** The error as a plain object, so hosts' results compare. */
export function errorShape(e) {
  return { name: e.name, code: e.code, field: e.field ?? null, message: e.message, instance: e instanceof Error };
}
