//! The retry policy, sans-IO: whether a failed call is sent again, and after
//! how long. Every host's client (the package's 1Kosmos client, the Worker's
//! Salesforce client and hand-off queue) asks [`RetryPolicy::next_attempt`]
//! and [`is_retryable_status`] instead of keeping its own lists and formulas.
//!
//! ```text
//!   (failure, attempts made, entropy)  -->  next_attempt  -->  Some(delay ms) | None (give up)
//! ```
//!
//! The caller brings the entropy (for the jitter) and the clock (for a
//! `Retry-After` HTTP-date); the policy draws neither.

use core::fmt;

use crate::error::ErrorInfo;

/// Whether an HTTP status says "the same request may succeed later": 408,
/// 429 and 500/502/503/504. Other statuses (401 included) are final for the
/// request as sent; refreshing a token and sending once more is the
/// transport's business, not a retry.
pub const fn is_retryable_status(status: u16) -> bool {
    matches!(status, 408 | 429 | 500 | 502 | 503 | 504)
}

/// The longest `Retry-After` read, in seconds (a day): anything longer is a day.
pub const MAX_RETRY_AFTER_READ_S: u64 = 86_400;

/// Reads a `Retry-After` value: delay-seconds, or an IMF-fixdate HTTP-date
/// (`Sun, 06 Nov 1994 08:49:37 GMT`) measured from `now_s` (a date in the
/// past is 0). `None` for anything else.
pub fn parse_retry_after(value: &str, now_s: u64) -> Option<u64> {
    let v = value.trim();
    if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
        return Some(
            v.parse::<u64>()
                .unwrap_or(u64::MAX)
                .min(MAX_RETRY_AFTER_READ_S),
        );
    }
    let at = http_date(v)?;
    Some(at.saturating_sub(now_s).min(MAX_RETRY_AFTER_READ_S))
}

/// Unix seconds of an IMF-fixdate (RFC 9110 section 5.6.7).
fn http_date(v: &str) -> Option<u64> {
    let mut parts = v.split(' ');
    let (_wday, day, month, year, time, gmt) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    if parts.next().is_some() || gmt != "GMT" || day.len() != 2 || year.len() != 4 {
        return None;
    }
    let num = |s: &str| -> Option<u64> {
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok())?
    };
    let day = num(day)?;
    let year = num(year)?;
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = u64::try_from(MONTHS.iter().position(|m| *m == month)?).ok()? + 1;
    let mut hms = time.split(':');
    let (h, m, s) = (num(hms.next()?)?, num(hms.next()?)?, num(hms.next()?)?);
    if hms.next().is_some() || h > 23 || m > 59 || s > 60 || !(1..=31).contains(&day) || year < 1970
    {
        return None;
    }
    // Days from the civil date (Howard Hinnant's algorithm), years >= 1970.
    let (y, mo) = if month <= 2 {
        (year - 1, month + 9)
    } else {
        (year, month - 3)
    };
    let era = y / 400;
    let yoe = y - era * 400;
    let doy = (153 * mo + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = (era * 146_097 + doe).checked_sub(719_468)?;
    Some(days * 86_400 + h * 3600 + m * 60 + s)
}

/// How a client retries. Limits: `max_attempts` 1 to 11, delays up to an hour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (1: never retry). Default 3.
    pub max_attempts: u32,
    /// The first backoff, doubled per retry. Default 250 ms.
    pub base_delay_ms: u64,
    /// The backoff never exceeds this (before Retry-After). Default 8000 ms.
    pub max_delay_ms: u64,
    /// A longer `Retry-After` ends the call instead of waiting. Default 30000 ms.
    pub max_retry_after_ms: u64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            base_delay_ms: 250,
            max_delay_ms: 8000,
            max_retry_after_ms: 30_000,
        }
    }
}

/// What the client knows about a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failure {
    /// Whether the failure is transient (a retryable status, a timeout, a network error).
    pub retryable: bool,
    /// What `Retry-After` asked, in milliseconds.
    pub retry_after_ms: Option<u64>,
    /// Whether sending the request again cannot do the work twice: a read, or a
    /// create that carries its idempotency key. A create without one is sent once.
    pub idempotent: bool,
}

/// A retry policy or failure the core could not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryError {
    message: String,
    field: &'static str,
}

impl fmt::Display for RetryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for RetryError {}

impl ErrorInfo for RetryError {
    fn code(&self) -> &'static str {
        "invalid_argument"
    }
    fn field(&self) -> Option<&str> {
        Some(self.field)
    }
}

impl RetryError {
    /// `field` is not a JSON object.
    pub(crate) fn shape(field: &'static str) -> Self {
        Self {
            message: format!("`{field}` must be a json object"),
            field,
        }
    }
}

