//! Tests of the `try`/`can` rewrite, with an evaluator built on hcl-rs as `Env::eval_hcl` does.

use std::path::Path;

use hcl::Value;
use hcl::eval::{Context, Evaluate};
use hcl_edit::expr::Expression;

use super::rewrite_lazy;

/// Rewrites then evaluates `src` with `local.foo = { bar = "baz" }` declared.
fn run_in(src: &str, dir: Option<&Path>) -> Result<Value, String> {
    let mut ctx = Context::new();
    ctx.declare_var("local", hcl::value!({ foo = { bar = "baz" }, list = ["a", "b"] }));
    super::super::declare(&mut ctx);
    let eval = |e: &Expression| hcl::Expression::from(e.clone()).evaluate(&ctx).map_err(|e| e.to_string());
    let mut e: Expression = src.parse().map_err(|e: hcl_edit::parser::Error| e.to_string())?;
    rewrite_lazy(&mut e, dir, &eval)?;
    eval(&e)
}

fn run(src: &str) -> Result<Value, String> {
    run_in(src, None)
}

#[test]
fn try_matches_terraform_docs() {
    assert_eq!(run(r#"try(local.foo.bar, "fallback")"#), Ok(Value::from("baz")));
    assert_eq!(run(r#"try(local.foo.boop, "fallback")"#), Ok(Value::from("fallback")));
    assert_eq!(run(r#"try(tostring(local.list), tolist(local.list))"#), Ok(hcl::value!(["a", "b"])));
    assert_eq!(run(r#"try(tonumber("x"), tonumber("7"), 0)"#), Ok(Value::from(7)));
    let err = run(r#"try(local.foo.boop, tonumber("x"))"#).unwrap_err();
    assert!(err.starts_with("try: no expression succeeded:\n- "), "{err}");
    assert!(err.contains("boop") && err.contains("cannot convert \"x\" to number"), "{err}");
    assert!(run("try()").unwrap_err().contains("at least one argument is required"));
}

#[test]
fn can_matches_terraform_docs() {
    assert_eq!(run("can(local.foo.bar)"), Ok(Value::Bool(true)));
    assert_eq!(run("can(local.foo.boop)"), Ok(Value::Bool(false)));
    assert_eq!(run(r#"can(regex("^ami-", "ami-123")) && !can(regex("^ami-", "x"))"#), Ok(Value::Bool(true)));
    assert!(run("can(1, 2)").unwrap_err().contains("can: expected 1 argument, got 2"));
}

#[test]
fn nested_and_embedded_calls_are_resolved() {
    assert_eq!(run(r#"upper(try(local.foo.boop, "x"))"#), Ok(Value::from("X")));
    assert_eq!(run(r#"try(try(local.nope, local.foo.boop), "inner")"#), Ok(Value::from("inner")));
    assert_eq!(run(r#"[can(local.foo), can(local.foo.x)]"#), Ok(hcl::value!([true, false])));
    assert_eq!(run(r#""v=${try(local.x, "d")}""#), Ok(Value::from("v=d")));
    // A resolved string stays literal: no template interpretation of its `${`.
    assert_eq!(run(r#"try(local.x, "$${y}")"#), Ok(Value::from("${y}")));
}

#[test]
fn calls_using_a_for_variable_fall_back_to_eager_evaluation() {
    // Left in place, `try` gives its first argument when every argument evaluates...
    assert_eq!(run(r#"[for s in local.list : try(upper(s), "x")]"#), Ok(hcl::value!(["A", "B"])));
    assert_eq!(run(r#"[for s in local.list : can(s)]"#), Ok(hcl::value!([true, true])));
    assert_eq!(run(r#""%{ for s in local.list }${try(s, 1)}%{ endfor }""#), Ok(Value::from("ab")));
    // ...while a call that does not use the variable is still resolved lazily, and so are the
    // arguments before the first that does.
    assert_eq!(run(r#"[for s in local.list : try(local.nope, "d")]"#), Ok(hcl::value!(["d", "d"])));
    assert_eq!(run(r#"[for s in local.list : try(local.nope, s)]"#), Ok(hcl::value!(["a", "b"])));
    assert_eq!(run(r#"[for s in local.list : try(local.foo.bar, s)]"#), Ok(hcl::value!(["baz", "baz"])));
    // Deviation: an argument after one using the variable is evaluated eagerly, so its error shows.
    assert!(run(r#"[for s in local.list : try(s, local.nope)]"#).unwrap_err().contains("nope"));
    assert_eq!(run(r#"[for s in try(local.nope, local.list) : s]"#), Ok(hcl::value!(["a", "b"])));
}

#[test]
fn files_need_a_stack_directory() {
    let err = run(r#"file("x")"#).unwrap_err();
    assert_eq!(err, "file: file() can only be used in a stack file");
    assert_eq!(run(r#"try(file("x"), "none")"#), Ok(Value::from("none")));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("hello.txt"), "Hello World").unwrap();
    assert_eq!(run_in(r#"file("hello.txt")"#, Some(dir.path())), Ok(Value::from("Hello World")));
    assert_eq!(run_in(r#"can(file("nope.txt"))"#, Some(dir.path())), Ok(Value::Bool(false)));
    let err = run_in(r#"[for f in ["hello.txt"] : file(f)]"#, Some(dir.path())).unwrap_err();
    assert!(err.contains("file() cannot be used here"), "{err}");
}
