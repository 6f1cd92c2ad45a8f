//! `JSON.stringify(JSON.parse(text))` exactly as ECMAScript computes it.
//!
//! What JavaScript does that a generic JSON library does not:
//! - numbers become IEEE doubles and are written back by `Number::toString`
//!   (`1E3` -> `1000`, `1e21` -> `1e+21`, `-0` -> `0`, `1e400` -> `null`,
//!   integers beyond 2^53 rounded);
//! - object keys that are array indices (`"0"` ..= `"4294967294"`, canonical
//!   decimal) come first in ascending order, other keys keep insertion order;
//!   a repeated key keeps its first position and its last value;
//! - strings are UTF-16: a lone surrogate escape survives parsing and is
//!   written back as `\udxxx`; `\u2028`/`\u2029` are written literally; control
//!   characters other than `\b\f\n\r\t` become `\u00xx` (lowercase hex);
//!   `/` is never escaped.
//!
//! Built for native targets. In WebAssembly the host's own `JSON` does this
//! (the wasm layer plugs it in), which is exact by definition and keeps
//! about 25 KB (gzip) of parser, number tables and formatter out of the module.

use super::js_number::js_number;

use super::common::MAX_JSON_DEPTH;

/// `JSON.stringify(JSON.parse(text))`, or `None` when `JSON.parse` would
/// throw (or nesting exceeds [`MAX_JSON_DEPTH`]).
pub(super) fn js_restringify(text: &str) -> Option<String> {
    let mut parser = Parser {
        bytes: text.as_bytes(),
        text,
        pos: 0,
    };
    parser.skip_ws();
    let value = parser.value(0)?;
    parser.skip_ws();
    if parser.pos != parser.bytes.len() {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    write_value(&value, &mut out);
    Some(out)
}

/// A JSON.parse result. Strings are UTF-16 code units, as in JavaScript.
enum Value {
    Null,
    Bool(bool),
    Number(f64),
    String(Vec<u16>),
    Array(Vec<Value>),
    Object(Vec<(Vec<u16>, Value)>),
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn eat(&mut self, literal: &str) -> Option<()> {
        let end = self.pos.checked_add(literal.len())?;
        if self.bytes.get(self.pos..end)? == literal.as_bytes() {
            self.pos = end;
            Some(())
        } else {
            None
        }
    }

    fn value(&mut self, depth: usize) -> Option<Value> {
        match self.peek()? {
            b'n' => self.eat("null").map(|()| Value::Null),
            b't' => self.eat("true").map(|()| Value::Bool(true)),
            b'f' => self.eat("false").map(|()| Value::Bool(false)),
            b'"' => self.string().map(Value::String),
            b'[' => self.array(depth + 1),
            b'{' => self.object(depth + 1),
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    fn array(&mut self, depth: usize) -> Option<Value> {
        if depth > MAX_JSON_DEPTH {
            return None;
        }
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek()? == b']' {
            self.pos += 1;
            return Some(Value::Array(items));
        }
        loop {
            self.skip_ws();
            items.push(self.value(depth)?);
            self.skip_ws();
            match self.peek()? {
                b',' => self.pos += 1,
                b']' => {
                    self.pos += 1;
                    return Some(Value::Array(items));
                }
                _ => return None,
            }
        }
    }

    fn object(&mut self, depth: usize) -> Option<Value> {
        if depth > MAX_JSON_DEPTH {
            return None;
        }
        self.pos += 1;
        let mut members: Vec<(Vec<u16>, Value)> = Vec::new();
        self.skip_ws();
        if self.peek()? == b'}' {
            self.pos += 1;
            return Some(Value::Object(members));
        }
        loop {
            self.skip_ws();
            if self.peek()? != b'"' {
                return None;
            }
            let key = self.string()?;
            self.skip_ws();
            if self.peek()? != b':' {
                return None;
            }
            self.pos += 1;
            self.skip_ws();
            let value = self.value(depth)?;
            members.push((key, value));
            self.skip_ws();
            match self.peek()? {
                b',' => self.pos += 1,
                b'}' => {
                    self.pos += 1;
                    return Some(Value::Object(merge_repeated_keys(members)));
                }
                _ => return None,
            }
        }
    }

    fn number(&mut self) -> Option<Value> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek()? {
            b'0' => self.pos += 1,
            b'1'..=b'9' => self.digits(),
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if !self.peek()?.is_ascii_digit() {
                return None;
            }
            self.digits();
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if !self.peek()?.is_ascii_digit() {
                return None;
            }
            self.digits();
        }
        // INVARIANT: the span holds ASCII only, so it lies on char boundaries.
        let literal = self.text.get(start..self.pos)?;
        // Rust's parse rounds correctly, as ECMAScript's StringToNumber does.
        literal.parse::<f64>().ok().map(Value::Number)
    }

    fn digits(&mut self) {
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
    }

    fn string(&mut self) -> Option<Vec<u16>> {
        self.pos += 1;
        let mut units = Vec::new();
        loop {
            // Copy the run of plain characters up to the next quote or escape.
            let start = self.pos;
            while let Some(b) = self.peek() {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            // INVARIANT: `"`, `\` and control bytes are ASCII, so the run ends on a char boundary.
            units.extend(self.text.get(start..self.pos)?.encode_utf16());
            match self.peek()? {
                b'"' => {
                    self.pos += 1;
                    return Some(units);
                }
                b'\\' => {
                    self.pos += 1;
                    let unit = match self.peek()? {
                        b'"' => 0x22,
                        b'\\' => 0x5c,
                        b'/' => 0x2f,
                        b'b' => 0x08,
                        b'f' => 0x0c,
                        b'n' => 0x0a,
                        b'r' => 0x0d,
                        b't' => 0x09,
                        b'u' => {
                            let hex = self.bytes.get(self.pos + 1..self.pos + 5)?;
                            let mut v: u16 = 0;
                            for h in hex {
                                let digit = char::from(*h).to_digit(16)?;
                                v = (v << 4) | u16::try_from(digit).ok()?;
                            }
                            self.pos += 4;
                            v
                        }
                        _ => return None,
                    };
                    self.pos += 1;
                    units.push(unit);
                }
                // A raw control character: JSON.parse throws.
                _ => return None,
            }
        }
    }
}

/// A repeated key keeps its first position and takes its last value, as
/// JSON.parse's CreateDataProperty does. Sorting positions by key finds the
/// repeats in O(n log n) whatever the input.
fn merge_repeated_keys(members: Vec<(Vec<u16>, Value)>) -> Vec<(Vec<u16>, Value)> {
    if members.len() < 2 {
        return members;
    }
    let mut order: Vec<usize> = (0..members.len()).collect();
    let key = |i: usize| members.get(i).map(|m| m.0.as_slice());
    sort_positions(&mut order, &mut |a, b| key(*a).cmp(&key(*b)).then(a.cmp(b)));
    let same = |a: usize, b: usize| members.get(a).map(|m| &m.0) == members.get(b).map(|m| &m.0);
    if order
        .windows(2)
        .all(|w| !matches!(w, [a, b] if same(*a, *b)))
    {
        return members;
    }
    // (first position, last position) of every run of equal keys.
    let mut runs: Vec<(usize, usize)> = Vec::new();
    let mut dropped = vec![false; members.len()];
    for &i in &order {
        match runs.last_mut() {
            Some((first, last)) if same(*first, i) => {
                if let Some(d) = dropped.get_mut(i) {
                    *d = true;
                }
                *last = i;
            }
            _ => runs.push((i, i)),
        }
    }
    let mut slots: Vec<Option<(Vec<u16>, Value)>> = members.into_iter().map(Some).collect();
    for (first, last) in runs {
        if first != last {
            let value = slots.get_mut(last).and_then(Option::take).map(|m| m.1);
            if let (Some(Some(slot)), Some(value)) = (slots.get_mut(first), value) {
                slot.1 = value;
            }
        }
    }
    slots
        .into_iter()
        .zip(dropped)
        .filter_map(|(slot, dropped)| if dropped { None } else { slot })
        .collect()
}

fn write_value(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) => js_number(*n, out),
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(item, out);
            }
            out.push(']');
        }
        Value::Object(members) => {
            // Array-index keys first, ascending; then the rest in insertion order.
            let indices: Vec<Option<u32>> = members.iter().map(|m| array_index(&m.0)).collect();
            let index_of = |p: usize| indices.get(p).copied().flatten();
            let mut indexed: Vec<usize> = (0..members.len())
                .filter(|p| index_of(*p).is_some())
                .collect();
            sort_positions(&mut indexed, &mut |a, b| index_of(*a).cmp(&index_of(*b)));
            let named = (0..members.len()).filter(|p| index_of(*p).is_none());
            out.push('{');
            let ordered = indexed
                .into_iter()
                .chain(named)
                .filter_map(|p| members.get(p));
            for (n, (key, v)) in ordered.enumerate() {
                if n > 0 {
                    out.push(',');
                }
                write_string(key, out);
                out.push(':');
                write_value(v, out);
            }
            out.push('}');
        }
    }
}

