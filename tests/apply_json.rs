//! `apply --json` and `destroy --json` against LocalStack: every line of stdout is one JSON
//! event, they come in an order a bot can rely on (planned changes, then each object's start
//! before its completion, dependencies first, the summary last), the counts and ids are the
//! account's, a failed change is an `apply_errored` event and exit 1, and --json never prompts.

mod common;

use std::collections::HashMap;

use common::*;
use serde_json::Value as J;

/// Parses every line, checking the fields every event has.
fn events(stdout: &str) -> Vec<J> {
    stdout
        .lines()
        .map(|l| {
            let e: J = serde_json::from_str(l).unwrap_or_else(|err| panic!("not a JSON line ({err}): {l}"));
            for k in ["@level", "@message", "@timestamp", "type"] {
                assert!(e[k].is_string(), "{k} missing: {l}");
            }
            let ts = e["@timestamp"].as_str().unwrap();
            assert!(ts.len() >= 20 && ts.as_bytes()[10] == b'T' && ts.ends_with('Z'), "RFC 3339 UTC: {ts}");
            e
        })
        .collect()
}

fn of<'a>(evs: &'a [J], kind: &str) -> Vec<&'a J> {
    evs.iter().filter(|e| e["type"] == kind).collect()
}

/// Index of the first event of `kind` for `address`.
fn pos(evs: &[J], kind: &str, address: &str) -> usize {
    evs.iter()
        .position(|e| e["type"] == kind && e["address"] == address)
        .unwrap_or_else(|| panic!("no {kind} for {address}"))
}

/// Every apply_start is followed, later, by exactly one apply_complete or apply_errored of the
/// same address and action, and nothing completes that did not start.
fn assert_paired(evs: &[J]) {
    let mut open: HashMap<(String, String), usize> = HashMap::new();
    for e in evs {
        let key = || (e["address"].as_str().unwrap().to_string(), e["action"].as_str().unwrap().to_string());
        match e["type"].as_str().unwrap() {
            "apply_start" => *open.entry(key()).or_default() += 1,
            "apply_complete" | "apply_errored" => {
                let n = open.get_mut(&key()).unwrap_or_else(|| panic!("finished before it started: {e}"));
                assert!(*n > 0, "finished twice: {e}");
                *n -= 1;
            }
            _ => {}
        }
    }
    assert!(open.values().all(|&n| n == 0), "started but never finished: {open:?}");
}

#[tokio::test]
async fn apply_and_destroy_stream_events_in_order() {
    require_localstack();
    let acct = account().await;
    let dir = tempfile::tempdir().unwrap();
    let stack = unique("jsonev");
    let text = format!(
        "stack \"{stack}\" {{}}\nvpc \"v\" {{ cidr = \"10.94.0.0/16\" }}\n\
         subnet \"a\" {{\n  vpc = vpc.v\n  cidr = \"10.94.1.0/24\"\n}}\n\
         security_group \"s\" {{\n  vpc = vpc.v\n  ingress {{\n    port = 443\n    cidr = \"0.0.0.0/0\"\n  }}\n}}\n\
         output \"vpc_id\" {{ value = vpc.v.id }}\n"
    );
    let f = stack_file(dir.path(), "s.hcl", &text);
    let run = stackr(&["apply", "-f", p(&f), "--json", "--auto-approve"]).expect(0);
    let evs = events(&run.stdout);
    assert_eq!(evs[0]["type"], "version");
    let planned: Vec<&str> = of(&evs, "planned_change").iter().map(|e| e["address"].as_str().unwrap()).collect();
    assert_eq!(planned, ["security_group.s", "subnet.a", "vpc.v"]);
    assert!(of(&evs, "planned_change").iter().all(|e| e["action"] == "create"));
    assert_paired(&evs);
    for a in ["vpc.v", "subnet.a", "security_group.s"] {
        assert!(pos(&evs, "planned_change", "vpc.v") < pos(&evs, "apply_start", a));
    }
    // The subnet and the group need the VPC's id: they start only after it is complete.
    assert!(pos(&evs, "apply_complete", "vpc.v") < pos(&evs, "apply_start", "subnet.a"));
    assert!(pos(&evs, "apply_complete", "vpc.v") < pos(&evs, "apply_start", "security_group.s"));

    let vpcs = acct.ec2.describe_vpcs().filters(tag_filter(&stack)).send().await.unwrap();
    let vpc_id = vpcs.vpcs()[0].vpc_id().unwrap();
    let done = &evs[pos(&evs, "apply_complete", "vpc.v")];
    assert_eq!(done["id"], vpc_id);
    assert_eq!(done["hook"]["resource"]["addr"], "aws_vpc.v");
    let summary = of(&evs, "change_summary");
    assert_eq!(summary.len(), 1);
    let s = summary[0];
    assert_eq!((s["add"].as_u64(), s["change"].as_u64(), s["remove"].as_u64()), (Some(3), Some(0), Some(0)));
    assert_eq!((s["outcome"].as_str(), s["operation"].as_str()), (Some("success"), Some("apply")));
    assert_eq!(evs.last().unwrap()["outputs"]["vpc_id"]["value"], vpc_id);
    stackr(&["plan", "-f", p(&f), "--detailed-exitcode"]).expect(0);

    let gone = stackr(&["destroy", "-f", p(&f), "--json", "--auto-approve"]).expect(0);
    let evs = events(&gone.stdout);
    assert_paired(&evs);
    assert!(pos(&evs, "apply_complete", "subnet.a") < pos(&evs, "apply_start", "vpc.v"), "dependents go first");
    let s = of(&evs, "change_summary")[0];
    assert_eq!((s["remove"].as_u64(), s["operation"].as_str()), (Some(3), Some("destroy")));
    assert_eq!(acct.owned_counts(&stack).await, [0; 7]);
}

