// kosmosStepUp: gates one high-risk action behind a 1Kosmos LiveID step-up
// (or identity proofing), decided in the browser by the kosmos-connect core.
//
// 1. loads the core's WebAssembly from the static resource (fetch ->
//    arrayBuffer -> init: no Blob, no streaming compile, as Lightning Web
//    Security requires);
// 2. decides with the policy named by the design attributes;
// 3. when the decision asks for it, starts a challenge through the Apex
//    gateway (KosmosGateway; Apex calls the Worker, signed, through the
//    Named Credential Kosmos_Worker), shows its link and QR code, and reads
//    the result until the core's verdict (sent by the Worker, passed on by
//    Apex) is final;
// 4. an approved verdict counts only once Apex has re-read the result from
//    the Worker (confirmStepUp / confirmIdv): the final "passed" is the
//    server's, never the browser's;
// 5. fires `gatedecision`, then `stepupcomplete` or `stepupfailed`.
//
// The browser never calls the Worker. The policy decision in the browser is a
// shortcut for the page (whether to ask at all); whatever performs the gated
// action on the server re-checks with confirmStepUp / Get Step-Up Result.
// The Worker publishes the Kosmos_Verification__e event and writes the Task
// on the record: this component only reads results, it records nothing.
import { LightningElement, api, wire } from 'lwc';
import { getRecord } from 'lightning/uiRecordApi';
import { FlowAttributeChangeEvent } from 'lightning/flowSupport';
import KOSMOS_WASM from '@salesforce/resourceUrl/kosmosConnect';
import startStepUp from '@salesforce/apex/KosmosGateway.startStepUp';
import readStepUp from '@salesforce/apex/KosmosGateway.readStepUp';
import confirmStepUp from '@salesforce/apex/KosmosGateway.confirmStepUp';
import startIdv from '@salesforce/apex/KosmosGateway.startIdv';
import readIdv from '@salesforce/apex/KosmosGateway.readIdv';
import confirmIdv from '@salesforce/apex/KosmosGateway.confirmIdv';
import * as kosmos from 'c/kosmosConnect';
import { decide, GateError } from './gate';
import { GatewayError, confirmVerification, startVerification, waitForResult } from './gateway';
import { qrSvg } from './qr';

const GATEWAY = { startStepUp, readStepUp, confirmStepUp, startIdv, readIdv, confirmIdv };
const DEFAULT_TIMEOUT_S = 120;
const REQUEST_TIMEOUT_MS = 10000;
const POLL_INTERVAL_MS = 2000;
const IDV_DOCUMENTS = 'passport,drivers_license,id_card';

let coreLoading;

/** Loads the WebAssembly core once per page; a failed load can be retried. */
function loadCore(timeoutMs) {
    if (!coreLoading) {
        coreLoading = (async () => {
            const controller = new AbortController();
            // eslint-disable-next-line @lwc/lwc/no-async-operation
            const timer = setTimeout(() => controller.abort(), timeoutMs);
            try {
                let res;
                try {
                    res = await fetch(KOSMOS_WASM, { signal: controller.signal });
                } catch (e) {
                    throw new GatewayError(
                        controller.signal.aborted ? 'timeout' : 'resource',
                        'The verification module could not be downloaded. Check the connection and try again.'
                    );
                }
                if (!res.ok) {
                    throw new GatewayError('resource', `The verification module could not be downloaded (HTTP ${res.status}).`);
                }
                const bytes = await res.arrayBuffer();
                await kosmos.init(bytes);
            } finally {
                clearTimeout(timer);
            }
        })().catch((e) => {
            coreLoading = undefined;
            throw e;
        });
    }
    return coreLoading;
}

function formatAmount(amount, currency) {
    if (amount === undefined || amount === null || amount === '') return '';
    const n = Number(amount);
    if (!Number.isFinite(n)) return String(amount);
    try {
        return new Intl.NumberFormat(undefined, { style: 'currency', currency: currency || 'USD' }).format(n);
    } catch (e) {
        return `${n} ${currency || ''}`.trim();
    }
}

