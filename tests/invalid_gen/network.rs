//! Networking: CIDR sizes, zones, route tables, security groups (names, descriptions, rules,
//! names claimed twice in one VPC) and EC2 tags.

use super::{Case, base, case, with_other_vpc};

const VPC: &str = "vpc \"main\"";
const SUBNET: &str = "subnet \"a\"";
const RTB: &str = "route_table \"public\"";
const SG: &str = "security_group \"web\"";

pub fn cases() -> Vec<Case> {
    let mut out = cidrs_and_zones();
    out.extend(routes());
    out.extend(groups());
    out.extend(rules());
    out.extend(tags());
    out
}

fn cidrs_and_zones() -> Vec<Case> {
    let az = |v: &str| base().set(SUBNET, "az", &format!("\"{v}\""));
    vec![
        case(
            "net-vpc-cidr-too-big",
            "a /8 VPC",
            "is a /8 block; AWS allows /16 to /28",
            base().set(VPC, "cidr", "\"10.0.0.0/8\""),
        ),
        case(
            "net-vpc-cidr-too-small",
            "a /29 VPC",
            "is a /29 block; AWS allows /16 to /28",
            base().set(VPC, "cidr", "\"10.0.0.0/29\"").set(SUBNET, "cidr", "\"10.0.0.0/29\""),
        ),
        case(
            "net-vpc-cidr-invalid",
            "a CIDR with an octet over 255",
            "is not a valid IPv4 CIDR block",
            base().set(VPC, "cidr", "\"10.0.0.300/16\""),
        ),
        case(
            "net-vpc-cidr-host-bits",
            "a CIDR with host bits set",
            "has host bits set",
            base().set(VPC, "cidr", "\"10.0.0.1/16\""),
        ),
        case(
            "net-vpc-tenancy",
            "tenancy \"host\"",
            "is not one of \"default\", \"dedicated\"",
            base().set(VPC, "instance_tenancy", "\"host\""),
        ),
        case(
            "net-subnet-cidr-too-small",
            "a /29 subnet",
            "is a /29 block",
            base().set(SUBNET, "cidr", "\"10.0.1.0/29\""),
        ),
        case(
            "net-subnet-cidr-too-big",
            "a /12 subnet",
            "is a /12 block",
            base().set(SUBNET, "cidr", "\"10.0.0.0/12\""),
        ),
        case(
            "net-subnet-outside-vpc",
            "a subnet outside its VPC",
            "is outside vpc.main's CIDR",
            base().set(SUBNET, "cidr", "\"10.9.1.0/24\""),
        ),
        case(
            "net-subnet-overlap",
            "two subnets that overlap",
            "overlaps subnet.a",
            base().set("subnet \"b\"", "cidr", "\"10.0.1.0/25\""),
        ),
        case("net-subnet-az-region-only", "a region where a zone goes", "is not an availability zone", az("us-east-1")),
        case("net-subnet-az-no-region", "a zone without its region", "is not an availability zone", az("east-1a")),
        case("net-subnet-az-uppercase", "a zone in capitals", "is not an availability zone", az("US-EAST-1A")),
        case("net-subnet-az-id", "a zone id where a zone name goes", "is not an availability zone", az("use1-az1")),
        case(
            "net-subnet-az-other-region",
            "a zone of another region",
            "is in eu-west-1, not in the stack's region us-east-1",
            az("eu-west-1a"),
        ),
        case(
            "net-subnet-az-other-region-b",
            "a zone of a neighbouring region",
            "is in us-east-2, not in the stack's region",
            az("us-east-2b"),
        ),
    ]
}

fn routes() -> Vec<Case> {
    let route = "  route {\n    cidr    = \"0.0.0.0/0\"\n    gateway = internet_gateway.gw\n  }\n";
    vec![
        case(
            "net-route-duplicate",
            "two routes to one destination",
            "two routes to 0.0.0.0/0",
            base().inside(RTB, route),
        ),
        case(
            "net-route-detached-gateway",
            "a route to a gateway attached to no VPC",
            "is not attached to a VPC",
            base().unset("internet_gateway \"gw\"", "vpc"),
        ),
        case(
            "net-route-gateway-other-vpc",
            "a route to a gateway of another VPC",
            "is attached to vpc.other, not to this table's VPC",
            with_other_vpc(base()).set("internet_gateway \"gw\"", "vpc", "vpc.other"),
        ),
        case(
            "net-route-subnet-other-vpc",
            "a table with a subnet of another VPC",
            "subnet.o is in vpc.other, not in vpc.main",
            with_other_vpc(base()).set(RTB, "subnets", "[subnet.a, subnet.b, subnet.o]"),
        ),
        case(
            "net-route-subnet-two-tables",
            "a subnet in two route tables",
            "is already associated with route_table.public",
            base().add("route_table \"private\" {\n  vpc     = vpc.main\n  subnets = [subnet.b]\n}"),
        ),
        case(
            "net-route-cidr-invalid",
            "a route to something that is not a CIDR",
            "is not a valid IPv4 CIDR block",
            base().sub(RTB, "\"0.0.0.0/0\"", "\"default\""),
        ),
        case(
            "net-route-gateway-kind",
            "a route to a subnet",
            "expected a reference to a internet_gateway",
            base().sub(RTB, "internet_gateway.gw", "subnet.a"),
        ),
    ]
}

