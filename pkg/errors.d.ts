import type { KosmosErrorCode } from './codes.js';
/** Every stable error code the package throws: generated from the core's table (src/codes.rs). */
export type { KosmosErrorClass, KosmosErrorCode } from './codes.js';

/** The one error class: `code` is stable, `message` is for people, `field` names the input concerned. */
export declare class KosmosError extends Error {
  constructor(code: KosmosErrorCode | string, message: string, extra?: { field?: string; details?: Record<string, unknown>; cause?: unknown });
  readonly name: 'KosmosError';
  readonly code: KosmosErrorCode;
  readonly field?: string;
  /** Machine-readable extras, e.g. `{ status, retryable, retry_after_s }` for API errors, `{ problems }` for policies. */
  readonly details?: Record<string, unknown>;
  toJSON(): { code: string; message: string; field?: string };
  /** True for a KosmosError of either entry (`kosmos-connect` or `kosmos-connect/policy`): an app may load both. */
  static [Symbol.hasInstance](value: unknown): boolean;
}