/** `rule-id: description` -> `description`. */
function reasonText(decision) {
    const first = decision && Array.isArray(decision.reasons) ? decision.reasons[0] : '';
    if (!first) return '';
    const i = first.indexOf(': ');
    return i >= 0 ? first.slice(i + 2) : first;
}

function humanize(type) {
    if (!type) return 'This action';
    const words = String(type).replace(/^x_/, '').replace(/_/g, ' ');
    return words.charAt(0).toUpperCase() + words.slice(1);
}

export default class KosmosStepUp extends LightningElement {
    // The action being gated. On a record page `recordId` and `objectApiName`
    // come from the page; the amount from `amount`, or from the record field
    // named by `amountField`.
    @api recordId;
    @api objectApiName;

    // A new action (a parent or a reactive flow screen changing it) is decided
    // again, unless a challenge is under way or done.
    @api
    get actionType() {
        return this._actionType;
    }
    set actionType(v) {
        this._actionType = v;
        this.queueEvaluate();
    }

    @api
    get amount() {
        return this._amount;
    }
    set amount(v) {
        this._amount = v;
        this.queueEvaluate();
    }

    @api
    get currency() {
        return this._currency;
    }
    set currency(v) {
        this._currency = v;
        this.queueEvaluate();
    }

    @api amountField;
    @api currencyField;
    // The currency the thresholds are in; amounts in another currency are stepped up.
    @api thresholdCurrency = 'USD';

    // Policy (design attributes).
    @api policyName = 'amount-threshold';
    @api policyJson;
    @api stepUpAbove = 10000;
    @api verifyAbove;
    @api alwaysStepUp;
    @api requiredIal = 'IAL2';

    // The challenge is always for the running user: Apex takes the user's
    // email (UserInfo), never a name from the browser.
    @api timeoutSeconds = DEFAULT_TIMEOUT_S;
    @api autoStart = false;
    // Time between two reads of a pending result (ms), for tests and slow tenants.
    @api pollIntervalMs = POLL_INTERVAL_MS;
    // Longest wait for one request (the module download, each gateway call).
    @api requestTimeoutMs = REQUEST_TIMEOUT_MS;

    phase = 'loading';
    decisionResult;
    kind;
    _verificationId;
    challengeUrl;
    qr;
    statusText = 'Checking whether this action needs verification…';
    messageTitle;
    messageText;
    errorText;
    outcome;
    lastResult;
    recordData;
    recordError;

    _actionType = 'funds_transfer';
    _amount;
    _currency;
    _evaluation = 0;
    _verified = false;
    _matchResult;
    _confidence;
    _retry;
    _run = 0;
    _focus;
    _connected = false;
    _evaluateQueued = false;

    // Flow outputs (read-only for the flow).
    @api
    get verified() {
        return this._verified;
    }
    set verified(v) {
        // Output only: "verified" comes from the server's re-check, never from a value set on the element.
        void v;
    }

    @api
    get verificationId() {
        return this._verificationId;
    }
    set verificationId(v) {
        this._verificationId = v;
    }

    @api
    get matchResult() {
        return this._matchResult;
    }
    set matchResult(v) {
        this._matchResult = v;
    }

    @api
    get confidence() {
        // Flow has no decimal type for screen component outputs: text, like `0.97`.
        return this._confidence === undefined ? undefined : String(this._confidence);
    }
    set confidence(v) {
        const n = Number(v);
        this._confidence = v === undefined || v === null || v === '' || !Number.isFinite(n) ? undefined : n;
    }

    @api
    get decision() {
        return this.decisionResult ? this.decisionResult.decision : undefined;
    }
    set decision(v) {
        // Output only; a value set by the flow is ignored.
        void v;
    }

    /** Flow screen validation: the flow moves on only once the gate is passed. */
    @api
    validate() {
        if (this._verified || this.phase === 'allowed') return { isValid: true };
        return {
            isValid: false,
            errorMessage: this.phase === 'denied' ? 'This action is not allowed.' : 'Complete the identity check before you continue.'
        };
    }

    /** Starts the challenge now (when the decision asked for one). */
    @api
    start() {
        if (this.phase === 'required' || this.phase === 'failed') this.startChallenge();
    }

