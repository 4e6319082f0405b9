"""Validation AWS does and moto skips.

Each check answers with AWS's code and message: an instance keeps at least one security group
(ModifyInstanceAttribute with an empty group list sends no attribute at all); an application
load balancer has subnets in two zones at every moment; an internet-facing one needs the VPC's
internet gateway, as an Elastic IP association does; a subnet has one explicit route table
association; a volume attaches only in its instance's zone; EC2 takes at most 200 filter values
per call; ELBv2 DescribeTags fails the whole batch for one missing ARN; a network load balancer
never loses a subnet, never gains security groups when made without any (nor loses all it has),
and each type of load balancer refuses the other's attributes; Elastic IPs only on network ones.
"""

from __future__ import annotations

from .. import backend
from ..core import fail

ATTRIBUTES = (
    "Attribute", "Value", "Groups", "InstanceType", "SourceDestCheck", "DisableApiTermination", "UserData",
    "InstanceInitiatedShutdownBehavior", "EbsOptimized", "Kernel", "Ramdisk", "SriovNetSupport", "EnaSupport",
    "BlockDeviceMappings", "DisableApiStop",
)


def check(call) -> None:
    p = call.profile
    if call.service == "ec2" and p.filter_value_limit:
        n = sum(len(f.get("Values") or []) for f in call.params.get("Filters") or [])
        if n > p.filter_value_limit:
            fail("FilterLimitExceeded", f"The maximum number of filter values specified on a single call is {p.filter_value_limit}")
    if not p.validation:
        return
    rule = RULES.get((call.service, call.op))
    if rule:
        rule(call, call.params)


def _modify_instance(call, p) -> None:
    if not any(p.get(a) not in (None, [], {}) for a in ATTRIBUTES):
        fail("InvalidParameterCombination", "No attributes specified.")


def _two_zones(call, subnet_ids, lb_type: str) -> None:
    if lb_type != "application":
        return
    zones = {backend.subnet_az(call, s) for s in subnet_ids}
    if len(zones) < 2:
        fail("ValidationError", "At least two subnets in two different Availability Zones must be specified")


def _create_lb(call, p) -> None:
    _mappings(call, p)
    subnets = list(p.get("Subnets") or []) + [m.get("SubnetId") for m in p.get("SubnetMappings") or []]
    _two_zones(call, subnets, p.get("Type") or "application")
    if (p.get("Scheme") or "internet-facing") == "internet-facing" and subnets:
        vpc = backend.subnet_vpc(call, subnets[0])
        if vpc and backend.attached_gateway(call, vpc) is None:
            fail("InvalidSubnet", f"VPC {vpc} has no internet gateway")


def _set_subnets(call, p) -> None:
    lb = backend.elbv2(call).load_balancers.get(p.get("LoadBalancerArn", ""))
    subnets = list(p.get("Subnets") or []) + [m.get("SubnetId") for m in p.get("SubnetMappings") or []]
    _two_zones(call, subnets, getattr(lb, "type", None) or "application")
    if lb is not None and lb.type == "network" and backend.lb_subnets(lb) - set(subnets):
        fail("ValidationError", "You cannot remove subnets from a Network Load Balancer")


def _mappings(call, p) -> None:
    if (p.get("Type") or "application") != "network" and any(m.get("AllocationId") for m in p.get("SubnetMappings") or []):
        fail("InvalidConfigurationRequest", "Elastic IP addresses can be specified only for Network Load Balancers")


def _set_security_groups(call, p) -> None:
    lb = backend.elbv2(call).load_balancers.get(p.get("LoadBalancerArn", ""))
    if lb is None or lb.type != "network":
        return
    had, has = bool(lb.security_groups), bool(p.get("SecurityGroups"))
    if not had and has:
        fail("InvalidConfigurationRequest", "You cannot set security groups on a Network Load Balancer which was created without any security groups.")
    if had and not has:
        fail("InvalidConfigurationRequest", "You cannot remove all security groups from a Network Load Balancer which was created with security groups.")


# Load balancer attributes only one type has.
ONLY = {
    "network": {"idle_timeout.timeout_seconds", "routing.http2.enabled", "routing.http.drop_invalid_header_fields.enabled"},
    "application": {"dns_record.client_routing_policy"},
}


def _lb_attributes(call, p) -> None:
    lb = backend.elbv2(call).load_balancers.get(p.get("LoadBalancerArn", ""))
    if lb is None:
        return
    for a in p.get("Attributes") or []:
        if a.get("Key") in ONLY.get(lb.type, ()):
            fail("ValidationError", f"Load balancer attribute key '{a['Key']}' is not supported on load balancers with type '{lb.type}'")


def _associate_address(call, p) -> None:
    if p.get("InstanceId"):
        inst = backend.instance(call, p["InstanceId"])
        vpc = backend.instance_vpc(call, inst) if inst else None
    elif p.get("NetworkInterfaceId"):
        eni = backend.ec2(call).enis.get(p["NetworkInterfaceId"])
        vpc = backend.subnet_vpc(call, eni.subnet.id) if eni else None
    else:
        return
    if vpc and backend.attached_gateway(call, vpc) is None:
        fail("Gateway.NotAttached", f"Network {vpc} is not attached to any internet gateway")


def _associate_route_table(call, p) -> None:
    subnet = p.get("SubnetId")
    held = backend.route_table_of_subnet(call, subnet) if subnet else None
    if held:
        fail(
            "Resource.AlreadyAssociated",
            f"the specified association for route table {p.get('RouteTableId')} conflicts with an existing association",
        )


def _attach_volume(call, p) -> None:
    ec2 = backend.ec2(call)
    volume = ec2.volumes.get(p.get("VolumeId", ""))
    inst = backend.instance(call, p.get("InstanceId", ""))
    if volume is None or inst is None:
        return
    zone = backend.subnet_az(call, inst.subnet_id) or getattr(inst, "placement", None)
    if zone and volume.zone.name != zone:
        fail(
            "InvalidVolume.ZoneMismatch",
            f"The volume '{volume.id}' is not in the same availability zone as instance '{inst.id}'",
        )


def _elb_describe_tags(call, p) -> None:
    elb = backend.elbv2(call)
    for arn in p.get("ResourceArns") or []:
        if ":loadbalancer/" in arn and arn not in elb.load_balancers:
            fail("LoadBalancerNotFound", "One or more load balancers not found", 400)
        if ":targetgroup/" in arn and arn not in elb.target_groups:
            fail("TargetGroupNotFound", "One or more target groups not found", 400)


RULES = {
    ("ec2", "ModifyInstanceAttribute"): _modify_instance,
    ("elbv2", "CreateLoadBalancer"): _create_lb,
    ("elbv2", "SetSubnets"): _set_subnets,
    ("elbv2", "SetSecurityGroups"): _set_security_groups,
    ("elbv2", "ModifyLoadBalancerAttributes"): _lb_attributes,
    ("ec2", "AssociateAddress"): _associate_address,
    ("ec2", "AssociateRouteTable"): _associate_route_table,
    ("ec2", "AttachVolume"): _attach_volume,
    ("elbv2", "DescribeTags"): _elb_describe_tags,
}
