//! The predicates with structured arguments: staleness of login history,
//! impossible travel and amount thresholds per currency.

use serde_json::{Map, Value};

use super::compile::{join, Compiler};
use super::cond::{Staleness, Test};
use super::currency::Currency;
use super::geo::DEFAULT_MAX_SPEED_KMH;
use super::vocab::quote;

impl Compiler {
    pub(super) fn staleness(
        &mut self,
        obj: &Map<String, Value>,
        path: &str,
    ) -> Option<Option<Staleness>> {
        let on_stale_given = obj.contains_key("on_stale");
        match obj.get("stale_after_s") {
            None => {
                if on_stale_given {
                    self.problem(
                        &join(path, "on_stale"),
                        "needs `stale_after_s` to say when history is stale",
                    );
                    return None;
                }
                Some(None)
            }
            Some(v) => {
                let Some(after_s) = v.as_u64() else {
                    self.problem(
                        &join(path, "stale_after_s"),
                        "must be a whole number of seconds",
                    );
                    return None;
                };
                let on_stale = self.switch(
                    obj,
                    path,
                    "on_stale",
                    None,
                    "say what a last login older than `stale_after_s` means",
                )?;
                Some(Some(Staleness { after_s, on_stale }))
            }
        }
    }

    pub(super) fn travel(&mut self, arg: &Value, path: &str) -> Option<Test> {
        let empty = Map::new();
        let o = match arg {
            Value::Bool(true) => &empty,
            Value::Object(o) => o,
            _ => {
                self.problem(
                    path,
                    "must be `true` or an object with `max_speed_kmh`, `min_distance_km`, `stale_after_s`, `on_stale`",
                );
                return None;
            }
        };
        self.known_keys(
            o,
            path,
            &[
                "max_speed_kmh",
                "min_distance_km",
                "stale_after_s",
                "on_stale",
            ],
        );
        let positive = |this: &mut Self, key: &str, default: f64, zero_ok: bool| -> Option<f64> {
            match o.get(key) {
                None => Some(default),
                Some(v) => match v.as_f64() {
                    Some(n) if n > 0.0 || (zero_ok && n == 0.0) => Some(n),
                    _ => {
                        this.problem(
                            &join(path, key),
                            if zero_ok {
                                "must be a number of at least 0"
                            } else {
                                "must be a number above 0"
                            },
                        );
                        None
                    }
                },
            }
        };
        let max_speed_kmh = positive(self, "max_speed_kmh", DEFAULT_MAX_SPEED_KMH, false);
        let min_distance_km = positive(self, "min_distance_km", 0.0, true);
        let stale = self.staleness(o, path);
        Some(Test::ImpossibleTravel {
            max_speed_kmh: max_speed_kmh?,
            min_distance_km: min_distance_km?,
            stale: stale?,
        })
    }

    /// `{"amount_above": {"USD": 1000000, "EUR": "9000.00"}, "on_other_currency": ...}`:
    /// an integer threshold is in minor units; a string is a decimal in major
    /// units, converted exactly with the currency's exponent.
    pub(super) fn amount(
        &mut self,
        arg: &Value,
        obj: &Map<String, Value>,
        path: &str,
    ) -> Option<Test> {
        let arg_path = join(path, "amount_above");
        let on_other = self.switch(
            obj,
            path,
            "on_other_currency",
            None,
            "say what an amount in a currency without a threshold means",
        );
        let Some(map) = arg.as_object() else {
            self.problem(
                &arg_path,
                "must be an object of iso 4217 currency code to threshold",
            );
            return None;
        };
        if map.is_empty() {
            self.problem(&arg_path, "must set a threshold for at least one currency");
            return None;
        }
        let mut thresholds = Vec::with_capacity(map.len());
        let mut ok = true;
        for (code, t) in map {
            let p = join(&arg_path, code);
            let Some(cur) = Currency::from_code(code) else {
                self.problem(
                    &p,
                    format!("{} is not a supported iso 4217 currency code", quote(code)),
                );
                ok = false;
                continue;
            };
            let minor = match t {
                Value::Number(n) => match n.as_i64() {
                    Some(m) if m >= 0 => Ok(m),
                    _ => Err("an integer threshold is in minor units and must be a whole number of at least 0 (or write a decimal string in major units, like `\"10000.00\"`)".to_owned()),
                },
                Value::String(s) => cur.parse_major(s),
                _ => Err("must be a whole number of minor units or a decimal string in major units".to_owned()),
            };
            match minor {
                Ok(m) => thresholds.push((cur, m)),
                Err(m) => {
                    self.problem(&p, m);
                    ok = false;
                }
            }
        }
        if !ok {
            return None;
        }
        Some(Test::AmountAbove {
            thresholds: thresholds.into(),
            on_other_currency: on_other?,
        })
    }
}
