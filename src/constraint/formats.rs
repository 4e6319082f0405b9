//! String formats AWS checks on its side: ids, ARNs, names of zones and regions, device names,
//! HTTP paths and codes. Each is a [`Format`] whose check says what is wrong, in words a user
//! can act on. The patterns are the ones the AWS API references give for each parameter.

use super::Format;

fn hex(s: &str) -> bool {
    s.chars().all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
}

fn lower_alnum(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit()
}

/// `ami-` and 8 or 17 lowercase hex digits.
pub static AMI_ID: Format = Format { doc: "`ami-` and 8 or 17 hex digits", check: ami };

fn ami(s: &str) -> Option<String> {
    match s.strip_prefix("ami-") {
        Some(h) if matches!(h.len(), 8 | 17) && hex(h) => None,
        _ => Some("is not an AMI id (`ami-` and 8 or 17 lowercase hex digits, e.g. ami-0abcdef1234567890)".into()),
    }
}

/// `snap-` and 8 or 17 lowercase hex digits.
pub static SNAPSHOT_ID: Format = Format { doc: "`snap-` and 8 or 17 hex digits", check: snapshot };

fn snapshot(s: &str) -> Option<String> {
    match s.strip_prefix("snap-") {
        Some(h) if matches!(h.len(), 8 | 17) && hex(h) => None,
        _ => {
            Some("is not a snapshot id (`snap-` and 8 or 17 lowercase hex digits, e.g. snap-0abcdef1234567890)".into())
        }
    }
}

/// `family.size`, as t3.micro, m7i-flex.large or c7i.metal-24xl.
pub static INSTANCE_TYPE: Format = Format { doc: "`family.size`, e.g. t3.micro", check: instance_type };

fn instance_type(s: &str) -> Option<String> {
    let ok = s.split_once('.').is_some_and(|(family, size)| {
        family.starts_with(|c: char| c.is_ascii_lowercase())
            && family.chars().all(|c| lower_alnum(c) || c == '-')
            && size.starts_with(lower_alnum)
            && size.chars().all(|c| lower_alnum(c) || c == '-')
    });
    (!ok).then(|| "is not an instance type (`family.size` in lowercase, e.g. t3.micro)".into())
}

/// The partition of an ARN: aws, aws-cn, aws-us-gov, aws-iso…
fn partition(p: &str) -> bool {
    p == "aws" || p.strip_prefix("aws-").is_some_and(|r| !r.is_empty() && r.chars().all(|c| lower_alnum(c) || c == '-'))
}

fn account(a: &str) -> bool {
    a.len() == 12 && a.chars().all(|c| c.is_ascii_digit())
}

/// An IAM managed policy ARN: `arn:aws:iam::aws:policy/NAME` or `arn:aws:iam::ACCOUNT:policy/PATH/NAME`.
pub static MANAGED_POLICY_ARN: Format =
    Format { doc: "`arn:aws:iam::ACCOUNT:policy/NAME` (ACCOUNT: 12 digits or `aws`)", check: policy_arn };

fn policy_arn(s: &str) -> Option<String> {
    let bad = || {
        Some(
            "is not a managed policy ARN (`arn:aws:iam::aws:policy/NAME` or `arn:aws:iam::123456789012:policy/NAME`)"
                .into(),
        )
    };
    let parts: Vec<&str> = s.splitn(6, ':').collect();
    let [arn, part, iam, region, acct, resource] = parts.as_slice() else { return bad() };
    if *arn != "arn" || !partition(part) || *iam != "iam" || !region.is_empty() || !(account(acct) || *acct == "aws") {
        return bad();
    }
    let Some(path) = resource.strip_prefix("policy/") else { return bad() };
    let name = path.rsplit('/').next().unwrap_or_default();
    let name_ok = (1..=128).contains(&name.len()) && name.chars().all(|c| (super::chars::IAM_NAME.ok)(c));
    let path_ok = path.chars().all(|c| matches!(c, '\u{21}'..='\u{7e}'));
    if !name_ok || !path_ok {
        return Some("has an invalid policy name (1-128 letters, digits and `+=,.@_-`)".into());
    }
    None
}

/// An ACM certificate ARN or an IAM server certificate ARN.
pub static CERTIFICATE_ARN: Format = Format {
    doc: "an ACM (`arn:aws:acm:REGION:ACCOUNT:certificate/ID`) or IAM server certificate ARN",
    check: cert_arn,
};

