//! The one context reader: serde visitors driven by the signal table.
//!
//! A check that fails stores its error in a shared slot and aborts the
//! parse with a placeholder serde error; the reader then reports the stored
//! error. Any other serde error is text that is not JSON.

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::context::{bad, field, section, Context, Sc};
use super::error::PolicyError;
use super::signal::SIGNALS;

type ErrSlot = RefCell<Option<PolicyError>>;

/// Reads a context from a parsed value.
pub(super) fn read(value: &Value) -> Result<Context<'_>, PolicyError> {
    let slot = RefCell::new(None);
    let seen = Seen::default();
    match (TopSeed {
        slot: &slot,
        seen: &seen,
    })
    .deserialize(value)
    {
        Ok(c) => c.finish(),
        Err(e) => Err(slot
            .into_inner()
            .unwrap_or_else(|| bad("$", format!("the context could not be read: {e}")))),
    }
}

/// Reads a context from JSON text.
pub(super) fn read_text(text: &str) -> Result<Context<'_>, PolicyError> {
    let slot = RefCell::new(None);
    let seen = Seen::default();
    let mut de = serde_json::Deserializer::from_str(text);
    let read = (TopSeed {
        slot: &slot,
        seen: &seen,
    })
    .deserialize(&mut de)
    .and_then(|c| de.end().map(|()| c));
    match read {
        Ok(c) => c.finish(),
        Err(e) => Err(slot
            .into_inner()
            .unwrap_or_else(|| bad("$", format!("the context is not valid json: {e}")))),
    }
}

fn unknown(parent: Option<&str>, key: &str) -> PolicyError {
    let field = match parent {
        None => key.to_owned(),
        Some(p) => format!("{p}.{key}"),
    };
    bad(
        field,
        "is not a context field; put your own signals under `custom`",
    )
}

/// Keys already read, one bit each (fields by row, sections by their first
/// row plus 32, `custom` last): JSON text may repeat a key, which a parsed
/// value silently collapses; the text path refuses it instead.
#[derive(Default)]
struct Seen(Cell<u64>);

impl Seen {
    fn first(&self, bit: usize) -> bool {
        let mask = 1u64 << (bit & 63);
        let was = self.0.get();
        self.0.set(was | mask);
        was & mask == 0
    }
}

const CUSTOM_BIT: usize = 63;

fn section_bit(name: &str) -> usize {
    32 + SIGNALS
        .iter()
        .position(|r| r.section() == Some(name))
        .unwrap_or(0)
}

fn duplicate(path: String) -> PolicyError {
    bad(path, "appears twice; a context names each field once")
}

fn fail<E: de::Error>(slot: &ErrSlot, e: PolicyError) -> E {
    *slot.borrow_mut() = Some(e);
    E::custom("invalid context")
}

/// A string that borrows from the input when it can.
struct Str<'de>(Cow<'de, str>);

impl<'de> de::Deserialize<'de> for Str<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct S;
        impl<'de> Visitor<'de> for S {
            type Value = Str<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Self::Value, E> {
                Ok(Str(Cow::Borrowed(s)))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
                Ok(Str(Cow::Owned(s.to_owned())))
            }
            fn visit_string<E: de::Error>(self, s: String) -> Result<Self::Value, E> {
                Ok(Str(Cow::Owned(s)))
            }
        }
        d.deserialize_str(S)
    }
}

/// Any JSON value, as a scalar; an array of strings is kept (for sets),
/// other arrays and objects are skipped, by kind.
struct AnySc;

impl<'de> Visitor<'de> for AnySc {
    type Value = Sc<'de>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any json value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Sc::Null)
    }
    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Self::Value, E> {
        Ok(Sc::Bool(b))
    }
    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Self::Value, E> {
        Ok(Sc::U(n))
    }
    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Self::Value, E> {
        Ok(u64::try_from(n).map_or(Sc::I(n), Sc::U))
    }
    fn visit_f64<E: de::Error>(self, n: f64) -> Result<Self::Value, E> {
        Ok(Sc::F(n))
    }
    fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Self::Value, E> {
        Ok(Sc::Str(Cow::Borrowed(s)))
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
        Ok(Sc::Str(Cow::Owned(s.to_owned())))
    }
    fn visit_string<E: de::Error>(self, s: String) -> Result<Self::Value, E> {
        Ok(Sc::Str(Cow::Owned(s)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Some(Vec::new());
        while let Some(v) = seq.next_element_seed(AnySc)? {
            match (v, &mut out) {
                (Sc::Str(s), Some(list)) => list.push(s),
                _ => out = None,
            }
        }
        Ok(out.map_or(Sc::Arr, Sc::Strings))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Sc::Obj)
    }
}

impl<'de> DeserializeSeed<'de> for AnySc {
    type Value = Sc<'de>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

/// The whole context.
struct TopSeed<'s> {
    slot: &'s ErrSlot,
    seen: &'s Seen,
}

