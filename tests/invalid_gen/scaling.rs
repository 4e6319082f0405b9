//! Auto Scaling: names, template versions, sizes, tracking targets, scheduled actions and
//! their cron expressions, and subnets and target groups of other VPCs.

use super::{Case, base, case, with_other_vpc};

const ASG: &str = "autoscaling_group \"web\"";

pub fn cases() -> Vec<Case> {
    let mut out = groups();
    out.extend(tracking());
    out.extend(schedules());
    out.extend(crons());
    out
}

fn groups() -> Vec<Case> {
    let set = |attr: &str, v: &str| base().set(ASG, attr, v);
    vec![
        case("asg-name-long", "a group name of 256 characters", "is 256 characters long; at most 255", set("name", &format!("\"{}\"", "n".repeat(256)))),
        case("asg-name-control", "a group name with a control character", "contains the control character U+0001", set("name", "\"web\\u0001\"")),
        case("asg-name-empty", "an empty group name", "must not be empty", set("name", "\"\"")),
        case("asg-version-word", "launch template version \"latest\"", "is not a version number, \"$Default\" or \"$Latest\"", set("launch_template_version", "\"latest\"")),
        case("asg-version-zero", "launch template version 0", "is not a version number", set("launch_template_version", "\"0\"")),
        case("asg-version-v1", "launch template version v1", "is not a version number", set("launch_template_version", "\"v1\"")),
        case("asg-min-negative", "min_size -1", "min_size -1 is out of range (at least 0)", set("min_size", "-1")),
        case("asg-max-negative", "max_size -1", "max_size -1 is out of range (at least 0)", set("max_size", "-1").set(ASG, "min_size", "0")),
        case("asg-min-above-max", "min_size above max_size", "min_size 5 must be between 0 and max_size 4", set("min_size", "5")),
        case("asg-desired-above-max", "desired_capacity above max_size", "desired_capacity 9 is outside min_size..max_size (1..4)", set("desired_capacity", "9")),
        case("asg-desired-below-min", "desired_capacity below min_size", "desired_capacity 0 is outside min_size..max_size (1..4)", set("desired_capacity", "0")),
        case("asg-grace-negative", "a negative health check grace period", "health_check_grace_period -30 is out of range", set("health_check_grace_period", "-30")),
        case("asg-health-check-type", "health check type HTTP", "is not one of \"EC2\", \"ELB\"", set("health_check_type", "\"HTTP\"")),
        case("asg-subnets-two-vpcs", "subnets of two VPCs", "subnet.o is in vpc.other, not in vpc.main", with_other_vpc(base()).set(ASG, "subnets", "[subnet.a, subnet.o]")),
        case("asg-target-group-other-vpc", "a target group of another VPC", "target_group.o is in vpc.other, not in vpc.main", with_other_vpc(base()).set(ASG, "target_groups", "[target_group.web, target_group.o]")),
        case("asg-duplicate-names", "two groups with one name", "would both be the autoscaling group named \"inv-web-asg\"", base().add("autoscaling_group \"web2\" {\n  name            = \"inv-web-asg\"\n  launch_template = launch_template.web\n  min_size        = 0\n  max_size        = 1\n  subnets         = [subnet.a]\n}")),
        case("asg-tags", "a group tag starting with aws:", "must not start with \"aws:\"", set("tags", "{ \"aws:x\" = \"y\" }")),
    ]
}

fn tracking() -> Vec<Case> {
    let target = |body: &str| base().sub(ASG, "    target = 50\n", body);
    vec![
        case(
            "asg-cpu-target-above-100",
            "a CPU target of 150%",
            "a CPU target is a percentage; 150 is above 100",
            target("    target = 150\n"),
        ),
        case(
            "asg-cpu-target-fraction-above-100",
            "a CPU target of 100.5%",
            "a CPU target is a percentage; 100.5 is above 100",
            target("    target = 100.5\n"),
        ),
        case("asg-cpu-target-zero", "a target of 0", "target 0 must be greater than 0", target("    target = 0\n")),
        case(
            "asg-network-target-negative",
            "a negative network target",
            "target -5 must be greater than 0",
            target("    metric = \"network_in\"\n    target = -5\n"),
        ),
        case(
            "asg-tracking-metric",
            "metric memory",
            "is not one of \"cpu\", \"network_in\", \"network_out\"",
            target("    metric = \"memory\"\n    target = 50\n"),
        ),
        case(
            "asg-tracking-twice",
            "two tracking blocks for one metric",
            "one target_tracking block per metric",
            base().sub(ASG, "  schedule {", "  target_tracking {\n    target = 60\n  }\n  schedule {"),
        ),
        case(
            "asg-tracking-no-target",
            "a tracking block without a target",
            "missing required attribute `target`",
            target(""),
        ),
    ]
}

