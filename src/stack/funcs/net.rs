//! Network functions, IPv4 and IPv6: cidrhost, cidrnetmask, cidrsubnet, cidrsubnets. An
//! address is computed as a 128-bit number with the family's width (32 or 128 bits).

use std::net::{Ipv4Addr, Ipv6Addr};

use hcl::Value;
use hcl::eval::{Context, FuncArgs};

use super::{Ret, fixed, int, string, variadic};

pub(super) fn declare(ctx: &mut Context) {
    fixed(ctx, "cidrhost", 2, cidrhost);
    fixed(ctx, "cidrnetmask", 1, cidrnetmask);
    fixed(ctx, "cidrsubnet", 3, cidrsubnet);
    variadic(ctx, "cidrsubnets", 1, cidrsubnets);
}

/// A network: its first address, prefix length and the family's width in bits.
#[derive(Clone, Copy)]
struct Net {
    base: u128,
    len: u32,
    width: u32,
}

impl Net {
    fn parse(f: &str, s: &str) -> Result<Net, String> {
        let net: ipnet::IpNet =
            s.parse().map_err(|_| format!("{f}: invalid CIDR expression: invalid CIDR address: {s}"))?;
        Ok(match net.trunc() {
            ipnet::IpNet::V4(n) => Net { base: u32::from(n.network()).into(), len: n.prefix_len().into(), width: 32 },
            ipnet::IpNet::V6(n) => Net { base: u128::from(n.network()), len: n.prefix_len().into(), width: 128 },
        })
    }

    /// The number of addresses of a prefix of `len` bits, `None` for all 2^128 of IPv6.
    fn size(&self, len: u32) -> Option<u128> {
        1u128.checked_shl(self.width - len)
    }

    fn addr(&self, a: u128) -> String {
        if self.width == 32 { Ipv4Addr::from(a as u32).to_string() } else { Ipv6Addr::from(a).to_string() }
    }

    fn cidr(&self, a: u128, len: u32) -> String {
        format!("{}/{len}", self.addr(a))
    }
}

/// `cidrhost(prefix, hostnum)`: the hostnum-th address in the network; a negative hostnum
/// counts from its last address.
fn cidrhost(a: FuncArgs) -> Ret {
    let net = Net::parse("cidrhost", &string("cidrhost", "prefix", &a[0])?)?;
    let num = int("cidrhost", "hostnum", &a[1])?;
    // `None`: all 2^128 addresses of IPv6's ::/0.
    let hosts = net.size(net.len);
    let offset = if num < 0 {
        let back = u128::from(num.unsigned_abs());
        hosts.map_or(Some(u128::MAX - (back - 1)), |h| h.checked_sub(back))
    } else {
        Some(num as u128)
    };
    match offset.filter(|o| hosts.is_none_or(|h| *o < h)) {
        Some(o) => Ok(Value::String(net.addr(net.base + o))),
        None => Err(format!("cidrhost: prefix of {} does not accommodate a host numbered {num}", net.len)),
    }
}

/// `cidrnetmask(prefix)`: the IPv4 netmask of a prefix, in dotted-decimal.
fn cidrnetmask(a: FuncArgs) -> Ret {
    let s = string("cidrnetmask", "prefix", &a[0])?;
    let net = Net::parse("cidrnetmask", &s)?;
    if net.width != 32 {
        return Err(format!("cidrnetmask: IPv6 addresses cannot have a netmask: {s}"));
    }
    let mask = u32::MAX.checked_shl(32 - net.len).unwrap_or(0);
    Ok(Value::String(Ipv4Addr::from(mask).to_string()))
}