/// One sort for both orderings (a single instantiation keeps the module small).
fn sort_positions(
    positions: &mut [usize],
    by: &mut dyn FnMut(&usize, &usize) -> core::cmp::Ordering,
) {
    positions.sort_unstable_by(by);
}

/// The array index a key denotes: canonical decimal in `0..=2^32 - 2`.
fn array_index(key: &[u16]) -> Option<u32> {
    if key.is_empty() || key.len() > 10 || (key.len() > 1 && key.first() == Some(&u16::from(b'0')))
    {
        return None;
    }
    let mut v: u64 = 0;
    for &u in key {
        let d = u.checked_sub(u16::from(b'0')).filter(|d| *d <= 9)?;
        v = v * 10 + u64::from(d);
    }
    u32::try_from(v).ok().filter(|v| *v != u32::MAX)
}

/// ECMAScript QuoteJSONString over UTF-16 code units.
fn write_string(units: &[u16], out: &mut String) {
    out.push('"');
    for decoded in char::decode_utf16(units.iter().copied()) {
        match decoded {
            Ok(c) => match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\u{8}' => out.push_str("\\b"),
                '\u{c}' => out.push_str("\\f"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c if u32::from(c) < 0x20 => push_unicode_escape(u32::from(c), out),
                c => out.push(c),
            },
            Err(lone) => push_unicode_escape(u32::from(lone.unpaired_surrogate()), out),
        }
    }
    out.push('"');
}

