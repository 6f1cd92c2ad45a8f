//! The names a context and a policy share: action types, country codes, and
//! how user input is quoted back in messages.

use super::currency::Currency;
use super::signal::Check;

/// Action types a context and a policy may name. Anything else must start
/// with `x_` (a deployment's own type), so that a typo is caught, not
/// silently never matched.
pub(super) const ACTION_TYPES: &[&str] = &[
    "account_recovery",
    "address_change",
    "beneficiary_change",
    "checkout",
    "claim_approval",
    "data_export",
    "funds_transfer",
    "high_value_order",
    "login",
    "loyalty_redemption",
    "mfa_change",
    "password_change",
    "payment_method_change",
    "phi_access",
    "policy_change",
    "preauthorization_override",
    "prescription_authorization",
    "profile_change",
    "refund",
    "signup",
];

/// Whether `t` is a known action type or a deployment's own `x_...` type.
pub(super) fn is_action_type(t: &str) -> bool {
    ACTION_TYPES.contains(&t)
        || t.strip_prefix("x_").is_some_and(|rest| {
            !rest.is_empty()
                && rest.len() <= 64
                && rest
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        })
}

/// Whether `c` looks like an ISO 3166-1 alpha-2 code (two upper-case letters).
pub(super) fn is_country(c: &str) -> bool {
    c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase())
}

/// Longest piece of user input quoted back in an error message.
const QUOTE_MAX: usize = 64;

/// User input for a message, in backticks, cut at a character boundary.
pub(super) fn quote(s: &str) -> String {
    if s.len() <= QUOTE_MAX {
        return format!("`{s}`");
    }
    let mut end = QUOTE_MAX;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("`{}...`", s.get(..end).unwrap_or_default())
}

impl Check {
    /// What is wrong with `s` as a value of a string signal with this
    /// check, or `None` when it passes.
    pub(super) fn string_problem(self, s: &str) -> Option<&'static str> {
        match self {
            Check::Country if !is_country(s) => {
                Some("is not an iso 3166-1 alpha-2 country code in upper case, like `US`")
            }
            Check::ActionType if !is_action_type(s) => {
                Some("is not a known action type; a deployment's own types start with `x_`")
            }
            Check::Currency if Currency::from_code(s).is_none() => {
                Some("is not a supported iso 4217 currency code")
            }
            _ => None,
        }
    }
}
