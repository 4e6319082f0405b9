//! Rolling updates: one block, health percentages AWS takes together, checkpoints that are
//! percentages, and a rollback AWS can do.

use super::{Case, base, case};

const ASG: &str = "autoscaling_group \"web\"";
const TAIL: &str = "  schedule {\n    name             = \"night\"";

fn rolling(body: &str) -> super::Stack {
    base().sub(ASG, TAIL, &format!("  rolling_update {{\n{body}  }}\n{TAIL}"))
}

pub fn cases() -> Vec<Case> {
    vec![
        case(
            "asg-rolling-min-above-100",
            "min_healthy_percentage 101",
            "min_healthy_percentage 101 is out of range",
            rolling("    min_healthy_percentage = 101\n"),
        ),
        case(
            "asg-rolling-max-below-100",
            "max_healthy_percentage 90",
            "max_healthy_percentage 90 is out of range",
            rolling("    max_healthy_percentage = 90\n"),
        ),
        case(
            "asg-rolling-spread",
            "max_healthy_percentage 200 over a minimum of 50",
            "max_healthy_percentage 200 must be at least min_healthy_percentage 50 and at most 100 above it",
            rolling("    min_healthy_percentage = 50\n    max_healthy_percentage = 200\n"),
        ),
        case(
            "asg-rolling-checkpoint-zero",
            "a checkpoint at 0%",
            "checkpoint 0 is not a percentage from 1 to 100",
            rolling("    checkpoints = [0, 50]\n"),
        ),
        case(
            "asg-rolling-two-blocks",
            "two rolling_update blocks",
            "an Auto Scaling group has one rolling_update block",
            rolling("  }\n  rolling_update {\n"),
        ),
        case(
            "asg-rolling-rollback-literal-template",
            "auto_rollback with a template outside the stack and version $Default",
            "AWS rolls back only to a numbered launch template version",
            base().set(ASG, "launch_template", "\"lt-0123456789abcdef0\""),
        ),
    ]
}
