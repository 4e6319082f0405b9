//! `stackr output [NAME]`: the stack's outputs, computed from the stack file and the account
//! as it is now (there is no state file to read them from). An output whose inputs do not
//! exist yet (the stack has changes not applied) is `(known after apply)`; asking for it by
//! name is an error. As `terraform output`: all outputs list sensitive values as
//! `<sensitive>`, one asked for by name (or `--json`) shows its value.

use std::process::ExitCode;

use crate::cli::{Global, OutputArgs};
use crate::model::Value;
use crate::plan::{Options, Plan};
use crate::render;

pub async fn run(global: &Global, args: &OutputArgs) -> anyhow::Result<ExitCode> {
    let stack = super::load_stack_read(&args.stack, global).await?;
    let (_cx, live) = super::read_account(global, &stack).await?;
    let plan = crate::plan::plan_with(&stack, &live, &Options::default())
        .map_err(anyhow::Error::from)
        .map_err(|e| e.context("the outputs cannot be computed"))?;
    let values = values(&plan);
    if let Some(name) = &args.name {
        let Some((_, v)) = values.iter().find(|(n, _)| n == name) else {
            let names: Vec<&str> = values.iter().map(|(n, _)| n.as_str()).collect();
            anyhow::bail!("the stack has no output \"{name}\" (its outputs: {})", list(&names));
        };
        if v.has_unknown() {
            anyhow::bail!("output \"{name}\" is not known yet: it depends on changes not applied (run `stackr plan`)");
        }
        println!("{}", one(v, args.json, args.raw)?);
        return Ok(ExitCode::SUCCESS);
    }
    if args.json {
        let obj: serde_json::Map<String, serde_json::Value> = values
            .iter()
            .map(|(n, v)| {
                let sensitive = plan.sensitive_outputs.contains(n);
                (n.clone(), serde_json::json!({ "sensitive": sensitive, "value": v.to_json() }))
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&obj)?);
        return Ok(ExitCode::SUCCESS);
    }
    let pad = values.iter().map(|(n, _)| n.len()).max().unwrap_or(0);
    for (name, v) in &values {
        match plan.sensitive_outputs.contains(name) {
            true => println!("{name:pad$} = <sensitive>"),
            false => println!("{name:pad$} = {}", render::output_value(v)),
        }
    }
    if values.is_empty() {
        eprintln!("The stack has no outputs.");
    }
    Ok(ExitCode::SUCCESS)
}

/// Every output resolved against the attributes the objects have now (unmasked).
fn values(plan: &Plan) -> Vec<(String, Value)> {
    let states = super::apply::initial_states(plan);
    let lookup =
        |addr: &crate::model::Address, attr: Option<&str>| crate::plan::resolve::in_states(&states, addr, attr);
    let resolve = |v: &Value| crate::plan::resolve::resolve_value(v, &lookup).unwrap_or(Value::Unknown);
    plan.outputs.iter().map(|(n, v)| (n.clone(), resolve(v))).collect()
}

/// One output's value: JSON, the raw text of a string, number or bool, or HCL-like text.
fn one(v: &Value, json: bool, raw: bool) -> anyhow::Result<String> {
    if json {
        return Ok(serde_json::to_string_pretty(&v.to_json())?);
    }
    if raw {
        return match v {
            Value::Str(s) => Ok(s.clone()),
            Value::Int(i) => Ok(i.to_string()),
            Value::Num(n) => Ok(n.to_string()),
            Value::Bool(b) => Ok(b.to_string()),
            Value::Null => Ok(String::new()),
            _ => anyhow::bail!("--raw prints only strings, numbers and bools; use --json for lists and maps"),
        };
    }
    Ok(render::output_value(v))
}

fn list(names: &[&str]) -> String {
    if names.is_empty() { "none".into() } else { names.join(", ") }
}
