// The one error class of the package. Every failure of every function is a
// KosmosError with a stable string `code`; see index.d.ts for the codes.

// Each entry of the package (`kosmos-connect`, `kosmos-connect/policy`) has
// its own copy of this class. One brand, registered globally, makes an error
// of either entry `instanceof` the KosmosError of either.
const BRAND = Symbol.for('kosmos-connect.KosmosError');

/** An error of kosmos-connect: `code` is stable, `message` is for people. */
export class KosmosError extends Error {
  /** True for a KosmosError of any entry of the package (subclasses check their own prototype chain). */
  static [Symbol.hasInstance](value) {
    if (this !== KosmosError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return value !== null && (typeof value === 'object' || typeof value === 'function') && value[BRAND] === true;
  }

  /**
   * @param {string} code stable machine code, e.g. `bad_format`
   * @param {string} message what went wrong, for a person
   * @param {{ field?: string, details?: object, cause?: unknown }} [extra]
   */
  constructor(code, message, extra = {}) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.name = 'KosmosError';
    this.code = code;
    if (extra.field !== undefined) this.field = extra.field;
    if (extra.details !== undefined) this.details = extra.details;
  }

  /** A plain object for logs and JSON answers: `{ code, message, field? }`. */
  toJSON() {
    const out = { code: this.code, message: this.message };
    if (this.field !== undefined) out.field = this.field;
    return out;
  }
}

Object.defineProperty(KosmosError.prototype, BRAND, { value: true });
