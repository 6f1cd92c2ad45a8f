//! The async client for the hosts: build a request with the core, send it
//! with the host's `fetch` (the global one, or one the caller injects), parse
//! the answer with the core.
//!
//! - every attempt has a timeout, enforced with an `AbortController` that also
//!   aborts reading the body;
//! - only `retryable` failures are retried (429, 408, 5xx, network errors,
//!   timeouts), at most `maxRetries` times, with exponential backoff and
//!   jitter, and never sooner than a `Retry-After` asks;
//! - a create is only ever retried with its idempotency key, resending the
//!   very same request; a create without one (blockid-tenant) is sent once;
//!   reads are rebuilt per attempt (a fresh `requestid` for blockid-tenant).

use std::rc::Rc;

use js_sys::{Array, Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{future_to_promise, JsFuture};

use super::convert::{error_to_js, headers_from_js, to_js};
use super::kosmos::{from_js_json, KosmosProfile};
use crate::{Call, Entropy, Error, HttpRequest, KosmosError, Profile, SystemEntropy};

/// Default time one attempt may take, in milliseconds.
const DEFAULT_TIMEOUT_MS: u32 = 10_000;
/// Default number of retries after the first attempt.
const DEFAULT_MAX_RETRIES: u32 = 2;
/// Default first backoff delay, in milliseconds (doubles per retry).
const DEFAULT_RETRY_BASE_MS: u32 = 250;
/// Longest backoff delay, in milliseconds.
const MAX_BACKOFF_MS: u32 = 8_000;
/// Default longest `Retry-After` honoured by waiting, in seconds; a longer one ends the call.
const DEFAULT_MAX_RETRY_AFTER_S: u64 = 30;
/// Upper bounds of the options, so a typo cannot stall a Worker.
const MAX_TIMEOUT_MS: u32 = 120_000;
const MAX_RETRIES_LIMIT: u32 = 10;

struct Options {
    fetch: Function,
    timeout_ms: u32,
    max_retries: u32,
    retry_base_ms: u32,
    max_retry_after_s: u64,
}

fn usage(message: String, field: &str) -> JsValue {
    error_to_js(&Error::usage(message, Some(field)))
}

fn global() -> Object {
    js_sys::global()
}

fn number_option(options: &JsValue, name: &str, default: u32, max: u32) -> Result<u32, JsValue> {
    let v = Reflect::get(options, &name.into()).unwrap_or(JsValue::UNDEFINED);
    if v.is_undefined() || v.is_null() {
        return Ok(default);
    }
    match v.as_f64() {
        Some(n) if n.is_finite() && n >= 0.0 && n.fract() == 0.0 && n <= f64::from(max) => {
            // INVARIANT: checked integral and within 0..=max (a u32).
            #[expect(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "range checked above"
            )]
            Ok(n as u32)
        }
        _ => Err(usage(
            format!("`options.{name}` must be a whole number from 0 to {max}"),
            &format!("options.{name}"),
        )),
    }
}

fn read_options(options: &JsValue) -> Result<Options, JsValue> {
    let none = options.is_undefined() || options.is_null();
    let options = if none {
        JsValue::from(Object::new())
    } else {
        options.clone()
    };
    let custom = Reflect::get(&options, &"fetch".into()).unwrap_or(JsValue::UNDEFINED);
    let fetch = if custom.is_undefined() || custom.is_null() {
        Reflect::get(&global(), &"fetch".into()).unwrap_or(JsValue::UNDEFINED)
    } else {
        custom
    };
    let fetch = fetch.dyn_into::<Function>().map_err(|_| {
        usage(
            "`options.fetch` must be a function (and there is no global fetch)".into(),
            "options.fetch",
        )
    })?;
    Ok(Options {
        fetch,
        timeout_ms: number_option(&options, "timeoutMs", DEFAULT_TIMEOUT_MS, MAX_TIMEOUT_MS)?
            .max(1),
        max_retries: number_option(
            &options,
            "maxRetries",
            DEFAULT_MAX_RETRIES,
            MAX_RETRIES_LIMIT,
        )?,
        retry_base_ms: number_option(
            &options,
            "retryBaseMs",
            DEFAULT_RETRY_BASE_MS,
            MAX_BACKOFF_MS,
        )?,
        max_retry_after_s: u64::from(number_option(
            &options,
            "maxRetryAfterS",
            // INVARIANT: a small constant.
            u32::try_from(DEFAULT_MAX_RETRY_AFTER_S).unwrap_or(30),
            3600,
        )?),
    })
}

fn now_s() -> u64 {
    let ms = js_sys::Date::now();
    if ms.is_finite() && ms > 0.0 {
        // INVARIANT: a positive finite millisecond clock, far below 2^63.
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "positive clock value"
        )]
        let s = (ms / 1000.0) as u64;
        s
    } else {
        0
    }
}

