//! `stackr check` as users run it: findings with file:line:col, JSON and SARIF documents that
//! parse, exit codes by `--deny`, silences, no AWS access at all; and `stackr plan` showing
//! the same findings as warnings without failing.

mod common;

use common::*;

/// A stack whose security group opens `port` to the world, with `extra` inside the group.
fn open_port(name: &str, port: u16, extra: &str) -> String {
    format!(
        "stack \"{name}\" {{\n  region = \"us-east-1\"\n}}\n\nvpc \"v\" {{\n  cidr = \"10.77.0.0/16\"\n}}\n\n\
         security_group \"g\" {{\n  vpc = vpc.v\n  ingress {{\n    port = {port}\n    cidr = \"0.0.0.0/0\"\n  }}\n{extra}}}\n"
    )
}

/// The line and column of the world CIDR in `open_port`'s text: line 13, after `    cidr = `.
const WORLD_AT: &str = "13:12";

/// Runs `check` against an endpoint where nothing listens: any AWS call would fail loudly.
fn check(args: &[&str]) -> Run {
    let dead = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://127.0.0.1:{}", l.local_addr().unwrap().port())
    };
    let mut all = vec!["-v", "check", "--endpoint-url", &dead];
    all.extend_from_slice(args);
    let run = stackr(&all);
    assert!(!run.stderr.contains(" -> "), "check made an AWS call:\n{}", run.stderr);
    run
}

#[test]
fn text_names_the_rule_and_points_at_the_source() {
    let dir = tempfile::tempdir().unwrap();
    let f = stack_file(dir.path(), "stack.hcl", &open_port("chk", 22, ""));
    let run = check(&["-f", p(&f)]).expect(1);
    assert!(
        run.stdout.contains("error[sg-admin-port-open]: ingress rule 1 opens SSH (port 22) to the world"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains(&format!("--> {}:{WORLD_AT}", p(&f))), "{}", run.stdout);
    assert!(run.stdout.contains("13 |     cidr = \"0.0.0.0/0\""), "{}", run.stdout);
    assert!(run.stdout.contains("help: allow SSH and RDP only from known addresses"), "{}", run.stdout);
    // What to write when the stack really needs what the rule refuses.
    let accept = "or, if the stack needs it, accept it in the block with the reason on record: silence \"sg-admin-port-open\" { reason = \"…\" }";
    assert!(run.stdout.contains(accept), "{}", run.stdout);
    assert!(run.stdout.ends_with("1 error, 0 warnings\n"), "{}", run.stdout);
}

#[test]
fn deny_sets_which_severity_fails() {
    let dir = tempfile::tempdir().unwrap();
    let f = stack_file(dir.path(), "stack.hcl", &open_port("chk", 8080, ""));
    let run = check(&["-f", p(&f)]).expect(0);
    assert!(run.stdout.contains("warning[sg-world-open]"), "{}", run.stdout);
    assert!(run.stdout.ends_with("0 errors, 1 warning\n"), "{}", run.stdout);
    check(&["-f", p(&f), "--deny", "warning"]).expect(1);
    check(&["-f", p(&f), "--deny", "error"]).expect(0);

    let silenced = "  silence \"sg-world-open\" {\n    reason = \"a public cache\"\n  }\n";
    let f = stack_file(dir.path(), "quiet.hcl", &open_port("chk", 8080, silenced));
    let run = check(&["-f", p(&f), "--deny", "warning"]).expect(0);
    assert_eq!(run.stdout, "0 errors, 0 warnings (1 silenced)\n");
}

#[test]
fn unknown_silences_and_bad_files_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let typo = "  silence \"sg-wrld-open\" {\n    reason = \"a public cache\"\n  }\n";
    let f = stack_file(dir.path(), "stack.hcl", &open_port("chk", 8080, typo));
    let run = check(&["-f", p(&f)]).expect(1);
    assert!(run.stderr.contains("error[silence-unknown-rule]"), "{}", run.stderr);
    assert!(run.stderr.contains("did you mean `sg-world-open`?"), "{}", run.stderr);
    assert!(run.stdout.is_empty(), "the file does not load, so nothing is checked: {}", run.stdout);

    let f = stack_file(dir.path(), "bad.hcl", "stack \"x\" {}\nvpc \"v\" {\n  cidr = \"10.0.0.0/33\"\n}\n");
    let run = check(&["-f", p(&f)]).expect(1);
    assert!(run.stderr.contains("is not a valid IPv4 CIDR block"), "{}", run.stderr);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
}

