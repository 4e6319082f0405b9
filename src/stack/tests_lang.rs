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