impl<'de> DeserializeSeed<'de> for TopSeed<'_> {
    type Value = Context<'de>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for TopSeed<'_> {
    type Value = Context<'de>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a json object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let slot = self.slot;
        let mut c = Context::default();
        while let Some(Str(key)) = map.next_key::<Str<'de>>()? {
            if let Some(row) = field(None, &key) {
                if !self.seen.first(row.builtin as usize) {
                    return Err(fail(slot, duplicate(key.into_owned())));
                }
                let v = map.next_value_seed(AnySc)?;
                c.set(row.builtin, v).map_err(|e| fail(slot, e))?;
            } else if let Some(name) = section(&key) {
                if !self.seen.first(section_bit(name)) {
                    return Err(fail(slot, duplicate(key.into_owned())));
                }
                map.next_value_seed(SectionSeed {
                    slot,
                    seen: self.seen,
                    name,
                    ctx: &mut c,
                })?;
            } else if key == "custom" {
                if !self.seen.first(CUSTOM_BIT) {
                    return Err(fail(slot, duplicate(key.into_owned())));
                }
                c.custom = map.next_value_seed(CustomSeed(slot))?.map(Cow::Owned);
            } else {
                return Err(fail(slot, unknown(None, &key)));
            }
        }
        Ok(c)
    }
    // Anything but an object: consume it and say so at `$`.
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Err(fail(
            self.slot,
            bad("$", "the context must be a json object"),
        ))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        self.visit_unit()
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        self.visit_unit()
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        self.visit_unit()
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        self.visit_unit()
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        self.visit_unit()
    }
    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
        self.visit_unit()
    }
}

/// One section object, stored into the context as it is read.
struct SectionSeed<'s, 'c, 'de> {
    slot: &'s ErrSlot,
    seen: &'s Seen,
    name: &'static str,
    ctx: &'c mut Context<'de>,
}

impl<'de> DeserializeSeed<'de> for SectionSeed<'_, '_, 'de> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for SectionSeed<'_, '_, 'de> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(Str(key)) = map.next_key::<Str<'de>>()? {
            let Some(row) = field(Some(self.name), &key) else {
                return Err(fail(self.slot, unknown(Some(self.name), &key)));
            };
            if !self.seen.first(row.builtin as usize) {
                return Err(fail(self.slot, duplicate(row.path.to_owned())));
            }
            let v = map.next_value_seed(AnySc)?;
            self.ctx
                .set(row.builtin, v)
                .map_err(|e| fail(self.slot, e))?;
        }
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_bool<E: de::Error>(self, b: bool) -> Result<(), E> {
        Err(not_object(self.slot, self.name, &Sc::Bool(b)))
    }
    fn visit_u64<E: de::Error>(self, n: u64) -> Result<(), E> {
        Err(not_object(self.slot, self.name, &Sc::U(n)))
    }
    fn visit_i64<E: de::Error>(self, n: i64) -> Result<(), E> {
        Err(not_object(self.slot, self.name, &Sc::I(n)))
    }
    fn visit_f64<E: de::Error>(self, n: f64) -> Result<(), E> {
        Err(not_object(self.slot, self.name, &Sc::F(n)))
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Err(not_object(
            self.slot,
            self.name,
            &Sc::Str(Cow::Borrowed("")),
        ))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        Err(not_object(self.slot, self.name, &Sc::Arr))
    }
}

fn not_object<E: de::Error>(slot: &ErrSlot, name: &str, v: &Sc<'_>) -> E {
    fail(
        slot,
        bad(name, format!("must be an object, not {}", v.kind())),
    )
}

/// `custom`: an object, kept as JSON values.
struct CustomSeed<'s>(&'s ErrSlot);

impl<'de> DeserializeSeed<'de> for CustomSeed<'_> {
    type Value = Option<Map<String, Value>>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for CustomSeed<'_> {
    type Value = Option<Map<String, Value>>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = Map::new();
        while let Some((k, v)) = map.next_entry::<String, Value>()? {
            out.insert(k, v);
        }
        Ok(Some(out))
    }
    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Self::Value, E> {
        Err(not_object(self.0, "custom", &Sc::Bool(b)))
    }
    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Self::Value, E> {
        Err(not_object(self.0, "custom", &Sc::U(n)))
    }
    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Self::Value, E> {
        Err(not_object(self.0, "custom", &Sc::I(n)))
    }
    fn visit_f64<E: de::Error>(self, n: f64) -> Result<Self::Value, E> {
        Err(not_object(self.0, "custom", &Sc::F(n)))
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Err(not_object(self.0, "custom", &Sc::Str(Cow::Borrowed(""))))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
        Err(not_object(self.0, "custom", &Sc::Arr))
    }
}
