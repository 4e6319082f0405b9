"""Reads of moto's in-memory account (the truth behind every response), for the behaviours that
must know what uses what: which instances and load balancers sit in a subnet or a group, which
public addresses are mapped in a VPC, which gateway a VPC has.
"""

from __future__ import annotations


def ec2(call):
    from moto.ec2.models import ec2_backends

    return ec2_backends[call.account][call.region]


def elbv2(call):
    from moto.elbv2.models import elbv2_backends

    return elbv2_backends[call.account][call.region]


def autoscaling(call):
    from moto.autoscaling.models import autoscaling_backends

    return autoscaling_backends[call.account][call.region]


def iam(call):
    from moto.iam.models import iam_backends

    return iam_backends[call.account][call.context.partition or "aws"]


def instance(call, instance_id: str):
    try:
        return ec2(call).get_instance(instance_id)
    except Exception:
        return None


def live_instances(call) -> list:
    """Instances that are not terminated (moto's own state)."""
    return [i for i in ec2(call).all_instances() if i.state != "terminated"]


def instance_groups(inst) -> set[str]:
    return {g.id for g in (inst.security_groups or [])}


def instance_vpc(call, inst) -> str | None:
    subnet = subnet_obj(call, inst.subnet_id)
    return subnet.vpc_id if subnet else None


def subnet_obj(call, subnet_id: str | None):
    if not subnet_id:
        return None
    try:
        return ec2(call).get_subnet(subnet_id)
    except Exception:
        return None


def subnet_vpc(call, subnet_id: str) -> str | None:
    s = subnet_obj(call, subnet_id)
    return s.vpc_id if s else None


def subnet_az(call, subnet_id: str) -> str | None:
    s = subnet_obj(call, subnet_id)
    return s.availability_zone if s else None


def load_balancers(call) -> list:
    return list(elbv2(call).load_balancers.values())


def lb_subnets(lb) -> set[str]:
    return {getattr(s, "id", s) for s in (lb.subnets or [])}


def attached_gateway(call, vpc_id: str | None):
    """The internet gateway attached to `vpc_id`, if any."""
    if not vpc_id:
        return None
    for igw in ec2(call).internet_gateways.values():
        if igw.vpc is not None and igw.vpc.id == vpc_id:
            return igw
    return None


def mapped_public_ips(call, vpc_id: str) -> list[str]:
    """What holds a public address in `vpc_id`: instances with one, associated Elastic IPs,
    internet-facing load balancers."""
    found = []
    for inst in live_instances(call):
        if instance_vpc(call, inst) == vpc_id and inst.public_ip:
            found.append(inst.id)
    for addr in ec2(call).addresses:
        target = addr.instance or addr.eni
        if target is None:
            continue
        subnet_id = getattr(target, "subnet_id", None) or getattr(getattr(target, "subnet", None), "id", None)
        if subnet_id and subnet_vpc(call, subnet_id) == vpc_id:
            found.append(addr.allocation_id or addr.public_ip)
    for lb in load_balancers(call):
        if lb.vpc_id == vpc_id and lb.scheme == "internet-facing":
            found.append(lb.arn)
    return found


def route_table_of_subnet(call, subnet_id: str):
    """The explicit (non-main) route table association of `subnet_id`: (table id, association id)."""
    for rt in ec2(call).route_tables.values():
        for assoc_id, sid in rt.associations.items():
            if sid == subnet_id:
                return rt.id, assoc_id
    return None
