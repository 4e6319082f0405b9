//! EBS: sizes, IOPS and throughput by volume type, a volume's zone against its instance's, and
//! device names used twice on one instance. The limits are CreateVolume's (EC2 API reference).

use super::{error, target, zone_in_region, zone_of};
use crate::model::Value;
use crate::stack::{Diagnostics, Resource, Stack};

/// The sizes in GiB each volume type allows.
fn size_range(vtype: &str) -> (i64, i64) {
    match vtype {
        "gp2" => (1, 16_384),
        "io1" => (4, 16_384),
        "io2" => (4, 65_536),
        "st1" | "sc1" => (125, 16_384),
        "standard" => (1, 1024),
        _ => (1, 65_536),
    }
}

/// Why a volume of this type cannot have this size. Sizes outside every type's range are
/// left to the schema's check, which has reported them already.
pub fn size_problem(vtype: &str, size: i64) -> Option<String> {
    let (lo, hi) = size_range(vtype);
    let reported = !(1..=65_536).contains(&size);
    (!reported && !(lo..=hi).contains(&size)).then(|| format!("a {vtype} volume is {lo} to {hi} GiB, not {size}"))
}

/// Provisioned IOPS: the range per type, and the most per GiB of size.
fn iops_problem(vtype: &str, iops: i64, size: Option<i64>) -> Option<String> {
    let (lo, hi, per_gib) = match vtype {
        "gp3" => (3000, 80_000, 500),
        "io1" => (100, 64_000, 50),
        "io2" => (100, 256_000, 1000),
        _ => return None,
    };
    if !(100..=256_000).contains(&iops) {
        return None; // the schema's range check has said so
    }
    if !(lo..=hi).contains(&iops) {
        return Some(format!("a {vtype} volume takes {lo} to {hi} IOPS, not {iops}"));
    }
    let size = size?;
    // gp3 has 3000 IOPS at any size; the ratio limits only what is provisioned above that.
    let most = if vtype == "gp3" { (per_gib * size).max(3000) } else { per_gib * size };
    (iops > most).then(|| {
        format!("{iops} IOPS on {size} GiB is more than {per_gib} IOPS per GiB that {vtype} allows; grow the volume to at least {} GiB", (iops + per_gib - 1) / per_gib)
    })
}

/// The volume's own checks and its attachment.
pub fn volume(res: &Resource, stack: &Stack, diags: &mut Diagnostics) {
    combinations(res, diags);
    let a = &res.attrs;
    let vtype = a.get("type").and_then(Value::as_str).unwrap_or("gp3");
    let int = |k: &str| a.get(k).and_then(Value::as_int);
    if let Some(msg) = int("size").and_then(|s| size_problem(vtype, s)) {
        diags.push(error(res, "size", msg));
    }
    if let Some(msg) = int("iops").and_then(|i| iops_problem(vtype, i, int("size"))) {
        diags.push(error(res, "iops", msg));
    }
    if let Some(t) = int("throughput").filter(|_| vtype == "gp3") {
        // gp3 allows 0.25 MiB/s per provisioned IOPS; without `iops` it has 3000.
        let iops = int("iops").unwrap_or(3000);
        if t * 4 > iops {
            diags.push(error(
                res,
                "throughput",
                format!("{t} MiB/s needs at least {} IOPS (0.25 MiB/s per IOPS); this volume has {iops}", t * 4),
            ));
        }
    }
    zone_in_region(res, stack, "az", diags);
    attachment(res, stack, diags);
}

/// Settings that only some volume types take, and an attachment needing both ends.
fn combinations(res: &Resource, diags: &mut Diagnostics) {
    let a = &res.attrs;
    let vtype = a.get("type").and_then(Value::as_str).unwrap_or("gp3");
    let given = |k: &str| a.get(k).is_some_and(|v| !v.is_null());
    let mut fail = |path: &str, msg: String| diags.push(error(res, path, msg));
    if given("iops") && !matches!(vtype, "io1" | "io2" | "gp3") {
        fail("iops", format!("iops can only be set for io1, io2 and gp3 volumes, not {vtype}"));
    }
    if !given("iops") && matches!(vtype, "io1" | "io2") {
        fail("type", format!("{vtype} volumes need `iops`"));
    }
    if given("throughput") && vtype != "gp3" {
        fail("throughput", format!("throughput can only be set for gp3 volumes, not {vtype}"));
    }
    if !given("size") && !given("snapshot") {
        fail("size", "a volume needs a `size` in GiB, or a `snapshot` to take its size from".into());
    }
    match (given("instance"), given("device")) {
        (true, false) => fail("instance", "an attached volume needs a `device`, e.g. \"/dev/sdf\"".into()),
        (false, true) => fail("device", "`device` needs an `instance` to attach to".into()),
        _ => {}
    }
}

/// A volume attaches only to an instance in its own zone, and only once at each device.
fn attachment(res: &Resource, stack: &Stack, diags: &mut Diagnostics) {
    let Some(instance) = target(stack, res.attrs.get("instance")) else { return };
    let az = res.attrs.get("az").and_then(Value::as_str);
    if let (Some(az), Some(theirs)) = (az, zone_of(stack, instance))
        && az != theirs
    {
        diags.push(
            error(res, "az", format!("this volume is in {az}, but {} runs in {theirs}", instance.addr))
                .label(format!("not {theirs}"))
                .hint("EBS volumes attach only to instances in their own availability zone"),
        );
    }
    let device = res.attrs.get("device").and_then(Value::as_str);
    let earlier = stack.resources.iter().take_while(|r| r.addr != res.addr).filter(|r| r.addr.kind == "volume");
    for other in earlier {
        let same_instance = other.attrs.get("instance") == res.attrs.get("instance");
        if same_instance && device.is_some() && other.attrs.get("device").and_then(Value::as_str) == device {
            let d = device.unwrap_or_default();
            diags.push(error(res, "device", format!("{} is already attached to {} at {d}", other.addr, instance.addr)));
        }
    }
}

/// An instance's root volume, when its type is given.
pub fn root_volume(res: &Resource, diags: &mut Diagnostics) {
    let vtype = res.attrs.get("root_volume_type").and_then(Value::as_str);
    let size = res.attrs.get("root_volume_size").and_then(Value::as_int);
    if let Some(msg) = vtype.zip(size).and_then(|(t, s)| size_problem(t, s)) {
        diags.push(error(res, "root_volume_size", msg));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_by_type() {
        assert_eq!(size_problem("gp2", 20_000).unwrap(), "a gp2 volume is 1 to 16384 GiB, not 20000");
        assert_eq!(size_problem("gp3", 0), None, "the schema's range reports it");
        assert!(size_problem("st1", 100).is_some());
        assert!(size_problem("standard", 2000).is_some());
        assert!(size_problem("io2", 4).is_none());
        assert!(iops_problem("gp3", 2000, Some(100)).is_some());
        assert!(iops_problem("io1", 1000, Some(10)).unwrap().contains("at least 20 GiB"));
        assert!(iops_problem("io2", 10_000, Some(10)).is_none());
        assert!(iops_problem("gp3", 16_000, Some(32)).is_none());
        assert!(iops_problem("gp3", 3000, Some(1)).is_none(), "the baseline needs no size");
        assert!(iops_problem("gp3", 4000, Some(6)).is_some());
    }
}
