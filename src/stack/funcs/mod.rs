//! The functions stack files may call, a small subset of Terraform's with the same meaning,
//! registered with hcl-rs's evaluator.

use std::net::Ipv4Addr;

use hcl::Value;
use hcl::eval::{Context, FuncArgs, FuncDef, ParamType};

pub(super) fn declare(ctx: &mut Context) {
    super::arith::declare(ctx);
    ctx.declare_func("jsonencode", FuncDef::builder().param(ParamType::Any).build(jsonencode));
    ctx.declare_func("lower", FuncDef::builder().param(ParamType::String).build(lower));
    ctx.declare_func("upper", FuncDef::builder().param(ParamType::String).build(upper));
    ctx.declare_func(
        "join",
        FuncDef::builder().param(ParamType::String).param(ParamType::array_of(ParamType::String)).build(join),
    );
    ctx.declare_func(
        "cidrsubnet",
        FuncDef::builder().params([ParamType::String, ParamType::Number, ParamType::Number]).build(cidrsubnet),
    );
}

fn jsonencode(args: FuncArgs) -> Result<Value, String> {
    serde_json::to_string(&args[0]).map(Value::String).map_err(|e| e.to_string())
}

fn lower(args: FuncArgs) -> Result<Value, String> {
    Ok(Value::String(args[0].as_str().unwrap_or_default().to_lowercase()))
}

fn upper(args: FuncArgs) -> Result<Value, String> {
    Ok(Value::String(args[0].as_str().unwrap_or_default().to_uppercase()))
}

fn join(args: FuncArgs) -> Result<Value, String> {
    let sep = args[0].as_str().unwrap_or_default();
    let parts: Vec<&str> = args[1].as_array().map(|a| a.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
    Ok(Value::String(parts.join(sep)))
}

/// `cidrsubnet(prefix, newbits, netnum)`: the netnum-th subnet of prefix with newbits more bits.
fn cidrsubnet(args: FuncArgs) -> Result<Value, String> {
    let prefix: ipnet::Ipv4Net =
        args[0].as_str().unwrap_or_default().parse().map_err(|_| "cidrsubnet: invalid CIDR".to_string())?;
    let newbits = args[1].as_u64().ok_or("cidrsubnet: newbits must be a whole number, 0 or more")?;
    let netnum = args[2].as_u64().ok_or("cidrsubnet: netnum must be a whole number, 0 or more")?;
    // Bounded before adding, so a huge newbits cannot overflow.
    let len = u64::from(prefix.prefix_len()) + newbits.min(33);
    if len > 32 {
        return Err(format!("cidrsubnet: /{} plus {newbits} bits exceeds 32", prefix.prefix_len()));
    }
    if newbits < 64 && netnum >= (1u64 << newbits) {
        return Err(format!("cidrsubnet: netnum {netnum} does not fit in {newbits} bits"));
    }
    let base = u32::from(prefix.network()) as u64;
    let addr = base + (netnum << (32 - len));
    Ok(Value::String(format!("{}/{len}", Ipv4Addr::from(addr as u32))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(src: &str) -> Result<hcl::Value, String> {
        use hcl::eval::Evaluate;
        let mut ctx = Context::new();
        declare(&mut ctx);
        let e: hcl::Expression = src.parse().map_err(|e: hcl::Error| e.to_string())?;
        e.evaluate(&ctx).map_err(|e| e.to_string())
    }

    #[test]
    fn cidrsubnet_matches_terraform() {
        assert_eq!(eval(r#"cidrsubnet("10.0.0.0/16", 8, 2)"#).unwrap(), Value::from("10.0.2.0/24"));
        assert_eq!(eval(r#"cidrsubnet("172.16.0.0/12", 4, 15)"#).unwrap(), Value::from("172.31.0.0/16"));
        assert!(eval(r#"cidrsubnet("10.0.0.0/16", 8, 256)"#).is_err());
        assert!(eval(r#"cidrsubnet("10.0.0.0/30", 8, 0)"#).is_err());
        assert!(eval(r#"cidrsubnet("10.0.0.0/16", 18446744073709551615, 0)"#).is_err());
        assert!(eval(r#"cidrsubnet("10.0.0.0/16", 8, 18446744073709551615)"#).is_err());
        assert!(eval(r#"cidrsubnet("10.0.0.0/16", -1, 0)"#).is_err());
    }

    #[test]
    fn jsonencode_and_strings() {
        assert_eq!(eval(r#"jsonencode({ a = [1, "x"] })"#).unwrap(), Value::from(r#"{"a":[1,"x"]}"#));
        assert_eq!(eval(r#"join("-", ["a", "b"])"#).unwrap(), Value::from("a-b"));
        assert_eq!(eval(r#"upper("ab")"#).unwrap(), Value::from("AB"));
    }
}
