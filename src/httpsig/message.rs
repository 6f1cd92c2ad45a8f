//! The message as the caller hands it over, and the signature base of
//! RFC 9421 section 2.5 built from it.

use serde::Deserialize;

use super::sf::{self, Bare, Item, Member};
use super::HttpSigError;

/// Most bytes of one header value the core reads.
pub const MAX_HEADER_VALUE_BYTES: usize = 16 * 1024;

/// An HTTP message to sign or verify: a request (`method`, `url`) or a
/// response (`status`, and the `request` it answers for `;req` components).
/// The body travels apart, as bytes.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Message {
    /// The request method, as sent (`POST`).
    #[serde(default)]
    pub method: Option<String>,
    /// The absolute target URI (`https://example.com/foo?a=b`).
    #[serde(default)]
    pub url: Option<String>,
    /// The response status.
    #[serde(default)]
    pub status: Option<u16>,
    /// Header fields as `[name, value]` pairs, in order.
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    /// The request a response answers (for components with `req`).
    #[serde(default)]
    pub request: Option<Box<Message>>,
}

struct Url<'a> {
    scheme: &'a str,
    authority: &'a str,
    path: &'a str,
    query: Option<&'a str>,
}

fn split_url(url: &str) -> Option<Url<'_>> {
    let (scheme, rest) = url.split_once("://")?;
    let rest = rest.split_once('#').map_or(rest, |(a, _)| a);
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at_checked(end)?;
    let (path, query) = match tail.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (tail, None),
    };
    if scheme.is_empty() || authority.is_empty() {
        return None;
    }
    Some(Url {
        scheme,
        authority,
        path,
        query,
    })
}

impl Message {
    fn url(&self, id: &str) -> Result<Url<'_>, HttpSigError> {
        let url = self
            .url
            .as_deref()
            .ok_or_else(|| HttpSigError::ComponentUnavailable(id.to_owned()))?;
        split_url(url).ok_or_else(|| HttpSigError::bad_format("url", "it is not an absolute uri"))
    }

    /// Every value of a header field (case-insensitive name), trimmed.
    fn field_values(&self, name: &str) -> Vec<String> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| {
                // Obsolete line folding becomes one space.
                v.split(['\r', '\n'])
                    .map(|l| l.trim_matches([' ', '\t']))
                    .filter(|l| !l.is_empty())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    }

    /// A header field's combined value, or `None` when absent.
    pub(crate) fn field(&self, name: &str) -> Result<Option<String>, HttpSigError> {
        let values = self.field_values(name);
        if values.is_empty() {
            return Ok(None);
        }
        let joined = values.join(", ");
        if joined.len() > MAX_HEADER_VALUE_BYTES {
            return Err(HttpSigError::PayloadTooLarge {
                what: "a header value",
                limit: MAX_HEADER_VALUE_BYTES,
            });
        }
        Ok(Some(joined))
    }
}

/// The component identifier as it appears in the base (`"@path"`, `"x";sf`).
pub(crate) fn serialize_id(item: &Item) -> String {
    let mut out = String::new();
    sf::write_item(&mut out, item);
    out
}

/// The value of one covered component (RFC 9421 section 2.1 and 2.2).
pub(crate) fn component_value(msg: &Message, id: &Item) -> Result<String, HttpSigError> {
    let shown = serialize_id(id);
    let Bare::String(name) = &id.bare else {
        return Err(HttpSigError::bad_format(
            "signature-input",
            "a component identifier must be a string",
        ));
    };
    let mut msg = msg;
    let flag = |k: &str| sf::param(&id.params, k).is_some();
    if flag("req") {
        msg = msg
            .request
            .as_deref()
            .ok_or_else(|| HttpSigError::ComponentUnavailable(shown.clone()))?;
    }
    if flag("tr") {
        return Err(HttpSigError::Unsupported(format!(
            "trailer component `{shown}`"
        )));
    }
    let allowed = |names: &[&str]| id.params.iter().all(|(k, _)| names.contains(&k.as_str()));
    if let Some(derived) = name.strip_prefix('@') {
        let ok_params = if derived == "query-param" {
            allowed(&["req", "name"])
        } else {
            allowed(&["req"])
        };
        if !ok_params {
            return Err(HttpSigError::Unsupported(format!(
                "parameters on `{shown}`"
            )));
        }
        return derived_value(msg, derived, id, &shown);
    }
    if name.is_empty()
        || name
            .bytes()
            .any(|c| c.is_ascii_uppercase() || !(0x21..0x7f).contains(&c))
    {
        return Err(HttpSigError::bad_format(
            "signature-input",
            "a header field component must be a lowercase field name",
        ));
    }
    if !allowed(&["req", "sf", "key", "bs"]) {
        return Err(HttpSigError::Unsupported(format!(
            "parameters on `{shown}`"
        )));
    }
    let unavailable = || HttpSigError::ComponentUnavailable(shown.clone());
    if flag("bs") {
        if flag("sf") || flag("key") {
            return Err(HttpSigError::bad_format(
                "signature-input",
                "`bs` excludes `sf` and `key`",
            ));
        }
        let values = msg.field_values(name);
        if values.is_empty() {
            return Err(unavailable());
        }
        let mut out = Vec::new();
        for v in values {
            let mut s = String::new();
            sf::write_bare(&mut s, &Bare::Bytes(v.into_bytes()));
            out.push(s);
        }
        return Ok(out.join(", "));
    }
    let value = msg.field(name)?.ok_or_else(unavailable)?;
    if let Some(key) = sf::param(&id.params, "key") {
        let Bare::String(key) = key else {
            return Err(HttpSigError::bad_format(
                "signature-input",
                "`key` must be a string",
            ));
        };
        let dict =
            sf::parse_dictionary(&value).map_err(|m| HttpSigError::bad_format(name.as_str(), m))?;
        let (_, member) = dict
            .iter()
            .find(|(k, _)| k == key)
            .ok_or_else(unavailable)?;
        let mut out = String::new();
        sf::write_member(&mut out, member);
        return Ok(out);
    }
    if flag("sf") {
        if let Ok(dict) = sf::parse_dictionary(&value) {
            return Ok(sf::write_dictionary(&dict));
        }
        if let Ok(list) = sf::parse_list(&value) {
            return Ok(sf::write_list(&list));
        }
        return Err(HttpSigError::bad_format(
            name.as_str(),
            "it is not a structured field",
        ));
    }
    Ok(value)
}

