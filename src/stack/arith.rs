//! Checked arithmetic for stack-file expressions. hcl-rs evaluates `+ - * / %` with Rust's
//! plain operators: `1 % 0` and an overflowing `*` panic (or wrap silently in a release build)
//! and `1 / 0` trips a debug assertion. Before an expression goes to hcl-rs, every arithmetic
//! operation in it is rewritten into a call of [`FUNC`], which computes with checked integer
//! operations and fails with a message that carries the operation's span, so the diagnostic
//! underlines the very operation (see [`located`]).

use std::ops::Range;

use hcl::Value;
use hcl::eval::{Context, FuncArgs, FuncDef, ParamType};
use hcl_edit::Span;
use hcl_edit::expr::{BinaryOperator, Expression, FuncCall, FuncName};
use hcl_edit::visit_mut::{VisitMut, visit_expr_mut};

/// The function arithmetic is rewritten into: `stackr_arith(OP, LHS, RHS, START, END)`.
pub(super) const FUNC: &str = "stackr_arith";

struct Rewrite;

impl VisitMut for Rewrite {
    fn visit_expr_mut(&mut self, expr: &mut Expression) {
        // Operands first, so a nested operation is checked on its own.
        visit_expr_mut(self, expr);
        let Expression::BinaryOp(op) = expr else { return };
        let symbol = match op.operator.value() {
            BinaryOperator::Plus => "+",
            BinaryOperator::Minus => "-",
            BinaryOperator::Mul => "*",
            BinaryOperator::Div => "/",
            BinaryOperator::Mod => "%",
            _ => return,
        };
        let at = op.span().unwrap_or(0..0);
        let args = vec![
            Expression::from(symbol),
            op.lhs_expr.clone(),
            op.rhs_expr.clone(),
            Expression::from(at.start as u64),
            Expression::from(at.end as u64),
        ];
        *expr = Expression::from(FuncCall::new(FuncName::new(hcl_edit::Ident::new(FUNC)), args.into()));
    }
}

/// Rewrites every arithmetic operation in `expr` into a checked call.
pub(super) fn rewrite(expr: &mut Expression) {
    Rewrite.visit_expr_mut(expr);
}

/// The same for a template file's interpolations and directives.
pub(super) fn rewrite_template(t: &mut hcl_edit::template::Template) {
    Rewrite.visit_template_mut(t);
}

pub(super) fn declare(ctx: &mut Context) {
    let def = FuncDef::builder()
        .params([ParamType::String, ParamType::Any, ParamType::Any, ParamType::Number, ParamType::Number])
        .build(arith);
    ctx.declare_func(FUNC, def);
}

/// The span and message of a failed arithmetic operation, from an evaluation error.
pub(super) fn located(e: &hcl::eval::Error) -> Option<(Range<usize>, String)> {
    let hcl::eval::ErrorKind::FuncCall(name, msg) = e.kind() else { return None };
    if name.to_string() != FUNC {
        return None;
    }
    let mut parts = msg.splitn(3, ':');
    let start = parts.next()?.parse().ok()?;
    let end = parts.next()?.parse().ok()?;
    Some((start..end, parts.next()?.to_string()))
}

fn arith(args: FuncArgs) -> Result<Value, String> {
    let op = args[0].as_str().unwrap_or_default().to_string();
    let at = |msg: String| format!("{}:{}:{msg}", args[3].as_u64().unwrap_or(0), args[4].as_u64().unwrap_or(0));
    let (Some(a), Some(b)) = (args[1].as_number(), args[2].as_number()) else {
        return Err(at(format!("`{op}` needs a number on each side")));
    };
    compute(&op, a, b).map(Value::Number).map_err(at)
}