    get recordFields() {
        const obj = this.objectApiName;
        if (!obj || !this.recordId) return undefined;
        const fields = [this.amountField, this.currencyField].filter(Boolean).map((f) => (f.includes('.') ? f : `${obj}.${f}`));
        return fields.length ? fields : undefined;
    }

    get fieldsRecordId() {
        return this.recordFields ? this.recordId : undefined;
    }

    @wire(getRecord, { recordId: '$fieldsRecordId', optionalFields: '$recordFields' })
    wiredRecord({ data, error }) {
        if (data) {
            this.recordData = data;
            this.recordError = undefined;
            this.queueEvaluate();
        } else if (error) {
            this.recordError = error;
            this.queueEvaluate();
        }
    }

    connectedCallback() {
        this._connected = true;
        this.queueEvaluate();
    }

    disconnectedCallback() {
        this._connected = false;
        this.abortInFlight();
    }

    renderedCallback() {
        if (!this._focus) return;
        const target = this.template.querySelector(this._focus);
        if (target) {
            this._focus = undefined;
            target.focus();
        }
    }

    // ----- view state -------------------------------------------------

    get isLoading() {
        return this.phase === 'loading' || this.phase === 'starting';
    }
    get isRequired() {
        return this.phase === 'required';
    }
    get isChallenge() {
        return this.phase === 'challenge';
    }
    get hasMessage() {
        return ['allowed', 'denied', 'verified', 'failed'].includes(this.phase);
    }
    get hasError() {
        return this.phase === 'error';
    }
    get canRetry() {
        return this.phase === 'failed' || (this.phase === 'error' && !!this._retry);
    }
    get messageClass() {
        return `message message_${this.phase}`;
    }
    get isIdv() {
        return this.kind === 'idv';
    }
    get challengeHeading() {
        return this.isIdv ? 'Verify your identity' : 'Confirm it is you with LiveID';
    }
    get challengeInstructions() {
        return this.isIdv
            ? 'Scan the code with your phone to photograph your ID document and take a selfie, or open the link on this device.'
            : 'Scan the code with the 1Kosmos app on your phone, or open the link on this device, and complete the face match.';
    }
    get challengeLinkText() {
        return this.isIdv ? 'Open the identity verification' : 'Open the LiveID challenge';
    }
    get startLabel() {
        return this.kind === 'idv' ? 'Verify my identity' : 'Verify with LiveID';
    }
    get qrViewBox() {
        return this.qr ? `0 0 ${this.qr.size} ${this.qr.size}` : '0 0 1 1';
    }
    get qrPath() {
        return this.qr ? this.qr.path : '';
    }
    get qrLabel() {
        return `QR code for ${this.challengeUrl || 'the challenge'}`;
    }
    get actionSummary() {
        const action = this.action();
        const amount = formatAmount(action.amount, action.currency);
        return amount ? `${humanize(action.type)}: ${amount}` : humanize(action.type);
    }

    // ----- the action -------------------------------------------------

    action() {
        let amount = this.amount;
        let currency = this.currency;
        if ((amount === undefined || amount === null || amount === '') && this.recordData && this.amountField) {
            amount = this.fieldValue(this.amountField);
        }
        if (!currency && this.recordData && this.currencyField) {
            currency = this.fieldValue(this.currencyField);
        }
        return {
            type: this.actionType,
            amount,
            currency: currency || 'USD',
            recordId: this.recordId,
            objectApiName: this.objectApiName
        };
    }

    fieldValue(field) {
        const name = field.includes('.') ? field.split('.').pop() : field;
        const f = this.recordData && this.recordData.fields ? this.recordData.fields[name] : undefined;
        return f ? f.value : undefined;
    }

    waitingForRecord() {
        return !!(this.recordFields && !this.recordData && !this.recordError && (this.amount === undefined || this.amount === null || this.amount === ''));
    }

    // ----- flow -------------------------------------------------------

    queueEvaluate() {
        if (this._evaluateQueued) return;
        this._evaluateQueued = true;
        Promise.resolve().then(() => {
            this._evaluateQueued = false;
            if (this._connected && ['loading', 'allowed', 'denied', 'required', 'error'].includes(this.phase)) {
                this.evaluate();
            }
        });
    }

