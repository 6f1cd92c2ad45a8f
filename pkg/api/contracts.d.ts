import type { IalLevel } from './kosmos.js';

/** What a result means for the action waiting on it. */
export type VerdictOutcome = 'approved' | 'rejected' | 'pending';
/** Why, as a stable code. */
export type VerdictReason =
  | 'completed' | 'ial_below_required' | 'not_final' | 'failed' | 'expired' | 'cancelled'
  | 'declined' | 'match' | 'no_match' | 'confidence_below_required';
/** The core's verdict: the one rule the Worker, the component and Apex apply. */
export interface Verdict {
  /** Whether the result will not change any more (`outcome` is then not `pending`). */
  final: boolean;
  outcome: VerdictOutcome;
  reason: VerdictReason;
  /** IDV verdicts only: the level that was required. */
  required_ial?: IalLevel;
}
/**
 * The verdict on an IDV result: `approved` only when completed at `requiredIal`
 * (any spelling `parseIal` reads; default `IAL2`) or above; completed below it
 * is `rejected` with reason `ial_below_required`. Statuses and levels are read
 * as the core's parsers read them; anything else throws `invalid_argument`.
 */
export function idvVerdict(result: { status: string; ial_level?: string | null }, requiredIal?: string): Verdict;
/**
 * The verdict on a step-up result: `match` is `approved` (or `rejected` with
 * `confidence_below_required` when `minConfidence` is given and not reached);
 * `no_match`, cancelled and expired are `rejected`; pending is `pending`.
 */
export function stepUpVerdict(
  result: { status: string; match_result?: string | null; confidence?: number | null },
  minConfidence?: number | null,
): Verdict;
/** `IAL2`, `ial2`, `ial_2`, `2`, `nist_800_63A_ial_2`, ... as `IAL1` | `IAL2` | `IAL3`; anything else throws `invalid_argument`. */
export function parseIal(text: string): IalLevel;
