//! RFC 9470 step-up challenges: a resource server answers 401 with
//! `WWW-Authenticate: Bearer error="insufficient_user_authentication",
//! acr_values="...", max_age=...` and the client starts a fresh
//! authorization with those `acr_values` and that `max_age`.

use serde_json::Value;

use super::error::short;
use super::json::{Reader, Writer};
use super::OidcError;

/// The `error` value of a step-up challenge.
pub const INSUFFICIENT_USER_AUTHENTICATION: &str = "insufficient_user_authentication";

/// Longest `WWW-Authenticate` value read, in bytes.
const MAX_CHALLENGE_BYTES: usize = 8 * 1024;

/// What a protected resource requires of the user's authentication.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AuthnChallenge {
    /// Acceptable authentication context classes, in order of preference.
    pub acr_values: Vec<String>,
    /// Seconds since the last active authentication beyond which the user
    /// must authenticate again.
    pub max_age: Option<u64>,
    /// A human-readable explanation.
    pub error_description: Option<String>,
    /// The protection realm.
    pub realm: Option<String>,
}

impl AuthnChallenge {
    /// Reads `{ acr_values?, max_age?, error_description?, realm? }`; unknown members are refused.
    pub fn from_value(value: &Value) -> Result<Self, OidcError> {
        let r = Reader::new(value, "")?;
        r.only(&["acr_values", "max_age", "error_description", "realm"])?;
        Ok(Self {
            acr_values: r.strings("acr_values")?,
            max_age: r.opt_u64("max_age")?,
            error_description: r.opt_str("error_description")?,
            realm: r.opt_str("realm")?,
        })
    }

    /// The JSON form [`AuthnChallenge::from_value`] reads.
    pub fn to_value(&self) -> Value {
        Writer::default()
            .strings("acr_values", &self.acr_values)
            .opt_u64("max_age", self.max_age)
            .opt_str("error_description", self.error_description.as_deref())
            .opt_str("realm", self.realm.as_deref())
            .build()
    }

    /// The `WWW-Authenticate` header value:
    /// `Bearer [realm="...", ]error="insufficient_user_authentication"[, error_description="..."][, acr_values="..."][, max_age=N]`.
    ///
    /// Values are quoted strings with `"` and `\` escaped. Control
    /// characters and non-ASCII are refused (they could split or corrupt the
    /// header), as are acr values that are empty or contain a space (the
    /// list is space-delimited).
    pub fn to_header_value(&self) -> Result<String, OidcError> {
        let mut out = String::from("Bearer ");
        if let Some(realm) = &self.realm {
            out.push_str("realm=");
            push_quoted(&mut out, realm, "realm")?;
            out.push_str(", ");
        }
        out.push_str("error=\"");
        out.push_str(INSUFFICIENT_USER_AUTHENTICATION);
        out.push('"');
        if let Some(description) = &self.error_description {
            out.push_str(", error_description=");
            push_quoted(&mut out, description, "error_description")?;
        }
        if !self.acr_values.is_empty() {
            for v in &self.acr_values {
                if v.is_empty() || v.contains(' ') {
                    return Err(OidcError::invalid(
                        "acr_values",
                        format!("`{}` must be non-empty and without spaces", short(v)),
                    ));
                }
            }
            out.push_str(", acr_values=");
            push_quoted(&mut out, &self.acr_values.join(" "), "acr_values")?;
        }
        if let Some(max_age) = self.max_age {
            out.push_str(", max_age=");
            out.push_str(&max_age.to_string());
        }
        Ok(out)
    }
}

/// Builds the `WWW-Authenticate` value of a step-up challenge
/// (see [`AuthnChallenge::to_header_value`]).
pub fn build_authn_challenge(challenge: &AuthnChallenge) -> Result<String, OidcError> {
    challenge.to_header_value()
}

fn push_quoted(out: &mut String, value: &str, field: &str) -> Result<(), OidcError> {
    out.push('"');
    for c in value.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            ' ' | '\t' | '!'..='~' => out.push(c),
            _ => {
                return Err(OidcError::invalid(
                    field,
                    "must be printable ascii (no control characters or line breaks)",
                ))
            }
        }
    }
    out.push('"');
    Ok(())
}

