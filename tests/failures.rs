//! What happens when AWS refuses a change: the changes that do not depend on it still happen,
//! the ones that do are not attempted, the run says so and exits 1, and the next apply (with the
//! mistake fixed) converges from there.

mod common;

use common::*;

#[tokio::test]
async fn a_failed_change_rolls_forward() {
    require_localstack();
    let acct = account().await;
    let dir = tempfile::tempdir().unwrap();
    let stack = unique("rollfwd");
    let (group, user) = (unique("ops"), unique("olivia"));
    let body = |policy: &str| {
        format!(
            "stack \"{stack}\" {{}}\nvpc \"v\" {{ cidr = \"10.90.0.0/16\" }}\n\
             iam_group \"ops\" {{\n  name = \"{group}\"\n  managed_policies = [\"{policy}\"]\n}}\n\
             iam_user \"olivia\" {{\n  name = \"{user}\"\n  groups = [iam_group.ops]\n}}\n"
        )
    };
    let f = stack_file(dir.path(), "s.hcl", &body("arn:aws:iam::aws:policy/NoSuchPolicyAnywhere"));
    let run = stackr(&["apply", "-f", p(&f), "--auto-approve"]).expect(1);
    assert!(run.stdout.contains("vpc.v: Creation complete"), "{}", run.stdout);
    assert!(run.stdout.contains("iam_group.ops: Creation failed"), "{}", run.stdout);
    assert!(!run.stdout.contains("iam_user.olivia: Creating"), "the user waits on the group:\n{}", run.stdout);
    assert!(run.stderr.contains("error: iam_group.ops: creating iam_group.ops:"), "{}", run.stderr);
    assert!(run.stderr.contains("NoSuchPolicyAnywhere") || run.stderr.contains("NoSuchEntity"), "{}", run.stderr);
    // AWS's request id, for a support case.
    assert!(run.stderr.contains(" (request id "), "{}", run.stderr);
    assert!(
        run.stderr.contains("Apply failed: 1 added, 0 changed, 0 destroyed; 1 change(s) not attempted."),
        "{}",
        run.stderr
    );
    assert_eq!(acct.owned_counts(&stack).await[0], 1, "the VPC stays");

    // The group was created before the attachment failed; the next plan picks up from there.
    std::fs::write(&f, body("arn:aws:iam::aws:policy/ReadOnlyAccess")).unwrap();
    let plan = stackr(&["plan", "-f", p(&f)]).expect(0);
    assert!(plan.stdout.contains("# iam_group.ops will be updated in-place"), "{}", plan.stdout);
    assert!(plan.stdout.contains("# iam_user.olivia will be created"), "{}", plan.stdout);
    assert!(!plan.stdout.contains("vpc.v"), "{}", plan.stdout);
    stackr(&["apply", "-f", p(&f), "--auto-approve"]).expect(0);
    stackr(&["plan", "-f", p(&f), "--detailed-exitcode"]).expect(0);
    let groups = acct.iam.list_groups_for_user().user_name(&user).send().await.unwrap();
    assert_eq!(groups.groups()[0].group_name(), group);

    stackr(&["destroy", "-f", p(&f), "--auto-approve"]).expect(0);
    assert_eq!(acct.owned_counts(&stack).await, [0; 7]);
}
