//! The policy's declarations (custom signals, ip lists) and the lists a
//! condition carries (strings, cidr blocks).

use serde_json::{Map, Value};

use super::compile::{boxed, join, strings, Compiler};
use super::ip::CidrSet;
use super::signal::Ty;
use super::vocab::quote;

impl Compiler {
    pub(super) fn signals(&mut self, map: &Map<String, Value>) {
        for (name, ty) in map {
            let path = join("signals", name);
            let name_ok = !name.is_empty()
                && name.len() <= 64
                && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
            if !name_ok {
                self.problem(
                    &path,
                    "a signal name is 1 to 64 letters, digits or underscores",
                );
                continue;
            }
            match ty.as_str().and_then(Ty::parse_custom) {
                Some(t) => self.custom.push((name.clone(), t)),
                None => self.problem(
                    &path,
                    "must be one of `number`, `integer`, `string`, `boolean`, `string_set`",
                ),
            }
        }
    }

    pub(super) fn ip_lists(&mut self, map: &Map<String, Value>) {
        for (name, list) in map {
            let path = join("ip_lists", name);
            let Some(items) = list.as_array() else {
                self.problem(&path, "must be an array of cidr blocks");
                continue;
            };
            let set = self.cidrs(items, &path);
            self.ip_lists.push((name.clone(), set));
        }
    }

    pub(super) fn cidrs(&mut self, items: &[Value], path: &str) -> CidrSet {
        let mut set = CidrSet::default();
        for (i, item) in items.iter().enumerate() {
            let p = format!("{path}[{i}]");
            match item.as_str() {
                Some(s) => {
                    if let Err(m) = set.push(s) {
                        self.problem(&p, m);
                    }
                }
                None => self.problem(
                    &p,
                    "must be a cidr block like `10.0.0.0/8` or `2001:db8::/32`",
                ),
            }
        }
        set
    }

    pub(super) fn string_list(
        &mut self,
        value: Option<&Value>,
        path: &str,
        check: impl Fn(&mut Self, &str, &str) -> bool,
    ) -> Option<Box<[Box<str>]>> {
        let Some(list) = value.and_then(strings) else {
            self.problem(path, "must be an array of strings");
            return None;
        };
        if list.is_empty() {
            self.problem(path, "must not be empty (an empty list never matches)");
            return None;
        }
        let mut ok = true;
        for (i, s) in list.iter().enumerate() {
            ok &= check(self, s, &format!("{path}[{i}]"));
        }
        ok.then(|| boxed(&list))
    }

    /// A named list from `ip_lists`, or an inline array of cidr blocks.
    pub(super) fn ip_set(&mut self, value: Option<&Value>, path: &str) -> Option<CidrSet> {
        match value {
            Some(Value::String(name)) => match self.ip_lists.iter().find(|(n, _)| n == name) {
                Some((_, set)) => Some(set.clone()),
                None => {
                    self.problem(
                        path,
                        format!("no ip list named {} in `ip_lists`", quote(name)),
                    );
                    None
                }
            },
            Some(Value::Array(items)) => {
                let before = self.problems.len();
                let set = self.cidrs(items, path);
                if self.problems.len() != before {
                    return None;
                }
                if set.len() == 0 {
                    self.problem(path, "must not be empty (an empty list never matches)");
                    return None;
                }
                Some(set)
            }
            _ => {
                self.problem(
                    path,
                    "must name a list in `ip_lists` or be an array of cidr blocks",
                );
                None
            }
        }
    }
}
