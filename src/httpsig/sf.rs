//! RFC 8941 structured fields: the parts HTTP message signatures use
//! (dictionaries, lists, inner lists, items with parameters, every bare
//! item type but dates and display strings), parsed strictly and
//! serialized canonically.

use base64::Engine as _;

/// Most members in a dictionary or list, and items in an inner list.
pub(crate) const MAX_MEMBERS: usize = 64;
/// Most parameters on one item or inner list.
pub(crate) const MAX_PARAMS: usize = 16;

/// A bare item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Bare {
    /// An integer (at most 15 digits).
    Integer(i64),
    /// A decimal, in thousandths.
    Decimal(i64),
    /// A string (printable ASCII).
    String(String),
    /// A token.
    Token(String),
    /// A byte sequence.
    Bytes(Vec<u8>),
    /// A boolean.
    Boolean(bool),
}

/// Parameters, in order, keys unique (a repeated key overwrites in place).
pub(crate) type Params = Vec<(String, Bare)>;

/// An item with its parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Item {
    pub(crate) bare: Bare,
    pub(crate) params: Params,
}

/// A dictionary or list member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Member {
    Item(Item),
    Inner(Vec<Item>, Params),
}

/// A dictionary: members in order, keys unique.
pub(crate) type Dictionary = Vec<(String, Member)>;

/// Looks up a parameter.
pub(crate) fn param<'a>(params: &'a Params, key: &str) -> Option<&'a Bare> {
    params.iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

struct Parser<'a> {
    s: &'a [u8],
    at: usize,
}

type Res<T> = Result<T, String>;

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.at).copied()
    }
    fn bump(&mut self) -> Option<u8> {
        let c = self.peek()?;
        self.at += 1;
        Some(c)
    }
    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.at += 1;
            true
        } else {
            false
        }
    }
    fn sp(&mut self) {
        while self.eat(b' ') {}
    }
    fn ows(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.at += 1;
        }
    }
    fn done(&self) -> bool {
        self.at >= self.s.len()
    }

    fn key(&mut self) -> Res<String> {
        match self.peek() {
            Some(c) if c.is_ascii_lowercase() || c == b'*' => {}
            _ => return Err("a key must start with a lowercase letter or `*`".into()),
        }
        let start = self.at;
        while matches!(self.peek(), Some(c) if c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, b'_' | b'-' | b'.' | b'*'))
        {
            self.at += 1;
        }
        Ok(text(self.s, start, self.at))
    }

    fn params(&mut self) -> Res<Params> {
        let mut out: Params = Vec::new();
        while self.eat(b';') {
            self.sp();
            let key = self.key()?;
            let value = if self.eat(b'=') {
                self.bare()?
            } else {
                Bare::Boolean(true)
            };
            if let Some(slot) = out.iter_mut().find(|(k, _)| *k == key) {
                slot.1 = value;
            } else {
                if out.len() >= MAX_PARAMS {
                    return Err(format!("more than {MAX_PARAMS} parameters"));
                }
                out.push((key, value));
            }
        }
        Ok(out)
    }

    fn item(&mut self) -> Res<Item> {
        let bare = self.bare()?;
        let params = self.params()?;
        Ok(Item { bare, params })
    }

    fn member(&mut self) -> Res<Member> {
        if self.eat(b'(') {
            let mut items = Vec::new();
            loop {
                self.sp();
                if self.eat(b')') {
                    let params = self.params()?;
                    return Ok(Member::Inner(items, params));
                }
                if items.len() >= MAX_MEMBERS {
                    return Err(format!("an inner list has more than {MAX_MEMBERS} items"));
                }
                items.push(self.item()?);
                match self.peek() {
                    Some(b' ' | b')') => {}
                    _ => return Err("an inner list item must be followed by a space or `)`".into()),
                }
            }
        }
        Ok(Member::Item(self.item()?))
    }

    fn bare(&mut self) -> Res<Bare> {
        match self.peek() {
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b'"') => self.string(),
            Some(b':') => self.bytes(),
            Some(b'?') => {
                self.at += 1;
                match self.bump() {
                    Some(b'1') => Ok(Bare::Boolean(true)),
                    Some(b'0') => Ok(Bare::Boolean(false)),
                    _ => Err("a boolean must be `?0` or `?1`".into()),
                }
            }
            Some(c) if c.is_ascii_alphabetic() || c == b'*' => {
                let start = self.at;
                while matches!(self.peek(), Some(c) if is_tchar(c) || c == b':' || c == b'/') {
                    self.at += 1;
                }
                Ok(Bare::Token(text(self.s, start, self.at)))
            }
            Some(_) => Err("an item has an unexpected character".into()),
            None => Err("an item is missing".into()),
        }
    }

    fn number(&mut self) -> Res<Bare> {
        let negative = self.eat(b'-');
        let mut int: i64 = 0;
        let mut digits = 0;
        while let Some(c @ b'0'..=b'9') = self.peek() {
            self.at += 1;
            digits += 1;
            if digits > 15 {
                return Err("an integer has more than 15 digits".into());
            }
            int = int * 10 + i64::from(c - b'0');
        }
        if digits == 0 {
            return Err("a number has no digits".into());
        }
        let sign = if negative { -1 } else { 1 };
        if !self.eat(b'.') {
            return Ok(Bare::Integer(sign * int));
        }
        if digits > 12 {
            return Err("a decimal has more than 12 integer digits".into());
        }
        let mut frac: i64 = 0;
        let mut fdigits = 0;
        while let Some(c @ b'0'..=b'9') = self.peek() {
            self.at += 1;
            fdigits += 1;
            if fdigits > 3 {
                return Err("a decimal has more than 3 fraction digits".into());
            }
            frac = frac * 10 + i64::from(c - b'0');
        }
        if fdigits == 0 {
            return Err("a decimal ends with `.`".into());
        }
        for _ in fdigits..3 {
            frac *= 10;
        }
        Ok(Bare::Decimal(sign * (int * 1000 + frac)))
    }

    fn string(&mut self) -> Res<Bare> {
        self.at += 1;
        let mut out = String::new();
        loop {
            match self.bump() {
                None => return Err("a string is not closed".into()),
                Some(b'"') => return Ok(Bare::String(out)),
                Some(b'\\') => match self.bump() {
                    Some(c @ (b'"' | b'\\')) => out.push(char::from(c)),
                    _ => return Err("a string has a bad escape".into()),
                },
                Some(c @ 0x20..=0x7e) => out.push(char::from(c)),
                Some(_) => return Err("a string has a character outside printable ascii".into()),
            }
        }
    }

    fn bytes(&mut self) -> Res<Bare> {
        self.at += 1;
        let start = self.at;
        while matches!(self.peek(), Some(c) if c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'='))
        {
            self.at += 1;
        }
        let end = self.at;
        if !self.eat(b':') {
            return Err("a byte sequence is not closed by `:`".into());
        }
        let b64 = self.s.get(start..end).unwrap_or_default();
        decode_base64(b64)
            .map(Bare::Bytes)
            .ok_or_else(|| "a byte sequence is not valid base64".into())
    }
}

