//! `dynamic` blocks end to end through loading: the nested blocks they make (over lists, sets
//! and maps, at any depth, mixed with written blocks), their iterators inside every kind of
//! expression, and each mistake reported at its line and column.

use std::collections::BTreeMap;

use super::*;
use crate::model::{Address, Ref, Value};
use crate::resources::schemas;

const HEAD: &str = "stack \"t\" { region = \"us-east-1\" }\nvpc \"main\" { cidr = \"10.0.0.0/16\" }\n";

fn load(src: &str) -> Stack {
    load_str("stack.hcl", src, &VarInputs::default(), &schemas()).unwrap_or_else(|d| panic!("{d}"))
}

fn errors(src: &str) -> String {
    load_str("stack.hcl", src, &VarInputs::default(), &schemas()).expect_err("should not load").to_string()
}

fn attrs<'s>(s: &'s Stack, addr: &str) -> &'s BTreeMap<String, Value> {
    &s.resources.iter().find(|r| r.addr.to_string() == addr).unwrap_or_else(|| panic!("no {addr}")).attrs
}

fn map(pairs: &[(&str, Value)]) -> Value {
    Value::Map(pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect())
}

/// An ingress rule as loading completes it (the protocol defaulted).
fn rule(port: i64, source: (&str, Value), description: Option<&str>) -> Value {
    let mut m = vec![("port", Value::Int(port)), ("protocol", Value::str("tcp")), source];
    m.extend(description.map(|d| ("description", Value::str(d))));
    map(&m)
}

fn cidr(c: &str) -> (&'static str, Value) {
    ("cidr", Value::str(c))
}

/// A stack whose `security_group "web"` body (after `vpc = vpc.main`, line 4) is `body`.
fn sg(vars: &str, body: &str) -> String {
    format!("{HEAD}security_group \"web\" {{\n  vpc = vpc.main\n{body}}}\n{vars}")
}

#[test]
fn a_list_makes_one_block_per_element_after_the_written_ones() {
    let s = load(&sg(
        "variable \"ports\" { default = [80, 443] }\n",
        "  ingress {\n    port = 22\n    cidr = \"10.0.0.0/8\"\n  }\n  dynamic \"ingress\" {\n    for_each = var.ports\n    content {\n      port        = ingress.value\n      cidr        = \"0.0.0.0/0\"\n      description = \"rule ${ingress.key}\"\n    }\n  }\n",
    ));
    let web = &s.resources.iter().find(|r| r.addr.to_string() == "security_group.web").unwrap();
    let want = [
        rule(22, cidr("10.0.0.0/8"), None),
        rule(80, cidr("0.0.0.0/0"), Some("rule 0")),
        rule(443, cidr("0.0.0.0/0"), Some("rule 1")),
    ];
    assert_eq!(web.attrs["ingress"], Value::List(want.to_vec()));
    assert_eq!(web.attrs["egress"], Value::List(vec![]));
    // Spans point into content, indexed after the written block.
    let line_of = |path: &str| s.file.line_col(web.spans[path].start);
    assert_eq!(line_of("ingress[0].port"), (6, 12));
    assert_eq!(line_of("ingress[2].port"), (12, 21));
    assert_eq!(line_of("ingress[1]"), (11, 5));
}

#[test]
fn a_map_of_objects_with_a_custom_iterator() {
    let s = load(&sg(
        "variable \"rules\" {\n  default = {\n    http = { port = 80, cidrs = [\"0.0.0.0/0\"] }\n    ssh  = { port = 22, cidrs = [\"10.0.0.0/8\", \"10.1.0.0/16\"] }\n  }\n}\n",
        "  dynamic \"ingress\" {\n    for_each = var.rules\n    iterator = r\n    content {\n      port        = r.value.port\n      cidrs       = r.value.cidrs\n      description = upper(r.key)\n    }\n  }\n",
    ));
    let cidrs = |l: &[&str]| ("cidrs", Value::List(l.iter().map(|c| Value::str(*c)).collect()));
    let want =
        [rule(80, cidrs(&["0.0.0.0/0"]), Some("HTTP")), rule(22, cidrs(&["10.0.0.0/8", "10.1.0.0/16"]), Some("SSH"))];
    assert_eq!(attrs(&s, "security_group.web")["ingress"], Value::List(want.to_vec()));
}

