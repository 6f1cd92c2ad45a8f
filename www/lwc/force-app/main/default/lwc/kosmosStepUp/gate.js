// The policy side of the gate: which policy applies (from the component's
// design attributes), the decision context for one action, and the
// decision itself, through the kosmos-connect core (compilePolicy/decide).

/** Policies the component knows by name. `amount-threshold` is built from the thresholds. */
export const POLICY_NAMES = ['amount-threshold', 'custom'];

const compiled = new Map();

function number(value, name) {
    if (value === undefined || value === null || value === '') return undefined;
    const n = typeof value === 'number' ? value : Number(String(value).trim());
    if (!Number.isFinite(n) || n < 0) {
        throw new GateError(`${name} must be a number of at least 0, got ${JSON.stringify(value)}.`);
    }
    return n;
}

/** A configuration problem an administrator has to fix (a bad design attribute). */
export class GateError extends Error {
    constructor(message) {
        super(message);
        this.name = 'GateError';
    }
}

/**
 * The policy document for a configuration:
 * `{ policyName, policyJson, stepUpAbove, verifyAbove, currency, stepUpMaxAgeS, requiredIal }`.
 * `amount-threshold`: an amount above `verifyAbove` needs identity proofing
 * (IDV at `requiredIal`), above `stepUpAbove` a LiveID step-up; an amount
 * in another currency than `currency` is stepped up (fail closed), and so is
 * an action of a type listed in `alwaysStepUp`. `custom`: `policyJson`.
 */
export function policyFor(config) {
    const name = config.policyName || 'amount-threshold';
    if (name === 'custom') {
        if (!config.policyJson) throw new GateError('The custom policy is empty: set the Policy JSON attribute.');
        try {
            return JSON.parse(config.policyJson);
        } catch (e) {
            throw new GateError(`The custom policy is not valid JSON: ${e.message}`);
        }
    }
    if (name !== 'amount-threshold') {
        throw new GateError(`Unknown policy ${JSON.stringify(name)}; use one of ${POLICY_NAMES.join(', ')}.`);
    }
    const currency = String(config.currency || 'USD').trim().toUpperCase();
    const stepUpAbove = number(config.stepUpAbove, 'Step-up threshold');
    const verifyAbove = number(config.verifyAbove, 'Identity proofing threshold');
    // Any spelling of an IAL (`IAL2`, `ial2`, `2`, `nist_800_63A_ial_2`): the core's policy compiler reads it.
    const requiredIal = String(config.requiredIal || 'IAL2').trim();
    const maxAge = number(config.stepUpMaxAgeS, 'Step-up max age') ?? 300;
    // Thresholds are decimals in major units; the core converts them to
    // minor units exactly with the currency's exponent.
    const over = (n) => ({ amount_above: { [currency]: String(n) }, on_other_currency: 'no_match' });
    const rules = [];
    if (verifyAbove !== undefined) {
        rules.push({
            id: 'verify-above-threshold',
            description: `amount above ${verifyAbove} ${currency}`,
            when: over(verifyAbove),
            then: { decision: 'verify_identity', required_ial: requiredIal }
        });
    }
    if (stepUpAbove !== undefined) {
        rules.push({
            id: 'step-up-above-threshold',
            description: `amount above ${stepUpAbove} ${currency}`,
            when: over(stepUpAbove),
            then: { decision: 'step_up', max_age_s: maxAge }
        });
    }
    rules.push({
        id: 'other-currency',
        description: `an amount in another currency than ${currency}`,
        when: {
            all: [
                { signal: 'action.amount_minor', op: 'present' },
                { not: { signal: 'action.currency', op: 'eq', value: currency } }
            ]
        },
        then: { decision: 'step_up', max_age_s: maxAge }
    });
    const always = String(config.alwaysStepUp || '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    if (always.length) {
        rules.push({
            id: 'sensitive-action',
            description: `${always.join(', ')} always needs a step-up`,
            when: { action: always },
            then: { decision: 'step_up', max_age_s: maxAge }
        });
    }
    return {
        version: 1,
        rules,
        default: { decision: 'allow' }
    };
}

/**
 * The decision context for one action `{ type, amount, currency, recordId, objectApiName }`,
 * through the core's Salesforce adapter: the amount arrives as Salesforce gives
 * it (a number or a decimal string) and becomes exact minor units of its
 * currency; an amount with more decimals than the currency has is refused.
 */
export function contextFor(kosmos, action) {
    const input = {};
    if (action.type) input.actionType = String(action.type);
    const amount = number(action.amount, 'The amount');
    if (amount !== undefined) input.amount = typeof action.amount === 'string' ? action.amount.trim() : amount;
    if (action.currency) input.currency = String(action.currency).trim().toUpperCase();
    if (action.objectApiName) input.object = String(action.objectApiName);
    if (action.recordId) input.recordId = String(action.recordId);
    return kosmos.salesforceContextToSignals(input);
}

/** Compiles (once per policy text) and decides. `kosmos` is the kosmos-connect module. */
export function decide(kosmos, config, action) {
    const text = JSON.stringify(policyFor(config));
    let policy = compiled.get(text);
    if (!policy) {
        policy = kosmos.compilePolicy(text);
        compiled.set(text, policy);
    }
    return policy.decide(contextFor(kosmos, action));
}
