//! Compute: AMI ids, instance types, key names, user data, root volumes, EBS volumes (sizes,
//! IOPS, throughput, zones, devices), Elastic IPs and launch templates.

use super::{Case, base, case, with_other_vpc};

const INSTANCE: &str = "instance \"app\"";
const VOLUME: &str = "volume \"data\"";
const LT: &str = "launch_template \"web\"";

pub fn cases() -> Vec<Case> {
    let mut out = images_and_types();
    out.extend(instances());
    out.extend(volumes());
    out.extend(attachments());
    out.extend(templates());
    out
}

fn images_and_types() -> Vec<Case> {
    let mut out = vec![];
    for (head, kind) in [(INSTANCE, "instance"), (LT, "lt")] {
        for (slug, ami) in [
            ("short", "ami-123"),
            ("caps", "ami-0ABCDEF1234567890"),
            ("prefix", "img-0abcdef1234567890"),
            ("nine", "ami-0abcdef12"),
            ("empty", ""),
            ("name", "al2023-ami-kernel-default-x86_64"),
        ] {
            out.push(case(
                &format!("compute-{kind}-ami-{slug}"),
                &format!("a malformed AMI id \"{ami}\""),
                "is not an AMI id",
                base().set(head, "ami", &format!("\"{ami}\"")),
            ));
        }
        for (slug, ty) in [("no-dot", "t3micro"), ("caps", "T3.micro"), ("trailing-dot", "t3."), ("space", "t3 micro")]
        {
            out.push(case(
                &format!("compute-{kind}-type-{slug}"),
                &format!("a malformed instance type \"{ty}\""),
                "is not an instance type",
                base().set(head, "type", &format!("\"{ty}\"")),
            ));
        }
        out.push(case(
            &format!("compute-{kind}-key-name-long"),
            "a key pair name of 256 characters",
            "is 256 characters long; at most 255",
            base().set(head, "key_name", &format!("\"{}\"", "k".repeat(256))),
        ));
        out.push(case(
            &format!("compute-{kind}-key-name-unicode"),
            "a key pair name that is not ASCII",
            "contains `é`",
            base().set(head, "key_name", "\"clé\""),
        ));
        out.push(case(
            &format!("compute-{kind}-user-data-too-big"),
            "user data over 16 KB",
            "is 17000 bytes long; at most 16384",
            base().set(head, "user_data", &format!("\"{}\"", "x".repeat(17000))),
        ));
        out.push(case(
            &format!("compute-{kind}-role-without-profile"),
            "a role without an instance profile",
            "has no instance profile to give",
            base()
                .set("iam_role \"web\"", "instance_profile", "false")
                .unset(if head == INSTANCE { LT } else { INSTANCE }, "role"),
        ));
    }
    out
}

fn instances() -> Vec<Case> {
    vec![
        case(
            "compute-instance-root-size-zero",
            "a root volume of 0 GiB",
            "root_volume_size 0 is out of range (1-65536)",
            base().set(INSTANCE, "root_volume_size", "0"),
        ),
        case(
            "compute-instance-root-size-huge",
            "a root volume of 70000 GiB",
            "is out of range (1-65536)",
            base().set(INSTANCE, "root_volume_size", "70000"),
        ),
        case(
            "compute-instance-root-st1-small",
            "an st1 root volume of 10 GiB",
            "a st1 volume is 125 to 16384 GiB, not 10",
            base().set(INSTANCE, "root_volume_size", "10").set(INSTANCE, "root_volume_type", "\"st1\""),
        ),
        case(
            "compute-instance-root-type",
            "root volume type gp4",
            "is not one of \"gp2\"",
            base().set(INSTANCE, "root_volume_type", "\"gp4\""),
        ),
        case(
            "compute-instance-sg-other-vpc",
            "a security group of another VPC",
            "security_group.o is in vpc.other, not in vpc.main",
            with_other_vpc(base()).set(INSTANCE, "security_groups", "[security_group.web, security_group.o]"),
        ),
        case(
            "compute-instance-subnet-kind",
            "a VPC where a subnet goes",
            "expected a reference to a subnet",
            base().set(INSTANCE, "subnet", "vpc.main"),
        ),
        case(
            "compute-instance-imdsv2-type",
            "imdsv2 = \"required\"",
            "expected true or false",
            base().set(INSTANCE, "imdsv2", "\"required\""),
        ),
        case(
            "compute-instance-tags",
            "an instance tag starting with aws:",
            "must not start with \"aws:\"",
            base().set(INSTANCE, "tags", "{ \"aws:x\" = \"y\" }"),
        ),
        case(
            "compute-eip-two-on-instance",
            "two Elastic IPs on one instance",
            "is already associated with elastic_ip.app",
            base().add("elastic_ip \"second\" {\n  instance = instance.app\n}"),
        ),
        case(
            "compute-eip-tags",
            "an Elastic IP tag value of 257 characters",
            "at most 256",
            base().set("elastic_ip \"app\"", "tags", &format!("{{ k = \"{}\" }}", "v".repeat(257))),
        ),
    ]
}

