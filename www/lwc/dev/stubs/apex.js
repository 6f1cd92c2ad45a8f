// Local stand-in for the '@salesforce/apex/<Class>.<method>' modules of the
// test page (www/lwc/scripts/build.mjs makes one per import): an imperative
// Apex call, sent to the gateway stand-in (www/lwc/dev/gateway.mjs) as
// Lightning sends it to the org, with the page session's user. Resolves with
// the method's answer; rejects as Lightning does, `{ status, body: { message } }`,
// when the method threw or the server could not be reached.
export function callApex(className, method, params) {
    const session = globalThis.__kosmosSession || {};
    return fetch(`${session.apexUrl}/apex/${className}/${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-kosmos-session-user': session.user || '' },
        body: JSON.stringify(params === undefined ? {} : params)
    }).then(
        async (res) => {
            let json;
            try {
                json = await res.json();
            } catch (e) {
                json = undefined;
            }
            if (!res.ok) throw { status: res.status, body: { message: (json && json.message) || `HTTP ${res.status}` } };
            return json;
        },
        () => {
            throw { status: 0, body: { message: 'the server could not be reached' } };
        }
    );
}
