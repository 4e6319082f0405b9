//! Warm pools and mixed instances: instance types AWS takes as overrides (1 to 40, each once),
//! percentages and Spot strategies it knows, a pool whose minimum fits its maximum, and never
//! a warm pool beside a mixed policy.

use super::{Case, base, case};

const ASG: &str = "autoscaling_group \"web\"";
const TAIL: &str = "  schedule {\n    name             = \"night\"";

fn with(block: &str) -> super::Stack {
    base().sub(ASG, TAIL, &format!("{block}{TAIL}"))
}

fn mixed(body: &str) -> super::Stack {
    with(&format!("  mixed_instances {{\n{body}  }}\n"))
}

const TYPES: &str = "    instance_types = [\"t3.micro\", \"t3a.micro\"]\n";

pub fn cases() -> Vec<Case> {
    let many: Vec<String> = (0..41).map(|i| format!("\"t3.x{i}\"")).collect();
    vec![
        case(
            "asg-mixed-no-types",
            "mixed_instances with an empty instance_types",
            "mixed_instances needs at least one instance type",
            mixed("    instance_types = []\n"),
        ),
        case(
            "asg-mixed-41-types",
            "41 instance types",
            "at most 40",
            mixed(&format!("    instance_types = [{}]\n", many.join(", "))),
        ),
        case(
            "asg-mixed-type-twice",
            "the same instance type twice",
            "instance type \"t3.micro\" is listed twice",
            mixed("    instance_types = [\"t3.micro\", \"t3.micro\"]\n"),
        ),
        case(
            "asg-mixed-percentage-above-100",
            "on_demand_percentage_above_base_capacity 150",
            "on_demand_percentage_above_base_capacity 150 is out of range",
            mixed(&format!("{TYPES}    on_demand_percentage_above_base_capacity = 150\n")),
        ),
        case(
            "asg-mixed-negative-base",
            "a negative on_demand_base_capacity",
            "on_demand_base_capacity -1",
            mixed(&format!("{TYPES}    on_demand_base_capacity = -1\n")),
        ),
        case(
            "asg-mixed-unknown-strategy",
            "a Spot allocation strategy AWS does not have",
            "price-capacity-optimized",
            mixed(&format!("{TYPES}    spot_allocation_strategy = \"cheapest\"\n")),
        ),
        case(
            "asg-warm-bad-state",
            "a warm pool state AWS does not have",
            "Hibernated",
            with("  warm_pool {\n    pool_state = \"Sleeping\"\n  }\n"),
        ),
        case(
            "asg-warm-min-above-max",
            "a warm pool min_size above its max_group_prepared_capacity",
            "the warm pool's min_size 3 is above its max_group_prepared_capacity 2",
            with("  warm_pool {\n    min_size = 3\n    max_group_prepared_capacity = 2\n  }\n"),
        ),
        case(
            "asg-warm-with-mixed",
            "a warm pool beside mixed instances",
            "AWS does not give a warm pool to a group with a mixed instances policy",
            with(&format!("  warm_pool {{\n    min_size = 1\n  }}\n  mixed_instances {{\n{TYPES}  }}\n")),
        ),
        case(
            "asg-warm-two-blocks",
            "two warm_pool blocks",
            "an Auto Scaling group has one warm_pool block",
            with("  warm_pool {\n  }\n  warm_pool {\n  }\n"),
        ),
    ]
}