/// Reads a `WWW-Authenticate` value (several challenges and several header
/// lines joined with `, ` are fine) and returns the Bearer challenge whose
/// `error` is `insufficient_user_authentication`.
///
/// Parameter values may be tokens or quoted strings (`max_age=300` and
/// `max_age="300"` are the same). Parameter names are case-insensitive; a
/// name repeated within one challenge is refused.
pub fn parse_authn_challenge(header_value: &str) -> Result<AuthnChallenge, OidcError> {
    if header_value.len() > MAX_CHALLENGE_BYTES {
        return Err(OidcError::MalformedChallenge(format!(
            "longer than {MAX_CHALLENGE_BYTES} bytes"
        )));
    }
    let challenges = parse_challenges(header_value)?;
    let step_up = challenges.iter().find(|c| {
        c.scheme.eq_ignore_ascii_case("bearer")
            && c.param("error") == Some(INSUFFICIENT_USER_AUTHENTICATION)
    });
    let Some(challenge) = step_up else {
        return Err(OidcError::NotAuthnChallenge);
    };
    let max_age = challenge
        .param("max_age")
        .map(|v| {
            v.parse::<u64>().map_err(|_| {
                OidcError::MalformedChallenge(format!(
                    "`max_age` `{}` is not a whole number of seconds",
                    short(v)
                ))
            })
        })
        .transpose()?;
    Ok(AuthnChallenge {
        acr_values: challenge
            .param("acr_values")
            .map(|v| {
                v.split(' ')
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default(),
        max_age,
        error_description: challenge.param("error_description").map(str::to_owned),
        realm: challenge.param("realm").map(str::to_owned),
    })
}

/// The `error` and `error_description` of the first Bearer challenge of a
/// `WWW-Authenticate` value that has an `error` (RFC 6750 section 3), if any.
/// Unreadable values give `None`: they only decorate an error already known.
pub(crate) fn bearer_error(header_value: &str) -> Option<(String, Option<String>)> {
    if header_value.len() > MAX_CHALLENGE_BYTES {
        return None;
    }
    let challenges = parse_challenges(header_value).ok()?;
    let bearer = challenges
        .iter()
        .find(|c| c.scheme.eq_ignore_ascii_case("bearer") && c.param("error").is_some())?;
    Some((
        short(bearer.param("error")?).to_owned(),
        bearer
            .param("error_description")
            .map(|d| short(d).to_owned()),
    ))
}

/// One challenge: its scheme and its auth-params (token68 challenges keep no params).
struct Challenge {
    scheme: String,
    params: Vec<(String, String)>,
}

impl Challenge {
    fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

fn is_tchar(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c)
}

fn is_token68_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-._~+/".contains(c)
}

/// A cursor over the header value.
struct Cursor<'a> {
    rest: &'a str,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<char> {
        self.rest.chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.rest = self.rest.get(c.len_utf8()..).unwrap_or_default();
        Some(c)
    }

    fn skip_ows(&mut self) {
        self.rest = self.rest.trim_start_matches([' ', '\t']);
    }

    fn skip_ows_and_commas(&mut self) {
        self.rest = self.rest.trim_start_matches([' ', '\t', ',']);
    }

    fn take_while(&mut self, f: impl Fn(char) -> bool) -> &'a str {
        let end = self.rest.find(|c| !f(c)).unwrap_or(self.rest.len());
        let (taken, rest) = self.rest.split_at_checked(end).unwrap_or((self.rest, ""));
        self.rest = rest;
        taken
    }

    fn quoted_string(&mut self) -> Result<String, OidcError> {
        // The opening quote was seen by the caller.
        self.bump();
        let mut value = String::new();
        loop {
            match self.bump() {
                None => {
                    return Err(OidcError::MalformedChallenge(
                        "unterminated quoted string".into(),
                    ))
                }
                Some('"') => return Ok(value),
                Some('\\') => match self.bump() {
                    Some(c) if c == '\t' || !c.is_control() => value.push(c),
                    _ => {
                        return Err(OidcError::MalformedChallenge(
                            "bad escape in a quoted string".into(),
                        ))
                    }
                },
                Some(c) if c == '\t' || !c.is_control() => value.push(c),
                Some(_) => {
                    return Err(OidcError::MalformedChallenge(
                        "control character in a quoted string".into(),
                    ))
                }
            }
        }
    }
}

