// Local stand-in for lightning/uiRecordApi in the test page: `getRecord` is a
// wire adapter reading records from `globalThis.__kosmosRecords` (keyed by id,
// `{ fields: { Name: { value } } }`), answering asynchronously like LDS does.
export class getRecord {
    constructor(dataCallback) {
        this.dataCallback = dataCallback;
        this.connected = false;
        this.config = undefined;
    }

    connect() {
        this.connected = true;
        this.provide();
    }

    disconnect() {
        this.connected = false;
    }

    update(config) {
        this.config = config;
        this.provide();
    }

    provide() {
        const config = this.config;
        if (!this.connected || !config || !config.recordId) return;
        const wanted = [...(config.fields || []), ...(config.optionalFields || [])];
        setTimeout(() => {
            if (!this.connected) return;
            const record = (globalThis.__kosmosRecords || {})[config.recordId];
            if (!wanted.length) {
                this.dataCallback({ data: undefined, error: { status: 400, body: { message: 'fields or optionalFields is required' } } });
            } else if (!record) {
                this.dataCallback({ data: undefined, error: { status: 404, body: { message: 'The requested resource does not exist' } } });
            } else {
                this.dataCallback({ data: record, error: undefined });
            }
        }, 0);
    }
}

/** The value of `field` (a schema import `{ fieldApiName }` or `Object.Field`) in a record. */
export function getFieldValue(record, field) {
    const name = typeof field === 'string' ? field.split('.').pop() : field.fieldApiName;
    const f = record && record.fields ? record.fields[name] : undefined;
    return f ? f.value : undefined;
}