/// Waits `ms` milliseconds with the host's `setTimeout`.
async fn sleep(ms: u32) -> Result<(), JsValue> {
    if ms == 0 {
        return Ok(());
    }
    let set_timeout: Function = Reflect::get(&global(), &"setTimeout".into())?.dyn_into()?;
    let promise = Promise::new(&mut |resolve, _reject| {
        let _ = set_timeout.call2(&JsValue::UNDEFINED, &resolve, &JsValue::from(ms));
    });
    JsFuture::from(promise).await.map(|_| ())
}

/// The delay before retry number `retry` (0-based): exponential with full
/// jitter in its upper half, at least what `Retry-After` asked.
fn backoff_ms(retry: u32, base_ms: u32, retry_after_s: Option<u64>) -> u32 {
    let exp = base_ms
        .saturating_mul(1u32.checked_shl(retry).unwrap_or(u32::MAX))
        .min(MAX_BACKOFF_MS);
    let mut r = [0u8; 4];
    let jitter = match SystemEntropy.fill(&mut r) {
        Ok(()) => u32::from_le_bytes(r) % (exp / 2 + 1),
        Err(_) => 0,
    };
    let delay = exp / 2 + jitter;
    let asked = retry_after_s.map_or(0, |s| {
        u32::try_from(s.saturating_mul(1000)).unwrap_or(u32::MAX)
    });
    delay.max(asked)
}

/// Why one attempt got no parseable answer.
enum Failure {
    /// The API answered (maybe an error) and the core says what it means.
    Answered(KosmosError),
    /// No answer: network failure or timeout.
    Transport(KosmosError),
}

struct Received {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

/// One attempt: `fetch(url, { method, headers, body, signal })` with a timeout.
async fn send(request: &HttpRequest, options: &Options) -> Result<Received, KosmosError> {
    let transport =
        |timed_out: bool, message: String| KosmosError::Transport { timed_out, message };
    let g = global();
    let controller = Reflect::get(&g, &"AbortController".into())
        .ok()
        .and_then(|c| c.dyn_into::<Function>().ok())
        .and_then(|c| Reflect::construct(&c, &Array::new()).ok());
    let init = Object::new();
    let set = |k: &str, v: &JsValue| {
        let _ = Reflect::set(&init, &k.into(), v);
    };
    set("method", &request.method.into());
    let headers = Object::new();
    for (k, v) in &request.headers {
        let _ = Reflect::set(&headers, &k.as_str().into(), &v.as_str().into());
    }
    set("headers", &headers);
    if let Some(body) = &request.body {
        set("body", &body.as_str().into());
    }
    if let Some(c) = &controller {
        if let Ok(signal) = Reflect::get(c, &"signal".into()) {
            set("signal", &signal);
        }
    }
    // The timer aborts the fetch (and the body read); cleared once done.
    let timer = controller.as_ref().and_then(|c| {
        let abort: Function = Reflect::get(c, &"abort".into()).ok()?.dyn_into().ok()?;
        let abort = abort.bind0(c);
        let set_timeout: Function = Reflect::get(&g, &"setTimeout".into())
            .ok()?
            .dyn_into()
            .ok()?;
        set_timeout
            .call2(
                &JsValue::UNDEFINED,
                &abort,
                &JsValue::from(options.timeout_ms),
            )
            .ok()
    });
    let timeout_msg = || format!("no answer within {} ms", options.timeout_ms);
    let result = async {
        let promise = options
            .fetch
            .call2(&g, &request.url.as_str().into(), &init)
            .map_err(|e| transport(false, describe(&e)))?;
        let promise: Promise = promise
            .dyn_into()
            .map_err(|_| transport(false, "`fetch` did not return a promise".into()))?;
        let response = JsFuture::from(promise).await.map_err(|e| {
            transport(
                is_abort(&e),
                if is_abort(&e) {
                    timeout_msg()
                } else {
                    describe(&e)
                },
            )
        })?;
        let status = Reflect::get(&response, &"status".into())
            .ok()
            .and_then(|s| s.as_f64())
            .filter(|s| (100.0..=599.0).contains(s) && s.fract() == 0.0)
            .ok_or_else(|| transport(false, "the response has no valid status".into()))?;
        // INVARIANT: checked integral and within 100..=599.
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "range checked above"
        )]
        let status = status as u16;
        let headers = response_headers(&response);
        let text: Function = Reflect::get(&response, &"text".into())
            .ok()
            .and_then(|t| t.dyn_into().ok())
            .ok_or_else(|| transport(false, "the response has no text()".into()))?;
        let body = text
            .call0(&response)
            .ok()
            .and_then(|p| p.dyn_into::<Promise>().ok())
            .ok_or_else(|| transport(false, "the response body could not be read".into()))?;
        let body = JsFuture::from(body)
            .await
            .map_err(|e| {
                transport(
                    is_abort(&e),
                    if is_abort(&e) {
                        timeout_msg()
                    } else {
                        describe(&e)
                    },
                )
            })?
            .as_string()
            .unwrap_or_default();
        Ok(Received {
            status,
            headers,
            body,
        })
    }
    .await;
    if let Some(t) = timer {
        if let Some(clear) = Reflect::get(&g, &"clearTimeout".into())
            .ok()
            .and_then(|c| c.dyn_into::<Function>().ok())
        {
            let _ = clear.call1(&JsValue::UNDEFINED, &t);
        }
    }
    result
}