fn groups() -> Vec<Case> {
    let name = |v: &str| base().set(SG, "name", v);
    vec![
        case(
            "net-sg-name-sg-prefix",
            "a group name starting with sg-",
            "must not start with \"sg-\"",
            name("\"sg-web\""),
        ),
        case(
            "net-sg-name-sg-prefix-caps",
            "a group name starting with SG-",
            "must not start with \"sg-\"",
            name("\"SG-web\""),
        ),
        case(
            "net-sg-name-too-long",
            "a group name of 256 characters",
            "is 256 characters long; at most 255",
            name(&format!("\"{}\"", "g".repeat(256))),
        ),
        case("net-sg-name-char", "a group name with `~`", "contains `~`", name("\"web~1\"")),
        case("net-sg-name-accent", "a group name with an accent", "contains `é`", name("\"café\"")),
        case("net-sg-name-empty", "an empty group name", "must not be empty", name("\"\"")),
        case(
            "net-sg-name-default",
            "a group named default, as the VPC's own is",
            "is the name of the VPC's own default group",
            name("\"default\""),
        ),
        case(
            "net-sg-description-empty",
            "an empty description",
            "description \"\" must not be empty",
            base().set(SG, "description", "\"\""),
        ),
        case(
            "net-sg-description-long",
            "a description of 256 characters",
            "is 256 characters long; at most 255",
            base().set(SG, "description", &format!("\"{}\"", "d".repeat(256))),
        ),
        case(
            "net-sg-description-char",
            "a description with `ü`",
            "contains `ü`",
            base().set(SG, "description", "\"Grüße\""),
        ),
        case(
            "net-sg-duplicate-names",
            "two groups with one name in a VPC",
            "would both be the security group named \"web\" in the same VPC",
            base().set(SG, "name", "\"web\"").set("security_group \"alb\"", "name", "\"web\""),
        ),
        case(
            "net-sg-duplicate-names-case",
            "two group names that differ in case",
            "in the same VPC",
            base().set(SG, "name", "\"Web\"").set("security_group \"alb\"", "name", "\"web\""),
        ),
        case(
            "net-sg-duplicate-default-name",
            "a name equal to another group's default name",
            "would both be the security group named \"inv-web-sg\"",
            base().set("security_group \"alb\"", "name", "\"inv-web-sg\""),
        ),
        case(
            "net-sg-default-name-sg-prefix",
            "a stack named sg gives default names starting sg-",
            "the default name \"sg-alb-sg\" must not start with \"sg-\"",
            base().sub("stack \"inv\"", "stack \"inv\"", "stack \"sg\""),
        ),
        case(
            "net-sg-default-name-too-long",
            "a block name making the default name 260 characters",
            "the default name",
            base().add(&format!("security_group \"{}\" {{\n  vpc = vpc.main\n}}", "g".repeat(256))),
        ),
    ]
}