    async evaluate() {
        this.abortInFlight();
        const evaluation = ++this._evaluation;
        this.phase = 'loading';
        this.errorText = undefined;
        this.statusText = 'Checking whether this action needs verification…';
        if (this.waitingForRecord()) return;
        try {
            await loadCore(this.requestTimeout());
        } catch (e) {
            if (evaluation === this._evaluation) this.fail(e, () => this.evaluate());
            return;
        }
        // A newer evaluation started while the module loaded: it decides.
        if (evaluation !== this._evaluation || !this._connected) return;
        const action = this.action();
        let decision;
        try {
            decision = decide(kosmos, this.config(), action);
        } catch (e) {
            this.fail(e, undefined);
            return;
        }
        this.decisionResult = decision;
        this.dispatch(new FlowAttributeChangeEvent('decision', decision.decision));
        this.dispatchEvent(new CustomEvent('gatedecision', { detail: { ...decision, action: this.actionDetail(action) } }));
        const why = reasonText(decision);
        if (decision.decision === 'allow') {
            this.phase = 'allowed';
            this.messageTitle = 'No extra verification needed';
            this.messageText = 'You can go ahead with this action.';
            this.statusText = 'Allowed without verification.';
        } else if (decision.decision === 'deny') {
            this.phase = 'denied';
            this.messageTitle = 'This action is blocked';
            this.messageText = why ? `Blocked by policy: ${why}.` : 'Blocked by policy.';
            this.statusText = 'This action is blocked by policy.';
        } else {
            this.kind = decision.decision === 'verify_identity' ? 'idv' : 'step_up';
            this.phase = 'required';
            const what = this.kind === 'idv' ? `identity verification (${decision.required_ial || this.requiredIal})` : 'a LiveID step-up';
            this.messageText = why ? `This action needs ${what}: ${why}.` : `This action needs ${what}.`;
            this.statusText = this.messageText;
            if (this.autoStart === true || this.autoStart === 'true') this.startChallenge();
        }
    }

    requestTimeout() {
        const n = Number(this.requestTimeoutMs);
        return n > 0 ? n : REQUEST_TIMEOUT_MS;
    }

    config() {
        return {
            policyName: this.policyName,
            policyJson: this.policyJson,
            stepUpAbove: this.stepUpAbove,
            verifyAbove: this.verifyAbove,
            alwaysStepUp: this.alwaysStepUp,
            requiredIal: this.requiredIal,
            currency: this.thresholdCurrency || 'USD'
        };
    }

    actionDetail(action) {
        return {
            type: action.type,
            amount: action.amount,
            currency: action.currency,
            record_id: action.recordId,
            object: action.objectApiName
        };
    }

    /** What the user confirms, as the Worker's step-up `action` (text shown in the LiveID prompt). */
    actionText(action) {
        const amount = formatAmount(action.amount, action.currency);
        const what = amount ? `${humanize(action.type)} of ${amount}` : humanize(action.type);
        const on = action.recordId ? ` (${action.objectApiName || 'record'} ${action.recordId})` : '';
        return `${what}${on}`.slice(0, 255);
    }

    /** A step-up's or session's id as the gateway's read/confirm methods take it. */
    readParams(kind) {
        if (kind === 'idv') return { sessionId: this._verificationId, requiredIal: this.requiredIalNow() };
        return { challengeId: this._verificationId };
    }

    requiredIalNow() {
        return (this.decisionResult && this.decisionResult.required_ial) || this.requiredIal;
    }

    /** A token for the current run: an answer that arrives after a newer start, a cancel or a disconnect is dropped. */
    newRun() {
        const run = ++this._run;
        return () => run === this._run && this._connected;
    }