#[test]
fn a_set_keys_each_block_by_its_element() {
    let s = load(&sg(
        "",
        "  dynamic \"egress\" {\n    for_each = toset([\"10.0.0.0/8\", \"10.1.0.0/16\", \"10.0.0.0/8\"])\n    content {\n      port = 443\n      cidr = egress.key\n    }\n  }\n",
    ));
    let want = [rule(443, cidr("10.0.0.0/8"), None), rule(443, cidr("10.1.0.0/16"), None)];
    assert_eq!(attrs(&s, "security_group.web")["egress"], Value::List(want.to_vec()));
}

#[test]
fn nothing_to_iterate_makes_no_blocks() {
    let s = load(&sg(
        "",
        "  dynamic \"ingress\" {\n    for_each = []\n    content {\n      port = ingress.value\n    }\n  }\n  dynamic \"egress\" {\n    for_each = {}\n    content {\n      port = egress.value\n    }\n  }\n",
    ));
    let a = attrs(&s, "security_group.web");
    assert_eq!((&a["ingress"], &a["egress"]), (&Value::List(vec![]), &Value::List(vec![])));
}

const LB: &str = "subnet \"a\" {\n  vpc  = vpc.main\n  cidr = \"10.0.1.0/24\"\n  az   = \"us-east-1a\"\n}\nsubnet \"b\" {\n  vpc  = vpc.main\n  cidr = \"10.0.2.0/24\"\n  az   = \"us-east-1b\"\n}\ntarget_group \"web\" {\n  vpc  = vpc.main\n  port = 80\n}\n";

fn forward() -> Value {
    Value::Ref(Ref { addr: Address::new("target_group", "web"), attr: None })
}

/// The `(priority, path, forward)` of each rule of a listener.
fn rules(listener: &Value) -> Vec<(Value, Value, Value)> {
    let Value::Map(l) = listener else { panic!("not a map: {listener:?}") };
    let Value::List(rules) = &l["rule"] else { panic!("no rules") };
    rules
        .iter()
        .map(|r| match r {
            Value::Map(r) => (r["priority"].clone(), r["path"].clone(), r["forward"].clone()),
            _ => panic!("not a map: {r:?}"),
        })
        .collect()
}

#[test]
fn a_dynamic_rule_inside_a_listener() {
    let s = load(&format!(
        "{HEAD}{LB}variable \"paths\" {{ default = [\"/api/*\", \"/admin/*\"] }}\nload_balancer \"web\" {{\n  subnets = [subnet.a, subnet.b]\n  listener {{\n    port    = 80\n    forward = target_group.web\n    dynamic \"rule\" {{\n      for_each = var.paths\n      content {{\n        priority = 10 + rule.key\n        path     = [rule.value]\n        forward  = target_group.web\n      }}\n    }}\n  }}\n}}\n"
    ));
    let lb = attrs(&s, "load_balancer.web");
    let Value::List(listeners) = &lb["listener"] else { panic!() };
    let path = |p: &str| Value::List(vec![Value::str(p)]);
    assert_eq!(
        rules(&listeners[0]),
        [(Value::Int(10), path("/api/*"), forward()), (Value::Int(11), path("/admin/*"), forward())]
    );
    let deps: Vec<String> =
        s.resource(&Address::new("load_balancer", "web")).unwrap().deps.iter().map(|a| a.to_string()).collect();
    assert!(deps.contains(&"target_group.web".to_string()), "{deps:?}");
}

