//! Fractional numbers in attribute values. Terraform's numbers are arbitrary-precision
//! decimals; stackr keeps whole numbers as `Value::Int` (AWS's integer attributes, counts and
//! ports stay exact) and everything else as a [`Number`]: a finite `f64`, the precision hcl-rs
//! computes with. `Value` derives `Eq`, `Ord` and `Hash` (sets are sorted and deduplicated,
//! values are map keys in places), which `f64` does not have, so this newtype supplies them
//! from the float's bits and total order.
//!
//! In saved plans a number is written as its decimal text (`{"Num": "1.5"}`), not as a JSON
//! float: the text reads back as exactly the same `f64`, whatever a JSON reader does with
//! floats, so a plan's fingerprints and comparisons survive the round trip.

use std::fmt;
use std::hash::{Hash, Hasher};

/// A finite number that is not a whole number within `i64` (those are `Value::Int`; see
/// [`crate::model::Value::number`]).
#[derive(Clone, Copy, Debug)]
pub struct Number(f64);

impl Number {
    /// `None` for NaN and the infinities, which no stack expression yields and JSON cannot hold.
    pub fn new(f: f64) -> Option<Number> {
        // -0.0 and 0.0 are one number; their bits differ, and equality goes by bits.
        f.is_finite().then_some(Number(if f == 0.0 { 0.0 } else { f }))
    }

    pub fn get(self) -> f64 {
        self.0
    }

    /// The number as an `i64` when it is whole and fits, as Terraform converts a number for a
    /// whole-number argument.
    pub fn whole(self) -> Option<i64> {
        // i64::MAX as f64 rounds up to 2^63, which does not fit: hence the half-open range.
        const LIMIT: f64 = 9_223_372_036_854_775_808.0;
        (self.0.fract() == 0.0 && (-LIMIT..LIMIT).contains(&self.0)).then_some(self.0 as i64)
    }

    /// A decimal string as Terraform reads one for a number (`"1.5"`, `"-2e3"`); surrounding
    /// spaces are allowed, as stackr has always allowed them for whole numbers.
    pub fn parse(s: &str) -> Option<Number> {
        let s = s.trim();
        // Rust's parser also takes "inf", "NaN" and "infinity": Terraform takes none of them.
        let decimal = s.chars().all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E'));
        if s.is_empty() || !decimal {
            return None;
        }
        s.parse().ok().and_then(Number::new)
    }
}

impl PartialEq for Number {
    fn eq(&self, other: &Self) -> bool {
        self.0.to_bits() == other.0.to_bits()
    }
}

impl Eq for Number {}

impl PartialOrd for Number {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Number {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}

impl Hash for Number {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.to_bits().hash(state);
    }
}

/// Decimal text without an exponent (`0.0000001`, not `1e-7`), as Terraform turns a number
/// into a string; the shortest text that reads back as the same `f64`.
impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl serde::Serialize for Number {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Number {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse::<f64>()
            .ok()
            .and_then(Number::new)
            .ok_or_else(|| serde::de::Error::custom(format!("{text:?} is not a finite number")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Value;

    #[test]
    fn whole_values_are_ints_and_fractions_are_numbers() {
        assert_eq!(Value::number(4.0), Some(Value::Int(4)));
        assert_eq!(Value::number(-0.0), Some(Value::Int(0)));
        assert_eq!(Value::number(2.5), Some(Value::Num(Number::new(2.5).unwrap())));
        // Past i64 a whole value stays a number rather than being cut short.
        assert!(matches!(Value::number(1e20), Some(Value::Num(_))));
        assert_eq!(Value::number(f64::NAN), None);
        assert_eq!(Value::number(f64::INFINITY), None);
        assert_eq!(Number::new(-9223372036854775808.0).and_then(Number::whole), Some(i64::MIN));
        assert_eq!(Number::new(9223372036854775808.0).and_then(Number::whole), None);
    }

    #[test]
    fn numbers_order_and_compare_as_numbers() {
        let n = |f| Number::new(f).unwrap();
        assert!(n(-1.5) < n(0.25) && n(0.25) < n(1e20));
        assert_eq!(n(0.0), n(-0.0));
        let mut v = vec![n(2.5), n(-3.5), n(2.5), n(0.1)];
        v.sort();
        v.dedup();
        assert_eq!(v, vec![n(-3.5), n(0.1), n(2.5)]);
    }

    #[test]
    fn text_has_no_exponent_and_reads_back_exactly() {
        for (f, text) in
            [(1.5, "1.5"), (0.1, "0.1"), (1e-7, "0.0000001"), (-2.25, "-2.25"), (1e20, "100000000000000000000")]
        {
            let n = Number::new(f).unwrap();
            assert_eq!(n.to_string(), text);
            assert_eq!(Number::parse(text), Some(n));
        }
        assert_eq!(Number::parse(" 2e-1 "), Number::new(0.2));
        for bad in ["", "inf", "NaN", "1.5x", "0x10", "1e999"] {
            assert_eq!(Number::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn values_round_trip_through_serde_with_the_exact_number() {
        let tricky = 0.1 + 0.2; // 0.30000000000000004: a float a lossy JSON reader would change
        let v = Value::List(vec![Value::number(tricky).unwrap(), Value::number(1.5).unwrap(), Value::Int(7)]);
        let text = serde_json::to_string(&v).unwrap();
        assert_eq!(text, r#"{"List":[{"Num":"0.30000000000000004"},{"Num":"1.5"},{"Int":7}]}"#);
        assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), v);
        assert!(serde_json::from_str::<Value>(r#"{"Num":"NaN"}"#).is_err());
        assert!(serde_json::from_str::<Value>(r#"{"Num":"x"}"#).is_err());
    }
}