fn schedules() -> Vec<Case> {
    let sched = |body: &str| base().sub(ASG, "    desired_capacity = 1\n", body);
    vec![
        case("asg-schedule-desired-above-max", "a scheduled desired capacity above the group's maximum", "scheduled desired_capacity 10 is above the group's maximum 4", sched("    desired_capacity = 10\n")),
        case("asg-schedule-desired-above-own-max", "a scheduled desired capacity above its own maximum", "scheduled desired_capacity 8 is above its maximum 6", sched("    max_size         = 6\n    desired_capacity = 8\n")),
        case("asg-schedule-desired-below-min", "a scheduled desired capacity below its minimum", "scheduled desired_capacity 1 is below its minimum 2", sched("    min_size         = 2\n    desired_capacity = 1\n")),
        case("asg-schedule-min-above-max", "a scheduled minimum above the maximum", "its minimum 5 is above the group's maximum 4", sched("    min_size = 5\n")),
        case("asg-schedule-min-above-own-max", "a scheduled minimum above its own maximum", "its minimum 3 is above its maximum 2", sched("    min_size = 3\n    max_size = 2\n")),
        case("asg-schedule-no-size", "a scheduled action that sets no size", "sets at least one of min_size, max_size and desired_capacity", sched("")),
        case("asg-schedule-negative", "a negative scheduled size", "max_size -2 is out of range (at least 0)", sched("    max_size = -2\n")),
        case("asg-schedule-duplicate-names", "two scheduled actions with one name", "two scheduled actions are named \"night\"", base().inside(ASG, "  schedule {\n    name             = \"night\"\n    recurrence       = \"0 6 * * *\"\n    desired_capacity = 2\n  }\n")),
        case("asg-schedule-name-empty", "an empty scheduled action name", "must not be empty", base().sub(ASG, "\"night\"", "\"\"")),
        case("asg-schedule-name-long", "a scheduled action name of 256 characters", "is 256 characters long; at most 255", base().sub(ASG, "\"night\"", &format!("\"{}\"", "n".repeat(256)))),
        case("asg-schedule-no-recurrence", "a scheduled action without recurrence", "missing required attribute `recurrence`", base().sub(ASG, "    recurrence       = \"0 22 * * *\"\n", "")),
    ]
}

fn crons() -> Vec<Case> {
    [
        ("words", "every night at ten", "it has 4 field(s), cron has 5"),
        ("four-fields", "0 22 * *", "it has 4 field(s)"),
        ("six-fields", "0 0 22 * * *", "it has 6 field(s)"),
        ("rate", "rate(1 day)", "is not a cron expression"),
        ("at-daily", "@daily", "it has 1 field(s)"),
        ("minute-60", "60 22 * * *", "has an invalid minute: `60` is not a value from 0 to 59"),
        ("hour-24", "0 24 * * *", "has an invalid hour: `24` is not a value from 0 to 23"),
        ("day-0", "0 22 0 * *", "has an invalid day of month"),
        ("day-32", "0 22 32 * *", "has an invalid day of month"),
        ("month-13", "0 22 * 13 *", "has an invalid month"),
        ("month-name", "0 22 * JANUARY *", "has an invalid month"),
        ("weekday-8", "0 22 * * 8", "has an invalid day of week"),
        ("weekday-name", "0 22 * * FUN", "has an invalid day of week"),
        ("step-zero", "*/0 * * * *", "has step `0`"),
        ("range-backwards", "0 22 * * 5-1", "the range `5-1` runs backwards"),
        ("quartz-question", "0 22 ? * *", "has an invalid day of month"),
        ("empty", "", "must not be empty"),
    ]
    .iter()
    .map(|(slug, cron, expect)| {
        case(
            &format!("asg-cron-{slug}"),
            &format!("recurrence \"{cron}\" is not a cron expression"),
            expect,
            base().sub(ASG, "\"0 22 * * *\"", &format!("\"{cron}\"")),
        )
    })
    .collect()
}