#[test]
fn nested_dynamic_blocks_see_both_iterators() {
    let s = load(&format!(
        "{HEAD}{LB}locals {{\n  sites = {{\n    a = {{ port = 80, base = 100, paths = [\"/x\", \"/y\"] }}\n    b = {{ port = 8080, base = 200, paths = [] }}\n  }}\n}}\nload_balancer \"web\" {{\n  subnets = [subnet.a, subnet.b]\n  dynamic \"listener\" {{\n    for_each = local.sites\n    content {{\n      port    = listener.value.port\n      forward = target_group.web\n      dynamic \"rule\" {{\n        for_each = listener.value.paths\n        iterator = r\n        content {{\n          priority = listener.value.base + r.key\n          path     = [\"/${{listener.key}}${{r.value}}\"]\n          forward  = target_group.web\n        }}\n      }}\n    }}\n  }}\n}}\n"
    ));
    let Value::List(listeners) = &attrs(&s, "load_balancer.web")["listener"] else { panic!() };
    let path = |p: &str| Value::List(vec![Value::str(p)]);
    assert_eq!(listeners.len(), 2);
    assert_eq!(
        rules(&listeners[0]),
        [(Value::Int(100), path("/a/x"), forward()), (Value::Int(101), path("/a/y"), forward())]
    );
    assert_eq!(rules(&listeners[1]), []);
    let Value::Map(second) = &listeners[1] else { panic!() };
    assert_eq!(second["port"], Value::Int(8080));
}

#[test]
fn a_sensitive_for_each_taints_the_blocks_made() {
    let s = load(&sg(
        "variable \"cidrs\" {\n  default   = [\"10.0.0.0/8\"]\n  sensitive = true\n}\n",
        "  dynamic \"ingress\" {\n    for_each = var.cidrs\n    content {\n      port = 22\n      cidr = ingress.value\n    }\n  }\n",
    ));
    let web = s.resource(&Address::new("security_group", "web")).unwrap();
    assert_eq!(web.sensitive, ["ingress"]);
}

/// A security group with one dynamic block written from line 5: its lines inside the block.
fn dynamic_sg(lines: &[&str]) -> String {
    let inner: String = lines.iter().map(|l| format!("    {l}\n")).collect();
    sg("", &format!("  dynamic \"ingress\" {{\n{inner}  }}\n"))
}

fn assert_error(e: &str, at: &str, says: &str) {
    assert!(e.contains(&format!("stack.hcl:{at}")), "not at {at}: {e}");
    assert!(e.contains(says), "does not say `{says}`: {e}");
}

#[test]
fn the_parts_of_a_dynamic_block_are_checked() {
    let e = errors(&dynamic_sg(&["for_each = [80]"]));
    assert_error(&e, "5:3", "this dynamic block has no content block");
    let e = errors(&dynamic_sg(&["content {", "  port = 80", "}"]));
    assert_error(&e, "5:3", "this dynamic block has no for_each");
    let e = errors(&dynamic_sg(&["for_each = [80]", "iterate = p", "content {}"]));
    assert_error(&e, "7:5", "unknown argument `iterate` in a dynamic block");
    assert!(e.contains("did you mean `iterator`?"), "{e}");
    let e = errors(&dynamic_sg(&["for_each = [80]", "labels = [\"x\"]", "content {}"]));
    assert_error(&e, "7:5", "`labels` is not supported: stackr's nested blocks take no labels");
    let e = errors(&dynamic_sg(&["for_each = [80]", "iterator = var", "content {}"]));
    assert_error(&e, "7:16", "`var` cannot name an iterator");
    let e = errors(&dynamic_sg(&["for_each = [80]", "content {}", "content {}"]));
    assert_error(&e, "8:5", "a dynamic block has one content block");
}

#[test]
fn the_label_names_a_nested_block_of_the_kind() {
    let e = errors(&sg("", "  dynamic \"ingres\" {\n    for_each = [80]\n    content {}\n  }\n"));
    assert_error(&e, "5:11", "unknown nested block `ingres`");
    assert!(e.contains("did you mean `ingress`?") && e.contains("nested blocks here: ingress, egress"), "{e}");
    let e = errors(&sg("", "  dynamic \"description\" {\n    for_each = [80]\n    content {}\n  }\n"));
    assert_error(&e, "5:11", "`description` is an attribute, not a block");
    let e = errors(&sg("", "  dynamic {\n    for_each = [80]\n    content {}\n  }\n"));
    assert_error(&e, "5:3", "a dynamic block takes one label");
}

