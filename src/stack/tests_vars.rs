//! Variables through loading: object, tuple and optional types, `nullable` and `validation`,
//! with values from defaults, `--var` flags and var files, and where each mistake is reported.

use std::collections::BTreeMap;
use std::io::Write;

use super::*;
use crate::model::Value;
use crate::resources::schemas;

const HEAD: &str = "stack \"t\" { region = \"us-east-1\" }\n";

fn flags(vars: &[(&str, &str)]) -> VarInputs {
    VarInputs { vars: vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(), ..VarInputs::default() }
}

fn with_file(f: &tempfile::NamedTempFile) -> VarInputs {
    VarInputs { files: vec![f.path().to_path_buf()], ..VarInputs::default() }
}

fn var_file(text: &str) -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    f.write_all(text.as_bytes()).unwrap();
    f
}

fn values(src: &str, inputs: &VarInputs) -> BTreeMap<String, Value> {
    load_str("stack.hcl", &format!("{HEAD}{src}"), inputs, &schemas()).unwrap_or_else(|d| panic!("{d}")).variables
}

fn errors(src: &str, inputs: &VarInputs) -> Diagnostics {
    load_str("stack.hcl", &format!("{HEAD}{src}"), inputs, &schemas()).expect_err("should not load")
}

fn map(pairs: &[(&str, Value)]) -> Value {
    Value::Map(pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect())
}

const SVC: &str = "variable \"svc\" {\n  type = object({ name = string, port = optional(number, 80), tags = optional(map(string)) })\n";

#[test]
fn objects_take_optional_defaults_and_drop_extra_attributes() {
    let v = values(&format!("{SVC}  default = {{ name = \"web\", extra = true }}\n}}\n"), &VarInputs::default());
    assert_eq!(v["svc"], map(&[("name", Value::str("web")), ("port", Value::Int(80)), ("tags", Value::Null)]));
    let v = values(&format!("{SVC}}}\n"), &flags(&[("svc", "{ name = \"api\", port = \"8080\", tags = { a = 1 } }")]));
    let tags = map(&[("a", Value::str("1"))]);
    assert_eq!(v["svc"], map(&[("name", Value::str("api")), ("port", Value::Int(8080)), ("tags", tags)]));
}

#[test]
fn nested_collections_of_objects_and_tuples_convert() {
    let src = "variable \"rules\" {\n  type = list(object({ port = number, cidrs = optional(list(string), [\"0.0.0.0/0\"]) }))\n  \
               default = [{ port = 443 }, { port = \"22\", cidrs = [\"10.0.0.0/8\"] }]\n}\n\
               variable \"subnets\" {\n  type = map(object({ az = string, public = optional(bool, false) }))\n  \
               default = { a = { az = \"us-east-1a\", public = \"true\" }, b = { az = \"us-east-1b\" } }\n}\n\
               variable \"pair\" {\n  type = tuple([string, number, bool])\n  default = [\"a\", \"2\", \"true\"]\n}\n";
    let v = values(src, &VarInputs::default());
    let world = Value::List(vec![Value::str("0.0.0.0/0")]);
    let ten = Value::List(vec![Value::str("10.0.0.0/8")]);
    assert_eq!(
        v["rules"],
        Value::List(vec![
            map(&[("cidrs", world), ("port", Value::Int(443))]),
            map(&[("cidrs", ten), ("port", Value::Int(22))])
        ])
    );
    assert_eq!(
        v["subnets"].as_map().unwrap()["a"],
        map(&[("az", Value::str("us-east-1a")), ("public", Value::Bool(true))])
    );
    assert_eq!(v["subnets"].as_map().unwrap()["b"].as_map().unwrap()["public"], Value::Bool(false));
    assert_eq!(v["pair"], Value::List(vec![Value::str("a"), Value::Int(2), Value::Bool(true)]));
    let d = errors(
        "variable \"pair\" {\n  type = tuple([string, number])\n  default = [\"a\"]\n}\n",
        &VarInputs::default(),
    );
    assert!(d.to_string().contains("expected a tuple of 2 elements, found a list of 1 element"), "{d}");
}