/// `challenge *( OWS "," OWS challenge )`, where
/// `challenge = auth-scheme [ 1*SP ( token68 / #auth-param ) ]`.
fn parse_challenges(value: &str) -> Result<Vec<Challenge>, OidcError> {
    let mut cur = Cursor { rest: value };
    let mut challenges = Vec::new();
    cur.skip_ows_and_commas();
    while cur.peek().is_some() {
        let scheme = cur.take_while(is_tchar);
        if scheme.is_empty() {
            return Err(OidcError::MalformedChallenge(format!(
                "expected an auth scheme at `{}`",
                short(cur.rest)
            )));
        }
        let mut challenge = Challenge {
            scheme: scheme.to_owned(),
            params: Vec::new(),
        };
        let had_space = cur.peek().is_some_and(|c| c == ' ');
        cur.skip_ows();
        let mut at_next_challenge = false;
        if had_space && cur.peek().is_some_and(|c| c != ',') {
            at_next_challenge = parse_params_or_token68(&mut cur, &mut challenge)?;
        }
        challenges.push(challenge);
        if at_next_challenge {
            continue;
        }
        match cur.peek() {
            None => break,
            Some(',') => cur.skip_ows_and_commas(),
            Some(_) => {
                return Err(OidcError::MalformedChallenge(format!(
                    "unexpected text at `{}`",
                    short(cur.rest)
                )))
            }
        }
    }
    Ok(challenges)
}

