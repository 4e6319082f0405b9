//! Numeric functions: min, max, abs, ceil, floor. Fractions are accepted throughout; whole
//! results are whole numbers.

use hcl::Value;
use hcl::eval::{Context, FuncArgs};

use super::{Ret, fixed, float, number, variadic};

pub(super) fn declare(ctx: &mut Context) {
    variadic(ctx, "min", 0, |a| extreme("min", a, |x, y| x < y));
    variadic(ctx, "max", 0, |a| extreme("max", a, |x, y| x > y));
    fixed(ctx, "abs", 1, abs);
    fixed(ctx, "ceil", 1, |a| float("ceil", f("ceil", &a[0])?.ceil()));
    fixed(ctx, "floor", 1, |a| float("floor", f("floor", &a[0])?.floor()));
}

fn f(name: &str, v: &Value) -> Result<f64, String> {
    Ok(number(name, "num", v)?.as_f64().unwrap_or_default())
}

/// The argument `better` prefers over all others.
fn extreme(name: &str, a: FuncArgs, better: fn(f64, f64) -> bool) -> Ret {
    let mut best: Option<(hcl::Number, f64)> = None;
    for v in a.iter() {
        let n = number(name, "numbers", v)?;
        let x = n.as_f64().unwrap_or_default();
        if best.is_none_or(|(_, b)| better(x, b)) {
            best = Some((n, x));
        }
    }
    best.map(|(n, _)| Value::Number(n)).ok_or_else(|| format!("{name}: must pass at least one number"))
}

fn abs(a: FuncArgs) -> Ret {
    let n = number("abs", "num", &a[0])?;
    match n.as_i64().and_then(i64::checked_abs) {
        Some(i) => Ok(Value::from(i)),
        None => float("abs", n.as_f64().unwrap_or_default().abs()),
    }
}

#[cfg(test)]
mod tests {
    use super::super::test::{eval, fails, v};

    #[test]
    fn min_and_max_match_terraform_docs() {
        assert_eq!(eval("max(12, 54, 3)"), Ok(v("54")));
        assert_eq!(eval("max([12, 54, 3]...)"), Ok(v("54")));
        assert_eq!(eval("min(12, 54, 3)"), Ok(v("3")));
        assert_eq!(eval("min([12, 54, 3]...)"), Ok(v("3")));
        assert_eq!(eval("min(1.5, -0.25, 3)"), Ok(v("-0.25")));
        assert_eq!(eval(r#"max("7", 2)"#), Ok(v("7")));
        fails("max()", "max: must pass at least one number");
        fails(r#"min(1, "x")"#, "min: argument \"numbers\" must be a number; cannot convert \"x\" to number");
        fails("min(1, [2])", "min: argument \"numbers\" must be a number, not a tuple");
    }

    #[test]
    fn abs_ceil_floor_match_terraform_docs() {
        assert_eq!(eval("abs(23)"), Ok(v("23")));
        assert_eq!(eval("abs(0)"), Ok(v("0")));
        assert_eq!(eval("abs(-12.4)"), Ok(v("12.4")));
        assert_eq!(eval("abs(-9223372036854775808)"), Ok(v("9223372036854775808")));
        assert_eq!(eval("ceil(5)"), Ok(v("5")));
        assert_eq!(eval("ceil(5.1)"), Ok(v("6")));
        assert_eq!(eval("floor(5)"), Ok(v("5")));
        assert_eq!(eval("floor(4.9)"), Ok(v("4")));
        assert_eq!(eval("floor(-4.1)"), Ok(v("-5")));
        assert!(eval("ceil(5.1)").unwrap().as_number().unwrap().is_u64(), "a whole result is a whole number");
        fails("abs(true)", "abs: argument \"num\" must be a number, not a bool");
        fails("ceil(null)", "ceil: argument \"num\" must not be null");
    }
}