impl RetryPolicy {
    /// Checks the bounds (attempts 1 to 11, delays at most an hour).
    pub fn checked(self) -> Result<Self, RetryError> {
        const HOUR_MS: u64 = 3_600_000;
        let bad = |field: &'static str, what: &str| RetryError {
            message: format!("`{field}` must be {what}"),
            field,
        };
        if !(1..=11).contains(&self.max_attempts) {
            return Err(bad("max_attempts", "a whole number from 1 to 11"));
        }
        if self.base_delay_ms > HOUR_MS {
            return Err(bad("base_delay_ms", "at most 3600000"));
        }
        if self.max_delay_ms > HOUR_MS {
            return Err(bad("max_delay_ms", "at most 3600000"));
        }
        if self.max_retry_after_ms > 24 * HOUR_MS {
            return Err(bad("max_retry_after_ms", "at most 86400000"));
        }
        Ok(self)
    }

    /// After `attempts` failed attempts (1 after the first), the delay before
    /// the next one in milliseconds, or `None` to give up: the failure is not
    /// transient, the request is not idempotent, the attempts are used up, or
    /// `Retry-After` asks longer than `max_retry_after_ms`. The delay is a
    /// jittered exponential backoff, `base * 2^(attempts-1)` capped at
    /// `max_delay_ms`, drawn from its upper half by `entropy`, and never
    /// shorter than `Retry-After`.
    pub fn next_attempt(&self, failure: &Failure, attempts: u32, entropy: u32) -> Option<u64> {
        if !failure.retryable || !failure.idempotent || attempts == 0 {
            return None;
        }
        if attempts >= self.max_attempts {
            return None;
        }
        let retry_after = failure.retry_after_ms.unwrap_or(0);
        if retry_after > self.max_retry_after_ms {
            return None;
        }
        let shift = (attempts - 1).min(40);
        let exp = self
            .base_delay_ms
            .saturating_mul(1u64 << shift)
            .min(self.max_delay_ms);
        let half = exp / 2;
        let jitter = u64::from(entropy) % (exp - half + 1);
        Some((half + jitter).max(retry_after))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const F: Failure = Failure {
        retryable: true,
        retry_after_ms: None,
        idempotent: true,
    };

    #[test]
    fn statuses() {
        for s in [408, 429, 500, 502, 503, 504] {
            assert!(is_retryable_status(s), "{s}");
        }
        for s in [200, 400, 401, 403, 404, 409, 422, 425, 501, 505] {
            assert!(!is_retryable_status(s), "{s}");
        }
    }

    #[test]
    fn backoff_doubles_with_jitter_in_the_upper_half() {
        let p = RetryPolicy {
            max_attempts: 10,
            ..RetryPolicy::default()
        };
        for (attempts, lo, hi) in [
            (1, 125, 250),
            (2, 250, 500),
            (3, 500, 1000),
            (7, 4000, 8000),
            (9, 4000, 8000),
        ] {
            assert_eq!(p.next_attempt(&F, attempts, 0), Some(lo), "{attempts}");
            let top = p
                .next_attempt(&F, attempts, u32::try_from(hi - lo).unwrap())
                .unwrap();
            assert_eq!(top, hi, "{attempts}");
            for e in [1u32, 77, 12345, u32::MAX] {
                let d = p.next_attempt(&F, attempts, e).unwrap();
                assert!((lo..=hi).contains(&d), "{attempts} {e} {d}");
            }
        }
    }

    #[test]
    fn gives_up() {
        let p = RetryPolicy::default();
        assert_eq!(p.next_attempt(&F, 3, 0), None, "3 attempts made of 3");
        assert!(p.next_attempt(&F, 2, 0).is_some());
        let not = Failure {
            retryable: false,
            ..F
        };
        assert_eq!(p.next_attempt(&not, 1, 0), None);
        let create = Failure {
            idempotent: false,
            ..F
        };
        assert_eq!(
            p.next_attempt(&create, 1, 0),
            None,
            "a create without its key"
        );
        let long = Failure {
            retry_after_ms: Some(31_000),
            ..F
        };
        assert_eq!(p.next_attempt(&long, 1, 0), None);
        let asked = Failure {
            retry_after_ms: Some(7_000),
            ..F
        };
        assert_eq!(
            p.next_attempt(&asked, 1, 0),
            Some(7_000),
            "never sooner than Retry-After"
        );
        assert!(RetryPolicy {
            max_attempts: 0,
            ..p
        }
        .checked()
        .is_err());
        assert!(RetryPolicy {
            max_delay_ms: 4_000_000,
            ..p
        }
        .checked()
        .is_err());
    }

    #[test]
    fn retry_after_forms() {
        let now = 1_445_412_480; // Wed, 21 Oct 2015 07:28:00 GMT
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now - 120),
            Some(120)
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now + 5),
            Some(0)
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", 0),
            Some(MAX_RETRY_AFTER_READ_S)
        );
        assert_eq!(
            http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(784_111_777)
        );
        assert_eq!(http_date("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
        assert_eq!(
            http_date("Tue, 29 Feb 2028 23:59:59 GMT"),
            Some(1_835_481_599)
        );
        assert_eq!(parse_retry_after(" 7 ", 0), Some(7));
        assert_eq!(
            parse_retry_after("99999999999999999999", 0),
            Some(MAX_RETRY_AFTER_READ_S)
        );
        for bad in [
            "",
            "-1",
            "1.5",
            "soon",
            "Wed, 21 Oct 2015 07:28:00 UTC",
            "Wed, 21 Foo 2015 07:28:00 GMT",
            "Wed, 1 Oct 2015 07:28:00 GMT",
        ] {
            assert_eq!(parse_retry_after(bad, now), None, "{bad}");
        }
    }
}