#[test]
fn sarif_and_json_are_documents_on_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let silenced = "  ingress {\n    port = 8080\n    cidr = \"0.0.0.0/0\"\n  }\n  silence \"sg-world-open\" {\n    reason = \"a public cache\"\n  }\n";
    let f = stack_file(dir.path(), "stack.hcl", &open_port("chk", 3389, silenced));
    let run = check(&["-f", p(&f), "--format", "sarif"]).expect(1);
    assert_eq!(run.stderr.trim_end(), "1 error, 0 warnings (1 silenced)");
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect("SARIF is JSON");
    assert_eq!(doc["version"], "2.1.0");
    let sarif_run = &doc["runs"][0];
    let rules = sarif_run["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(rules.iter().any(|r| r["id"] == "sg-admin-port-open" && r["defaultConfiguration"]["level"] == "error"));
    let results = sarif_run["results"].as_array().unwrap();
    assert_eq!(results.len(), 2, "{results:#?}");
    assert_eq!(
        (results[0]["ruleId"].as_str(), results[0]["level"].as_str()),
        (Some("sg-admin-port-open"), Some("error"))
    );
    assert!(results[0]["message"]["text"].as_str().unwrap().contains("RDP (port 3389)"));
    let loc = &results[0]["locations"][0]["physicalLocation"];
    assert!(loc["artifactLocation"]["uri"].as_str().unwrap().ends_with("stack.hcl"));
    let (line, col) = WORLD_AT.split_once(':').unwrap();
    assert_eq!(loc["region"]["startLine"].to_string(), line);
    assert_eq!(loc["region"]["startColumn"].to_string(), col);
    assert_eq!(results[1]["suppressions"][0]["justification"], "a public cache");

    let run = check(&["-f", p(&f), "--format", "json"]).expect(1);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(doc["summary"], serde_json::json!({ "errors": 1, "warnings": 0, "silenced": 1 }));
    assert_eq!(doc["findings"][0]["address"], "security_group.g");
    assert_eq!(doc["silenced"][0]["rule"], "sg-world-open");
}

#[test]
fn plan_shows_findings_as_warnings_and_still_plans() {
    require_localstack();
    let dir = tempfile::tempdir().unwrap();
    let name = unique("chk").replace('-', "");
    let f = stack_file(dir.path(), "stack.hcl", &open_port(&name, 22, ""));
    let run = stackr(&["plan", "-f", p(&f)]).expect(0);
    assert!(run.stderr.contains("warning[sg-admin-port-open]: ingress rule 1 opens SSH (port 22)"), "{}", run.stderr);
    assert!(run.stderr.contains(&format!("--> {}:{WORLD_AT}", p(&f))), "{}", run.stderr);
    assert!(!run.stderr.contains("error"), "findings never fail a plan:\n{}", run.stderr);
    assert!(run.stdout.contains("Plan: 2 to add, 0 to change, 0 to destroy."), "{}", run.stdout);
}

#[test]
fn findings_in_a_module_point_at_the_module_file_in_text_json_and_sarif() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("modules/sg")).unwrap();
    // The module's group opens SSH to the world, in the module's second file.
    let group = open_port("x", 22, "");
    let group = &group[group.find("security_group").unwrap()..];
    std::fs::write(dir.path().join("modules/sg/a.hcl"), "variable \"vpc\" {}\n").unwrap();
    std::fs::write(dir.path().join("modules/sg/b.hcl"), group.replace("vpc.v", "var.vpc")).unwrap();
    let root = "stack \"chk\" {\n  region = \"us-east-1\"\n}\nvpc \"v\" {\n  cidr = \"10.77.0.0/16\"\n}\nmodule \"edge\" {\n  source = \"./modules/sg\"\n  vpc    = vpc.v\n}\n";
    let f = stack_file(dir.path(), "stack.hcl", root);
    let file = dir.path().join("modules/sg/b.hcl");
    let run = check(&["-f", p(&f)]).expect(1);
    assert!(run.stdout.contains(&format!("--> {}:5:12", file.display())), "{}", run.stdout);
    assert!(run.stdout.contains("error[sg-admin-port-open]"), "{}", run.stdout);
    let json: serde_json::Value = serde_json::from_str(&check(&["-f", p(&f), "--format", "json"]).stdout).unwrap();
    let finding = &json["findings"][0];
    assert_eq!(finding["address"], "module.edge.security_group.g");
    assert_eq!(
        (finding["file"].as_str().unwrap(), &finding["line"], &finding["column"]),
        (p(&file), &serde_json::json!(5), &serde_json::json!(12))
    );
    let sarif: serde_json::Value = serde_json::from_str(&check(&["-f", p(&f), "--format", "sarif"]).stdout).unwrap();
    let uri =
        sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str().unwrap();
    assert!(uri.ends_with("modules/sg/b.hcl"), "{uri}");
}
