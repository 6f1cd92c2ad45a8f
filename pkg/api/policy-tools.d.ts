import type { PolicyContext, Decision, DecisionKind } from './policy.js';

/** A problem or warning, located in the policy's source text. */
export interface PolicyFinding {
  /** JSON path, like `rules[2].when.all[0]`. */
  path: string;
  /** From 1. */
  line: number;
  /** From 1, in characters. */
  column: number;
  message: string;
  /** How to fix it. */
  hint: string;
}
export interface PolicyValidation {
  valid: boolean;
  problems: PolicyFinding[];
  /** Rules that compile but can never decide (a stricter rule always wins). */
  warnings: PolicyFinding[];
}
/** Every problem with its path, line, column and a hint; never throws for a bad policy. */
export function validatePolicy(source: string | object): PolicyValidation;
/** The canonical text of a policy; throws `invalid_policy` when it is not JSON. */
export function formatPolicy(source: string | object): string;

export interface PolicyTestCase {
  name: string;
  context: PolicyContext;
  /** Only the fields given are compared; `error` expects the context to be refused with that code. */
  expect: Partial<Decision> & { error?: string };
}
export interface PolicyTestFile {
  /** The policy file, relative to the test file (read by the CLI). */
  policy?: string;
  cases: PolicyTestCase[];
}
export interface PolicyTestResult {
  name: string;
  ok: boolean;
  failures: { field: string; expected: unknown; actual: unknown }[];
  /** The decision, or `{ error, message }`. */
  actual: Decision | { error: string; message: string };
}
export interface PolicyTestReport {
  passed: number;
  failed: number;
  cases: PolicyTestResult[];
}
/** Runs a test file against a policy; throws `invalid_policy` / `invalid_input` for a bad policy or test file. */
export function testPolicy(policy: string | object, tests: string | PolicyTestFile): PolicyTestReport;

export interface PolicyBranch {
  path: string;
  true: number;
  false: number;
  /** Times a leaf's data was absent and its `on_missing` answered. */
  missing: number;
}
export interface PolicyCoverage {
  cases: number;
  rules: { id: string; matched: number; decided: number; branches: PolicyBranch[] }[];
  branches_total: number;
  branches_covered: number;
  rules_never_matched: string[];
  warnings: PolicyFinding[];
}
export function policyCoverage(policy: string | object, tests: string | PolicyTestFile): PolicyCoverage;

export interface PolicyImpact {
  total: number;
  changed: number;
  rule_changed: number;
  unreadable: number;
  moves: { from: DecisionKind | 'error'; to: DecisionKind | 'error'; count: number; examples: { line: number; old_rule: string; new_rule: string }[] }[];
  old_counts: [string, number][];
  new_counts: [string, number][];
}
/** Runs both policies over recorded contexts (JSON Lines text, or an array of contexts / decision-log records). */
export function diffPolicies(oldPolicy: string | object, newPolicy: string | object, contexts: string | unknown[]): PolicyImpact;