/// After `scheme SP`: either a token68, or auth-params until the next
/// challenge (a token not followed by `=`) or the end. Returns `true` when it
/// stopped at the start of the next challenge, its separating comma consumed.
fn parse_params_or_token68(
    cur: &mut Cursor<'_>,
    challenge: &mut Challenge,
) -> Result<bool, OidcError> {
    let mut first = true;
    loop {
        let before = cur.rest;
        let name = cur.take_while(is_tchar);
        let after_name = cur.rest;
        cur.skip_ows();
        if name.is_empty() || cur.peek() != Some('=') {
            if first {
                // A token68 credential-like value: consume it, keep no params.
                cur.rest = before;
                let t = cur.take_while(is_token68_char);
                cur.take_while(|c| c == '=');
                if t.is_empty() {
                    return Err(OidcError::MalformedChallenge(format!(
                        "expected a parameter at `{}`",
                        short(before)
                    )));
                }
                cur.skip_ows();
                return Ok(false);
            }
            // The start of the next challenge: give the token back.
            cur.rest = before;
            return Ok(true);
        }
        cur.bump(); // '='
        cur.skip_ows();
        let value = match cur.peek() {
            Some('"') => cur.quoted_string()?,
            Some(c) if is_tchar(c) => cur.take_while(is_tchar).to_owned(),
            _ if first => {
                // `name=` then `=`, `,` or the end: a token68 ending in `=`.
                cur.rest = after_name;
                cur.take_while(|c| c == '=');
                cur.skip_ows();
                return Ok(false);
            }
            _ => {
                return Err(OidcError::MalformedChallenge(format!(
                    "parameter `{}` has no value",
                    short(name)
                )))
            }
        };
        if challenge.param(name).is_some() {
            return Err(OidcError::MalformedChallenge(format!(
                "parameter `{}` appears twice",
                short(name)
            )));
        }
        challenge.params.push((name.to_owned(), value));
        first = false;
        cur.skip_ows();
        match cur.peek() {
            Some(',') => {
                cur.skip_ows_and_commas();
                if cur.peek().is_none() {
                    return Ok(false);
                }
            }
            None => return Ok(false),
            Some(_) => {
                return Err(OidcError::MalformedChallenge(format!(
                    "expected `,` at `{}`",
                    short(cur.rest)
                )))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorInfo as _;

    #[test]
    fn builds_the_rfc_9470_form() {
        let c = AuthnChallenge {
            acr_values: vec!["urn:1kosmos:liveid".into(), "push".into()],
            max_age: Some(300),
            error_description: Some(r#"a "fresh" LiveID \ step-up is required"#.into()),
            realm: None,
        };
        assert_eq!(
            c.to_header_value().unwrap(),
            r#"Bearer error="insufficient_user_authentication", error_description="a \"fresh\" LiveID \\ step-up is required", acr_values="urn:1kosmos:liveid push", max_age=300"#
        );
        assert_eq!(
            parse_authn_challenge(&c.to_header_value().unwrap()).unwrap(),
            c
        );
        let minimal = AuthnChallenge {
            realm: Some("api".into()),
            ..AuthnChallenge::default()
        };
        assert_eq!(
            build_authn_challenge(&minimal).unwrap(),
            r#"Bearer realm="api", error="insufficient_user_authentication""#
        );
    }

    #[test]
    fn refuses_what_would_break_the_header() {
        let bad = |c: AuthnChallenge| c.to_header_value().unwrap_err().field().map(str::to_owned);
        let desc = |d: &str| AuthnChallenge {
            error_description: Some(d.into()),
            ..AuthnChallenge::default()
        };
        assert_eq!(
            bad(desc("a\r\nSet-Cookie: x=1")).as_deref(),
            Some("error_description")
        );
        assert_eq!(bad(desc("caf\u{e9}")).as_deref(), Some("error_description"));
        let acr = |v: &str| AuthnChallenge {
            acr_values: vec![v.into()],
            ..AuthnChallenge::default()
        };
        assert_eq!(bad(acr("liveID push")).as_deref(), Some("acr_values"));
        assert_eq!(bad(acr("")).as_deref(), Some("acr_values"));
    }

    #[test]
    fn parses_among_several_challenges() {
        let v = r#"Basic realm="x, y", Bearer realm="api",error="insufficient_user_authentication" , ERROR_DESCRIPTION="more \"recent\" auth", max_age="5", DPoP algs="ES256""#;
        let c = parse_authn_challenge(v).unwrap();
        assert_eq!(c.max_age, Some(5));
        assert_eq!(c.realm.as_deref(), Some("api"));
        assert_eq!(
            c.error_description.as_deref(),
            Some(r#"more "recent" auth"#)
        );
        assert!(c.acr_values.is_empty());

        let v =
            "Negotiate abc+/==, Bearer error=insufficient_user_authentication, acr_values=\"a  b\"";
        let c = parse_authn_challenge(v).unwrap();
        assert_eq!(c.acr_values, vec!["a", "b"]);
        assert_eq!(c.max_age, None);
        let v = "Bearer, Bearer error=\"insufficient_user_authentication\",";
        assert!(parse_authn_challenge(v).is_ok());
    }

    #[test]
    fn tells_other_challenges_and_broken_syntax_apart() {
        let code = |v: &str| parse_authn_challenge(v).map_or_else(|e| e.code(), |_| "ok");
        assert_eq!(
            code(r#"Bearer error="invalid_token""#),
            "not_a_step_up_challenge"
        );
        assert_eq!(
            code(r#"Basic realm="insufficient_user_authentication""#),
            "not_a_step_up_challenge"
        );
        assert_eq!(code(""), "not_a_step_up_challenge");
        assert_eq!(
            code(r#"Bearer error="insufficient_user_authentication"#),
            "malformed_challenge"
        );
        assert_eq!(
            code("Bearer error=\"insufficient_user_authentication\", max_age=soon"),
            "malformed_challenge"
        );
        assert_eq!(
            code("Bearer error=\"insufficient_user_authentication\", max_age=-1"),
            "malformed_challenge"
        );
        assert_eq!(
            code("Bearer error=\"insufficient_user_authentication\", error=x"),
            "malformed_challenge"
        );
        assert_eq!(code("Bearer error=\"a\nb\""), "malformed_challenge");
        assert_eq!(
            code("Bearer error=\"insufficient_user_authentication\" max_age=1"),
            "malformed_challenge"
        );
        assert_eq!(code("=x"), "malformed_challenge");
        assert_eq!(
            code(&"a".repeat(MAX_CHALLENGE_BYTES + 1)),
            "malformed_challenge"
        );
    }
}
