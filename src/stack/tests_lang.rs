//! The language as stack files use it, end to end through loading: functions inside locals
//! and outputs, `try`/`can`/`file`, and repetition with `for_each` and `count`.

use super::*;
use crate::model::Value;
use crate::resources::schemas;

fn load(src: &str) -> Stack {
    load_str("stack.hcl", src, &VarInputs::default(), &schemas()).unwrap_or_else(|d| panic!("{d}"))
}

fn output(s: &Stack, name: &str) -> Value {
    s.outputs.iter().find(|o| o.name == name).unwrap_or_else(|| panic!("no output {name}")).value.clone()
}

fn strs(v: &[&str]) -> Value {
    Value::List(v.iter().map(|s| Value::str(*s)).collect())
}

const HEAD: &str = "stack \"t\" { region = \"us-east-1\" }\n";

#[test]
fn functions_reach_locals_and_outputs() {
    let s = load(&format!(
        r#"{HEAD}variable "zones" {{ default = ["us-east-1a", "us-east-1b"] }}
locals {{
  names = formatlist("web-%s", var.zones)
  cidrs = cidrsubnets("10.0.0.0/16", 8, 8, 4)
  t     = try(local.m.c, "none")
  m     = merge({{ a = 1 }}, {{ b = 2 }})
  ok    = can(regex("^web", local.names[0]))
  n     = max(3, floor(7.8))
}}
output "names" {{ value = local.names }}
output "cidrs" {{ value = local.cidrs }}
output "t" {{ value = local.t }}
output "m" {{ value = local.m }}
output "ok" {{ value = local.ok }}
output "n" {{ value = local.n }}
"#
    ));
    assert_eq!(output(&s, "names"), strs(&["web-us-east-1a", "web-us-east-1b"]));
    assert_eq!(output(&s, "cidrs"), strs(&["10.0.0.0/24", "10.0.1.0/24", "10.0.16.0/20"]));
    assert_eq!(output(&s, "t"), Value::str("none"));
    assert_eq!(output(&s, "m"), Value::Map([("a".into(), Value::Int(1)), ("b".into(), Value::Int(2))].into()));
    assert_eq!(output(&s, "ok"), Value::Bool(true));
    assert_eq!(output(&s, "n"), Value::Int(7));
}

#[test]
fn file_reads_beside_the_stack_file_only() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("motd.txt"), "hello\n").unwrap();
    let path = dir.path().join("stack.hcl");
    std::fs::write(&path, format!("{HEAD}output \"motd\" {{ value = trimspace(file(\"motd.txt\")) }}\n")).unwrap();
    let s = load_file(&path, &VarInputs::default(), &schemas()).unwrap_or_else(|d| panic!("{d}"));
    assert_eq!(output(&s, "motd"), Value::str("hello"));
    std::fs::write(&path, format!("{HEAD}output \"x\" {{ value = file(\"/etc/hostname\") }}\n")).unwrap();
    let err = load_file(&path, &VarInputs::default(), &schemas()).unwrap_err().to_string();
    assert!(err.contains("stack.hcl:2:"), "{err}");
    assert!(err.contains("outside"), "{err}");
}

fn addrs(s: &Stack) -> Vec<String> {
    s.resources.iter().map(|r| r.addr.to_string()).collect()
}