fn rules() -> Vec<Case> {
    let ingress = |body: &str| base().inside(SG, &format!("  ingress {{\n{body}  }}\n"));
    vec![
        case(
            "net-rule-port-out-of-range",
            "a port over 65535",
            "port 70000 is out of range (0-65535)",
            ingress("    port = 70000\n    cidr = \"10.0.0.0/16\"\n"),
        ),
        case(
            "net-rule-port-negative",
            "a negative port",
            "is out of range (0-65535)",
            ingress("    port = -1\n    cidr = \"10.0.0.0/16\"\n"),
        ),
        case(
            "net-rule-from-above-to",
            "from_port above to_port",
            "from_port 90 is greater than to_port 80",
            ingress("    from_port = 90\n    to_port   = 80\n    cidr      = \"10.0.0.0/16\"\n"),
        ),
        case(
            "net-rule-no-port",
            "a tcp rule without a port",
            "a tcp rule needs `port`",
            ingress("    cidr = \"10.0.0.0/16\"\n"),
        ),
        case(
            "net-rule-all-with-port",
            "protocol all with a port",
            "protocol \"all\" covers every port",
            ingress("    protocol = \"all\"\n    port     = 22\n    cidr     = \"10.0.0.0/16\"\n"),
        ),
        case(
            "net-rule-no-source",
            "a rule without a source",
            "a rule needs a source or destination",
            ingress("    port = 22\n"),
        ),
        case(
            "net-rule-port-and-range",
            "port and from_port together",
            "use either `port` or `from_port`/`to_port`",
            ingress("    port      = 22\n    from_port = 22\n    to_port   = 22\n    cidr      = \"10.0.0.0/16\"\n"),
        ),
        case(
            "net-rule-icmp-type",
            "an ICMP type over 255",
            "ICMP types and codes are 0-255",
            ingress(
                "    protocol  = \"icmp\"\n    from_port = 300\n    to_port   = 0\n    cidr      = \"10.0.0.0/16\"\n",
            ),
        ),
        case(
            "net-rule-protocol",
            "protocol \"ssh\"",
            "is not one of \"tcp\", \"udp\", \"icmp\", \"all\"",
            ingress("    protocol = \"ssh\"\n    port     = 22\n    cidr     = \"10.0.0.0/16\"\n"),
        ),
        case(
            "net-rule-description-char",
            "a rule description with `é`",
            "contains `é`",
            ingress("    port        = 22\n    cidr        = \"10.0.0.0/16\"\n    description = \"réseau\"\n"),
        ),
        case(
            "net-rule-description-long",
            "a rule description of 256 characters",
            "is 256 characters long; at most 255",
            ingress(&format!(
                "    port        = 22\n    cidr        = \"10.0.0.0/16\"\n    description = \"{}\"\n",
                "d".repeat(256)
            )),
        ),
        case(
            "net-rule-cidr-host-bits",
            "a rule CIDR with host bits",
            "has host bits set",
            ingress("    port = 22\n    cidr = \"10.0.0.1/16\"\n"),
        ),
        case(
            "net-rule-cidrs-invalid",
            "an invalid CIDR in cidrs",
            "is not a valid IPv4 CIDR block",
            ingress("    port  = 22\n    cidrs = [\"10.0.0.0/16\", \"10.0.0.0/40\"]\n"),
        ),
    ]
}

fn tags() -> Vec<Case> {
    let tags = |t: &str| base().set(VPC, "tags", t);
    let many: Vec<String> = (0..49).map(|i| format!("k{i} = \"v\"")).collect();
    let one_less: Vec<String> = (0..48).map(|i| format!("k{i} = \"v\"")).collect();
    vec![
        case(
            "net-tags-aws-prefix",
            "a tag key starting with aws:",
            "must not start with \"aws:\"",
            tags("{ \"aws:cloudformation:stack-name\" = \"x\" }"),
        ),
        case(
            "net-tags-aws-prefix-caps",
            "a tag key starting with AWS:",
            "must not start with \"aws:\"",
            tags("{ \"AWS:x\" = \"x\" }"),
        ),
        case(
            "net-tags-stackr-prefix",
            "a tag key stackr manages",
            "must not start with \"stackr:\"",
            tags("{ \"stackr:address\" = \"vpc.x\" }"),
        ),
        case("net-tags-key-empty", "an empty tag key", "must not be empty", tags("{ \"\" = \"x\" }")),
        case(
            "net-tags-key-long",
            "a tag key of 129 characters",
            "at most 128",
            tags(&format!("{{ {} = \"x\" }}", "k".repeat(129))),
        ),
        case(
            "net-tags-value-long",
            "a tag value of 257 characters",
            "at most 256",
            tags(&format!("{{ k = \"{}\" }}", "v".repeat(257))),
        ),
        case("net-tags-too-many", "49 tags", "has 49 items; at most 48", tags(&format!("{{ {} }}", many.join(", ")))),
        case(
            "net-tags-too-many-with-name",
            "48 tags and the default Name tag",
            "tags, with the entries stackr adds, has 49 items",
            tags(&format!("{{ {} }}", one_less.join(", "))),
        ),
        case("net-tags-wrong-type", "a list where tags go", "expected a map of strings", tags("[\"a\"]")),
        case(
            "net-tags-subnet",
            "a subnet tag key starting with aws:",
            "must not start with \"aws:\"",
            base().set(SUBNET, "tags", "{ \"aws:x\" = \"y\" }"),
        ),
        case(
            "net-tags-igw",
            "a gateway tag value of 257 characters",
            "at most 256",
            base().set("internet_gateway \"gw\"", "tags", &format!("{{ k = \"{}\" }}", "v".repeat(257))),
        ),
        case(
            "net-tags-route-table",
            "a route table tag key of 129 characters",
            "at most 128",
            base().set(RTB, "tags", &format!("{{ {} = \"x\" }}", "k".repeat(129))),
        ),
        case(
            "net-tags-security-group",
            "a security group tag starting with aws:",
            "must not start with \"aws:\"",
            base().set(SG, "tags", "{ \"aws:x\" = \"y\" }"),
        ),
    ]
}
