//! ISO 4217 currencies: codes and minor-unit exponents, and exact decimal
//! to minor-unit conversion (no floating point anywhere near money).

/// One supported currency: its ISO 4217 code and minor-unit exponent
/// (`USD` has 2: one dollar is 100 minor units; `JPY` 0; `KWD` 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Currency {
    code: &'static str,
    exponent: u8,
}

/// The currencies a policy or context may name, with their ISO 4217
/// minor-unit exponents.
const CURRENCIES: &[(&str, u8)] = &[
    ("AED", 2),
    ("ARS", 2),
    ("AUD", 2),
    ("BHD", 3),
    ("BRL", 2),
    ("CAD", 2),
    ("CHF", 2),
    ("CLF", 4),
    ("CLP", 0),
    ("CNY", 2),
    ("COP", 2),
    ("CZK", 2),
    ("DKK", 2),
    ("EGP", 2),
    ("EUR", 2),
    ("GBP", 2),
    ("HKD", 2),
    ("HUF", 2),
    ("IDR", 2),
    ("ILS", 2),
    ("INR", 2),
    ("IQD", 3),
    ("ISK", 0),
    ("JOD", 3),
    ("JPY", 0),
    ("KES", 2),
    ("KRW", 0),
    ("KWD", 3),
    ("LYD", 3),
    ("MXN", 2),
    ("MYR", 2),
    ("NGN", 2),
    ("NOK", 2),
    ("NZD", 2),
    ("OMR", 3),
    ("PHP", 2),
    ("PKR", 2),
    ("PLN", 2),
    ("PYG", 0),
    ("QAR", 2),
    ("RON", 2),
    ("SAR", 2),
    ("SEK", 2),
    ("SGD", 2),
    ("THB", 2),
    ("TND", 3),
    ("TRY", 2),
    ("TWD", 2),
    ("UGX", 0),
    ("USD", 2),
    ("UYW", 4),
    ("VND", 0),
    ("XAF", 0),
    ("XOF", 0),
    ("ZAR", 2),
];

impl Currency {
    /// Looks up an ISO 4217 code (upper case, exactly as ISO writes it).
    pub fn from_code(code: &str) -> Option<Self> {
        CURRENCIES
            .iter()
            .find(|(c, _)| *c == code)
            .map(|&(code, exponent)| Self { code, exponent })
    }

    /// Every supported currency, in code order.
    pub fn all() -> impl Iterator<Item = Self> {
        CURRENCIES
            .iter()
            .map(|&(code, exponent)| Self { code, exponent })
    }