fn push_unicode_escape(unit: u32, out: &mut String) {
    out.push_str("\\u");
    for shift in [12, 8, 4, 0] {
        out.push(char::from_digit((unit >> shift) & 0xf, 16).unwrap_or('0'));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rs(text: &str) -> Option<String> {
        js_restringify(text)
    }

    #[test]
    fn basic_shapes() {
        assert_eq!(
            rs(" { \"a\" : [ 1 , true , null ] } ").unwrap(),
            r#"{"a":[1,true,null]}"#
        );
        assert_eq!(rs("\"x\"").unwrap(), "\"x\"");
        assert_eq!(rs("{}").unwrap(), "{}");
        assert_eq!(rs("[]").unwrap(), "[]");
    }

    #[test]
    fn what_json_parse_rejects() {
        for bad in [
            "",
            "{",
            "[1,]",
            "{\"a\":1,}",
            "01",
            "1.",
            ".5",
            "+1",
            "-",
            "1e",
            "NaN",
            "'a'",
            "\"\t\"",
            "\"\\x\"",
            "\"\\u12\"",
            "{a:1}",
            "[1] x",
            "\u{feff}\u{feff}1",
            "tru",
        ] {
            assert!(rs(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn depth_is_bounded_without_overflow() {
        let ok = "[".repeat(MAX_JSON_DEPTH) + &"]".repeat(MAX_JSON_DEPTH);
        assert!(rs(&ok).is_some());
        let deep = "[".repeat(MAX_JSON_DEPTH + 1) + &"]".repeat(MAX_JSON_DEPTH + 1);
        assert!(rs(&deep).is_none());
        assert!(rs(&"[".repeat(100_000)).is_none());
        assert!(rs(&"{\"a\":".repeat(100_000)).is_none());
    }

    #[test]
    fn array_indices() {
        assert_eq!(
            array_index(&"0".encode_utf16().collect::<Vec<_>>()),
            Some(0)
        );
        assert_eq!(
            array_index(&"4294967294".encode_utf16().collect::<Vec<_>>()),
            Some(4_294_967_294)
        );
        assert_eq!(
            array_index(&"4294967295".encode_utf16().collect::<Vec<_>>()),
            None
        );
        assert_eq!(array_index(&"01".encode_utf16().collect::<Vec<_>>()), None);
        assert_eq!(array_index(&"-1".encode_utf16().collect::<Vec<_>>()), None);
    }
}

#[cfg(test)]
mod vector_tests {
    use super::*;

    /// Every case of tests/vectors/webhooks.json `js_stringify`: the expected
    /// text is Node's own `JSON.stringify(JSON.parse(text))`.
    #[test]
    fn matches_node_on_every_vector() {
        let vectors: serde_json::Value =
            serde_json::from_str(include_str!("../../tests/vectors/webhooks.json")).unwrap();
        let cases = vectors["js_stringify"].as_array().unwrap();
        assert!(cases.len() >= 50);
        for case in cases {
            let body = match case.get("text") {
                Some(t) => t.as_str().unwrap().as_bytes().to_vec(),
                None => {
                    crate::webhook::common::decode_hex(case["body_hex"].as_str().unwrap()).unwrap()
                }
            };
            let expected = case["expected"].as_str().unwrap();
            let text = crate::webhook::common::body_text(&body);
            assert_eq!(js_restringify(&text).as_deref(), Some(expected), "{case}");
        }
        for text in vectors["js_parse_errors"].as_array().unwrap() {
            let text = text.as_str().unwrap();
            let decoded = crate::webhook::common::body_text(text.as_bytes());
            assert_eq!(js_restringify(&decoded), None, "{text:?}");
        }
    }
}
