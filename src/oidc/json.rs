//! Reading and writing this module's JSON shapes through `serde_json::Value`
//! with a few shared helpers, instead of serde derives.
//!
//! Why: a derive generates a visitor per type *and per format* (JS values,
//! JSON text, `Value`), which in WebAssembly cost tens of KiB for a dozen
//! configuration types. Going through `Value` compiles one reader and one
//! writer for all of them, and field errors name the dotted field.

use serde_json::{Map, Value};

use super::OidcError;

/// Reads the members of one JSON object; errors are `invalid_input` on `prefix.name`.
pub(crate) struct Reader<'a> {
    map: &'a Map<String, Value>,
    prefix: &'a str,
}

impl<'a> Reader<'a> {
    /// `value` must be an object; `prefix` names it in errors (`""` for the top level).
    pub(crate) fn new(value: &'a Value, prefix: &'a str) -> Result<Self, OidcError> {
        match value {
            Value::Object(map) => Ok(Self { map, prefix }),
            _ => Err(OidcError::invalid(
                if prefix.is_empty() { "value" } else { prefix },
                "must be a json object",
            )),
        }
    }

    pub(crate) fn field(&self, name: &str) -> String {
        if self.prefix.is_empty() {
            name.to_owned()
        } else {
            format!("{}.{name}", self.prefix)
        }
    }

    fn wrong(&self, name: &str, what: &str) -> OidcError {
        OidcError::invalid(&self.field(name), format!("must be {what}"))
    }

    /// The member, `None` when absent or `null`.
    pub(crate) fn raw(&self, name: &str) -> Option<&'a Value> {
        self.map.get(name).filter(|v| !v.is_null())
    }

    /// Refuses members not in `known` (a typo in a configuration must not be ignored).
    pub(crate) fn only(&self, known: &[&str]) -> Result<(), OidcError> {
        match self.map.keys().find(|k| !known.contains(&k.as_str())) {
            Some(unknown) => Err(OidcError::invalid(
                &self.field(super::error::short(unknown)),
                "is not a known member",
            )),
            None => Ok(()),
        }
    }

    pub(crate) fn opt_str(&self, name: &str) -> Result<Option<String>, OidcError> {
        match self.raw(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(self.wrong(name, "a string")),
        }
    }

    pub(crate) fn str(&self, name: &str) -> Result<String, OidcError> {
        self.opt_str(name)?
            .ok_or_else(|| OidcError::invalid(&self.field(name), "is required"))
    }

    /// An array of strings; absent or `null` is empty.
    pub(crate) fn strings(&self, name: &str) -> Result<Vec<String>, OidcError> {
        match self.raw(name) {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| v.as_str().map(str::to_owned))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| self.wrong(name, "an array of strings")),
            Some(_) => Err(self.wrong(name, "an array of strings")),
        }
    }

    /// A whole non-negative number (JS numbers such as `300` or `300.0` are fine).
    pub(crate) fn opt_u64(&self, name: &str) -> Result<Option<u64>, OidcError> {
        match self.raw(name) {
            None => Ok(None),
            Some(Value::Number(n)) => match (n.as_u64(), n.as_f64()) {
                (Some(v), _) => Ok(Some(v)),
                // `as` saturates; the range and integrality are checked first.
                (None, Some(f)) if f >= 0.0 && f.fract() == 0.0 && f < 9.0e15 => Ok(Some(f as u64)),
                _ => Err(self.wrong(name, "a whole non-negative number")),
            },
            Some(_) => Err(self.wrong(name, "a whole non-negative number")),
        }
    }

    pub(crate) fn opt_bool(&self, name: &str) -> Result<Option<bool>, OidcError> {
        match self.raw(name) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(self.wrong(name, "true or false")),
        }
    }
}

/// Parses JSON text into a `Value`, as `invalid_input` on `field` when it is not JSON.
pub(crate) fn parse_text(text: &str, field: &str) -> Result<Value, OidcError> {
    serde_json::from_str(text).map_err(|e| OidcError::invalid(field, format!("is not json: {e}")))
}

