//! Stack loading: values, variables and references, and one snapshot per kind of diagnostic so
//! the exact message, file:line:col and underline are reviewed like code.

use std::io::Write;

use super::*;
use crate::model::{Ref, Value};
use crate::resources::{self, schemas};

/// Loads `src` as the CLI does (including each kind's cross-resource checks) and renders the
/// diagnostics, or panics if it loads cleanly.
fn diagnose(src: &str) -> String {
    diagnose_with(src, &VarInputs::default())
}

fn diagnose_with(src: &str, inputs: &VarInputs) -> String {
    let mut post = |s: &mut Stack| resources::check(s);
    let Err(mut diags) = load_str_with("stack.hcl", src, inputs, &schemas(), &mut post) else {
        panic!("expected diagnostics for:\n{src}");
    };
    assert!(diags.has_errors(), "expected diagnostics for:\n{src}");
    diags.0.iter_mut().map(|d| d.render(false)).collect::<Vec<_>>().join("\n\n")
}

fn load(src: &str, inputs: &VarInputs) -> Stack {
    load_str("stack.hcl", src, inputs, &schemas()).unwrap_or_else(|d| panic!("{d}"))
}

const HEAD: &str = "stack \"t\" { region = \"us-east-1\" }\n";

#[test]
fn values_variables_locals_and_references() {
    let src = format!(
        "{HEAD}variable \"cidr\" {{ default = \"10.0.0.0/16\" }}\nvariable \"n\" {{\n type = number\n default = 1\n}}\n\
         locals {{\n sub = cidrsubnet(var.cidr, 8, var.n)\n name = \"${{local.prefix}}-x\"\n prefix = \"p\"\n}}\n\
         vpc \"main\" {{\n cidr = var.cidr\n tags = {{ Name = local.name }}\n}}\n\
         subnet \"a\" {{\n vpc = vpc.main\n cidr = local.sub\n }}\noutput \"id\" {{ value = subnet.a.id }}\n"
    );
    let s = load(&src, &VarInputs::default());
    assert_eq!(s.name, "t");
    assert_eq!(s.region.as_deref(), Some("us-east-1"));
    let vpc = &s.resources[0];
    assert_eq!(vpc.attrs["cidr"], Value::str("10.0.0.0/16"));
    assert_eq!(vpc.attrs["enable_dns_support"], Value::Bool(true), "defaults are filled in");
    assert_eq!(vpc.attrs["tags"].as_map().unwrap()["Name"], Value::str("p-x"));
    let subnet = &s.resources[1];
    assert_eq!(subnet.attrs["cidr"], Value::str("10.0.1.0/24"));
    assert_eq!(subnet.attrs["vpc"], Value::Ref(Ref { addr: vpc.addr.clone(), attr: None }));
    assert_eq!(subnet.deps, vec![vpc.addr.clone()]);
    assert_eq!(s.outputs[0].value, Value::Ref(Ref { addr: subnet.addr.clone(), attr: Some("id".into()) }));
}

#[test]
fn var_flags_override_var_files_which_override_defaults() {
    let src = format!(
        "{HEAD}variable \"a\" {{ default = \"d\" }}\nvariable \"b\" {{ default = \"d\" }}\nvariable \"port\" {{ type = number }}\n\
         vpc \"v\" {{\n cidr = \"10.0.0.0/16\"\n tags = {{ a = var.a, b = var.b, p = \"${{var.port}}\" }}\n}}\n"
    );
    let mut file = tempfile::NamedTempFile::new().unwrap();
    writeln!(file, "a = \"from-file\"\nb = \"from-file\"\nport = 8080").unwrap();
    let inputs = VarInputs {
        vars: vec![("b".into(), "from-flag".into())],
        files: vec![file.path().to_path_buf()],
        ..Default::default()
    };
    let s = load(&src, &inputs);
    let tags = s.resources[0].attrs["tags"].as_map().unwrap().clone();
    assert_eq!(tags["a"], Value::str("from-file"));
    assert_eq!(tags["b"], Value::str("from-flag"));
    assert_eq!(tags["p"], Value::str("8080"));
}

#[test]
fn security_group_blocks_become_lists_of_maps() {
    let src = format!(
        "{HEAD}vpc \"v\" {{ cidr = \"10.0.0.0/16\" }}\nsecurity_group \"s\" {{\n vpc = vpc.v\n ingress {{\n port = 80\n cidr = \"0.0.0.0/0\"\n }}\n ingress {{\n port = 22\n self = true\n }}\n}}\n"
    );
    let s = load(&src, &VarInputs::default());
    let ingress = s.resources[1].attrs["ingress"].as_list();
    assert_eq!(ingress.len(), 2);
    assert_eq!(ingress[0].as_map().unwrap()["protocol"], Value::str("tcp"), "rule defaults are filled in");
    assert!(s.resources[1].spans.contains_key("ingress[1].port"));
}