/// Standard base64, padding optional (RFC 8941 asks parsers to be lenient
/// about padding).
pub(crate) fn decode_base64(b64: &[u8]) -> Option<Vec<u8>> {
    use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
    use base64::engine::DecodePaddingMode;
    const LENIENT: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    LENIENT.decode(b64).ok()
}

fn text(s: &[u8], start: usize, end: usize) -> String {
    String::from_utf8_lossy(s.get(start..end).unwrap_or_default()).into_owned()
}

fn is_tchar(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&c)
}

fn parser(input: &str) -> Parser<'_> {
    let mut p = Parser {
        s: input.as_bytes(),
        at: 0,
    };
    p.sp();
    p
}

fn finish<T>(mut p: Parser<'_>, value: T) -> Res<T> {
    p.sp();
    if p.done() {
        Ok(value)
    } else {
        Err("unexpected characters after the value".into())
    }
}

/// Parses a dictionary.
pub(crate) fn parse_dictionary(input: &str) -> Res<Dictionary> {
    let mut p = parser(input);
    let mut out: Dictionary = Vec::new();
    while !p.done() {
        let key = p.key()?;
        let member = if p.eat(b'=') {
            p.member()?
        } else {
            Member::Item(Item {
                bare: Bare::Boolean(true),
                params: p.params()?,
            })
        };
        if let Some(slot) = out.iter_mut().find(|(k, _)| *k == key) {
            slot.1 = member;
        } else {
            if out.len() >= MAX_MEMBERS {
                return Err(format!("more than {MAX_MEMBERS} members"));
            }
            out.push((key, member));
        }
        p.ows();
        if p.done() {
            break;
        }
        if !p.eat(b',') {
            return Err("members must be separated by `,`".into());
        }
        p.ows();
        if p.done() {
            return Err("a trailing `,`".into());
        }
    }
    Ok(out)
}

