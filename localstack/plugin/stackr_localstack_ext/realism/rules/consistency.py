"""Eventual consistency of EC2 and IAM.

For a while after a create, EC2 answers `*.NotFound` for calls that name the new object by id,
and listings do not show it yet (https://docs.aws.amazon.com/ec2/latest/devguide/eventual-consistency.html).
A VPC's main route table, default security group and network ACL are born with it and are as
new. IAM objects are not yet usable by other services: AddRoleToInstanceProfile answers
NoSuchEntity for a new role, EC2 and Auto Scaling reject a new instance profile, and a trust
policy naming a new principal is "Invalid principal in policy"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html#troubleshoot_general_eventual-consistency).
"""

from __future__ import annotations

import json
import urllib.parse

from .. import backend
from ..core import fail
from ..state import FACTS, now

# Where a create's response holds the new id.
CREATED = {
    "CreateVpc": ("Vpc", "VpcId"),
    "CreateSubnet": ("Subnet", "SubnetId"),
    "CreateSecurityGroup": (None, "GroupId"),
    "CreateInternetGateway": ("InternetGateway", "InternetGatewayId"),
    "CreateRouteTable": ("RouteTable", "RouteTableId"),
    "AllocateAddress": (None, "AllocationId"),
    "CreateVolume": (None, "VolumeId"),
    "CreateLaunchTemplate": ("LaunchTemplate", "LaunchTemplateId"),
    "CreateNatGateway": ("NatGateway", "NatGatewayId"),
    "CreateNetworkInterface": ("NetworkInterface", "NetworkInterfaceId"),
}

NOT_FOUND = {
    "vpc-": ("InvalidVpcID.NotFound", "The vpc ID '{}' does not exist"),
    "subnet-": ("InvalidSubnetID.NotFound", "The subnet ID '{}' does not exist"),
    "sg-": ("InvalidGroup.NotFound", "The security group '{}' does not exist"),
    "i-": ("InvalidInstanceID.NotFound", "The instance ID '{}' does not exist"),
    "igw-": ("InvalidInternetGatewayID.NotFound", "The internetGateway ID '{}' does not exist"),
    "rtb-": ("InvalidRouteTableID.NotFound", "The routeTable ID '{}' does not exist"),
    "eipalloc-": ("InvalidAllocationID.NotFound", "The allocation ID '{}' does not exist"),
    "vol-": ("InvalidVolume.NotFound", "The volume '{}' does not exist."),
    "lt-": ("InvalidLaunchTemplateId.NotFound", "The specified launch template, with template ID {}, does not exist."),
    "nat-": ("NatGatewayNotFound", "The Nat Gateway {} was not found"),
    "eni-": ("InvalidNetworkInterfaceID.NotFound", "The networkInterface ID '{}' does not exist"),
    "acl-": ("InvalidNetworkAclID.NotFound", "The networkAcl ID '{}' does not exist"),
}

# Listings: the list in the response, and each item's id.
LISTINGS = {
    "DescribeVpcs": ("Vpcs", "VpcId"),
    "DescribeSubnets": ("Subnets", "SubnetId"),
    "DescribeSecurityGroups": ("SecurityGroups", "GroupId"),
    "DescribeInternetGateways": ("InternetGateways", "InternetGatewayId"),
    "DescribeRouteTables": ("RouteTables", "RouteTableId"),
    "DescribeAddresses": ("Addresses", "AllocationId"),
    "DescribeVolumes": ("Volumes", "VolumeId"),
    "DescribeLaunchTemplates": ("LaunchTemplates", "LaunchTemplateId"),
    "DescribeNatGateways": ("NatGateways", "NatGatewayId"),
    "DescribeNetworkInterfaces": ("NetworkInterfaces", "NetworkInterfaceId"),
    "DescribeTags": ("Tags", "ResourceId"),
}


# ---- EC2 ------------------------------------------------------------------------------------


def _fresh(call, ident: str) -> bool:
    return call.within(FACTS.age(FACTS.created, ident), call.profile.ec2_visibility)


