"""NAT gateways.

A NAT gateway is `pending` for a minute or two after CreateNatGateway and `deleting` for about a
minute after DeleteNatGateway (https://docs.aws.amazon.com/vpc/latest/userguide/nat-gateway-working-with.html).
A public one in a VPC without an attached internet gateway goes `failed` with FailureCode
`Gateway.NotAttached`. Until it is `deleted` it holds its Elastic IP (ReleaseAddress and
DisassociateAddress answer `AuthFailure`, as seen in eformat/sno-for-100#5 and
terraform-provider-aws#4675), its subnet (DeleteSubnet `DependencyViolation`) and a public
address in its VPC (DetachInternetGateway `DependencyViolation`). CreateRoute to a `pending`
gateway is accepted, as on AWS.

moto makes gateways `available` at once and `deleted` at once, keeps the deleted gateway's
address associated and its interface in place for ever, ignores tag filters on
DescribeNatGateways and answers an empty list for an unknown id: the first three are fixed for
every caller, the last answers `NatGatewayNotFound` under `validation`.
"""

from __future__ import annotations

from .. import backend
from ..core import fail
from ..state import FACTS, now


def _record(call) -> None:
    nat = call.out.get("NatGateway") or {}
    ident = nat.get("NatGatewayId")
    if not ident:
        return
    addrs = nat.get("NatGatewayAddresses") or [{}]
    vpc = backend.subnet_vpc(call, nat.get("SubnetId", ""))
    with FACTS.lock:
        FACTS.nats.setdefault(ident, {
            "created": now(),
            "deleted": None,
            "allocation": addrs[0].get("AllocationId"),
            "association": addrs[0].get("AssociationId"),
            "subnet": nat.get("SubnetId"),
            "vpc": vpc,
            "no_gateway": backend.attached_gateway(call, vpc) is None,
        })


def _let_go(call, ident: str) -> None:
    """What AWS does once the gateway is gone and moto never does: free its address and interface."""
    ec2 = backend.ec2(call)
    nat = ec2.nat_gateways.get(ident)
    if nat is None:
        return
    for a in nat.address_set:
        try:
            if a.get("associationId"):
                ec2.disassociate_address(association_id=a["associationId"])
        except Exception:  # already gone
            pass
    try:
        ec2.delete_network_interface(nat._eni.id)
    except Exception:
        pass
    with FACTS.lock:
        fact = FACTS.nats.get(ident)
        if fact is not None and fact["deleted"] is None:
            fact["deleted"] = now()


def state(call, ident: str) -> tuple[str, dict | None]:
    """The state a caller of this profile sees, and the failure to show with `failed`."""
    with FACTS.lock:
        fact = dict(FACTS.nats.get(ident) or {})
    if not fact:
        return "", None
    p = call.profile
    if fact["deleted"] is not None:
        return ("deleting" if call.within(now() - fact["deleted"], p.nat_deleting) else "deleted"), None
    if call.within(now() - fact["created"], p.nat_pending):
        return "pending", None
    if p.validation and fact["no_gateway"]:
        vpc = fact["vpc"]
        return "failed", {"FailureCode": "Gateway.NotAttached",
                          "FailureMessage": f"Network {vpc} has no Internet gateway attached"}
    return "available", None


def _holding(call) -> list[dict]:
    """Gateways that still hold their address, subnet and public address for this caller."""
    with FACTS.lock:
        ids = list(FACTS.nats)
    out = []
    for ident in ids:
        s, _ = state(call, ident)
        if s in ("pending", "available", "deleting"):
            with FACTS.lock:
                out.append({"id": ident, **FACTS.nats[ident]})
    return out


def check(call) -> None:
    if call.service != "ec2":
        return
    p, op = call.params, call.op
    if op == "DescribeNatGateways" and call.profile.validation:
        known = backend.ec2(call).nat_gateways
        for ident in p.get("NatGatewayIds") or []:
            if ident not in known:
                fail("NatGatewayNotFound", f"NAT gateway {ident} was not found")
    if not call.profile.dependencies:
        return
    if op in ("ReleaseAddress", "DisassociateAddress"):
        for nat in _holding(call):
            if p.get("AllocationId") == nat["allocation"] or (
                p.get("AssociationId") and p.get("AssociationId") == nat["association"]
            ):
                fail("AuthFailure", "You do not have permission to access the specified resource.")
    elif op == "DeleteSubnet":
        if any(nat["subnet"] == p.get("SubnetId") for nat in _holding(call)):
            fail("DependencyViolation", f"The subnet '{p['SubnetId']}' has dependencies and cannot be deleted.")
    elif op == "DetachInternetGateway":
        vpc = p.get("VpcId", "")
        if any(nat["vpc"] == vpc for nat in _holding(call)):
            fail(
                "DependencyViolation",
                f"Network {vpc} has some mapped public address(es). Please unmap those public address(es) "
                "before detaching the gateway.",
            )


def after(call, _response) -> None:
    if call.service != "ec2":
        return
    if call.op == "CreateNatGateway":
        _record(call)
        _overlay(call, [call.out.get("NatGateway") or {}])
    elif call.op == "DeleteNatGateway":
        _let_go(call, call.params.get("NatGatewayId", ""))
    elif call.op == "DescribeNatGateways":
        _filter_tags(call)
        _overlay(call, call.out.get("NatGateways") or [])


def _overlay(call, nats: list) -> None:
    for nat in nats:
        s, failure = state(call, nat.get("NatGatewayId", ""))
        if s and nat.get("State") != s:
            nat["State"] = s
            if failure:
                nat.update(failure)
            call.rewrite()


def _filter_tags(call) -> None:
    """moto ignores tag filters on DescribeNatGateways: apply `tag:KEY` and `tag-key` here."""
    filters = call.params.get("Filter") or []
    wanted = [(f.get("Name", ""), set(f.get("Values") or [])) for f in filters]
    wanted = [(n, v) for n, v in wanted if n.startswith("tag:") or n == "tag-key"]
    if not wanted:
        return

    def keep(nat) -> bool:
        tags = {t.get("Key"): t.get("Value") for t in nat.get("Tags") or []}
        for name, values in wanted:
            if name == "tag-key" and not values & set(tags):
                return False
            if name.startswith("tag:") and tags.get(name[4:]) not in values:
                return False
        return True

    before = call.out.get("NatGateways") or []
    kept = [n for n in before if keep(n)]
    if len(kept) != len(before):
        call.out["NatGateways"] = kept
        call.rewrite()