/// Parses a list.
pub(crate) fn parse_list(input: &str) -> Res<Vec<Member>> {
    let mut p = parser(input);
    let mut out = Vec::new();
    while !p.done() {
        if out.len() >= MAX_MEMBERS {
            return Err(format!("more than {MAX_MEMBERS} members"));
        }
        out.push(p.member()?);
        p.ows();
        if p.done() {
            break;
        }
        if !p.eat(b',') {
            return Err("members must be separated by `,`".into());
        }
        p.ows();
        if p.done() {
            return Err("a trailing `,`".into());
        }
    }
    Ok(out)
}

/// Parses an item.
pub(crate) fn parse_item(input: &str) -> Res<Item> {
    let mut p = parser(input);
    let item = p.item()?;
    finish(p, item)
}

/// Appends the canonical serialization of a bare item.
pub(crate) fn write_bare(out: &mut String, bare: &Bare) {
    match bare {
        Bare::Integer(i) => out.push_str(&i.to_string()),
        Bare::Decimal(milli) => {
            if *milli < 0 {
                out.push('-');
            }
            let abs = milli.unsigned_abs();
            out.push_str(&(abs / 1000).to_string());
            out.push('.');
            let frac = format!("{:03}", abs % 1000);
            let trimmed = frac.trim_end_matches('0');
            out.push_str(if trimmed.is_empty() { "0" } else { trimmed });
        }
        Bare::String(s) => {
            out.push('"');
            for c in s.chars() {
                if c == '"' || c == '\\' {
                    out.push('\\');
                }
                out.push(c);
            }
            out.push('"');
        }
        Bare::Token(t) => out.push_str(t),
        Bare::Bytes(b) => {
            out.push(':');
            out.push_str(&base64::engine::general_purpose::STANDARD.encode(b));
            out.push(':');
        }
        Bare::Boolean(b) => out.push_str(if *b { "?1" } else { "?0" }),
    }
}

/// Appends serialized parameters.
pub(crate) fn write_params(out: &mut String, params: &Params) {
    for (k, v) in params {
        out.push(';');
        out.push_str(k);
        if *v != Bare::Boolean(true) {
            out.push('=');
            write_bare(out, v);
        }
    }
}

/// Appends a serialized item.
pub(crate) fn write_item(out: &mut String, item: &Item) {
    write_bare(out, &item.bare);
    write_params(out, &item.params);
}

/// Appends a serialized member (an item or an inner list).
pub(crate) fn write_member(out: &mut String, member: &Member) {
    match member {
        Member::Item(item) => write_item(out, item),
        Member::Inner(items, params) => {
            out.push('(');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                write_item(out, item);
            }
            out.push(')');
            write_params(out, params);
        }
    }
}

/// Serializes a dictionary.
pub(crate) fn write_dictionary(dict: &Dictionary) -> String {
    let mut out = String::new();
    for (i, (k, m)) in dict.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(k);
        match m {
            Member::Item(Item {
                bare: Bare::Boolean(true),
                params,
            }) => write_params(&mut out, params),
            other => {
                out.push('=');
                write_member(&mut out, other);
            }
        }
    }
    out
}

/// Serializes a list.
pub(crate) fn write_list(list: &[Member]) -> String {
    let mut out = String::new();
    for (i, m) in list.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write_member(&mut out, m);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_signature_input() {
        let text = r#"sig1=("@method" "@query-param";name="Pet" "content-digest");created=1618884473;keyid="k";alg="ed25519", sig2=();nonce="a\"b""#;
        let dict = parse_dictionary(text).unwrap();
        assert_eq!(dict.len(), 2);
        assert_eq!(write_dictionary(&dict), text);
    }

    #[test]
    fn parses_every_bare_type() {
        let l = parse_list("1, -2.50, \"s\", tok/x:y, :aGk=:, ?0, ?1;a;b=2").unwrap();
        assert_eq!(
            write_list(&l),
            "1, -2.5, \"s\", tok/x:y, :aGk=:, ?0, ?1;a;b=2"
        );
        assert_eq!(parse_item("  a  ").unwrap().bare, Bare::Token("a".into()));
    }

    #[test]
    fn refuses_malformed() {
        for bad in [
            "a=",
            "a=1,",
            "A=1",
            "a=(1",
            "a=\"x",
            "a=:!!:",
            "a=1 b=2",
            "a=1234567890123456",
            "a=1.2345",
            "a=?2",
            "a=\"\u{e9}\"",
            "a=(1)x",
        ] {
            assert!(parse_dictionary(bad).is_err(), "{bad}");
        }
        assert!(parse_item("a b").is_err());
    }
}
