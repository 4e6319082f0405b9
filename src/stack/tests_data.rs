//! `data` blocks through loading: the first load asks for what it lacks and leaves out what
//! uses it, without an error; the next, given the results, has everything; mistakes in data
//! blocks and references to them are reported with their position.

use super::*;
use crate::data::{Fetched, Request};
use crate::model::{Attrs, Key, Value};
use crate::resources::schemas;

const SRC: &str = r#"stack "t" { region = "us-east-1" }
data "availability_zones" "all" {}
data "ami" "linux" {
  ssm_parameter = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
}
locals {
  zones = slice(data.availability_zones.all.names, 0, 2)
}
vpc "main" { cidr = "10.0.0.0/16" }
subnet "public" {
  for_each = toset(local.zones)
  vpc      = vpc.main
  az       = each.key
  cidr     = cidrsubnet(vpc.main.cidr, 8, index(local.zones, each.key))
}
launch_template "web" {
  ami  = data.ami.linux.id
  type = "t3.micro"
}
output "zones" { value = local.zones }
"#;

fn load_with(src: &str, fetched: Fetched) -> Result<Stack, Diagnostics> {
    let inputs = VarInputs { data: fetched, ..VarInputs::default() };
    load_str("stack.hcl", src, &inputs, &schemas())
}

fn zones_request() -> Request {
    Request { kind: "availability_zones".into(), args: Attrs::from([("state".into(), Value::str("available"))]) }
}

fn answered() -> Fetched {
    let mut f = Fetched::default();
    let zones = Value::List(["us-east-1a", "us-east-1b", "us-east-1c"].map(Value::str).to_vec());
    f.0.insert(zones_request().key(), Ok(Value::Map(Attrs::from([("names".into(), zones)]))));
    let ami = Request {
        kind: "ami".into(),
        args: Attrs::from([
            ("owners".into(), Value::List(vec![])),
            (
                "ssm_parameter".into(),
                Value::str("/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"),
            ),
        ]),
    };
    f.0.insert(ami.key(), Ok(Value::Map(Attrs::from([("id".into(), Value::str("ami-0123456789abcdef0"))]))));
    f
}

#[test]
fn the_first_load_asks_for_the_lookups_and_leaves_their_uses_out() {
    let s = load_with(SRC, Fetched::default()).unwrap_or_else(|d| panic!("{d}"));
    let kinds: Vec<&str> = s.data_pending.iter().map(|r| r.kind.as_str()).collect();
    assert_eq!(kinds, ["availability_zones", "ami"]);
    assert_eq!(s.data_pending[0], zones_request());
    assert!(s.resources.iter().all(|r| r.addr.kind != "subnet"), "{:?}", s.resources);
}

#[test]
fn with_the_results_every_block_and_instance_is_there() {
    let s = load_with(SRC, answered()).unwrap_or_else(|d| panic!("{d}"));
    assert!(s.data_pending.is_empty());
    let subnets: Vec<String> =
        s.resources.iter().filter(|r| r.addr.kind == "subnet").map(|r| r.addr.to_string()).collect();
    assert_eq!(subnets, [r#"subnet.public["us-east-1a"]"#, r#"subnet.public["us-east-1b"]"#]);
    let lt = s.resources.iter().find(|r| r.addr.kind == "launch_template").unwrap();
    assert_eq!(lt.attrs["ami"], Value::str("ami-0123456789abcdef0"));
    let b = s.resources.iter().find(|r| r.addr.key == Some(Key::Str("us-east-1b".into()))).unwrap();
    assert!(matches!(b.attrs["cidr"], Value::Expr(_)), "{:?}", b.attrs["cidr"]);
    assert_eq!(s.outputs[0].value, Value::List(vec![Value::str("us-east-1a"), Value::str("us-east-1b")]));
}

fn error(src: &str, fetched: Fetched) -> String {
    load_with(src, fetched).map(|_| ()).unwrap_err().to_string()
}

#[test]
fn mistakes_are_reported_where_they_are() {
    let e = error(&SRC.replace("data \"ami\" \"linux\"", "data \"amis\" \"linux\""), Fetched::default());
    assert!(e.contains("there is no data kind `amis`") && e.contains("did you mean `ami`?"), "{e}");
    assert!(e.contains("stack.hcl:3:6"), "{e}");
    let e = error(&SRC.replace("all.names, 0", "all.namez, 0"), Fetched::default());
    assert!(e.contains("data.availability_zones has no attribute `namez`"), "{e}");
    let e = error(&SRC.replace("data.ami.linux.id", "data.ami.linx.id"), Fetched::default());
    assert!(e.contains("reference to undeclared data.ami.linx") && e.contains("did you mean data.ami.linux?"), "{e}");
    let e = error(&SRC.replace("ssm_parameter = ", "ssm_parameter = vpc.main.id\n  name = "), Fetched::default());
    assert!(e.contains("data.ami.linux: `ssm_parameter` must be known when planning"), "{e}");
    let e = error(
        &SRC.replace(
            "data \"availability_zones\" \"all\" {}",
            "data \"availability_zones\" \"all\" { state = \"gone\" }",
        ),
        Fetched::default(),
    );
    assert!(e.contains("stack.hcl:2:"), "{e}");
}

#[test]
fn a_failed_read_is_an_error_at_the_block() {
    let mut f = answered();
    f.0.insert(zones_request().key(), Err("cannot read the availability zones: AccessDenied".into()));
    let e = error(SRC, f);
    assert!(e.contains("data.availability_zones.all: cannot read the availability zones: AccessDenied"), "{e}");
    assert!(e.contains("stack.hcl:2:1"), "{e}");
}
