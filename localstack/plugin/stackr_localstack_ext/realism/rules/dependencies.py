"""Dependencies on delete.

What uses a subnet, a security group or a VPC's public addresses keeps it: running instances
and load balancers (their network interfaces), and for a while after they are deleted, the
interfaces they leave behind (a load balancer's linger for minutes,
hashicorp/terraform-provider-aws#30470; an instance's until it has terminated). Deleting a held
subnet or group answers DependencyViolation, releasing a network load balancer's Elastic IP
InvalidIPAddress.InUse, and detaching a gateway while public addresses are
mapped in its VPC too (https://docs.aws.amazon.com/vpc/latest/userguide/delete-vpc.html).
IAM's DeleteUser answers DeleteConflict while the user has a password, access keys, MFA devices,
SSH keys, signing certificates or group memberships (moto checks only policies;
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_users_remove.html).
"""

from __future__ import annotations

from .. import backend
from ..core import fail
from ..state import FACTS, Hold, now


def _holds(call) -> list[Hold]:
    p = call.profile
    with FACTS.lock:
        holds = list(FACTS.holds)
    live = []
    for h in holds:
        window = p.eni_linger if h.kind == "lb" else p.instance_shutting_down
        if call.within(now() - h.at, window):
            live.append(h)
    return live


def _users_of_group(call, group_id: str) -> list[str]:
    users = [i.id for i in backend.live_instances(call) if group_id in backend.instance_groups(i)]
    users += [lb.name for lb in backend.load_balancers(call) if group_id in (lb.security_groups or [])]
    users += [h.what for h in _holds(call) if group_id in h.groups]
    for g in backend.ec2(call).groups.get(_group_vpc(call, group_id), {}).values():
        rules = list(g.ingress_rules) + list(g.egress_rules)
        if g.id != group_id and any(group_id in _rule_groups(r) for r in rules):
            users.append(g.id)
    return users


def _group_vpc(call, group_id: str):
    g = backend.ec2(call).get_security_group_from_id(group_id)
    return g.vpc_id if g else None


def _rule_groups(rule) -> set[str]:
    out = set()
    for src in getattr(rule, "source_groups", []) or []:
        gid = src.get("GroupId") if isinstance(src, dict) else getattr(src, "id", None)
        if gid:
            out.add(gid)
    return out


def _users_of_subnet(call, subnet_id: str) -> list[str]:
    users = [i.id for i in backend.live_instances(call) if i.subnet_id == subnet_id]
    users += [lb.name for lb in backend.load_balancers(call) if subnet_id in backend.lb_subnets(lb)]
    users += [h.what for h in _holds(call) if subnet_id in h.subnets]
    return users


def check(call) -> None:
    if not call.profile.dependencies:
        return
    if call.service == "iam" and call.op == "DeleteUser":
        _check_user(call, call.params.get("UserName", ""))
    if call.service != "ec2":
        return
    p, op = call.params, call.op
    if op == "DeleteSecurityGroup" and p.get("GroupId"):
        users = _users_of_group(call, p["GroupId"])
        # Interfaces left by deleted objects answer InvalidGroup.InUse, live users DependencyViolation
        # (both happen on AWS; terraform-provider-aws retries both).
        if users and all(u.startswith(("load balancer ", "instance ")) for u in users):
            fail("InvalidGroup.InUse", f"Group {p['GroupId']} is in use by network interfaces that are being released")
        if users:
            fail("DependencyViolation", f"resource {p['GroupId']} has a dependent object")
    elif op == "DeleteSubnet":
        if _users_of_subnet(call, p.get("SubnetId", "")):
            fail("DependencyViolation", f"The subnet '{p['SubnetId']}' has dependencies and cannot be deleted.")
    elif op == "DetachInternetGateway":
        vpc = p.get("VpcId", "")
        mapped = backend.mapped_public_ips(call, vpc) + [h.what for h in _holds(call) if h.vpc == vpc and h.public]
        if mapped:
            fail(
                "DependencyViolation",
                f"Network {vpc} has some mapped public address(es). Please unmap those public address(es) "
                "before detaching the gateway.",
            )
    elif op == "DeleteInternetGateway":
        igw = backend.ec2(call).internet_gateways.get(p.get("InternetGatewayId", ""))
        if igw is not None and igw.vpc is not None:
            fail("DependencyViolation", f"The internetGateway '{igw.id}' has dependencies and cannot be deleted.")
    elif op == "DeleteVpc":
        _check_vpc(call, p.get("VpcId", ""))
    elif op == "ReleaseAddress" and p.get("AllocationId"):
        _check_address(call, p["AllocationId"])