#[test]
fn unknown_block_kind() {
    insta::assert_snapshot!(diagnose(&format!("{HEAD}vpcc \"main\" {{ cidr = \"10.0.0.0/16\" }}\n")));
}

#[test]
fn unknown_attribute() {
    insta::assert_snapshot!(diagnose(&format!(
        "{HEAD}vpc \"main\" {{\n  cidr = \"10.0.0.0/16\"\n  enable_dns = true\n}}\n"
    )));
}

#[test]
fn missing_attribute() {
    insta::assert_snapshot!(diagnose(&format!("{HEAD}vpc \"main\" {{\n  enable_dns_support = true\n}}\n")));
}

#[test]
fn wrong_type() {
    insta::assert_snapshot!(diagnose(&format!(
        "{HEAD}vpc \"main\" {{\n  cidr = \"10.0.0.0/16\"\n  enable_dns_support = \"yes\"\n}}\n"
    )));
}

#[test]
fn invalid_cidr() {
    insta::assert_snapshot!(diagnose(&format!("{HEAD}vpc \"main\" {{\n  cidr = \"10.0.0.300/16\"\n}}\n")));
}

#[test]
fn cidr_with_host_bits() {
    insta::assert_snapshot!(diagnose(&format!("{HEAD}vpc \"main\" {{\n  cidr = \"10.0.0.1/16\"\n}}\n")));
}

#[test]
fn subnet_outside_its_vpc() {
    insta::assert_snapshot!(diagnose(&format!(
        "{HEAD}vpc \"main\" {{ cidr = \"10.0.0.0/16\" }}\nsubnet \"a\" {{\n  vpc  = vpc.main\n  cidr = \"10.1.0.0/24\"\n}}\n"
    )));
}

#[test]
fn port_out_of_range() {
    insta::assert_snapshot!(diagnose(&format!(
        "{HEAD}vpc \"v\" {{ cidr = \"10.0.0.0/16\" }}\nsecurity_group \"web\" {{\n  vpc = vpc.v\n  ingress {{\n    port = 65536\n    cidr = \"0.0.0.0/0\"\n  }}\n}}\n"
    )));
}

#[test]
fn rule_without_source() {
    insta::assert_snapshot!(diagnose(&format!(
        "{HEAD}vpc \"v\" {{ cidr = \"10.0.0.0/16\" }}\nsecurity_group \"web\" {{\n  vpc = vpc.v\n  ingress {{\n    port = 443\n  }}\n}}\n"
    )));
}

#[test]
fn dangling_reference() {
    insta::assert_snapshot!(diagnose(&format!(
        "{HEAD}vpc \"main\" {{ cidr = \"10.0.0.0/16\" }}\nsubnet \"a\" {{\n  vpc  = vpc.mian\n  cidr = \"10.0.1.0/24\"\n}}\n"
    )));
}

#[test]
fn reference_to_the_wrong_kind() {
    insta::assert_snapshot!(diagnose(&format!(
        "{HEAD}vpc \"main\" {{ cidr = \"10.0.0.0/16\" }}\nsubnet \"a\" {{\n  vpc  = vpc.main\n  cidr = \"10.0.1.0/24\"\n}}\nsubnet \"b\" {{\n  vpc  = subnet.a\n  cidr = \"10.0.2.0/24\"\n}}\n"
    )));
}

#[test]
fn reference_cycle() {
    insta::assert_snapshot!(diagnose(&format!(
        "{HEAD}vpc \"v\" {{ cidr = \"10.0.0.0/16\" }}\n\
         security_group \"a\" {{\n  vpc = vpc.v\n  description = security_group.b.name\n}}\n\
         security_group \"b\" {{\n  vpc = vpc.v\n  description = security_group.a.name\n}}\n"
    )));
}

#[test]
fn terraform_spellings_point_at_stackrs() {
    insta::assert_snapshot!(diagnose(&format!(
        "{HEAD}resource \"aws_vpc\" \"main\" {{\n  cidr_block = \"10.0.0.0/16\"\n}}\n\
         aws_internet_gateway \"gw\" {{}}\n\
         vpc \"v\" {{ cidr_block = \"10.0.0.0/16\" }}\n\
         subnet \"a\" {{\n  vpc_id            = vpc.v.id\n  cidr              = \"10.0.1.0/24\"\n  availability_zone = \"us-east-1a\"\n}}\n\
         instance \"web\" {{\n  ami                    = \"ami-12345678\"\n  instance_type          = \"t3.micro\"\n  subnet                 = subnet.a\n  vpc_security_group_ids = []\n}}\n"
    )));
}

#[test]
fn duplicate_names() {
    insta::assert_snapshot!(diagnose(&format!(
        "{HEAD}vpc \"main\" {{ cidr = \"10.0.0.0/16\" }}\nvpc \"main\" {{ cidr = \"10.1.0.0/16\" }}\n"
    )));
}