/// Response headers as `(name, value)` pairs: a `Headers` (iterable), or a plain object.
fn response_headers(response: &JsValue) -> Vec<(String, String)> {
    let Ok(h) = Reflect::get(response, &"headers".into()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if let Ok(Some(iter)) = js_sys::try_iter(&h) {
        for pair in iter.flatten() {
            let pair = Array::from(&pair);
            if let (Some(k), Some(v)) = (pair.get(0).as_string(), pair.get(1).as_string()) {
                out.push((k, v));
            }
        }
        return out;
    }
    if h.is_object() {
        if let Ok(pairs) = headers_from_js(Object::entries(h.unchecked_ref()).into()) {
            return pairs;
        }
    }
    out
}

fn is_abort(e: &JsValue) -> bool {
    Reflect::get(e, &"name".into())
        .ok()
        .and_then(|n| n.as_string())
        .is_some_and(|n| n == "AbortError" || n == "TimeoutError")
}

/// A thrown value's message, cut short; URLs and headers are never included by us.
fn describe(e: &JsValue) -> String {
    let msg = Reflect::get(e, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "fetch failed".into());
    msg.chars().take(200).collect()
}

async fn attempt(
    profile: &Profile,
    call: &Call,
    request: &HttpRequest,
    options: &Options,
) -> Result<JsValue, Failure> {
    let got = send(request, options).await.map_err(Failure::Transport)?;
    let answer = profile
        .parse(call.operation(), got.status, &got.headers, &got.body)
        .map_err(Failure::Answered)?;
    to_js(&answer).map_err(|_| {
        Failure::Answered(KosmosError::MalformedResponse {
            what: "the answer could not be converted".into(),
        })
    })
}

/// Sets `details.attempts` on a thrown KosmosError.
fn with_attempts(e: KosmosError, attempts: u32) -> JsValue {
    let js = error_to_js(&e.into());
    let details = Reflect::get(&js, &"details".into()).unwrap_or(JsValue::UNDEFINED);
    let details = if details.is_object() {
        details
    } else {
        let d = JsValue::from(Object::new());
        let _ = Reflect::set(&js, &"details".into(), &d);
        d
    };
    let _ = Reflect::set(&details, &"attempts".into(), &JsValue::from(attempts));
    js
}

async fn run(profile: Rc<Profile>, call: Call, options: Options) -> Result<JsValue, JsValue> {
    let op = call.operation();
    let mut request = profile.build(&call, &mut SystemEntropy, now_s())?;
    let may_retry = profile.may_retry(op, &request);
    let mut attempts = 0u32;
    loop {
        attempts += 1;
        let err = match attempt(&profile, &call, &request, &options).await {
            Ok(v) => return Ok(v),
            Err(Failure::Answered(e) | Failure::Transport(e)) => e,
        };
        let retries_left = attempts <= options.max_retries;
        let wait_asked = err.retry_after_s();
        let waits_too_long = wait_asked.is_some_and(|s| s > options.max_retry_after_s);
        if !(err.retryable() && may_retry && retries_left) || waits_too_long {
            return Err(with_attempts(err, attempts));
        }
        sleep(backoff_ms(attempts - 1, options.retry_base_ms, wait_asked)).await?;
        if !op.is_create() {
            // Reads are rebuilt: blockid-tenant wants a fresh `requestid`.
            request = profile.build(&call, &mut SystemEntropy, now_s())?;
        }
    }
}

#[wasm_bindgen(js_class = KosmosProfile)]
impl KosmosProfile {
    /// Runs `call` (`{ operation, ...input }`): builds the request, sends it
    /// with `fetch`, parses the answer. `options`: `{ fetch?, timeoutMs?,
    /// maxRetries?, retryBaseMs?, maxRetryAfterS? }`. Resolves to the same
    /// result shapes as `parse`; rejects with a KosmosError whose
    /// `details.attempts` says how many requests were sent.
    #[wasm_bindgen(js_name = call)]
    pub fn call_js(&self, call: JsValue, options: JsValue) -> Result<Promise, JsValue> {
        let call: Call = from_js_json(call, "call")?;
        let options = read_options(&options)?;
        let profile = Rc::clone(&self.0);
        Ok(future_to_promise(run(profile, call, options)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn backoff_grows_is_capped_and_honours_retry_after() {
        for retry in 0..6 {
            let exp = (250u32 << retry).min(MAX_BACKOFF_MS);
            let d = backoff_ms(retry, 250, None);
            assert!(d >= exp / 2 && d <= exp, "{retry}: {d}");
        }
        assert!(backoff_ms(40, 250, None) <= MAX_BACKOFF_MS);
        assert_eq!(backoff_ms(0, 0, None), 0);
        assert!(backoff_ms(0, 250, Some(3)) >= 3000);
    }
}