#[tokio::test]
async fn a_failed_change_is_an_errored_event_and_exit_1() {
    require_localstack();
    let acct = account().await;
    let dir = tempfile::tempdir().unwrap();
    let stack = unique("jsonerr");
    let (group, user) = (unique("ops"), unique("olivia"));
    let text = format!(
        "stack \"{stack}\" {{}}\nvpc \"v\" {{ cidr = \"10.95.0.0/16\" }}\n\
         iam_group \"ops\" {{\n  name = \"{group}\"\n  managed_policies = [\"arn:aws:iam::aws:policy/NoSuchPolicyAnywhere\"]\n}}\n\
         iam_user \"olivia\" {{\n  name = \"{user}\"\n  groups = [iam_group.ops]\n}}\n"
    );
    let f = stack_file(dir.path(), "s.hcl", &text);
    let run = stackr(&["apply", "-f", p(&f), "--json", "--auto-approve"]).expect(1);
    let evs = events(&run.stdout);
    assert_paired(&evs);
    let errored = of(&evs, "apply_errored");
    assert_eq!(errored.len(), 1, "{}", run.stdout);
    let e = errored[0];
    assert_eq!(
        (e["address"].as_str(), e["action"].as_str(), e["@level"].as_str()),
        (Some("iam_group.ops"), Some("create"), Some("error"))
    );
    let msg = e["message"].as_str().unwrap();
    assert!(msg.contains("NoSuchPolicyAnywhere") || msg.contains("NoSuchEntity"), "{msg}");
    assert!(
        !evs.iter().any(|e| e["type"] == "apply_start" && e["address"] == "iam_user.olivia"),
        "the user waits on the group"
    );
    let diags = of(&evs, "diagnostic");
    assert!(diags.iter().any(|d| d["diagnostic"]["severity"] == "error"
        && d["diagnostic"]["summary"].as_str().unwrap().starts_with("iam_group.ops:")));
    let s = of(&evs, "change_summary")[0];
    assert_eq!((s["outcome"].as_str(), s["add"].as_u64(), s["skipped"].as_u64()), (Some("failed"), Some(1), Some(1)));
    assert!(run.stdout.lines().last().unwrap().contains("\"change_summary\""), "no outputs after a failed apply");

    stackr(&["destroy", "-f", p(&f), "--auto-approve"]).expect(0);
    assert_eq!(acct.owned_counts(&stack).await, [0; 7]);
}

#[test]
fn json_never_prompts() {
    // No LocalStack needed: it must refuse before any AWS call.
    let dir = tempfile::tempdir().unwrap();
    let f = stack_file(dir.path(), "s.hcl", "stack \"never\" {}\nvpc \"v\" { cidr = \"10.96.0.0/16\" }\n");
    for cmd in ["apply", "destroy"] {
        let run = stackr_cmd(&[cmd, "-f", p(&f), "--json"])
            .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
            .output()
            .expect("run stackr");
        assert_eq!(run.status.code(), Some(1));
        let evs = events(&String::from_utf8_lossy(&run.stdout));
        assert_eq!(evs.len(), 2, "version, then the refusal");
        assert_eq!(evs[1]["type"], "diagnostic");
        assert_eq!(evs[1]["diagnostic"]["severity"], "error");
        assert!(evs[1]["diagnostic"]["summary"].as_str().unwrap().contains("--auto-approve"), "{}", evs[1]);
    }
}
