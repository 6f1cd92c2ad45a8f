export type DecisionKind = 'allow' | 'step_up' | 'verify_identity' | 'deny';
export interface Decision {
  /** The winning decision. A matched step_up / verify_identity rule that the context already meets (a step-up within `max_age_s`, `current_ial` high enough) counts as `allow`. */
  decision: DecisionKind;
  /** The winning rule's id, or `default`. */
  rule: string;
  /** Why: one line per matched rule, winning rule first (`id: description`, plus how a met requirement was met). */
  reasons: string[];
  /** Ids of every matched rule, in policy order. */
  matched_rules: string[];
  /** For `verify_identity`: the IAL to prove. */
  required_ial?: 'IAL1' | 'IAL2' | 'IAL3';
  /** For `step_up`: a LiveID step-up younger than this counts (0: always step up). */
  step_up?: { max_age_s: number };
}

/** ISO 4217 codes the policy language supports (with their minor-unit exponents in docs/policy.md). */
export type CurrencyCode = string;

/**
 * The decision context: every field optional, `null` means absent. Unknown
 * keys (outside `custom`) and values of the wrong type or range are
 * `invalid_context` errors naming the field. See docs/policy.md.
 */
export interface PolicyContext {
  /** Unix seconds; required when the policy compares times. */
  now?: number;
  device?: { known?: boolean; trusted?: boolean; id?: string };
  /** IPv4 or IPv6. */
  ip?: string;
  ip_flags?: { anonymous?: boolean; vpn?: boolean; tor?: boolean; proxy?: boolean; hosting?: boolean };
  /** `country`: ISO 3166-1 alpha-2 in upper case; degrees. */
  geo?: { country?: string; lat?: number; lon?: number };
  last_login?: { country?: string; ip?: string; lat?: number; lon?: number; at?: number };
  /** `score` from 0 to 1. */
  risk?: { score?: number; bot?: boolean; impossible_travel?: boolean };
  /** `amount_minor`: a whole number of minor units (cents for USD) with its `currency`. */
  action?: { type?: string; amount_minor?: number; currency?: CurrencyCode; object?: string; record_id?: string };
  user?: { id?: string; roles?: string[] };
  last_step_up_at?: number;
  last_verification_at?: number;
  current_ial?: 0 | 1 | 2 | 3;
  /** The policy's declared signals (`signals`), read as `custom.<name>`. */
  custom?: Record<string, unknown>;
}

/** A compiled policy; compile once, decide many times. */
export declare class Policy {
  private constructor();
  /** Decides for one context (an object or its JSON text); throws `invalid_context` naming the field. */
  decide(context: PolicyContext | string): Decision;
  /** The rule ids, in policy order. */
  ruleIds(): string[];
  free(): void;
}
/** Compiles a policy (JSON text or object); throws `invalid_policy` with `details.problems` (`{ path, message }[]`) listing every problem. */
export function compilePolicy(policy: string | object): Policy;

/** Descope flow context fields read by `descopeContextToSignals`. Booleans and numbers may also arrive as strings. */
export interface DescopeFlowContext {
  riskInfo?: { riskScore?: number | string; botDetected?: boolean | string; impossibleTravel?: boolean | string; vpnDetected?: boolean | string; trustedDevice?: boolean | string };
  user?: { fingerprint?: { knownDevice?: boolean | string }; lastAuth?: { country?: string; ip?: string }; customAttributes?: Record<string, unknown> };
  geo?: { country?: string };
  [key: string]: unknown;
}
/** A decision context from a Descope flow context; throws `invalid_context` naming the Descope field. */
export function descopeContextToSignals(flowContext: DescopeFlowContext, now?: number): PolicyContext;

/** What a Salesforce component or flow sends about the action being gated. */
export interface SalesforceActionContext {
  object?: string;
  recordId?: string;
  actionType?: string;
  /** Major units (`12500.50`), as a number or a decimal string; converted exactly, never rounded. */
  amount?: number | string;
  currency?: CurrencyCode;
  user?: string | { id?: string; roles?: string[] };
  lastStepUpAt?: number;
  lastVerificationAt?: number;
  currentIal?: 0 | 1 | 2 | 3;
}
/** A decision context from a Salesforce action context; throws `invalid_context` naming the Salesforce field. */
export function salesforceContextToSignals(actionContext: SalesforceActionContext, now?: number): PolicyContext;