    async startChallenge() {
        this.abortInFlight();
        const isCurrent = this.newRun();
        const action = this.action();
        const kind = this.kind || 'step_up';
        // The gateway starts it for the running user and keeps the record id
        // with it (the Worker writes the Task there).
        const params =
            kind === 'idv'
                ? { documentTypes: IDV_DOCUMENTS, livenessMode: 'active', recordId: action.recordId || null }
                : { action: this.actionText(action), recordId: action.recordId || null };
        this.phase = 'starting';
        this.errorText = undefined;
        this.statusText = 'Starting the verification…';
        let started;
        try {
            started = await startVerification(GATEWAY, kind, params, { timeoutMs: this.requestTimeout(), isCurrent });
        } catch (e) {
            if (e.kind !== 'aborted') this.fail(e, () => this.startChallenge());
            return;
        }
        this._verificationId = started.id;
        this.challengeUrl = started.url;
        try {
            this.qr = qrSvg(started.url);
        } catch (e) {
            this.qr = undefined;
        }
        this.phase = 'challenge';
        this.statusText =
            kind === 'idv' ? 'Identity verification started. Waiting for the result…' : 'LiveID challenge ready. Waiting for you to complete it on your phone…';
        this._focus = '.challenge-heading';
        this.dispatch(new FlowAttributeChangeEvent('verificationId', started.id));
        this.poll(isCurrent);
    }

    async poll(isCurrent = this.newRun()) {
        const kind = this.kind || 'step_up';
        const requiredIal = this.requiredIalNow();
        const timeoutS = Number(this.timeoutSeconds) > 0 ? Number(this.timeoutSeconds) : DEFAULT_TIMEOUT_S;
        let done;
        try {
            done = await waitForResult(GATEWAY, kind, this.readParams(kind), {
                intervalMs: Number(this.pollIntervalMs) > 0 ? Number(this.pollIntervalMs) : POLL_INTERVAL_MS,
                deadlineMs: timeoutS * 1000,
                timeoutMs: this.requestTimeout(),
                isCurrent,
                onRead: (result) => {
                    this.lastResult = result;
                }
            });
        } catch (e) {
            if (e.kind === 'aborted') return;
            if (e.kind === 'deadline') {
                this.finish('timeout', this.lastResult || {}, `${e.message} The action stays blocked; you can try again.`);
                return;
            }
            this.fail(e, () => this.poll());
            return;
        }
        const { result, outcome } = done;
        if (outcome === 'match' || outcome === 'verified') {
            this.confirmResult(result, isCurrent);
            return;
        }
        const messages = {
            no_match: 'LiveID could not confirm it is you: the face did not match. The action stays blocked.',
            expired: 'The challenge expired before it was completed. The action stays blocked; you can try again.',
            cancelled: 'The verification was cancelled on the phone. The action stays blocked; you can try again.',
            not_verified: `Your identity was verified, but not at the level this action needs (${requiredIal}).`,
            failed: 'The verification did not succeed. The action stays blocked; you can try again.'
        };
        this.finish(outcome, result, messages[outcome] || messages.failed);
    }

    /** The server's word: Apex re-reads the result from the Worker; only its `allowed: true` passes the gate. */
    async confirmResult(result, isCurrent = this.newRun()) {
        const kind = this.kind || 'step_up';
        this.statusText = 'Confirming the result…';
        let answer;
        try {
            answer = await confirmVerification(GATEWAY, kind, this.readParams(kind), { timeoutMs: this.requestTimeout(), isCurrent });
        } catch (e) {
            if (e.kind !== 'aborted') this.fail(e, () => this.confirmResult(result));
            return;
        }
        if (answer.allowed) {
            this.succeed(result, answer);
            return;
        }
        const why = answer.reason || (answer.verdict && answer.verdict.reason) || 'not approved';
        this.finish('not_confirmed', result, `The server did not confirm the verification (${why}). The action stays blocked; you can try again.`);
    }

