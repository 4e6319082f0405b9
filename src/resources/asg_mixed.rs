//! An Auto Scaling group's `mixed_instances` block: several instance types and a share of Spot
//! capacity above an On-Demand base. With it the group is given a MixedInstancesPolicy (its
//! launch template and version, one override per instance type, the instances distribution)
//! in place of a plain LaunchTemplate, in CreateAutoScalingGroup, UpdateAutoScalingGroup and
//! a rolling update's desired configuration alike.

use aws_sdk_autoscaling::types::{
    AutoScalingGroup, DesiredConfiguration, InstancesDistribution, LaunchTemplate, LaunchTemplateOverrides,
    LaunchTemplateSpecification, MixedInstancesPolicy,
};

use super::s;
use crate::model::*;

/// AWS's allocation strategies for Spot capacity (InstancesDistribution.SpotAllocationStrategy).
pub const SPOT_STRATEGIES: &[&str] =
    &["price-capacity-optimized", "capacity-optimized", "capacity-optimized-prioritized", "lowest-price"];

/// Instance types one group's overrides may list (AWS's limit on LaunchTemplate.Overrides).
pub const TYPES_MAX: usize = 40;

pub static MIXED_INSTANCES: &[AttrSpec] = &[
    attr(
        "instance_types",
        Ty::List(&Ty::Str),
        Presence::Required,
        Update::InPlace,
        "Instance types to launch (1 to 40), in order of priority; each overrides the launch template's type.",
    )
    .with(&[Check::Count(TYPES_MAX)]),
    attr(
        "on_demand_base_capacity",
        Ty::Int,
        Presence::Default(Lit::Int(0)),
        Update::InPlace,
        "Instances that are always On-Demand, launched first.",
    )
    .with(super::limits::NOT_NEGATIVE),
    attr(
        "on_demand_percentage_above_base_capacity",
        Ty::Int,
        Presence::Default(Lit::Int(100)),
        Update::InPlace,
        "Percentage of the instances above the base that are On-Demand; the rest are Spot.",
    )
    .with(&[Check::Range(0, 100)]),
    attr(
        "spot_allocation_strategy",
        Ty::Enum(SPOT_STRATEGIES),
        Presence::Default(Lit::Str("price-capacity-optimized")),
        Update::InPlace,
        "How Spot capacity is chosen among the types (AWS's own default is lowest-price; stackr sends AWS's recommendation).",
    ),
    attr(
        "on_demand_allocation_strategy",
        Ty::Enum(&["prioritized", "lowest-price"]),
        Presence::Default(Lit::Str("prioritized")),
        Update::InPlace,
        "How On-Demand capacity is chosen: in the order of instance_types, or cheapest first.",
    ),
];

/// The group's `mixed_instances` block, if declared.
pub fn block(attrs: &Attrs) -> Option<&Attrs> {
    attrs.get("mixed_instances").and_then(|v| v.as_list().first()).and_then(Value::as_map)
}

pub fn template_spec(want: &Attrs) -> LaunchTemplateSpecification {
    LaunchTemplateSpecification::builder()
        .launch_template_id(s(want, "launch_template"))
        .version(s(want, "launch_template_version"))
        .build()
}

fn int(b: &Attrs, k: &str) -> Option<i32> {
    b.get(k).and_then(Value::as_int).and_then(|v| i32::try_from(v).ok())
}

/// The MixedInstancesPolicy `want` asks for, `None` without a `mixed_instances` block.
pub fn policy(want: &Attrs) -> Option<MixedInstancesPolicy> {
    let b = block(want)?;
    let types = b.get("instance_types").map(Value::as_list).unwrap_or_default();
    let overrides =
        types.iter().filter_map(Value::as_str).map(|t| LaunchTemplateOverrides::builder().instance_type(t).build());
    let text = |k: &str| b.get(k).and_then(Value::as_str).map(String::from);
    let distribution = InstancesDistribution::builder()
        .set_on_demand_allocation_strategy(text("on_demand_allocation_strategy"))
        .set_on_demand_base_capacity(int(b, "on_demand_base_capacity"))
        .set_on_demand_percentage_above_base_capacity(int(b, "on_demand_percentage_above_base_capacity"))
        .set_spot_allocation_strategy(text("spot_allocation_strategy"))
        .build();
    let template = LaunchTemplate::builder()
        .launch_template_specification(template_spec(want))
        .set_overrides(Some(overrides.collect()));
    Some(MixedInstancesPolicy::builder().launch_template(template.build()).instances_distribution(distribution).build())
}

/// What a group launches from, as Create/UpdateAutoScalingGroup take it: one of the two forms.
pub fn launch(want: &Attrs) -> (Option<LaunchTemplateSpecification>, Option<MixedInstancesPolicy>) {
    match policy(want) {
        Some(p) => (None, Some(p)),
        None => (Some(template_spec(want)), None),
    }
}

