// The one error class of the package. Every failure of every function is a
// KosmosError with a stable string `code`; see index.d.ts for the codes.

/** An error of kosmos-connect: `code` is stable, `message` is for people. */
export class KosmosError extends Error {
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
