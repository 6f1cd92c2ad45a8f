import type { PolicyContext, Decision } from './policy.js';

export interface DecisionLogConfig {
  ip?: 'truncate' | 'drop' | 'keep';
  ids?: 'hash' | 'drop' | 'keep';
  /** HMAC key for `ids: 'hash'` (at least 16 characters). */
  key?: string;
  geo?: 'round' | 'drop' | 'keep';
  custom?: 'keep' | 'drop';
  /** 256..65536, default 4096. */
  max_bytes?: number;
}
/** One decision-log line (JSON text) with the context reduced as configured. */
export function decisionLogRecord(context: PolicyContext | string, decision: Pick<Decision, 'decision' | 'rule'>, config?: DecisionLogConfig | string): string;