#[test]
fn for_each_must_be_a_known_collection() {
    let e = errors(&dynamic_sg(&["for_each = [vpc.main]", "content {", "  port = 80", "}"]));
    assert_error(&e, "6:16", "for_each must be known before apply");
    assert!(e.contains("the set of blocks has to be known"), "{e}");
    let e = errors(&dynamic_sg(&["for_each = \"80\"", "content {", "  port = 80", "}"]));
    assert_error(&e, "6:16", "for_each takes a list, set or map, not the string \"80\"");
}

#[test]
fn mistakes_inside_content_point_into_it() {
    let e = errors(&dynamic_sg(&["for_each = [{ p = 80 }]", "content {", "  port = ingress.value.q", "}"]));
    assert_error(&e, "8:27", "no key `q` in this map");
    let e = errors(&dynamic_sg(&["for_each = [80]", "content {", "  port = ingress", "}"]));
    assert_error(&e, "8:14", "`ingress` is a dynamic block's iterator: use ingress.key or ingress.value");
    let e = errors(&dynamic_sg(&["for_each = [80]", "content {", "  port = ingress.index", "}"]));
    assert_error(&e, "8:21", "use ingress.key or ingress.value");
    let e = errors(&dynamic_sg(&["for_each = [80]", "content {", "  port = ingres.value", "}"]));
    assert_error(&e, "8:14", "unknown name `ingres`; did you mean `ingress`?");
    let e = errors(&dynamic_sg(&["for_each = [\"x\"]", "content {", "  prot = ingress.value", "}"]));
    assert_error(&e, "8:7", "unknown attribute `prot`");
    assert_eq!(e.matches("unknown attribute").count(), 1, "{e}");
    // Outside its content, the iterator is no name at all.
    let e = errors(&sg("", "  description = ingress.key\n"));
    assert_error(&e, "5:17", "unknown name `ingress`");
}

#[test]
fn the_readmes_example_loads() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let bullet = &readme[readme.find("- **`dynamic \"BLOCK\"`**").expect("the dynamic bullet")..];
    let start = bullet.find("```hcl\n").unwrap() + 7;
    let example = bullet[start..].lines().map(|l| l.strip_prefix("  ").unwrap_or(l));
    let example: Vec<&str> = example.take_while(|l| !l.starts_with("```")).collect();
    let s = load(&format!("{HEAD}{}\n", example.join("\n")));
    let web = attrs(&s, "security_group.web");
    let cidrs = |c: &str| ("cidrs", Value::List(vec![Value::str(c)]));
    let want = [
        rule(443, cidr("0.0.0.0/0"), None),
        rule(80, cidrs("0.0.0.0/0"), Some("allow http")),
        rule(22, cidrs("10.0.0.0/8"), Some("allow ssh")),
    ];
    assert_eq!(web["ingress"], Value::List(want.to_vec()));
}

#[test]
fn a_dynamic_block_may_use_resource_attributes_with_its_iterator() {
    let s = load(
        r#"stack "t" { region = "us-east-1" }
vpc "main" { cidr = "10.0.0.0/16" }
security_group "web" {
  vpc = vpc.main
  dynamic "ingress" {
    for_each = [80, 443]
    content {
      port = ingress.value
      cidr = cidrsubnet(vpc.main.cidr, 8, ingress.key)
    }
  }
}
"#,
    );
    let sg = s.resources.iter().find(|r| r.addr.kind == "security_group").unwrap();
    let Value::List(rules) = &sg.attrs["ingress"] else { panic!("{:?}", sg.attrs) };
    assert_eq!(rules.len(), 2);
    let Value::Expr(d) = &rules[1].as_map().unwrap()["cidr"] else { panic!("{rules:?}") };
    let mut scope = d.scope.clone();
    let refs: Vec<String> = scope.iter().filter(|(_, v)| matches!(v, Value::Ref(_))).map(|(k, _)| k.clone()).collect();
    for k in refs {
        scope.insert(k, Value::str("10.0.0.0/16"));
    }
    let d = crate::model::Deferred { expr: d.expr.clone(), scope };
    assert_eq!(super::evaluate_deferred(&d), Ok(Value::str("10.0.1.0/24")));
}
