//! Salesforce records built by the core (sans-IO): the Platform Event and
//! the Task of a 1Kosmos verification event. The host publishes them.

mod datetime;
mod records;

pub use records::{
    event_verdict, external_id, is_salesforce_id, salesforce_records, Delivery, SalesforceRecords,
    MAX_LABEL_CHARS, MAX_REASON_CHARS, MAX_SUBJECT_CHARS,
};