fn cert_arn(s: &str) -> Option<String> {
    let parts: Vec<&str> = s.splitn(6, ':').collect();
    let ok = match parts.as_slice() {
        ["arn", p, "acm", region, acct, res] => {
            partition(p)
                && region_problem(region).is_none()
                && account(acct)
                && res.len() > 12
                && res.starts_with("certificate/")
        }
        ["arn", p, "iam", "", acct, res] => {
            partition(p) && account(acct) && res.len() > 19 && res.starts_with("server-certificate/")
        }
        _ => false,
    };
    (!ok).then(|| {
        "is not a certificate ARN (arn:aws:acm:REGION:ACCOUNT:certificate/ID, or an IAM server-certificate ARN)".into()
    })
}

/// A device name EBS volumes can be attached at.
pub static DEVICE_NAME: Format =
    Format { doc: "`/dev/sd[b-z]` or `/dev/xvd[b-z]` (recommended: `/dev/sd[f-p]`)", check: device };

fn device(s: &str) -> Option<String> {
    let letter = |c: char| ('b'..='z').contains(&c);
    let ok = if let Some(rest) = s.strip_prefix("/dev/sd") {
        // /dev/sdf, or a partition /dev/sdf1 .. /dev/sdf15.
        let mut cs = rest.chars();
        cs.next().is_some_and(letter) && {
            let part = cs.as_str();
            part.is_empty() || part.parse::<u8>().is_ok_and(|n| (1..=15).contains(&n) && !part.starts_with('0'))
        }
    } else if let Some(rest) = s.strip_prefix("/dev/xvd") {
        // /dev/xvdf, or the two-letter names /dev/xvdba .. /dev/xvdcz.
        let cs: Vec<char> = rest.chars().collect();
        match cs.as_slice() {
            [a] => letter(*a),
            [a, b] => ('b'..='c').contains(a) && b.is_ascii_lowercase(),
            _ => false,
        }
    } else {
        false
    };
    (!ok).then(|| "is not a device name EBS volumes attach at (/dev/sd[b-z] or /dev/xvd[b-z], e.g. /dev/sdf)".into())
}

/// What is wrong with an AWS region name (`us-east-1`, `us-gov-west-1`, `cn-north-1`).
pub fn region_problem(s: &str) -> Option<String> {
    let parts: Vec<&str> = s.split('-').collect();
    let ok = parts.len() >= 3
        && parts[0].len() == 2
        && parts[..parts.len() - 1].iter().all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase()))
        && parts.last().is_some_and(|n| (1..=2).contains(&n.len()) && n.chars().all(|c| c.is_ascii_digit()));
    (!ok).then(|| "is not an AWS region (such as us-east-1 or eu-west-2)".into())
}

/// An availability zone: a region and a letter (`us-east-1a`), or a Local or Wavelength Zone
/// (`us-west-2-lax-1a`).
pub static AVAILABILITY_ZONE: Format = Format { doc: "a zone of a region, e.g. us-east-1a", check: az_problem };

fn az_problem(s: &str) -> Option<String> {
    match az_region(s) {
        Some(_) => None,
        None => Some("is not an availability zone (a region and a letter, such as us-east-1a)".into()),
    }
}

/// The region an availability zone name belongs to, when it is one.
pub fn az_region(s: &str) -> Option<&str> {
    // The region ends at the first run of digits that follows a `-`.
    let dash_digit = s.char_indices().find(|(i, c)| c.is_ascii_digit() && s[..*i].ends_with('-'))?.0;
    let end = dash_digit + s[dash_digit..].find(|c: char| !c.is_ascii_digit())?;
    let (region, zone) = s.split_at(end);
    if region_problem(region).is_some() {
        return None;
    }
    let standard = zone.len() == 1 && zone.chars().all(|c| c.is_ascii_lowercase());
    let local = zone.len() > 2 && zone.starts_with('-') && zone[1..].chars().all(|c| lower_alnum(c) || c == '-');
    (standard || local).then_some(region)
}

/// A health check path: starts with `/`, printable ASCII without spaces.
pub static HTTP_PATH: Format = Format { doc: "a path starting with `/`", check: http_path };

fn http_path(s: &str) -> Option<String> {
    if !s.starts_with('/') {
        return Some("must start with `/`".into());
    }
    s.chars()
        .find(|c| !matches!(c, '\u{21}'..='\u{7e}'))
        .map(|c| format!("contains {}, which is not allowed in a URL path", super::show_char(c)))
}