def _ids_in(value, out: list) -> None:
    if isinstance(value, str):
        if any(value.startswith(p) for p in NOT_FOUND):
            out.append(value)
    elif isinstance(value, dict):
        for k, v in value.items():
            if k not in ("Filters", "Filter", "TagSpecifications"):
                _ids_in(v, out)
    elif isinstance(value, list):
        for v in value:
            _ids_in(v, out)


def ec2_not_found(call) -> None:
    """A call naming an object that is not visible yet fails as if it did not exist."""
    if call.service != "ec2" or call.profile.ec2_visibility <= 0:
        return
    ids: list = []
    _ids_in(call.params, ids)
    for ident in ids:
        if _fresh(call, ident):
            prefix = next(p for p in NOT_FOUND if ident.startswith(p))
            code, message = NOT_FOUND[prefix]
            if prefix == "nat-" and call.op in ("CreateRoute", "ReplaceRoute"):
                # The route calls name a NAT gateway they do not know yet this way (boto/boto3#779).
                code, message = "InvalidNatGatewayID.NotFound", "The natGateway ID '{}' does not exist"
            fail(code, message.format(ident))


def elb_allocation_not_found(call) -> None:
    """ELB does not see a new Elastic IP yet either: a network load balancer's subnet mapping
    naming one is AllocationIdNotFound (an ELBv2 code, not EC2's)."""
    if call.service != "elbv2" or call.op not in ("CreateLoadBalancer", "SetSubnets"):
        return
    if call.profile.ec2_visibility <= 0:
        return
    for m in call.params.get("SubnetMappings") or []:
        alloc = m.get("AllocationId") or ""
        if alloc and _fresh(call, alloc):
            fail("AllocationIdNotFound", f"The specified allocation ID does not exist: '{alloc}'")


def record_created(call, _response) -> None:
    if call.service != "ec2":
        return
    new = []
    if call.op == "RunInstances":
        new = [i.get("InstanceId") for i in call.out.get("Instances", [])]
    elif call.op in CREATED:
        outer, key = CREATED[call.op]
        holder = call.out.get(outer, {}) if outer else call.out
        new = [holder.get(key)]
    if call.op == "CreateVpc" and new[0]:
        new += _born_with(call, new[0])
    t = now()
    with FACTS.lock:
        for ident in filter(None, new):
            FACTS.created[ident] = t


def _born_with(call, vpc_id: str) -> list[str]:
    """The main route table, default security group and network ACL of a new VPC."""
    ec2 = backend.ec2(call)
    found = [rt.id for rt in ec2.route_tables.values() if rt.vpc_id == vpc_id]
    found += [g.id for g in ec2.groups.get(vpc_id, {}).values()] if hasattr(ec2, "groups") else []
    found += [a.id for a in getattr(ec2, "network_acls", {}).values() if getattr(a, "vpc_id", None) == vpc_id]
    return found


def hide_fresh(call, _response) -> None:
    """Listings do not show new objects yet."""
    if call.service != "ec2" or call.profile.ec2_visibility <= 0:
        return
    if call.op == "DescribeInstances":
        changed = False
        for r in call.out.get("Reservations", []):
            keep = [i for i in r.get("Instances", []) if not _fresh(call, i.get("InstanceId", ""))]
            changed |= len(keep) != len(r.get("Instances", []))
            r["Instances"] = keep
        if changed:
            call.out["Reservations"] = [r for r in call.out["Reservations"] if r["Instances"]]
            call.rewrite()
        return
    if call.op not in LISTINGS:
        return
    key, ident = LISTINGS[call.op]
    items = call.out.get(key)
    if not items:
        return
    keep = [i for i in items if not _fresh(call, i.get(ident, ""))]
    if len(keep) != len(items):
        call.out[key] = keep
        call.rewrite()


# ---- IAM ------------------------------------------------------------------------------------


def _iam_fresh(call, kind: str, name: str) -> bool:
    return call.within(FACTS.age(FACTS.iam, (call.account, kind, name)), call.profile.iam_propagation)