def _check_address(call, alloc: str) -> None:
    """A network load balancer's Elastic IP is associated with its interface while it lives and
    while that interface lingers after it is deleted."""
    users = [lb.name for lb in backend.load_balancers(call) if alloc in getattr(lb, "_stackr_allocations", {}).values()]
    users += [h.what for h in _holds(call) if alloc in h.allocations]
    if users:
        fail("InvalidIPAddress.InUse", f"Address {alloc} is in use.")


def _check_user(call, name: str) -> None:
    iam = backend.iam(call)
    user = iam.users.get(name)
    if user is None:
        return
    held = [
        ("login profile", bool(user.password)),
        ("access keys", bool(user.access_keys)),
        ("MFA device", bool(user.mfa_devices)),
        ("SSH public keys", bool(user.ssh_public_keys)),
        ("signing certificates", bool(user.signing_certificates)),
    ]
    for what, present in held:
        if present:
            fail("DeleteConflict", f"Cannot delete entity, must delete {what} first.", 409)
    if any(user in g.users for g in iam.groups.values()):
        fail("DeleteConflict", "Cannot delete entity, must remove users from group first.", 409)


def _check_vpc(call, vpc_id: str) -> None:
    ec2 = backend.ec2(call)
    subnets = [s for zone in ec2.subnets.values() for s in zone.values() if s.vpc_id == vpc_id]
    groups = [g for g in ec2.groups.get(vpc_id, {}).values() if g.name != "default"]
    gateways = [g for g in ec2.internet_gateways.values() if g.vpc is not None and g.vpc.id == vpc_id]
    tables = [t for t in ec2.route_tables.values() if t.vpc_id == vpc_id and t.main_association_id is None]
    if subnets or groups or gateways or tables or any(h.vpc == vpc_id for h in _holds(call)):
        fail("DependencyViolation", f"The vpc '{vpc_id}' has dependencies and cannot be deleted.")


def _instance_hold(call, instance_id: str, live_only: bool = True):
    inst = backend.instance(call, instance_id)
    if inst is None or (live_only and inst.state == "terminated"):
        return None
    vpc = backend.instance_vpc(call, inst)
    return Hold(now(), f"instance {inst.id}", vpc, {inst.subnet_id}, backend.instance_groups(inst), bool(inst.public_ip), "instance")


def capture(call) -> None:
    """Before a load balancer is deleted, remember where its interfaces are."""
    if call.service == "elbv2" and call.op == "DeleteLoadBalancer":
        lb = backend.elbv2(call).load_balancers.get(call.params.get("LoadBalancerArn", ""))
        if lb is not None:
            call.lb_hold = Hold(
                now(), f"load balancer {lb.name}", lb.vpc_id, backend.lb_subnets(lb), set(lb.security_groups or []),
                lb.scheme == "internet-facing", "lb", set(getattr(lb, "_stackr_allocations", {}).values()),
            )
    elif call.service == "ec2" and call.op == "TerminateInstances":
        call.terminating = [_instance_hold(call, i) for i in call.params.get("InstanceIds") or []]


def after(call, _response) -> None:
    new = [getattr(call, "lb_hold", None)] + list(getattr(call, "terminating", []))
    new = [h for h in new if h is not None]
    if new:
        with FACTS.lock:
            FACTS.holds = [h for h in FACTS.holds if now() - h.at < 3600] + new


def record_group_terminations(call, instance_ids) -> None:
    """Instances an Auto Scaling group terminated leave interfaces too (called by asg.py)."""
    holds = [_instance_hold(call, i, live_only=False) for i in instance_ids]
    with FACTS.lock:
        FACTS.holds += [h for h in holds if h is not None]