/// A listener rule's HTTP method: upper-case letters, `-` and `_` (ELBv2's own rule).
pub static HTTP_METHOD: Format = Format { doc: "upper-case letters, `-` and `_` (`GET`)", check: http_method };

fn http_method(s: &str) -> Option<String> {
    s.chars()
        .find(|c| !matches!(c, 'A'..='Z' | '-' | '_'))
        .map(|c| format!("contains {}; methods are upper-case letters, `-` and `_` (`GET`)", super::show_char(c)))
}

/// A fixed response's HTTP status code: 2XX, 4XX or 5XX.
pub static STATUS_CODE: Format = Format { doc: "2XX, 4XX or 5XX", check: status_code };

fn status_code(s: &str) -> Option<String> {
    let ok = s.len() == 3 && s.chars().all(|c| c.is_ascii_digit()) && matches!(s.as_bytes()[0], b'2' | b'4' | b'5');
    (!ok).then(|| "is not a 2XX, 4XX or 5XX status code".into())
}

/// A health check matcher: codes 200-499, as a list (`200,302`) or a range (`200-399`).
pub static MATCHER: Format = Format { doc: "codes 200-499: `200`, `200,302` or `200-399`", check: matcher };

fn matcher(s: &str) -> Option<String> {
    let code = |c: &str| c.parse::<u16>().ok().filter(|n| (200..=499).contains(n) && c.len() == 3);
    let bad = || Some("is not a list or range of HTTP codes from 200 to 499 (`200`, `200,302` or `200-399`)".into());
    if let Some((lo, hi)) = s.split_once('-') {
        return match (code(lo), code(hi)) {
            (Some(a), Some(b)) if a <= b => None,
            _ => bad(),
        };
    }
    if s.split(',').all(|c| code(c).is_some()) { None } else { bad() }
}

/// A health check port: a port number or `traffic-port`.
pub static HEALTH_CHECK_PORT: Format = Format { doc: "1-65535 or `traffic-port`", check: health_check_port };

fn health_check_port(s: &str) -> Option<String> {
    let ok = s == "traffic-port" || port(s);
    (!ok).then(|| "is neither a port (1-65535) nor `traffic-port`".into())
}

fn port(s: &str) -> bool {
    s.parse::<u32>().is_ok_and(|p| (1..=65535).contains(&p)) && !s.starts_with('0')
}

/// A redirect's port: a port number or `#{port}`.
pub static REDIRECT_PORT: Format = Format { doc: "1-65535 or `#{port}`", check: redirect_port };

fn redirect_port(s: &str) -> Option<String> {
    (!(s == "#{port}" || port(s))).then(|| "is neither a port (1-65535) nor `#{port}`".into())
}

/// A redirect's path: starts with `/`.
pub static REDIRECT_PATH: Format = Format { doc: "starting with `/`", check: redirect_path };

fn redirect_path(s: &str) -> Option<String> {
    (!s.starts_with('/')).then(|| "must start with `/` (e.g. \"/#{path}\")".into())
}

/// A launch template version: a number, `$Default` or `$Latest`.
pub static TEMPLATE_VERSION: Format =
    Format { doc: "a version number, `$Default` or `$Latest`", check: template_version };

fn template_version(s: &str) -> Option<String> {
    let ok = s == "$Default" || s == "$Latest" || s.parse::<u64>().is_ok_and(|n| n >= 1) && !s.starts_with('0');
    (!ok).then(|| "is not a version number, \"$Default\" or \"$Latest\"".into())
}

/// A listener rule's path pattern.
pub static PATH_PATTERN: Format = Format { doc: "letters, digits and `_-.$/~\"'@:+&*?`", check: path_pattern };

fn path_pattern(s: &str) -> Option<String> {
    s.chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "_-.$/~\"'@:+&*?".contains(*c)))
        .map(|c| format!("contains {}, which a path pattern cannot hold", super::show_char(c)))
}

/// A listener rule's host pattern.
pub static HOST_PATTERN: Format = Format { doc: "letters, digits and `-.*?`", check: host_pattern };

fn host_pattern(s: &str) -> Option<String> {
    s.chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "-.*?".contains(*c)))
        .map(|c| format!("contains {}, which a host name cannot hold", super::show_char(c)))
}

