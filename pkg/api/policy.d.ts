export type DecisionKind = 'allow' | 'step_up' | 'verify_identity' | 'deny';
export interface Decision {
  decision: DecisionKind;
  /** The winning rule's id, or `default`. */
  rule: string;
  /** Why, winning rule first. */
  reasons: string[];
  matched_rules: string[];
  required_ial?: 'IAL1' | 'IAL2' | 'IAL3';
  step_up?: { max_age_s: number };
}
/** A compiled policy; compile once, decide many times. */
export declare class Policy {
  private constructor();
  decide(context: Record<string, unknown>): Decision;
  free(): void;
}
/** Compiles a policy (JSON text or object); throws `invalid_policy` with `details.problems` listing every problem. */
export function compilePolicy(policy: string | object): Policy;