#[test]
fn not_hcl() {
    insta::assert_snapshot!(diagnose("stack \"t\" {}\nvpc \"main\" {\n  cidr = \n}\n"));
}

#[test]
fn no_stack_block() {
    insta::assert_snapshot!(diagnose("vpc \"main\" { cidr = \"10.0.0.0/16\" }\n"));
}

#[test]
fn undeclared_variable_flag_and_missing_value() {
    let inputs =
        VarInputs { vars: vec![("regoin".into(), "x".into())], files: vec![], values: vec![], ..Default::default() };
    insta::assert_snapshot!(diagnose_with(
        &format!("{HEAD}variable \"region\" {{}}\nvpc \"main\" {{ cidr = \"10.0.0.0/16\" }}\n"),
        &inputs
    ));
}

#[test]
fn unknown_variable_reference() {
    insta::assert_snapshot!(diagnose(&format!(
        "{HEAD}variable \"cidr\" {{ default = \"10.0.0.0/16\" }}\nvpc \"main\" {{\n  cidr = var.cdir\n}}\n"
    )));
}

#[test]
fn the_readmes_example_per_kind_loads() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let section = &readme[readme.find("### Examples, one per kind").expect("section")..];
    let start = section.find("```hcl\n").unwrap() + 7;
    let end = start + section[start..].find("```").unwrap();
    let s = load(&format!("{HEAD}{}", &section[start..end]), &VarInputs::default());
    let mut kinds: Vec<&str> = s.resources.iter().map(|r| r.addr.kind.as_str()).collect();
    kinds.sort();
    kinds.dedup();
    let mut all: Vec<&str> = schemas().iter().map(|s| s.kind).collect();
    all.sort();
    assert_eq!(kinds, all, "the README shows every kind");
}

#[test]
fn a_variable_without_a_value_is_reported_once_not_at_every_use() {
    let src = format!(
        "{HEAD}variable \"token\" {{}}\nlocals {{\n  t = \"x-${{var.token}}\"\n}}\nvpc \"main\" {{\n  cidr = \"10.0.0.0/16\"\n  tags = {{ a = var.token, b = local.t, c = \"${{var.token}}\" }}\n}}\n"
    );
    let d = load_str("t.hcl", &src, &VarInputs::default(), &schemas()).unwrap_err();
    let messages: Vec<&str> = d.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(messages, ["variable \"token\" has no value"]);
}

#[test]
fn division_by_zero_underlines_the_operation() {
    insta::assert_snapshot!(diagnose(&format!(
        "{HEAD}variable \"n\" {{\n  default = 0\n}}\nvpc \"main\" {{\n  cidr = \"10.0.0.0/16\"\n  tags = {{ shards = \"${{64 / var.n}}\", big = 4611686018427387904 * 4 }}\n}}\n"
    )));
}

#[test]
fn depends_on_orders_what_references_do_not_and_is_checked_where_written() {
    let src = format!(
        "{HEAD}vpc \"main\" {{\n cidr = \"10.0.0.0/16\"\n}}\n\
         iam_role \"web\" {{\n assume = \"ec2.amazonaws.com\"\n}}\n\
         internet_gateway \"gw\" {{\n vpc = vpc.main\n depends_on = [iam_role.web]\n}}\n"
    );
    let s = load(&src, &VarInputs::default());
    let gw = s.resources.iter().find(|r| r.addr.kind == "internet_gateway").unwrap();
    assert!(gw.deps.contains(&crate::model::Address::new("iam_role", "web")), "{:?}", gw.deps);
    assert!(!gw.attrs.contains_key("depends_on"), "not an attribute of the object");
    let bad = format!("{HEAD}vpc \"main\" {{\n cidr = \"10.0.0.0/16\"\n depends_on = \"vpc.other\"\n}}\n");
    let d = diagnose(&bad);
    assert!(d.contains("depends_on takes a list of resources") && d.contains("stack.hcl:4:15"), "{d}");
    let cycle = format!(
        "{HEAD}vpc \"main\" {{\n cidr = \"10.0.0.0/16\"\n depends_on = [internet_gateway.gw]\n}}\n\
         internet_gateway \"gw\" {{\n vpc = vpc.main\n}}\n"
    );
    assert!(diagnose(&cycle).contains("cycle"), "{}", diagnose(&cycle));
}

#[test]
fn a_sensitive_value_of_the_wrong_type_is_not_echoed() {
    let src = format!(
        "{HEAD}variable \"pin\" {{\n type = number\n sensitive = true\n}}\nvariable \"port\" {{ type = number }}\n"
    );
    let inputs = VarInputs {
        vars: vec![("pin".into(), "hunter2".into()), ("port".into(), "eighty".into())],
        ..Default::default()
    };
    let out = diagnose_with(&src, &inputs);
    assert!(!out.contains("hunter2") && out.contains("the (sensitive value) given is not a number"), "{out}");
    assert!(out.contains("\"eighty\" is not a number"), "{out}");
}