#[test]
fn a_missing_required_attribute_is_named_at_the_value() {
    let d = errors(&format!("{SVC}  default = {{\n    port = 8080\n  }}\n}}\n"), &VarInputs::default());
    assert!(d.to_string().contains("variable \"svc\": attribute \"name\" is required"), "{d}");
    assert_eq!(d.0[0].location(), Some(("stack.hcl".into(), 4, 13)), "at the default");
    let f = var_file("svc = {\n  port = 1\n}\n");
    let d = errors(&format!("{SVC}}}\n"), &with_file(&f));
    assert!(d.to_string().contains("attribute \"name\" is required"), "{d}");
    assert_eq!(d.0[0].location(), Some((f.path().display().to_string(), 1, 7)), "at the var file's line");
    let nested = "variable \"rules\" {\n  type = list(object({ port = number }))\n  default = [{ port = 1 }, {}]\n}\n";
    let d = errors(nested, &VarInputs::default());
    assert!(d.to_string().contains("element 1: attribute \"port\" is required"), "{d}");
}

#[test]
fn nullable_false_takes_the_default_for_null_and_refuses_null_otherwise() {
    let src = "variable \"a\" {\n  default = \"d\"\n  nullable = false\n}\nvariable \"b\" {\n  default = \"d\"\n}\n";
    let f = var_file("a = null\nb = null\n");
    let v = values(src, &with_file(&f));
    assert_eq!(v["a"], Value::str("d"), "nullable = false: null takes the default");
    assert_eq!(v["b"], Value::Null, "nullable (the default): null overrides the default");
    let d = errors("variable \"a\" {\n  type = string\n  nullable = false\n}\n", &with_file(&var_file("a = null\n")));
    assert!(d.to_string().contains("may not be null"), "{d}");
    assert_eq!(d.0[0].location().map(|l| (l.1, l.2)), Some((1, 5)));
    let d = errors("variable \"a\" {\n  default = null\n  nullable = false\n}\n", &VarInputs::default());
    assert!(d.to_string().contains("a null default is not valid when nullable = false"), "{d}");
    assert_eq!(d.0[0].location(), Some(("stack.hcl".into(), 3, 13)));
}

const PORT: &str = "variable \"port\" {\n  type = number\n  default = DEFAULT\n  validation {\n    \
                    condition     = var.port > 0 && var.port < 65536\n    \
                    error_message = \"The port must be between 1 and 65535.\"\n  }\n}\n";

#[test]
fn validation_from_a_default_points_at_the_default() {
    assert_eq!(values(&PORT.replace("DEFAULT", "443"), &VarInputs::default())["port"], Value::Int(443));
    let d = errors(&PORT.replace("DEFAULT", "0"), &VarInputs::default());
    assert_eq!(d.0.len(), 1, "{d}");
    assert_eq!(d.0[0].message, "variable \"port\": The port must be between 1 and 65535.");
    assert_eq!(d.0[0].location(), Some(("stack.hcl".into(), 4, 13)));
    assert!(d.to_string().contains("required by the validation at stack.hcl:5:3"), "{d}");
}

#[test]
fn validation_from_a_flag_names_the_flag() {
    let src = PORT.replace("DEFAULT", "443");
    assert_eq!(values(&src, &flags(&[("port", "8080")]))["port"], Value::Int(8080));
    let d = errors(&src, &flags(&[("port", "70000")]));
    assert_eq!(d.0[0].message, "--var port=…: The port must be between 1 and 65535.");
    assert!(d.0[0].at.is_none());
}

#[test]
fn validation_from_a_var_file_points_at_its_line() {
    let f = var_file("# ports\nport = 99999\n");
    let d = errors(&PORT.replace("DEFAULT", "443"), &with_file(&f));
    assert_eq!(d.0[0].location(), Some((f.path().display().to_string(), 2, 8)));
    assert!(d.to_string().contains("The port must be between 1 and 65535."), "{d}");
}