#[test]
fn for_each_and_count_make_one_resource_per_instance() {
    let s = load(&format!(
        r#"{HEAD}variable "zones" {{ default = {{ "us-east-1a" = 1, "us-east-1b" = 2 }} }}
vpc "main" {{ cidr = "10.0.0.0/16" }}
subnet "public" {{
  for_each = var.zones
  vpc  = vpc.main
  az   = each.key
  cidr = cidrsubnet("10.0.0.0/16", 8, each.value)
}}
security_group "web" {{
  count = 2
  vpc   = vpc.main
  description = "web ${{count.index}}"
}}
route_table "public" {{
  vpc     = vpc.main
  subnets = subnet.public[*]
}}
output "first" {{ value = subnet.public["us-east-1a"].id }}
output "all" {{ value = subnet.public }}
output "groups" {{ value = security_group.web[*].id }}
"#
    ));
    let names = addrs(&s);
    for a in [
        r#"subnet.public["us-east-1a"]"#,
        r#"subnet.public["us-east-1b"]"#,
        "security_group.web[0]",
        "security_group.web[1]",
    ] {
        assert!(names.contains(&a.to_string()), "{a} not in {names:?}");
    }
    let b = s.resources.iter().find(|r| r.addr.to_string() == r#"subnet.public["us-east-1b"]"#).unwrap();
    assert_eq!(b.attrs["cidr"], Value::str("10.0.2.0/24"));
    assert_eq!(b.attrs["az"], Value::str("us-east-1b"));
    let g = s.resources.iter().find(|r| r.addr.to_string() == "security_group.web[1]").unwrap();
    assert_eq!(g.attrs["description"], Value::str("web 1"));
    let rt = s.resources.iter().find(|r| r.addr.to_string() == "route_table.public").unwrap();
    assert_eq!(rt.deps.len(), 3, "{:?}", rt.deps);
    let Value::Ref(first) = output(&s, "first") else { panic!("not a reference") };
    assert_eq!(first.to_string(), r#"subnet.public["us-east-1a"].id"#);
    assert!(matches!(output(&s, "all"), Value::Map(m) if m.len() == 2));
    assert!(matches!(output(&s, "groups"), Value::List(l) if l.len() == 2));
}

fn errors(src: &str) -> String {
    load_str("stack.hcl", src, &VarInputs::default(), &schemas()).expect_err("should not load").to_string()
}

#[test]
fn repetition_mistakes_are_reported_where_written() {
    let e = errors(&format!("{HEAD}vpc \"m\" {{\n  cidr = \"10.0.0.0/16\"\n  tags = {{ k = each.key }}\n}}\n"));
    assert!(e.contains("stack.hcl:4:") && e.contains("only be used in a block with for_each"), "{e}");
    let e = errors(&format!("{HEAD}vpc \"m\" {{\n  for_each = [\"a\", \"a\"]\n  cidr = \"10.0.0.0/16\"\n}}\n"));
    assert!(e.contains("stack.hcl:3:14") && e.contains("twice"), "{e}");
    let e = errors(&format!(
        "{HEAD}vpc \"m\" {{\n  count = 2\n  cidr = \"10.0.0.0/16\"\n  tags = {{ k = count.index }}\n  bad = 1\n}}\n"
    ));
    assert_eq!(e.matches("unknown attribute `bad`").count(), 1, "reported once, not per instance: {e}");
    let e = errors(&format!(
        "{HEAD}vpc \"m\" {{\n  count = 2\n  cidr = \"10.0.0.0/16\"\n}}\noutput \"x\" {{ value = vpc.m[5].id }}\n"
    ));
    assert!(e.contains("vpc.m has no instance [5]"), "{e}");
    let e = errors(&format!(
        "{HEAD}vpc \"m\" {{\n  count = 2\n  cidr = \"10.0.0.0/16\"\n}}\noutput \"x\" {{ value = vpc.m.id }}\n"
    ));
    assert!(e.contains("name one instance"), "{e}");
}

#[test]
fn locals_may_list_every_instance_of_a_block() {
    let s = load(&format!(
        r#"{HEAD}variable "zones" {{ default = ["us-east-1a", "us-east-1b"] }}
locals {{
  zones   = toset(var.zones)
  ids     = subnet.public[*].id
  by_zone = subnet.public
  first   = local.ids[0]
}}
vpc "main" {{ cidr = "10.0.0.0/16" }}
subnet "public" {{
  for_each = local.zones
  vpc      = vpc.main
  az       = each.key
  cidr     = cidrsubnet("10.0.0.0/16", 8, index(var.zones, each.key))
}}
route_table "public" {{
  vpc     = vpc.main
  subnets = values(local.by_zone)
}}
output "ids" {{ value = local.ids }}
output "first" {{ value = local.first }}
"#
    ));
    let r = |key: &str, attr: Option<&str>| {
        let addr = crate::model::Address::new("subnet", "public").with_key(crate::model::Key::Str(key.into()));
        Value::Ref(crate::model::Ref { addr, attr: attr.map(String::from) })
    };
    assert_eq!(output(&s, "ids"), Value::List(vec![r("us-east-1a", Some("id")), r("us-east-1b", Some("id"))]));
    assert_eq!(output(&s, "first"), r("us-east-1a", Some("id")));
    let rt = s.resources.iter().find(|x| x.addr.kind == "route_table").unwrap();
    assert!(rt.deps.iter().filter(|d| d.kind == "subnet").count() == 2, "{:?}", rt.deps);
}

#[test]
fn the_readme_moved_example_loads_and_its_chains_resolve() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let start = readme.find("  subnet \"public\" {                 # was subnet \"a\"").expect("the moved example");
    let end = start + readme[start..].find("  ```").unwrap();
    let example: String =
        readme[start..end].lines().map(|l| format!("{}\n", l.strip_prefix("  ").unwrap_or(l))).collect();
    let vpc = "vpc \"main\" {\n  count = 1\n  cidr  = \"10.0.0.0/16\"\n}\n";
    let s = load(&format!("{HEAD}{vpc}{example}"));
    let moves: Vec<(String, String)> = s.moved.iter().map(|m| (m.from.to_string(), m.to.to_string())).collect();
    assert_eq!(
        moves,
        [("subnet.a".into(), "subnet.public[\"us-east-1a\"]".into()), ("vpc.main".into(), "vpc.main[0]".into())]
    );
    // A whole-block move keeps each key; a chain ends at its last `to`.
    let chain = format!(
        "{HEAD}vpc \"c\" {{\n  count = 2\n  cidr = \"10.0.0.0/16\"\n}}\nmoved {{\n  from = vpc.a\n  to = vpc.b\n}}\nmoved {{\n  from = vpc.b\n  to = vpc.c\n}}\n"
    );
    let s = load(&chain);
    let at = |a: &str| moved::follow(&s.moved, &crate::model::Address::parse(a).unwrap()).unwrap().0.to_string();
    assert_eq!((at("vpc.a[1]"), at("vpc.b"), at("vpc.x")), ("vpc.c[1]".into(), "vpc.c".into(), "vpc.x".into()));
}
