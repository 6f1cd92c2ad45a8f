import type { HeadersInput, HttpRequest } from './common.js';

export type DocumentType = 'drivers_license' | 'passport' | 'id_card' | 'residence_permit';
export type LivenessMode = 'passive' | 'active';
export type IdvStatus = 'pending' | 'in_progress' | 'completed' | 'failed' | 'expired' | 'declined';
export type IalLevel = 'IAL1' | 'IAL2' | 'IAL3';

/** A verify-v1 deployment. `api_key` never appears in errors or logs. */
export interface VerifyV1Config { base_url: string; api_key: string }
export interface CreateIdvSession {
  document_types: DocumentType[];
  liveness_mode: LivenessMode;
  /** https, or http on loopback hosts only. */
  callback_url?: string;
  /** At most 32 entries; keys 1-64 bytes, values up to 512 bytes. */
  metadata?: Record<string, string>;
}
export interface IdvResult {
  status: IdvStatus;
  ial_level: IalLevel | null;
  /** OpenID Connect for Identity Assurance 1.0 `verified_claims`. */
  verified_claims: Record<string, unknown> | null;
}

/** Builds `POST {base}/v1/verify/sessions` with a fresh Idempotency-Key. */
export function buildCreateIdvSession(config: VerifyV1Config, request: CreateIdvSession): HttpRequest;
/** Parses the answer to `GET {base}/v1/verify/sessions/{id}`; non-2xx answers throw with `details.status` and `details.retryable`. */
export function parseIdvResult(status: number, headers: HeadersInput | null, body: string): IdvResult;