    /// The three-letter code.
    pub fn code(self) -> &'static str {
        self.code
    }

    /// The minor-unit exponent.
    pub fn exponent(self) -> u8 {
        self.exponent
    }

    /// Converts a decimal amount in major units (`"1234.5"`, `"12"`) to
    /// minor units, exactly. Rejects signs, exponents, more fraction digits
    /// than the currency has, and amounts that do not fit in an `i64`.
    pub fn parse_major(self, text: &str) -> Result<i64, String> {
        let (int, frac) = match text.split_once('.') {
            Some((i, f)) => (i, f),
            None => (text, ""),
        };
        if int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("`{text}` is not a plain decimal amount"));
        }
        if !frac.bytes().all(|b| b.is_ascii_digit()) || (text.contains('.') && frac.is_empty()) {
            return Err(format!("`{text}` is not a plain decimal amount"));
        }
        // Trailing zeros beyond the exponent are harmless: 10.500 USD is 1050.
        let frac = frac.trim_end_matches('0');
        let exp = usize::from(self.exponent);
        if frac.len() > exp {
            return Err(format!(
                "`{text}` has more decimals than {} allows ({})",
                self.code, self.exponent
            ));
        }
        let too_big = || format!("`{text}` is too large");
        let mut minor: i64 = 0;
        for b in int.bytes().chain(frac.bytes()) {
            minor = minor
                .checked_mul(10)
                .and_then(|m| m.checked_add(i64::from(b - b'0')))
                .ok_or_else(too_big)?;
        }
        for _ in frac.len()..exp {
            minor = minor.checked_mul(10).ok_or_else(too_big)?;
        }
        Ok(minor)
    }

    /// Converts a decimal amount in major units that arrived as a JSON
    /// number (a double) to minor units, exactly: accepted only when the
    /// double is the one nearest to a decimal with at most the currency's
    /// number of decimals (`12500.5` USD is `1250050`; `0.30000000000000004`
    /// and `10.001` USD are refused, never rounded).
    pub fn from_major_f64(self, amount: f64) -> Result<i64, String> {
        let scale = f64::from(10_u32.pow(u32::from(self.exponent)));
        let scaled = (amount * scale).round();
        // Below 2^53 every integer is exact in a double, so `scaled` is the
        // candidate minor amount and dividing back is correctly rounded.
        if !(amount >= 0.0 && scaled < 9_007_199_254_740_992.0) {
            return Err(format!(
                "must be a non-negative amount below 2^53 minor units of {}",
                self.code
            ));
        }
        if scaled / scale != amount {
            return Err(format!(
                "has more decimals than {} allows ({})",
                self.code, self.exponent
            ));
        }
        #[expect(
            clippy::cast_possible_truncation,
            reason = "checked integral, non-negative and below 2^53"
        )]
        Ok(scaled as i64)
    }

    /// Formats minor units as a major-unit decimal, for reasons: `1050` USD is `10.50`.
    pub fn format_minor(self, minor: i64) -> String {
        let exp = u32::from(self.exponent);
        if exp == 0 {
            return minor.to_string();
        }
        let div = 10_i64.pow(exp);
        let sign = if minor < 0 { "-" } else { "" };
        let abs = minor.unsigned_abs();
        let div = div.unsigned_abs();
        format!(
            "{sign}{}.{:0width$}",
            abs / div,
            abs % div,
            width = usize::from(self.exponent)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_unique_and_iso_shaped() {
        for w in CURRENCIES.windows(2) {
            assert!(w[0].0 < w[1].0, "{} {}", w[0].0, w[1].0);
        }
        for (c, e) in CURRENCIES {
            assert!(c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase()));
            assert!(*e <= 4);
        }
    }

    #[test]
    fn parse_major_table() {
        let usd = Currency::from_code("USD").unwrap();
        let jpy = Currency::from_code("JPY").unwrap();
        let kwd = Currency::from_code("KWD").unwrap();
        let ok: &[(Currency, &str, i64)] = &[
            (usd, "0", 0),
            (usd, "10", 1000),
            (usd, "10.5", 1050),
            (usd, "10.50", 1050),
            (usd, "10.500", 1050),
            (usd, "0.01", 1),
            (usd, "0.30", 30), // no 0.1 + 0.2 surprises
            (usd, "92233720368547758.07", i64::MAX),
            (jpy, "1500", 1500),
            (jpy, "1500.0", 1500),
            (kwd, "1.234", 1234),
            (kwd, "1.2", 1200),
        ];
        for (c, text, want) in ok {
            assert_eq!(c.parse_major(text), Ok(*want), "{} {text}", c.code());
        }
        let bad: &[(Currency, &str)] = &[
            (usd, "10.001"),
            (jpy, "1.5"),
            (usd, "-1"),
            (usd, "+1"),
            (usd, "1e3"),
            (usd, ""),
            (usd, "."),
            (usd, "1."),
            (usd, ".5"),
            (usd, "1,000"),
            (usd, "92233720368547758.08"),
            (usd, "99999999999999999999"),
        ];
        for (c, text) in bad {
            assert!(c.parse_major(text).is_err(), "{} {text}", c.code());
        }
    }

    #[test]
    fn from_major_f64_table() {
        let usd = Currency::from_code("USD").unwrap();
        let jpy = Currency::from_code("JPY").unwrap();
        let bhd = Currency::from_code("BHD").unwrap();
        assert_eq!(usd.from_major_f64(12500.5), Ok(1_250_050));
        assert_eq!(usd.from_major_f64(0.3), Ok(30));
        assert_eq!(usd.from_major_f64(19.99), Ok(1999));
        assert_eq!(usd.from_major_f64(1_000_000.01), Ok(100_000_001));
        assert_eq!(jpy.from_major_f64(1500.0), Ok(1500));
        assert_eq!(bhd.from_major_f64(1.005), Ok(1005));
        for bad in [0.1 + 0.2, 10.001, -1.0, f64::NAN, f64::INFINITY, 1e300] {
            assert!(usd.from_major_f64(bad).is_err(), "{bad}");
        }
        assert!(jpy.from_major_f64(1.5).is_err());
    }

    #[test]
    fn format_minor_table() {
        let usd = Currency::from_code("USD").unwrap();
        assert_eq!(usd.format_minor(1050), "10.50");
        assert_eq!(usd.format_minor(5), "0.05");
        assert_eq!(usd.format_minor(-5), "-0.05");
        assert_eq!(
            Currency::from_code("JPY").unwrap().format_minor(1500),
            "1500"
        );
        assert_eq!(Currency::from_code("BHD").unwrap().format_minor(1), "0.001");
        assert!(Currency::from_code("usd").is_none());
        assert!(Currency::from_code("XYZ").is_none());
    }
}