/// One operation: on whole numbers with checked arithmetic, otherwise on floats that must stay
/// finite. Division of whole numbers that does not come out even gives a fraction, as in HCL.
fn compute(op: &str, a: &hcl::Number, b: &hcl::Number) -> Result<hcl::Number, String> {
    let whole = |n: &hcl::Number| if n.is_f64() { None } else { Some(n.as_i64().ok_or(())) };
    let zero = || Err(if op == "/" { "division by zero" } else { "modulo by zero" }.to_string());
    match (whole(a), whole(b)) {
        (Some(Err(())), _) | (_, Some(Err(()))) => Err("a number is too large for arithmetic".into()),
        (Some(Ok(x)), Some(Ok(y))) => {
            let r = match op {
                "+" => x.checked_add(y),
                "-" => x.checked_sub(y),
                "*" => x.checked_mul(y),
                "/" | "%" if y == 0 => return zero(),
                "/" if x.checked_rem(y) != Some(0) => return float(x as f64 / y as f64),
                "/" => x.checked_div(y),
                _ => x.checked_rem(y),
            };
            r.map(hcl::Number::from).ok_or_else(|| format!("`{op}` overflows: the result does not fit in 64 bits"))
        }
        _ => {
            let (x, y) = (a.as_f64().unwrap_or_default(), b.as_f64().unwrap_or_default());
            match op {
                "/" | "%" if y == 0.0 => zero(),
                "+" => float(x + y),
                "-" => float(x - y),
                "*" => float(x * y),
                "/" => float(x / y),
                _ => float(x % y),
            }
        }
    }
}

/// A fractional result, or a whole one within 64 bits (numbers past i64 parse as floats, so
/// their overflow shows up here).
fn float(f: f64) -> Result<hcl::Number, String> {
    if f.fract() == 0.0 && f.abs() >= i64::MAX as f64 {
        return Err("the result does not fit in 64 bits".into());
    }
    hcl::Number::from_f64(f).ok_or_else(|| "the result is not a finite number".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(src: &str) -> Result<Value, String> {
        use hcl::eval::Evaluate;
        let mut e: Expression = src.parse().unwrap();
        rewrite(&mut e);
        let mut ctx = Context::new();
        declare(&mut ctx);
        let h: hcl::Expression = e.into();
        h.evaluate(&ctx).map_err(|e| located(&e).map(|(at, m)| format!("{at:?} {m}")).unwrap_or(e.to_string()))
    }

    #[test]
    fn arithmetic_keeps_hcl_semantics() {
        assert_eq!(eval("1 + 2 * 3").unwrap(), Value::from(7));
        assert_eq!(eval("7 / 2 * 2").unwrap(), Value::from(7));
        assert_eq!(eval("(10 - 4) % 4").unwrap(), Value::from(2));
        assert_eq!(eval("-3 + 1").unwrap(), Value::from(-2));
        assert_eq!(eval("[for x in [1, 2] : x * 10]").unwrap(), Value::Array(vec![Value::from(10), Value::from(20)]));
        assert_eq!(eval("\"n=${2 + 2}\"").unwrap(), Value::from("n=4"));
        assert_eq!(eval("1 < 2 && 3 == 3").unwrap(), Value::Bool(true));
    }

    #[test]
    fn division_by_zero_and_overflow_are_errors_with_a_span() {
        assert_eq!(eval("1 / 0").unwrap_err(), "0..5 division by zero");
        assert_eq!(eval("4 + 1 % 0").unwrap_err(), "4..9 modulo by zero");
        assert!(eval("9223372036854775807 + 1").unwrap_err().contains("64 bits"));
        assert!(eval("9223372036854775000 + 1000").unwrap_err().contains("64 bits"));
        assert!(eval("4611686018427387904 * 4").unwrap_err().contains("64 bits"));
        assert!(eval("-9223372036854775808 / -1").unwrap_err().contains("64 bits"));
        assert!(eval("[for x in [0] : 5 % x]").unwrap_err().contains("modulo by zero"));
        assert!(eval("\"${1 / 0}\"").unwrap_err().contains("division by zero"));
        assert!(eval("1.5 / 0").unwrap_err().contains("division by zero"));
        assert!(eval("\"a\" + 1").unwrap_err().contains("needs a number"));
    }
}