fn volumes() -> Vec<Case> {
    let vol = |pairs: &[(&str, &str)]| pairs.iter().fold(base(), |s, (k, v)| s.set(VOLUME, k, v));
    vec![
        case(
            "compute-volume-no-size",
            "a volume with neither a size nor a snapshot",
            "a volume needs a `size` in GiB, or a `snapshot` to take its size from",
            base().unset(VOLUME, "size"),
        ),
        case(
            "compute-volume-snapshot-id",
            "a snapshot given by its name, not its id",
            "is not a snapshot id",
            vol(&[("snapshot", "\"nightly-backup\"")]),
        ),
        case(
            "compute-volume-snapshot-before-destroy",
            "snapshot_before_destroy given as a string",
            "expected true or false, found the string \"yes\"",
            vol(&[("snapshot_before_destroy", "\"yes\"")]),
        ),
        case(
            "compute-volume-size-zero",
            "a volume of 0 GiB",
            "size 0 is out of range (1-65536)",
            vol(&[("size", "0")]),
        ),
        case("compute-volume-size-negative", "a volume of -5 GiB", "size -5 is out of range", vol(&[("size", "-5")])),
        case(
            "compute-volume-size-huge",
            "a volume of 70000 GiB",
            "size 70000 is out of range",
            vol(&[("size", "70000")]),
        ),
        case(
            "compute-volume-gp2-too-big",
            "a gp2 volume of 20000 GiB",
            "a gp2 volume is 1 to 16384 GiB, not 20000",
            vol(&[("type", "\"gp2\""), ("size", "20000")]),
        ),
        case(
            "compute-volume-io1-too-small",
            "an io1 volume of 2 GiB",
            "a io1 volume is 4 to 16384 GiB, not 2",
            vol(&[("type", "\"io1\""), ("size", "2"), ("iops", "100")]),
        ),
        case(
            "compute-volume-st1-too-small",
            "an st1 volume of 100 GiB",
            "a st1 volume is 125 to 16384 GiB, not 100",
            vol(&[("type", "\"st1\""), ("size", "100")]),
        ),
        case(
            "compute-volume-standard-too-big",
            "a magnetic volume of 2000 GiB",
            "a standard volume is 1 to 1024 GiB, not 2000",
            vol(&[("type", "\"standard\""), ("size", "2000")]),
        ),
        case(
            "compute-volume-gp3-iops-low",
            "a gp3 volume with 2000 IOPS",
            "a gp3 volume takes 3000 to 80000 IOPS, not 2000",
            vol(&[("iops", "2000")]),
        ),
        case(
            "compute-volume-gp3-iops-ratio",
            "a gp3 volume with more than 500 IOPS per GiB",
            "more than 500 IOPS per GiB",
            vol(&[("iops", "6000")]),
        ),
        case(
            "compute-volume-gp3-iops-high",
            "a gp3 volume with 90000 IOPS",
            "a gp3 volume takes 3000 to 80000 IOPS",
            vol(&[("size", "500"), ("iops", "90000")]),
        ),
        case(
            "compute-volume-io1-iops-high",
            "an io1 volume with 70000 IOPS",
            "a io1 volume takes 100 to 64000 IOPS",
            vol(&[("type", "\"io1\""), ("size", "2000"), ("iops", "70000")]),
        ),
        case(
            "compute-volume-io1-iops-ratio",
            "an io1 volume with 100 IOPS per GiB",
            "more than 50 IOPS per GiB",
            vol(&[("type", "\"io1\""), ("iops", "1000")]),
        ),
        case(
            "compute-volume-io2-iops-too-high",
            "an io2 volume with 300000 IOPS",
            "iops 300000 is out of range (100-256000)",
            vol(&[("type", "\"io2\""), ("iops", "300000")]),
        ),
        case(
            "compute-volume-iops-too-low",
            "a volume with 50 IOPS",
            "iops 50 is out of range (100-256000)",
            vol(&[("type", "\"io2\""), ("iops", "50")]),
        ),
        case(
            "compute-volume-io1-no-iops",
            "an io1 volume without iops",
            "io1 volumes need `iops`",
            vol(&[("type", "\"io1\"")]),
        ),
        case(
            "compute-volume-gp2-iops",
            "iops on a gp2 volume",
            "iops can only be set for io1, io2 and gp3 volumes",
            vol(&[("type", "\"gp2\""), ("iops", "300")]),
        ),
        case(
            "compute-volume-throughput-low",
            "throughput 100 MiB/s",
            "throughput 100 is out of range (125-2000)",
            vol(&[("throughput", "100")]),
        ),
        case(
            "compute-volume-throughput-high",
            "throughput 2500 MiB/s",
            "throughput 2500 is out of range (125-2000)",
            vol(&[("throughput", "2500")]),
        ),
        case(
            "compute-volume-throughput-ratio",
            "throughput 800 MiB/s with 3000 IOPS",
            "800 MiB/s needs at least 3200 IOPS",
            vol(&[("throughput", "800")]),
        ),
        case(
            "compute-volume-throughput-gp2",
            "throughput on a gp2 volume",
            "throughput can only be set for gp3 volumes",
            vol(&[("type", "\"gp2\""), ("throughput", "200")]),
        ),
        case("compute-volume-type", "volume type gp4", "is not one of \"gp2\"", vol(&[("type", "\"gp4\"")])),
        case(
            "compute-volume-encrypted-type",
            "encrypted = \"yes\"",
            "expected true or false",
            vol(&[("encrypted", "\"yes\"")]),
        ),
        case(
            "compute-volume-tags",
            "a volume tag key of 129 characters",
            "at most 128",
            vol(&[("tags", &format!("{{ {} = \"x\" }}", "k".repeat(129)))]),
        ),
    ]
}