/// `cidrsubnet(prefix, newbits, netnum)`: the netnum-th subnet of prefix with newbits more bits.
fn cidrsubnet(a: FuncArgs) -> Ret {
    let net = Net::parse("cidrsubnet", &string("cidrsubnet", "prefix", &a[0])?)?;
    let newbits = int("cidrsubnet", "newbits", &a[1])?;
    let netnum = int("cidrsubnet", "netnum", &a[2])?;
    if newbits < 0 {
        return Err(format!("cidrsubnet: newbits must not be negative, got {newbits}"));
    }
    if netnum < 0 {
        return Err(format!("cidrsubnet: netnum must not be negative, got {netnum}"));
    }
    if i64::from(net.len) + newbits > i64::from(net.width) {
        return Err(format!("cidrsubnet: insufficient address space to extend prefix of {} by {newbits}", net.len));
    }
    let len = net.len + newbits as u32;
    if 1u128.checked_shl(newbits as u32).is_some_and(|n| netnum as u128 >= n) {
        return Err(format!(
            "cidrsubnet: prefix extension of {newbits} does not accommodate a subnet numbered {netnum}"
        ));
    }
    let offset = (netnum as u128).checked_shl(net.width - len).unwrap_or(0);
    Ok(Value::String(net.cidr(net.base + offset, len)))
}

/// `cidrsubnets(prefix, newbits...)`: consecutive subnets of the given sizes, each aligned to
/// its own size after the previous one.
fn cidrsubnets(a: FuncArgs) -> Ret {
    let net = Net::parse("cidrsubnets", &string("cidrsubnets", "prefix", &a[0])?)?;
    let end = net.size(net.len).map(|s| net.base + s);
    let mut next = Some(net.base);
    let mut previous: Option<String> = None;
    let mut out = Vec::new();
    for (i, bits) in a[1..].iter().enumerate() {
        let bits = int("cidrsubnets", "newbits", bits)?;
        let fail = |why: String| Err(format!("cidrsubnets: argument {}: {why}", i + 2));
        if bits < 1 {
            return fail("must extend prefix by at least one bit".into());
        }
        if bits > 32 {
            return fail("may not extend prefix by more than 32 bits".into());
        }
        let len = net.len + bits as u32;
        if len > net.width {
            let family = if net.width == 32 { "IPv4" } else { "IPv6" };
            return fail(format!("would extend prefix to {len} bits, which is too long for an {family} address"));
        }
        let size = net.size(len).unwrap_or(u128::MAX);
        let start = next.and_then(|n| n.checked_add(size - 1)).map(|n| n / size * size);
        let fits = start.filter(|s| end.is_none_or(|e| s.checked_add(size).is_some_and(|x| x <= e)));
        let Some(start) = fits else {
            let after = previous.unwrap_or_else(|| net.cidr(net.base, net.len));
            return fail(format!(
                "not enough remaining address space for a subnet with a prefix of {len} bits after {after}"
            ));
        };
        let cidr = net.cidr(start, len);
        out.push(Value::String(cidr.clone()));
        previous = Some(cidr);
        next = start.checked_add(size);
    }
    Ok(Value::Array(out))
}

#[cfg(test)]
mod tests {
    use super::super::test::{eval, fails, v};