/// A rolling update's desired configuration: the mixed policy (with the new version) for a
/// group that has one, since a LaunchTemplate there would drop the policy when AWS applies it.
pub fn desired(want: &Attrs) -> DesiredConfiguration {
    match launch(want) {
        (_, Some(p)) => DesiredConfiguration::builder().mixed_instances_policy(p).build(),
        (spec, None) => DesiredConfiguration::builder().set_launch_template(spec).build(),
    }
}

/// The group's launch template and version, from whichever form it launches with.
pub fn live_template(g: &AutoScalingGroup) -> (Option<String>, Option<String>) {
    let mixed =
        g.mixed_instances_policy().and_then(|m| m.launch_template()).and_then(|l| l.launch_template_specification());
    let lt = mixed.or(g.launch_template());
    (lt.and_then(|l| l.launch_template_id()).map(String::from), lt.and_then(|l| l.version()).map(String::from))
}

/// The live `mixed_instances` blocks: empty without a policy. A setting AWS leaves out is its
/// default, which is what it applies.
pub fn live(g: &AutoScalingGroup) -> Value {
    let Some(m) = g.mixed_instances_policy() else { return Value::List(vec![]) };
    let types = m.launch_template().map(|l| l.overrides()).unwrap_or_default();
    let types = types.iter().filter_map(|o| o.instance_type()).map(Value::str).collect();
    let d = m.instances_distribution();
    let n = |v: Option<i32>, default: i64| Value::Int(v.map_or(default, i64::from));
    let text = |v: Option<&str>, default: &str| Value::str(v.unwrap_or(default));
    let block = Attrs::from([
        ("instance_types".into(), Value::List(types)),
        ("on_demand_base_capacity".into(), n(d.and_then(|d| d.on_demand_base_capacity()), 0)),
        (
            "on_demand_percentage_above_base_capacity".into(),
            n(d.and_then(|d| d.on_demand_percentage_above_base_capacity()), 100),
        ),
        ("spot_allocation_strategy".into(), text(d.and_then(|d| d.spot_allocation_strategy()), "lowest-price")),
        (
            "on_demand_allocation_strategy".into(),
            text(d.and_then(|d| d.on_demand_allocation_strategy()), "prioritized"),
        ),
    ]);
    Value::List(vec![Value::Map(block)])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn want() -> Attrs {
        let block = Attrs::from([
            ("instance_types".into(), Value::List(vec![Value::str("t3.micro"), Value::str("t3a.micro")])),
            ("on_demand_base_capacity".into(), Value::Int(1)),
            ("on_demand_percentage_above_base_capacity".into(), Value::Int(0)),
            ("spot_allocation_strategy".into(), Value::str("price-capacity-optimized")),
            ("on_demand_allocation_strategy".into(), Value::str("prioritized")),
        ]);
        Attrs::from([
            ("launch_template".into(), Value::str("lt-1")),
            ("launch_template_version".into(), Value::str("3")),
            ("mixed_instances".into(), Value::List(vec![Value::Map(block)])),
        ])
    }

    #[test]
    fn the_policy_carries_the_template_version_and_one_override_per_type() {
        let (spec, Some(p)) = launch(&want()) else { panic!("a mixed policy") };
        assert!(spec.is_none(), "never both forms");
        let lt = p.launch_template().unwrap();
        let s = lt.launch_template_specification().unwrap();
        assert_eq!((s.launch_template_id(), s.version()), (Some("lt-1"), Some("3")));
        let types: Vec<_> = lt.overrides().iter().filter_map(|o| o.instance_type()).collect();
        assert_eq!(types, ["t3.micro", "t3a.micro"]);
        let d = p.instances_distribution().unwrap();
        assert_eq!(d.on_demand_base_capacity(), Some(1));
        assert_eq!(d.on_demand_percentage_above_base_capacity(), Some(0));
        assert!(desired(&want()).mixed_instances_policy().is_some());
        assert!(desired(&want()).launch_template().is_none(), "a refresh keeps the policy");
    }

    #[test]
    fn a_group_read_back_gives_the_block_it_was_made_from() {
        let g = AutoScalingGroup::builder().set_mixed_instances_policy(policy(&want())).build();
        assert_eq!(&live(&g), want().get("mixed_instances").unwrap());
        assert_eq!(live_template(&g), (Some("lt-1".into()), Some("3".into())));
        let mut plain = want();
        plain.remove("mixed_instances");
        let (spec, p) = launch(&plain);
        assert!(spec.is_some() && p.is_none());
        let g = AutoScalingGroup::builder().set_launch_template(spec).build();
        assert_eq!(live(&g), Value::List(vec![]));
        assert_eq!(live_template(&g).1.as_deref(), Some("3"));
    }
}