fn derived_value(
    msg: &Message,
    derived: &str,
    id: &Item,
    shown: &str,
) -> Result<String, HttpSigError> {
    let unavailable = || HttpSigError::ComponentUnavailable(shown.to_owned());
    match derived {
        "method" => msg.method.clone().ok_or_else(unavailable),
        "status" => msg.status.map(|s| s.to_string()).ok_or_else(unavailable),
        "target-uri" => {
            let url = msg.url.as_deref().ok_or_else(unavailable)?;
            Ok(url.split_once('#').map_or(url, |(a, _)| a).to_owned())
        }
        "authority" => {
            let u = msg.url(shown)?;
            let host = u.authority.rsplit_once('@').map_or(u.authority, |(_, h)| h);
            let host = host.to_ascii_lowercase();
            let default = match u.scheme.to_ascii_lowercase().as_str() {
                "https" => Some(":443"),
                "http" => Some(":80"),
                _ => None,
            };
            Ok(match default.and_then(|d| host.strip_suffix(d)) {
                Some(h) => h.to_owned(),
                None => host,
            })
        }
        "scheme" => Ok(msg.url(shown)?.scheme.to_ascii_lowercase()),
        "path" => {
            let u = msg.url(shown)?;
            Ok(if u.path.is_empty() {
                "/".into()
            } else {
                u.path.to_owned()
            })
        }
        "query" => Ok(format!("?{}", msg.url(shown)?.query.unwrap_or(""))),
        "request-target" => {
            let u = msg.url(shown)?;
            let path = if u.path.is_empty() { "/" } else { u.path };
            Ok(match u.query {
                Some(q) => format!("{path}?{q}"),
                None => path.to_owned(),
            })
        }
        "query-param" => {
            let Some(Bare::String(wanted)) = sf::param(&id.params, "name") else {
                return Err(HttpSigError::bad_format(
                    "signature-input",
                    "`@query-param` needs a string `name` parameter",
                ));
            };
            let u = msg.url(shown)?;
            let mut found = None;
            for pair in u.query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
                let (n, v) = pair.split_once('=').unwrap_or((pair, ""));
                if encode(&decode(n)) == *wanted {
                    if found.is_some() {
                        return Err(HttpSigError::bad_format(
                            shown,
                            "the query parameter occurs more than once",
                        ));
                    }
                    found = Some(encode(&decode(v)));
                }
            }
            found.ok_or_else(unavailable)
        }
        "signature-params" => Err(HttpSigError::bad_format(
            "signature-input",
            "`@signature-params` cannot be covered",
        )),
        _ => Err(HttpSigError::Unsupported(format!(
            "derived component `{shown}`"
        ))),
    }
}

/// application/x-www-form-urlencoded decoding (`+` is a space).
fn decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        let hex = |j: usize| b.get(j).and_then(|h| char::from(*h).to_digit(16));
        match c {
            b'+' => out.push(b' '),
            b'%' => match (hex(i + 1), hex(i + 2)) {
                (Some(h), Some(l)) => {
                    out.push(u8::try_from(h * 16 + l).unwrap_or(0));
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            _ => out.push(c),
        }
        i += 1;
    }
    out
}

/// Percent-encodes all but ASCII alphanumerics and `*-._` (a space is `%20`).
fn encode(b: &[u8]) -> String {
    let mut out = String::with_capacity(b.len());
    for &c in b {
        if c.is_ascii_alphanumeric() || b"*-._".contains(&c) {
            out.push(char::from(c));
        } else {
            out.push_str(&format!("%{c:02X}"));
        }
    }
    out
}

/// The signature base: one line per covered component, then
/// `"@signature-params"`. `params_member` is the inner list, serialized.
pub(crate) fn signature_base(msg: &Message, covered: &Member) -> Result<String, HttpSigError> {
    let Member::Inner(items, _) = covered else {
        return Err(HttpSigError::bad_format(
            "signature-input",
            "a signature's member must be an inner list",
        ));
    };
    let mut out = String::new();
    let mut seen: Vec<String> = Vec::new();
    for item in items {
        let shown = serialize_id(item);
        if seen.contains(&shown) {
            return Err(HttpSigError::bad_format(
                "signature-input",
                format!("`{shown}` is covered twice"),
            ));
        }
        let value = component_value(msg, item)?;
        out.push_str(&shown);
        out.push_str(": ");
        out.push_str(&value);
        out.push('\n');
        seen.push(shown);
    }
    out.push_str("\"@signature-params\": ");
    sf::write_member(&mut out, covered);
    Ok(out)
}