/// Builds a JSON object member by member, skipping absent optional values.
#[derive(Default)]
pub(crate) struct Writer(Map<String, Value>);

impl Writer {
    pub(crate) fn str(mut self, name: &str, value: &str) -> Self {
        self.0
            .insert(name.to_owned(), Value::String(value.to_owned()));
        self
    }

    pub(crate) fn opt_str(self, name: &str, value: Option<&str>) -> Self {
        match value {
            Some(v) => self.str(name, v),
            None => self,
        }
    }

    /// Writes the array, or nothing when it is empty.
    pub(crate) fn strings(mut self, name: &str, values: &[String]) -> Self {
        if !values.is_empty() {
            let items = values.iter().cloned().map(Value::String).collect();
            self.0.insert(name.to_owned(), Value::Array(items));
        }
        self
    }

    pub(crate) fn u64(mut self, name: &str, value: u64) -> Self {
        self.0.insert(name.to_owned(), Value::from(value));
        self
    }

    pub(crate) fn opt_u64(self, name: &str, value: Option<u64>) -> Self {
        match value {
            Some(v) => self.u64(name, v),
            None => self,
        }
    }

    pub(crate) fn opt_bool(mut self, name: &str, value: Option<bool>) -> Self {
        if let Some(v) = value {
            self.0.insert(name.to_owned(), Value::Bool(v));
        }
        self
    }

    pub(crate) fn value(mut self, name: &str, value: Value) -> Self {
        self.0.insert(name.to_owned(), value);
        self
    }

    pub(crate) fn opt_value(self, name: &str, value: Option<Value>) -> Self {
        match value {
            Some(v) => self.value(name, v),
            None => self,
        }
    }

    pub(crate) fn build(self) -> Value {
        Value::Object(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorInfo as _;

    #[test]
    fn reads_members_with_dotted_errors() {
        let v = serde_json::json!({ "a": "x", "n": 3, "f": 4.0, "b": true, "l": ["p", "q"], "z": null });
        let r = Reader::new(&v, "cfg").unwrap();
        assert_eq!(r.str("a").unwrap(), "x");
        assert_eq!(r.opt_str("z").unwrap(), None);
        assert_eq!(r.opt_u64("n").unwrap(), Some(3));
        assert_eq!(r.opt_u64("f").unwrap(), Some(4));
        assert_eq!(r.opt_bool("b").unwrap(), Some(true));
        assert_eq!(r.strings("l").unwrap(), vec!["p", "q"]);
        assert!(r.strings("missing").unwrap().is_empty());
        let e = r.str("n").unwrap_err();
        assert_eq!((e.code(), e.field()), ("invalid_input", Some("cfg.n")));
        assert_eq!(r.str("missing").unwrap_err().field(), Some("cfg.missing"));
        assert_eq!(r.opt_u64("a").unwrap_err().field(), Some("cfg.a"));
        assert!(r.only(&["a", "n", "f", "b", "l"]).is_err());
        assert!(r.only(&["a", "n", "f", "b", "l", "z"]).is_ok());
        let neg = serde_json::json!({ "n": -1, "f": 1.5 });
        let r = Reader::new(&neg, "").unwrap();
        assert_eq!(r.opt_u64("n").unwrap_err().field(), Some("n"));
        assert!(r.opt_u64("f").is_err());
        assert_eq!(
            Reader::new(&Value::Null, "x").err().unwrap().field(),
            Some("x")
        );
    }

    #[test]
    fn writes_only_present_members() {
        let v = Writer::default()
            .str("a", "x")
            .opt_str("b", None)
            .strings("c", &[])
            .strings("d", &["y".to_owned()])
            .opt_u64("e", Some(1))
            .opt_bool("f", None)
            .build();
        assert_eq!(v, serde_json::json!({ "a": "x", "d": ["y"], "e": 1 }));
    }
}
