//! ECMAScript `Number.prototype.toString()` (radix 10) for finite numbers,
//! as `JSON.stringify` writes them (ECMA-262 `Number::toString`).

/// The JavaScript text of a finite `f64`; `-0` gives `"0"`. Non-finite
/// values give `"null"`, as in `JSON.stringify`.
pub(super) fn js_number(value: f64, out: &mut String) {
    if !value.is_finite() {
        out.push_str("null");
        return;
    }
    if value == 0.0 {
        out.push('0');
        return;
    }
    if value < 0.0 {
        out.push('-');
    }
    // ryu gives the shortest digits that round-trip, the closest to the
    // value among them, which is what ECMA-262 asks for (step 5 of
    // Number::toString). Only its layout differs, so read digits and exponent
    // back and lay them out the ECMAScript way. (Rust's own `{:e}` is
    // shortest but not always closest: `723796577658504.2` comes out `.3`.)
    let mut buf = ryu::Buffer::new();
    let text = buf.format_finite(value.abs());
    let (mantissa, exp) = match text.split_once('e') {
        Some((m, e)) => (m, e.parse::<i32>().unwrap_or(0)),
        None => (text, 0),
    };
    let mut digits: Vec<u8> = Vec::with_capacity(24);
    let mut point: i32 = 0;
    let mut seen_point = false;
    for b in mantissa.bytes() {
        match b {
            b'.' => seen_point = true,
            b'0'..=b'9' => {
                if digits.is_empty() && b == b'0' {
                    // A leading zero moves the point left instead.
                    if seen_point {
                        point -= 1;
                    }
                    continue;
                }
                digits.push(b);
                if !seen_point {
                    point += 1;
                }
            }
            _ => {}
        }
    }
    while digits.last() == Some(&b'0') {
        digits.pop();
    }
    if digits.is_empty() {
        out.push('0');
        return;
    }
    // value = 0.d1d2...dk * 10^n
    let n = point.saturating_add(exp);
    let k = i32::try_from(digits.len()).unwrap_or(i32::MAX);
    let push_digits = |out: &mut String, ds: &[u8]| {
        for d in ds {
            out.push(char::from(*d));
        }
    };
    if k <= n && n <= 21 {
        push_digits(out, &digits);
        for _ in 0..(n - k) {
            out.push('0');
        }
    } else if 0 < n && n <= 21 {
        let (int, frac) = digits.split_at(usize::try_from(n).unwrap_or(0));
        push_digits(out, int);
        out.push('.');
        push_digits(out, frac);
    } else if -6 < n && n <= 0 {
        out.push_str("0.");
        for _ in 0..(-n) {
            out.push('0');
        }
        push_digits(out, &digits);
    } else {
        let (first, rest) = digits.split_at(1);
        push_digits(out, first);
        if !rest.is_empty() {
            out.push('.');
            push_digits(out, rest);
        }
        let e = n - 1;
        out.push('e');
        out.push(if e < 0 { '-' } else { '+' });
        out.push_str(&e.unsigned_abs().to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn js(v: f64) -> String {
        let mut s = String::new();
        js_number(v, &mut s);
        s
    }

    #[test]
    fn layouts() {
        let cases: &[(f64, &str)] = &[
            (0.0, "0"),
            (-0.0, "0"),
            (1.0, "1"),
            (-1.5, "-1.5"),
            (0.1, "0.1"),
            (1e21, "1e+21"),
            (1e20, "100000000000000000000"),
            (123_456_789_012_345_680_000.0, "123456789012345680000"),
            (5e-7, "5e-7"),
            (1e-6, "0.000001"),
            (1.5e300, "1.5e+300"),
            (1.234e-7, "1.234e-7"),
            (f64::MAX, "1.7976931348623157e+308"),
            (5e-324, "5e-324"),
            (9_007_199_254_740_993.0, "9007199254740992"),
            (f64::NAN, "null"),
            (f64::INFINITY, "null"),
        ];
        for (v, want) in cases {
            assert_eq!(js(*v), *want, "{v:e}");
        }
    }
}

#[cfg(test)]
mod vector_tests {
    use super::*;

    /// Every pair of tests/vectors/webhooks.json `js_numbers`: a double's
    /// bits and Node's `String(x)` for it.
    #[test]
    fn matches_node_on_every_vector() {
        let vectors: serde_json::Value =
            serde_json::from_str(include_str!("../../tests/vectors/webhooks.json")).unwrap();
        let pairs = vectors["js_numbers"].as_array().unwrap();
        assert!(pairs.len() >= 600);
        for pair in pairs {
            let bits = u64::from_str_radix(pair[0].as_str().unwrap(), 16).unwrap();
            let mut out = String::new();
            js_number(f64::from_bits(bits), &mut out);
            assert_eq!(out, pair[1].as_str().unwrap(), "bits {bits:016x}");
        }
    }
}