    succeed(result, confirmed) {
        const kind = this.kind || 'step_up';
        this.phase = 'verified';
        this.outcome = kind === 'idv' ? 'verified' : 'match';
        this._verified = true;
        this._matchResult = result.match_result;
        this._confidence = typeof result.confidence === 'number' ? result.confidence : undefined;
        this.messageTitle = 'Verified';
        if (kind === 'idv') {
            this.messageText = `Identity verified at ${result.ial_level}. You can go ahead with this action.`;
        } else {
            const conf = this._confidence !== undefined ? ` (confidence ${this._confidence.toFixed(2)})` : '';
            this.messageText = `LiveID confirmed it is you${conf}. You can go ahead with this action.`;
        }
        this.statusText = this.messageText;
        this._focus = '.message-title';
        this.dispatch(new FlowAttributeChangeEvent('verified', true));
        this.dispatch(new FlowAttributeChangeEvent('matchResult', this._matchResult));
        this.dispatch(new FlowAttributeChangeEvent('confidence', this.confidence));
        // The verdict in the detail is the one Apex confirmed, not the one read before.
        this.dispatchEvent(new CustomEvent('stepupcomplete', { detail: { ...this.resultDetail(result, this.outcome), verdict: confirmed.verdict, confirmed: true } }));
    }

    finish(outcome, result, text) {
        this.phase = 'failed';
        this.outcome = outcome;
        this._verified = false;
        this._matchResult = result.match_result;
        this._confidence = typeof result.confidence === 'number' ? result.confidence : undefined;
        const titles = { no_match: 'Not verified: no match', expired: 'Challenge expired', timeout: 'No result in time', not_verified: 'Not verified', cancelled: 'Verification cancelled', not_confirmed: 'Not confirmed' };
        this.messageTitle = titles[outcome] || 'Not verified';
        this.messageText = text;
        this.statusText = `${this.messageTitle}. ${text}`;
        this._focus = '.message-title';
        this.dispatch(new FlowAttributeChangeEvent('verified', false));
        this.dispatch(new FlowAttributeChangeEvent('matchResult', this._matchResult));
        this.dispatchEvent(new CustomEvent('stepupfailed', { detail: { ...this.resultDetail(result, outcome), reason: outcome, message: text } }));
    }

    resultDetail(result, outcome) {
        const kind = this.kind || 'step_up';
        const detail = {
            kind,
            outcome,
            verification_id: this._verificationId,
            status: result.status,
            verdict: result.verdict,
            decision: this.decisionResult ? this.decisionResult.decision : undefined,
            rule: this.decisionResult ? this.decisionResult.rule : undefined,
            action: this.actionDetail(this.action())
        };
        if (kind === 'idv') {
            detail.session_id = this._verificationId;
            detail.ial_level = result.ial_level;
            detail.verified_claims = result.verified_claims;
        } else {
            detail.challenge_id = this._verificationId;
            detail.match_result = result.match_result;
            detail.confidence = result.confidence;
        }
        return detail;
    }

    fail(e, retry) {
        this._retry = retry;
        this.phase = 'error';
        let text;
        if (e instanceof GatewayError || e instanceof GateError) text = e.message;
        else if (e && e.name === 'KosmosError') text = `The policy could not be applied: ${e.message}.`;
        else text = `Something went wrong: ${e && e.message ? e.message : e}`;
        this.errorText = text;
        this.statusText = text;
        this._focus = '.error-text';
        const reason = e instanceof GatewayError ? e.kind : e instanceof GateError ? 'config' : (e && e.code) || 'error';
        this.dispatchEvent(
            new CustomEvent('stepupfailed', {
                detail: {
                    kind: this.kind,
                    reason,
                    message: text,
                    retryable: !!retry,
                    code: e && e.code,
                    field: e && e.field,
                    verification_id: this.verificationId
                }
            })
        );
    }

    /** Drops whatever is under way: its answers are ignored when they arrive (an Apex call cannot be aborted). */
    abortInFlight() {
        this._run += 1;
    }

    dispatch(event) {
        // Flow listens for FlowAttributeChangeEvent; elsewhere it is a no-op event.
        this.dispatchEvent(event);
    }

    // ----- handlers ---------------------------------------------------

    handleStart() {
        this.startChallenge();
    }

    handleRetry() {
        if (this.phase === 'failed') {
            this.startChallenge();
            return;
        }
        const retry = this._retry;
        this._retry = undefined;
        if (retry) retry();
        else this.evaluate();
    }

    handleCancel() {
        this.abortInFlight();
        this.finish('cancelled', this.lastResult || {}, 'You cancelled the verification. The action stays blocked.');
    }
}