#[test]
fn can_and_regex_work_in_conditions_and_every_rule_is_checked() {
    let src = "variable \"name\" {\n  default = \"Web_1\"\n  validation {\n    \
               condition     = can(regex(\"^[a-z0-9-]+$\", var.name))\n    error_message = \"lowercase only\"\n  }\n  \
               validation {\n    condition     = length(var.name) <= 4\n    error_message = \"at most 4 characters\"\n  }\n}\n";
    assert_eq!(values(src, &flags(&[("name", "web")]))["name"], Value::str("web"));
    let d = errors(src, &VarInputs::default()).to_string();
    assert!(d.contains("lowercase only") && d.contains("at most 4 characters"), "{d}");
}

#[test]
fn a_condition_that_cannot_be_evaluated_is_an_error_at_the_condition() {
    let src = "variable \"n\" {\n  default = 3\n  validation {\n    condition     = length(var.n, 2)\n    error_message = \"x\"\n  }\n}\n";
    let d = errors(src, &VarInputs::default());
    assert_eq!(d.0[0].location().map(|l| (l.1, l.2)), Some((5, 21)), "{d}");
    let d = errors(&src.replace("length(var.n, 2)", "var.n"), &VarInputs::default());
    assert!(d.to_string().contains("must be true or false, not the number 3"), "{d}");
    let d = errors(&src.replace("length(var.n, 2)", "var.m > 1"), &VarInputs::default());
    assert!(d.to_string().contains("may refer only to var.n, not var.m"), "{d}");
    let d = errors(&src.replace("length(var.n, 2)", "true"), &VarInputs::default());
    assert!(d.to_string().contains("the condition must refer to var.n"), "{d}");
}

#[test]
fn a_sensitive_value_is_not_shown_by_a_failed_validation() {
    let src = "variable \"token\" {\n  sensitive = true\n  validation {\n    condition     = length(var.token) >= 12\n    \
               error_message = \"token ${var.token} is too short\"\n  }\n  validation {\n    \
               condition     = tonumber(var.token) > 0\n    error_message = \"not a number\"\n  }\n}\n";
    let d = errors(src, &flags(&[("token", "hunter2")])).to_string();
    assert!(!d.contains("hunter2"), "{d}");
    assert!(d.contains("the error message includes the sensitive value"), "{d}");
    assert!(d.contains("sensitive, so not shown"), "{d}");
    let with_default = src.replace("sensitive = true", "sensitive = true\n  default = \"hunter2\"");
    let d = errors(&with_default, &VarInputs::default()).to_string();
    assert!(!d.contains("hunter2") && d.contains("its default (sensitive, so not shown)"), "{d}");
    let f = var_file("token = \"hunter2\"\n");
    let d = errors(src, &with_file(&f)).to_string();
    assert!(!d.contains("hunter2") && d.contains(&format!("(set at {}:1:9)", f.path().display())), "{d}");
    let typed = "variable \"pin\" {\n  type = object({ code = number })\n  sensitive = true\n}\n";
    let d = errors(typed, &flags(&[("pin", "{ code = \"hunter2\" }")])).to_string();
    assert!(
        !d.contains("hunter2") && d.contains("attribute \"code\": the (sensitive value) given is not a number"),
        "{d}"
    );
}

#[test]
fn unsupported_types_are_reported_where_written() {
    let d = errors("variable \"x\" {\n  type = optional(string)\n}\n", &VarInputs::default());
    assert!(d.to_string().contains("optional(…) marks an attribute of an object type"), "{d}");
    let d = errors("variable \"x\" {\n  type = object({ a = optional(number, \"many\") })\n}\n", &VarInputs::default());
    assert!(d.to_string().contains("invalid default for an optional attribute"), "{d}");
    assert_eq!(d.0[0].location().map(|l| (l.1, l.2)), Some((3, 40)), "{d}");
}
