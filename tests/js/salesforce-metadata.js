// The Salesforce metadata as data, for tests on both sides of the contract:
// the Platform Event Kosmos_Verification__e as its XML defines it, and
// checkers for the records the Worker publishes (events and Tasks).
//
//   import { readPlatformEvent, eventRecordProblems, taskRecordProblems } from './salesforce-metadata.js';
//   assert.deepEqual(eventRecordProblems(myEvent), []);
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { root } from './hosts.js';

export const forceApp = join(root, 'www', 'lwc', 'force-app', 'main', 'default');
export const CONTRACT = JSON.parse(readFileSync(join(root, 'tests', 'vectors', 'salesforce', 'kosmos-verification-contract.json'), 'utf8'));

const parser = new XMLParser({ ignoreAttributes: false, parseTagValue: false, trimValues: true });

/** Parses one metadata XML file (or `text` in its place); returns its root element's content. */
export function readMetadata(path, text = readFileSync(path, 'utf8')) {
    const doc = parser.parse(text);
    const rootName = Object.keys(doc).find((k) => k !== '?xml');
    return { rootName, ...doc[rootName] };
}

const num = (v) => (v === undefined ? undefined : Number(v));

/**
 * The Platform Event as its source-format XML defines it:
 * `{ name, label, eventType, publishBehavior, fields: { Name__c: { type, length?, precision?, scale?, label } } }`.
 */
export function readPlatformEvent(name = CONTRACT.platform_event.name) {
    const dir = join(forceApp, 'objects', name);
    const object = readMetadata(join(dir, `${name}.object-meta.xml`));
    const fields = {};
    for (const file of readdirSync(join(dir, 'fields')).sort()) {
        if (!file.endsWith('.field-meta.xml')) continue;
        const f = readMetadata(join(dir, 'fields', file));
        fields[f.fullName] = {
            file,
            label: f.label,
            type: f.type,
            length: num(f.length),
            precision: num(f.precision),
            scale: num(f.scale),
            required: f.required === 'true'
        };
    }
    return { name, rootName: object.rootName, label: object.label, eventType: object.eventType, publishBehavior: object.publishBehavior, fields };
}

const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:\d{2})$/;
const SF_ID = /^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/;

function valueProblem(name, spec, value) {
    if (value === null) return undefined; // a field may be left empty
    switch (spec.type) {
        case 'Text':
        case 'TextArea':
            if (typeof value !== 'string') return `${name} must be text, got ${typeof value}`;
            if (spec.length !== undefined && value.length > spec.length) return `${name} is ${value.length} characters, the field holds ${spec.length}`;
            if (spec.values && !spec.values.includes(value)) return `${name} must be one of ${spec.values.join(', ')}, got ${JSON.stringify(value)}`;
            return undefined;
        case 'Number': {
            if (typeof value !== 'number' || !Number.isFinite(value)) return `${name} must be a number`;
            const intDigits = spec.precision - spec.scale;
            if (Math.abs(value) >= 10 ** intDigits) return `${name} ${value} does not fit Number(${spec.precision}, ${spec.scale})`;
            const scaled = value * 10 ** spec.scale;
            if (Math.abs(scaled - Math.round(scaled)) > 1e-6) return `${name} ${value} has more than ${spec.scale} decimals`;
            return undefined;
        }
        case 'DateTime':
            return typeof value === 'string' && ISO_DATETIME.test(value) && !Number.isNaN(Date.parse(value))
                ? undefined
                : `${name} must be an ISO 8601 date-time with a zone, like 2026-01-31T12:00:00Z`;
        case 'Date':
            return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) ? undefined : `${name} must be a date like 2026-01-31`;
        case 'Id':
            return typeof value === 'string' && SF_ID.test(value) ? undefined : `${name} must be a 15 or 18 character Salesforce id`;
        default:
            return `${name} has the unknown type ${spec.type}`;
    }
}

function recordProblems(record, fields, what) {
    if (typeof record !== 'object' || record === null || Array.isArray(record)) return [`a ${what} must be an object`];
    const problems = [];
    for (const [name, value] of Object.entries(record)) {
        if (name === 'attributes') continue; // REST API sObject envelope
        const spec = fields[name];
        if (!spec) {
            problems.push(`${name} is not a field of ${what}`);
            continue;
        }
        const p = valueProblem(name, spec, value);
        if (p) problems.push(p);
    }
    return problems;
}

/**
 * What is wrong with a Kosmos_Verification__e record as the Worker would
 * publish it (the REST body of `POST .../sobjects/Kosmos_Verification__e`):
 * unknown field names, values of the wrong type or too long. `[]` when fine.
 * Field specs come from the XML, value lists from the contract.
 */
export function eventRecordProblems(record) {
    const xml = readPlatformEvent().fields;
    const fields = {};
    for (const [name, spec] of Object.entries(xml)) fields[name] = { ...spec, values: CONTRACT.platform_event.fields[name]?.values };
    return recordProblems(record, fields, CONTRACT.platform_event.name);
}

/** The same for the Task the Worker writes on the related record. */
export function taskRecordProblems(record) {
    // The external id the Task is upserted by (Kosmos_Delivery_Key__c) is one of its fields too.
    const ext = CONTRACT.task.external_id;
    const fields = ext ? { ...CONTRACT.task.fields, [ext.field]: { type: ext.type, length: ext.length } } : CONTRACT.task.fields;
    const problems = recordProblems(record, fields, 'Task');
    for (const required of ['WhatId', 'Subject', 'Status']) {
        if (record && typeof record === 'object' && !(required in record)) problems.push(`${required} is required on the Task`);
    }
    return problems;
}
