//! The WebAssembly bindings: the only module that knows wasm-bindgen.
//!
//! Inputs arrive as plain JS values (objects, strings, byte arrays) and are
//! read with serde; outputs leave as JSON-compatible plain objects. Every
//! error leaves as a JS `Error` named `KosmosError` with `code`, `message`,
//! and when known `field` and `details`; the shim turns it into its
//! `KosmosError` class.

// The exports are the JS interface; Rust callers use the core directly.
#![allow(unreachable_pub)]

// One Cargo feature per capability gates its exports (and only them): with
// `--no-default-features --features policy` nothing reaches the 1Kosmos,
// OIDC or webhook code, so LTO drops it with its crypto crates (RSA, P-256,
// Ed25519, k256, AES-GCM). The start function, `version`, the trap
// self-test and the host contracts (verdicts, IAL reading: `contracts`) stay
// in every build: the shim's recovery needs the self-test, and every host
// (the policy-only component too) asks the core for verdicts.
mod contracts;
mod convert;
#[cfg(feature = "decision-log")]
mod decision_log;
#[cfg(feature = "httpsig")]
mod httpsig;
#[cfg(feature = "kosmos")]
mod kosmos;
#[cfg(feature = "oidc")]
mod oidc;
#[cfg(feature = "policy")]
mod policy;
#[cfg(feature = "policy-tools")]
mod policy_tools;
#[cfg(feature = "kosmos")]
mod retry;
#[cfg(feature = "webhook")]
mod webhook;

use wasm_bindgen::prelude::*;

/// Installs the panic hook once, so a bug shows a message, not just a trap.
#[wasm_bindgen(start)]
fn start() {
    console_error_panic_hook::set_once();
}

/// Traps the instance on purpose, like a bug would. Only for tests of the
/// shim's trap recovery; no input reaches it.
#[wasm_bindgen(js_name = __kosmosSelfTestTrap)]
pub fn self_test_trap() {
    core::arch::wasm32::unreachable()
}

/// The crate version, for diagnostics.
#[wasm_bindgen(js_name = version)]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}

#[cfg(test)]
mod tests;
