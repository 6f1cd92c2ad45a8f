//! `{"signal": name, "op": op, "value": v}`: comparisons of any signal,
//! checked against its type and range.

use serde_json::{Map, Value};

use super::compile::{join, Compiler};
use super::cond::{Cmp, Cond, NumOp, Sig, Test};
use super::signal::{Builtin, Check, Ty};
use super::vocab::quote;

impl Compiler {
    pub(super) fn signal_cond(&mut self, obj: &Map<String, Value>, path: &str) -> Option<Cond> {
        let name_path = join(path, "signal");
        let Some(name) = obj.get("signal").and_then(Value::as_str) else {
            self.problem(&name_path, "must be a signal name");
            return None;
        };
        let found = if let Some(custom) = name.strip_prefix("custom.") {
            self.custom
                .iter()
                .position(|(n, _)| n == custom)
                .and_then(|i| self.custom.get(i).map(|(_, t)| (Sig::Custom(i), *t)))
        } else {
            Builtin::by_path(name).map(|(b, t)| (Sig::Builtin(b), t))
        };
        let Some((sig, ty)) = found else {
            let hint = if name.starts_with("custom.") {
                "declare it in `signals`".to_owned()
            } else {
                "built-in signals are documented in the policy guide; your own go in `signals` and are read as `custom.<name>`".to_owned()
            };
            self.problem(
                &name_path,
                format!("unknown signal {}; {hint}", quote(name)),
            );
            return None;
        };
        let on_missing = self.switch(obj, path, "on_missing", Some(false), "");
        let op_path = join(path, "op");
        let value_path = join(path, "value");
        let op = match obj.get("op") {
            None => "eq",
            Some(Value::String(s)) => s.as_str(),
            Some(_) => {
                self.problem(&op_path, "must be a string");
                return None;
            }
        };
        if op == "present" || op == "absent" {
            if obj.contains_key("value") {
                self.problem(&value_path, format!("`{op}` takes no value"));
            }
            if obj.contains_key("on_missing") {
                self.problem(
                    &join(path, "on_missing"),
                    format!("`{op}` already says what happens when the signal is missing"),
                );
            }
            return Some(Cond::Leaf {
                test: Test::Present {
                    sig,
                    want: op == "present",
                },
                on_missing: false,
            });
        }
        if sig == Sig::Builtin(Builtin::ActionAmountMinor) {
            self.problem(
                &name_path,
                "compare amounts with `amount_above`, which sets a threshold per currency",
            );
            return None;
        }
        let value = obj.get("value");
        let cmp = self.cmp(sig, ty, op, value, &op_path, &value_path)?;
        Some(Cond::Leaf {
            test: Test::Cmp { sig, cmp },
            on_missing: on_missing?,
        })
    }

    pub(super) fn cmp(
        &mut self,
        sig: Sig,
        ty: Ty,
        op: &str,
        value: Option<&Value>,
        op_path: &str,
        value_path: &str,
    ) -> Option<Cmp> {
        let ops: &[&str] = match ty {
            Ty::Number | Ty::Integer | Ty::Timestamp => &["eq", "ne", "gt", "gte", "lt", "lte"],
            Ty::String => &["eq", "ne", "in", "not_in"],
            Ty::Boolean => &["eq", "ne"],
            Ty::StringSet => &["contains", "contains_any", "contains_all"],
            Ty::Ip => &["in", "not_in"],
        };
        if !ops.contains(&op) {
            self.problem(
                op_path,
                format!(
                    "operator {} does not apply to {} signal; use one of {}, `present`, `absent`",
                    quote(op),
                    ty.name(),
                    ops.iter()
                        .map(|o| format!("`{o}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
            return None;
        }
        let wrong = |this: &mut Self, want: &str| {
            this.problem(
                value_path,
                format!("`{op}` on {} signal needs {want}", ty.name()),
            );
        };
        match ty {
            Ty::Number | Ty::Integer | Ty::Timestamp => {
                let Some(n) = value.and_then(Value::as_f64) else {
                    wrong(self, "a number");
                    return None;
                };
                // The range a context value must lie in, from the signal table.
                if let Sig::Builtin(b) = sig {
                    let range = match b.row().check {
                        Check::Range(lo, hi) => Some((lo, hi)),
                        Check::Ial => Some((0.0, 3.0)),
                        _ => None,
                    };
                    if let Some((lo, hi)) = range {
                        if !(lo..=hi).contains(&n) {
                            self.problem(
                                value_path,
                                format!("is out of range: `{}` runs from {lo} to {hi}", b.path()),
                            );
                            return None;
                        }
                    }
                }
                let op = match op {
                    "eq" => NumOp::Eq,
                    "ne" => NumOp::Ne,
                    "gt" => NumOp::Gt,
                    "gte" => NumOp::Gte,
                    "lt" => NumOp::Lt,
                    _ => NumOp::Lte,
                };
                Some(Cmp::Num(op, n))
            }
            Ty::Boolean => {
                // `{"signal": "risk.bot"}` reads as "is true".
                let b = match value {
                    None => true,
                    Some(v) => match v.as_bool() {
                        Some(b) => b,
                        None => {
                            wrong(self, "`true` or `false`");
                            return None;
                        }
                    },
                };
                Some(Cmp::BoolEq(if op == "ne" { !b } else { b }))
            }
            Ty::String => {
                let check = |this: &mut Self, s: &str, p: &str| -> bool {
                    let Sig::Builtin(b) = sig else { return true };
                    let Some(msg) = b.row().check.string_problem(s) else {
                        return true;
                    };
                    this.problem(p, format!("{} {msg}", quote(s)));
                    false
                };
                if op == "eq" || op == "ne" {
                    let Some(s) = value.and_then(Value::as_str) else {
                        wrong(self, "a string");
                        return None;
                    };
                    if !check(self, s, value_path) {
                        return None;
                    }
                    let s = Box::<str>::from(s);
                    Some(if op == "eq" {
                        Cmp::StrEq(s)
                    } else {
                        Cmp::StrNe(s)
                    })
                } else {
                    let list = self.string_list(value, value_path, check)?;
                    Some(if op == "in" {
                        Cmp::StrIn(list)
                    } else {
                        Cmp::StrNotIn(list)
                    })
                }
            }
            Ty::StringSet => {
                if op == "contains" {
                    let Some(s) = value.and_then(Value::as_str) else {
                        wrong(self, "a string");
                        return None;
                    };
                    Some(Cmp::SetContains(s.into()))
                } else {
                    let list = self.string_list(value, value_path, |_, _, _| true)?;
                    Some(if op == "contains_any" {
                        Cmp::SetContainsAny(list)
                    } else {
                        Cmp::SetContainsAll(list)
                    })
                }
            }
            Ty::Ip => {
                let set = self.ip_set(value, value_path)?;
                Some(if op == "in" {
                    Cmp::IpIn(set)
                } else {
                    Cmp::IpNotIn(set)
                })
            }
        }
    }
}