def record_iam(call, _response) -> None:
    if call.service == "acm" and call.op in ("ImportCertificate", "RequestCertificate"):
        key = ("certificate", call.out.get("CertificateArn"))
    elif call.service != "iam":
        return
    else:
        p = call.params
        key = {
            "CreateRole": ("role", p.get("RoleName")),
            "CreateUser": ("user", p.get("UserName")),
            "CreateInstanceProfile": ("profile", p.get("InstanceProfileName")),
            "AddRoleToInstanceProfile": ("profile", p.get("InstanceProfileName")),
            "UploadServerCertificate": ("certificate", (call.out.get("ServerCertificateMetadata") or {}).get("Arn")),
        }.get(call.op)
    if key and key[1]:
        with FACTS.lock:
            FACTS.iam[(call.account, *key)] = now()


def iam_propagation(call) -> None:
    if call.profile.iam_propagation <= 0:
        return
    p = call.params
    if call.op == "AddRoleToInstanceProfile":
        if _iam_fresh(call, "role", p.get("RoleName", "")):
            fail("NoSuchEntity", f"The role with name {p['RoleName']} cannot be found.", 404)
    elif call.op in ("CreateRole", "UpdateAssumeRolePolicy"):
        _check_principals(call, p.get("AssumeRolePolicyDocument") or p.get("PolicyDocument") or "")
    elif call.op == "RunInstances":
        _check_profile(call, p.get("IamInstanceProfile") or {}, "")
    elif call.op in ("CreateAutoScalingGroup", "UpdateAutoScalingGroup"):
        spec = p.get("LaunchTemplate") or (p.get("MixedInstancesPolicy") or {}).get("LaunchTemplate", {}).get(
            "LaunchTemplateSpecification"
        )
        if spec:
            profile = _template_profile(call, spec)
            _check_profile(call, profile, "You must use a valid fully-formed launch template. ")
    elif call.service == "elbv2" and call.op in ("CreateListener", "ModifyListener", "AddListenerCertificates"):
        # A certificate just issued or uploaded is not yet known to Elastic Load Balancing.
        for c in p.get("Certificates") or []:
            arn = c.get("CertificateArn") or ""
            if _iam_fresh(call, "certificate", arn):
                fail("CertificateNotFound", f"Certificate '{arn}' not found")


def _check_profile(call, profile: dict, prefix: str) -> None:
    name = profile.get("Name") or (profile.get("Arn") or "").rsplit("/", 1)[-1]
    if name and _iam_fresh(call, "profile", name):
        code = "ValidationError" if prefix else "InvalidParameterValue"
        if profile.get("Name"):
            what = f"Value ({name}) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name"
        else:
            what = f"Value ({profile['Arn']}) for parameter iamInstanceProfile.arn is invalid. Invalid IAM Instance Profile ARN"
        fail(code, prefix + what)


def _template_profile(call, spec: dict) -> dict:
    ec2 = backend.ec2(call)
    try:
        if spec.get("LaunchTemplateId"):
            template = ec2.get_launch_template(spec["LaunchTemplateId"])
        else:
            template = ec2.get_launch_template_by_name(spec.get("LaunchTemplateName"))
    except Exception:
        return {}
    try:
        v = template.get_version(spec.get("Version") or "$Default")
    except Exception:
        return {}
    return (getattr(v, "data", None) or {}).get("IamInstanceProfile") or {}


def _check_principals(call, document: str) -> None:
    try:
        doc = json.loads(urllib.parse.unquote(document) if document.startswith("%") else document)
    except ValueError:
        return
    statements = doc.get("Statement", [])
    for st in statements if isinstance(statements, list) else [statements]:
        principal = st.get("Principal") if isinstance(st, dict) else None
        aws = principal.get("AWS") if isinstance(principal, dict) else None
        for arn in aws if isinstance(aws, list) else [aws]:
            if not isinstance(arn, str) or ":iam::" not in arn:
                continue
            kind, _, rest = arn.split(":", 5)[-1].partition("/")
            if kind in ("role", "user") and _iam_fresh(call, kind, rest.rsplit("/", 1)[-1]):
                fail("MalformedPolicyDocument", f'Invalid principal in policy: "AWS":"{arn}"')