/// An Application Load Balancer security policy name.
pub static SSL_POLICY: Format = Format { doc: "`ELBSecurityPolicy-…`", check: ssl_policy };

fn ssl_policy(s: &str) -> Option<String> {
    let ok = s
        .strip_prefix("ELBSecurityPolicy-")
        .is_some_and(|r| !r.is_empty() && r.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
    (!ok).then(|| {
        "is not an ELB security policy name (ELBSecurityPolicy-…, e.g. ELBSecurityPolicy-TLS13-1-2-2021-06)".into()
    })
}

/// A security group name other than `default`, which every VPC's own group has.
pub static NOT_DEFAULT_GROUP: Format = Format { doc: "not `default`", check: not_default_group };

fn not_default_group(s: &str) -> Option<String> {
    s.eq_ignore_ascii_case("default").then(|| "is the name of the VPC's own default group".into())
}

/// A cron expression in the five-field Unix form.
pub static CRON: Format =
    Format { doc: "a cron expression: minute hour day month weekday", check: super::cron::problem };

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_arns() {
        assert!(ami("ami-0abcdef1234567890").is_none());
        assert!(ami("ami-760aaa0f").is_none());
        for bad in ["ami-1", "ami-0ABCDEF1", "ami-0abcdef12", "img-760aaa0f"] {
            assert!(ami(bad).is_some(), "{bad}");
        }
        assert!(policy_arn("arn:aws:iam::aws:policy/ReadOnlyAccess").is_none());
        assert!(policy_arn("arn:aws:iam::aws:policy/service-role/AmazonSSMRoleForInstancesQuickSetup").is_none());
        assert!(policy_arn("arn:aws-us-gov:iam::123456789012:policy/team/ops").is_none());
        for bad in ["ReadOnlyAccess", "arn:aws:iam::12345:policy/x", "arn:aws:s3:::bucket", "arn:aws:iam::aws:role/x"] {
            assert!(policy_arn(bad).is_some(), "{bad}");
        }
        assert!(
            cert_arn("arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012").is_none()
        );
        assert!(cert_arn("arn:aws:iam::123456789012:server-certificate/web").is_none());
        assert!(cert_arn("arn:aws:acm:us-east-1:123:certificate/x").is_some());
    }

    #[test]
    fn zones_regions_and_devices() {
        assert_eq!(az_region("us-east-1a"), Some("us-east-1"));
        assert_eq!(az_region("us-gov-west-1b"), Some("us-gov-west-1"));
        assert_eq!(az_region("us-west-2-lax-1a"), Some("us-west-2"));
        for bad in ["us-east-1", "useast1a", "us-east-1ab", "US-EAST-1A", "us-east-1-"] {
            assert_eq!(az_region(bad), None, "{bad}");
        }
        assert!(region_problem("eu-west-2").is_none());
        assert!(region_problem("us-east").is_some());
        assert!(region_problem("us_east_1").is_some());
        for ok in ["/dev/sdf", "/dev/sdp", "/dev/sdb15", "/dev/xvdf", "/dev/xvdba"] {
            assert!(device(ok).is_none(), "{ok}");
        }
        for bad in ["/dev/sda", "sdf", "/dev/sdf0", "/dev/sdf16", "/dev/xvda", "/dev/nvme1n1", "/dev/xvdzz"] {
            assert!(device(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn http_formats() {
        assert!(http_path("/health").is_none());
        assert!(http_path("health").is_some());
        assert!(http_path("/a b").is_some());
        assert!(status_code("503").is_none());
        assert!(status_code("302").is_some());
        assert!(status_code("20").is_some());
        assert!(matcher("200").is_none() && matcher("200,302").is_none() && matcher("200-399").is_none());
        assert!(matcher("100").is_some() && matcher("399-200").is_some() && matcher("200,").is_some());
        assert!(health_check_port("traffic-port").is_none() && health_check_port("8080").is_none());
        assert!(health_check_port("0").is_some() && health_check_port("http").is_some());
        assert!(template_version("3").is_none() && template_version("$Latest").is_none());
        assert!(template_version("0").is_some() && template_version("latest").is_some());
        assert!(instance_type("t3.micro").is_none() && instance_type("c7i.metal-24xl").is_none());
        assert!(instance_type("t3micro").is_some() && instance_type("T3.micro").is_some());
    }
}