    #[test]
    fn cidrhost_matches_terraform_docs() {
        assert_eq!(eval(r#"cidrhost("10.12.112.0/20", 16)"#), Ok(v(r#""10.12.112.16""#)));
        assert_eq!(eval(r#"cidrhost("10.12.112.0/20", 268)"#), Ok(v(r#""10.12.113.12""#)));
        assert_eq!(eval(r#"cidrhost("fd00:fd12:3456:7890:00a2::/72", 34)"#), Ok(v(r#""fd00:fd12:3456:7890::22""#)));
        assert_eq!(eval(r#"cidrhost("10.1.2.240/28", 1)"#), Ok(v(r#""10.1.2.241""#)));
        assert_eq!(eval(r#"cidrhost("10.1.2.240/28", 14)"#), Ok(v(r#""10.1.2.254""#)));
        assert_eq!(eval(r#"cidrhost("10.1.2.240/28", -1)"#), Ok(v(r#""10.1.2.255""#)));
        fails(r#"cidrhost("10.1.2.240/28", 16)"#, "cidrhost: prefix of 28 does not accommodate a host numbered 16");
        fails(r#"cidrhost("10.1.2.240/28", -17)"#, "does not accommodate a host numbered -17");
        fails(r#"cidrhost("nope", 1)"#, "cidrhost: invalid CIDR expression: invalid CIDR address: nope");
    }

    #[test]
    fn cidrnetmask_matches_terraform_docs() {
        assert_eq!(eval(r#"cidrnetmask("172.16.0.0/12")"#), Ok(v(r#""255.240.0.0""#)));
        assert_eq!(eval(r#"cidrnetmask("0.0.0.0/0")"#), Ok(v(r#""0.0.0.0""#)));
        fails(r#"cidrnetmask("fd00::/8")"#, "cidrnetmask: IPv6 addresses cannot have a netmask: fd00::/8");
    }

    #[test]
    fn cidrsubnet_matches_terraform_docs() {
        assert_eq!(eval(r#"cidrsubnet("172.16.0.0/12", 4, 2)"#), Ok(v(r#""172.18.0.0/16""#)));
        assert_eq!(eval(r#"cidrsubnet("10.1.2.0/24", 4, 15)"#), Ok(v(r#""10.1.2.240/28""#)));
        assert_eq!(
            eval(r#"cidrsubnet("fd00:fd12:3456:7890::/56", 16, 162)"#),
            Ok(v(r#""fd00:fd12:3456:7800:a200::/72""#))
        );
        assert_eq!(eval(r#"cidrsubnet("10.0.0.0/16", 8, 2)"#), Ok(v(r#""10.0.2.0/24""#)));
        assert_eq!(eval(r#"cidrsubnet("10.0.0.0/16", 0, 0)"#), Ok(v(r#""10.0.0.0/16""#)));
        fails(
            r#"cidrsubnet("10.0.0.0/16", 8, 256)"#,
            "cidrsubnet: prefix extension of 8 does not accommodate a subnet numbered 256",
        );
        fails(
            r#"cidrsubnet("10.0.0.0/30", 8, 0)"#,
            "cidrsubnet: insufficient address space to extend prefix of 30 by 8",
        );
        fails(r#"cidrsubnet("10.0.0.0/16", 18446744073709551615, 0)"#, "newbits");
        fails(r#"cidrsubnet("10.0.0.0/16", 8, 18446744073709551615)"#, "netnum");
        fails(r#"cidrsubnet("10.0.0.0/16", -1, 0)"#, "cidrsubnet: newbits must not be negative");
        fails(r#"cidrsubnet("10.0.0.0/16", 8, -1)"#, "cidrsubnet: netnum must not be negative");
    }

    #[test]
    fn cidrsubnets_matches_terraform_docs() {
        assert_eq!(
            eval(r#"cidrsubnets("10.1.0.0/16", 4, 4, 8, 4)"#),
            Ok(v(r#"["10.1.0.0/20", "10.1.16.0/20", "10.1.32.0/24", "10.1.48.0/20"]"#))
        );
        assert_eq!(
            eval(r#"cidrsubnets("fd00:fd12:3456:7890::/56", 16, 16, 16, 32)"#),
            Ok(v(
                r#"["fd00:fd12:3456:7800::/72", "fd00:fd12:3456:7800:100::/72", "fd00:fd12:3456:7800:200::/72", "fd00:fd12:3456:7800:300::/88"]"#
            ))
        );
        assert_eq!(
            eval(r#"[for cidr_block in cidrsubnets("10.0.0.0/8", 8, 8, 8, 8) : cidrsubnets(cidr_block, 4, 4)]"#),
            Ok(v(
                r#"[["10.0.0.0/20", "10.0.16.0/20"], ["10.1.0.0/20", "10.1.16.0/20"], ["10.2.0.0/20", "10.2.16.0/20"], ["10.3.0.0/20", "10.3.16.0/20"]]"#
            ))
        );
        assert_eq!(eval(r#"cidrsubnets("10.0.0.0/8")"#), Ok(v("[]")));
        fails(
            r#"cidrsubnets("10.0.0.0/24", 1, 1, 1)"#,
            "cidrsubnets: argument 4: not enough remaining address space for a subnet with a prefix of 25 bits after 10.0.0.128/25",
        );
        fails(r#"cidrsubnets("10.0.0.0/24", 0)"#, "must extend prefix by at least one bit");
        fails(
            r#"cidrsubnets("10.0.0.0/24", 9)"#,
            "would extend prefix to 33 bits, which is too long for an IPv4 address",
        );
        fails(r#"cidrsubnets("fd00::/8", 33)"#, "may not extend prefix by more than 32 bits");
    }
}
