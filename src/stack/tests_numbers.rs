//! Fractional numbers through loading: literals, arithmetic, functions, variables from every
//! source, and where a fraction meets an attribute that takes a whole number or a fraction.

use std::io::Write;

use super::*;
use crate::model::Value;
use crate::resources::schemas;

const HEAD: &str = "stack \"t\" { region = \"us-east-1\" }\n";

fn load_with(src: &str, inputs: &VarInputs) -> Result<Stack, Diagnostics> {
    load_str("stack.hcl", &format!("{HEAD}{src}"), inputs, &schemas())
}

fn outputs(src: &str, inputs: &VarInputs) -> Vec<(String, Value)> {
    let s = load_with(src, inputs).unwrap_or_else(|d| panic!("{d}"));
    s.outputs.iter().map(|o| (o.name.clone(), o.value.clone())).collect()
}

fn num(f: f64) -> Value {
    Value::number(f).unwrap()
}

fn errors(src: &str) -> String {
    load_with(src, &VarInputs::default()).expect_err("should not load").to_string()
}

#[test]
fn literals_and_arithmetic_keep_their_fractions() {
    let got = outputs(
        r#"variable "x" { default = 5 }
locals { half = var.x / 2 }
output "lit" { value = 1.5 }
output "half" { value = local.half }
output "whole" { value = 8 / 2 }
output "four" { value = 4.0 }
output "sum" { value = 0.25 + 0.5 }
output "list" { value = [for n in [1, 2, 3] : n / 4] }
output "text" { value = "${local.half}s" }
output "keys" { value = { (1.5) = "a" } }
"#,
        &VarInputs::default(),
    );
    let want = [
        ("lit", num(1.5)),
        ("half", num(2.5)),
        ("whole", Value::Int(4)),
        ("four", Value::Int(4)),
        ("sum", num(0.75)),
        ("list", Value::List(vec![num(0.25), num(0.5), num(0.75)])),
        ("text", Value::str("2.5s")),
        ("keys", Value::Map([("1.5".to_string(), Value::str("a"))].into())),
    ];
    assert_eq!(got, want.map(|(k, v)| (k.to_string(), v)));
}

#[test]
fn functions_take_and_give_fractions() {
    let got = outputs(
        r#"output "ceil" { value = ceil(2.1) }
output "floor" { value = floor(2.5) }
output "abs" { value = abs(-1.25) }
output "min" { value = min(3, 0.5, 2) }
output "max" { value = max(1.5, 1) }
output "tonumber" { value = tonumber("1.5") }
output "format" { value = format("%.2f", 5 / 3) }
output "enc" { value = jsonencode({ a = 1.5, b = 2 }) }
output "dec" { value = jsondecode("{\"a\": 0.1, \"b\": 2.0}") }
output "str" { value = tostring(0.1 + 0.2) }
"#,
        &VarInputs::default(),
    );
    let dec = Value::Map([("a".to_string(), num(0.1)), ("b".to_string(), Value::Int(2))].into());
    let want = [
        ("ceil", Value::Int(3)),
        ("floor", Value::Int(2)),
        ("abs", num(1.25)),
        ("min", num(0.5)),
        ("max", num(1.5)),
        ("tonumber", num(1.5)),
        ("format", Value::str("1.67")),
        ("enc", Value::str(r#"{"a":1.5,"b":2}"#)),
        ("dec", dec),
        ("str", Value::str("0.30000000000000004")),
    ];
    assert_eq!(got, want.map(|(k, v)| (k.to_string(), v)));
}

#[test]
fn number_variables_take_fractions_from_defaults_files_and_flags() {
    let src = "variable \"a\" {\n  type    = number\n  default = 0.5\n}\n\
               variable \"b\" { type = number }\n\
               variable \"c\" { type = number }\n\
               variable \"s\" { type = string }\n\
               output \"a\" { value = var.a }\noutput \"b\" { value = var.b }\n\
               output \"c\" { value = var.c }\noutput \"s\" { value = var.s }\n";
    let mut f = tempfile::NamedTempFile::new().unwrap();
    f.write_all(b"b = 2.25\ns = 3.5\n").unwrap();
    let inputs = VarInputs {
        files: vec![f.path().to_path_buf()],
        vars: vec![("c".into(), "-1.75".into())],
        ..VarInputs::default()
    };
    let got = outputs(src, &inputs);
    let want = [("a", num(0.5)), ("b", num(2.25)), ("c", num(-1.75)), ("s", Value::str("3.5"))];
    assert_eq!(got, want.map(|(k, v)| (k.to_string(), v)));
    let bad = VarInputs { vars: vec![("c".into(), "1.5.2".into())], ..VarInputs::default() };
    let err = load_with("variable \"c\" { type = number }\n", &bad).unwrap_err().to_string();
    assert!(err.contains("\"1.5.2\" is not a number"), "{err}");
}

const GROUP: &str =
    "autoscaling_group \"g\" {\n  launch_template = \"lt-12345678\"\n  subnets         = [\"subnet-12345678\"]\n";

#[test]
fn a_fraction_for_a_whole_number_attribute_is_an_error_where_written() {
    let err = errors(&format!("{GROUP}  min_size = 1.5\n  max_size = 2\n}}\n"));
    assert!(err.contains("expected a whole number, found the number 1.5"), "{err}");
    assert!(err.contains("stack.hcl:5:14"), "{err}");
    let err = errors(&format!("variable \"n\" {{ default = 3 }}\n{GROUP}  min_size = 1\n  max_size = var.n / 2\n}}\n"));
    assert!(err.contains("expected a whole number, found the number 1.5"), "{err}");
    assert!(err.contains("stack.hcl:7:14"), "{err}");
    let err = errors(
        "vpc \"v\" { cidr = \"10.0.0.0/16\" }\nsecurity_group \"s\" {\n  vpc = vpc.v\n  ingress {\n    port = 80.5\n    cidr = \"0.0.0.0/0\"\n  }\n}\n",
    );
    assert!(err.contains("found the number 80.5"), "{err}");
    let err = errors("security_group \"s\" {\n  count = 1.5\n  vpc   = \"vpc-12345678\"\n}\n");
    assert!(err.contains("count must be a whole number"), "{err}");
}

#[test]
fn whole_values_written_or_computed_as_fractions_are_whole_numbers() {
    let src = format!("{GROUP}  min_size = 8 / 4\n  max_size = 4.0\n  desired_capacity = \"3.0\"\n}}\n");
    let s = load_with(&src, &VarInputs::default()).unwrap_or_else(|d| panic!("{d}"));
    let attrs = &s.resources[0].attrs;
    assert_eq!(attrs["min_size"], Value::Int(2));
    assert_eq!(attrs["max_size"], Value::Int(4));
    assert_eq!(attrs["desired_capacity"], Value::Int(3));
}

#[test]
fn a_tracking_target_keeps_its_fraction() {
    let src = format!(
        "{GROUP}  min_size = 1\n  max_size = 4\n  target_tracking {{\n    target = 75 / 2\n  }}\n  \
         target_tracking {{\n    metric = \"network_in\"\n    target = \"1e6\"\n  }}\n}}\n"
    );
    let s = load_with(&src, &VarInputs::default()).unwrap_or_else(|d| panic!("{d}"));
    let targets: Vec<&Value> =
        s.resources[0].attrs["target_tracking"].as_list().iter().filter_map(|b| b.as_map()?.get("target")).collect();
    assert_eq!(targets, [&num(37.5), &Value::Int(1_000_000)]);
}