fn attachments() -> Vec<Case> {
    let vol = |pairs: &[(&str, &str)]| pairs.iter().fold(base(), |s, (k, v)| s.set(VOLUME, k, v));
    let mut out = vec![
        case("compute-volume-other-zone", "a volume in another zone than its instance", "this volume is in us-east-1b, but instance.app runs in us-east-1a", vol(&[("az", "\"us-east-1b\"")])),
        case("compute-volume-other-zone-subnet-b", "an instance moved to another zone than its volume", "but instance.app runs in us-east-1b", base().set(INSTANCE, "subnet", "subnet.b")),
        case("compute-volume-az-other-region", "a volume in a zone of another region", "is in eu-central-1, not in the stack's region", vol(&[("az", "\"eu-central-1a\"")]).unset(VOLUME, "instance").unset(VOLUME, "device")),
        case("compute-volume-az-malformed", "a volume zone that is a region", "is not an availability zone", vol(&[("az", "\"us-east-1\"")])),
        case("compute-volume-device-no-instance", "a device without an instance", "`device` needs an `instance` to attach to", base().unset(VOLUME, "instance")),
        case("compute-volume-instance-no-device", "an instance without a device", "an attached volume needs a `device`", base().unset(VOLUME, "device")),
        case("compute-volume-same-device", "two volumes at one device of one instance", "volume.data is already attached to instance.app at /dev/sdf", base().add("volume \"logs\" {\n  az        = \"us-east-1a\"\n  size      = 10\n  encrypted = true\n  instance  = instance.app\n  device    = \"/dev/sdf\"\n}")),
    ];
    for (slug, device) in [
        ("bare", "sdf"),
        ("root", "/dev/sda"),
        ("xvda", "/dev/xvda"),
        ("nvme", "/dev/nvme1n1"),
        ("partition-16", "/dev/sdf16"),
        ("word", "/dev/data"),
        ("windows", "xvdf"),
    ] {
        out.push(case(
            &format!("compute-volume-device-{slug}"),
            &format!("device name \"{device}\""),
            "is not a device name EBS volumes attach at",
            vol(&[("device", &format!("\"{device}\""))]),
        ));
    }
    out
}

fn templates() -> Vec<Case> {
    let name = |v: &str| base().set(LT, "name", v);
    vec![
        case("compute-lt-name-short", "a template name of 2 characters", "is 2 characters long; at least 3", name("\"lt\"")),
        case("compute-lt-name-long", "a template name of 129 characters", "is 129 characters long; at most 128", name(&format!("\"{}\"", "t".repeat(129)))),
        case("compute-lt-name-space", "a template name with a space", "contains a space", name("\"web template\"")),
        case("compute-lt-name-colon", "a template name with a colon", "contains `:`", name("\"web:v1\"")),
        case("compute-lt-default-name-long", "a block name making the default name too long", "the default name", base().add(&format!("launch_template \"{}\" {{\n  ami  = \"ami-0abcdef1234567890\"\n  type = \"t3.micro\"\n}}", "t".repeat(130)))),
        case("compute-lt-duplicate-names", "two templates with one name", "would both be the launch template named \"inv-web-lt\"", base().add("launch_template \"web2\" {\n  name = \"inv-web-lt\"\n  ami  = \"ami-0abcdef1234567890\"\n  type = \"t3.micro\"\n}")),
        case("compute-lt-instance-tags", "an instance tag starting with aws:", "must not start with \"aws:\"", base().set(LT, "instance_tags", "{ \"aws:x\" = \"y\" }")),
    ]
}
