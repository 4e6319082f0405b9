"""ELBv2 creates are idempotent on AWS and not in moto; listings race with deletes.

AWS answers a CreateLoadBalancer, CreateTargetGroup or CreateListener that repeats an existing
one's settings with the existing object ("If you attempt to create multiple ... with the same
settings, each call succeeds", the ELBv2 API reference), and refuses other settings under a
taken name or port (DuplicateLoadBalancerName, DuplicateTargetGroupName, DuplicateListener).
moto makes a second object each time, so a retried create whose answer was lost would leave
two. With `validation` on, the layer answers as AWS does.

With `listing_races` on, a full listing of load balancers or target groups also shows one that
is deleted before the next call: DescribeTags on a batch naming it fails as a whole
(LoadBalancerNotFound), as it does on AWS when something is deleted between the two calls.
The Resource Groups Tagging API's GetResources does the same (it keeps listing deleted objects
for a while: aws/aws-sdk#676), and, like EC2's listings (`ec2_visibility`), it does not show
a new load balancer or target group for a while.
"""

from __future__ import annotations

from .. import backend
from ..core import fail
from ..state import FACTS, now


def _same_lb(call):
    p = call.params
    for lb in backend.load_balancers(call):
        if lb.name == p.get("Name"):
            return lb
    return None


def _same_tg(call):
    for tg in backend.elbv2(call).target_groups.values():
        if tg.name == call.params.get("Name"):
            return tg
    return None


def _same_listener(call):
    lb = backend.elbv2(call).load_balancers.get(call.params.get("LoadBalancerArn", ""))
    if lb is None:
        return None
    return next((l for l in lb.listeners.values() if int(l.port) == int(call.params.get("Port") or 0)), None)


def check(call) -> None:
    """Answers a create that repeats an existing object's settings with that object, and
    refuses one that takes its name or port with other settings."""
    if call.service != "elbv2" or not call.profile.validation:
        return
    p = call.params
    if call.op == "CreateLoadBalancer" and (lb := _same_lb(call)) is not None:
        if (p.get("Scheme") or "internet-facing") != lb.scheme or (p.get("Type") or "application") != lb.type:
            fail("DuplicateLoadBalancerName", "A load balancer with the same name exists, with other settings.")
        _answer(call, "LoadBalancers", lambda c: c.describe_load_balancers(LoadBalancerArns=[lb.arn]))
    elif call.op == "CreateTargetGroup" and (tg := _same_tg(call)) is not None:
        same = str(tg.port) == str(p.get("Port")) and tg.protocol == p.get("Protocol") and tg.vpc_id == p.get("VpcId")
        if not same:
            fail("DuplicateTargetGroupName", "A target group with the same name exists, with other settings.")
        _answer(call, "TargetGroups", lambda c: c.describe_target_groups(TargetGroupArns=[tg.arn]))
    elif call.op == "CreateListener" and (listener := _same_listener(call)) is not None:
        if listener.protocol != p.get("Protocol"):
            fail("DuplicateListener", "A listener already exists on this port for this load balancer.")
        _answer(call, "Listeners", lambda c: c.describe_listeners(ListenerArns=[listener.arn]))


def _answer(call, key: str, describe) -> None:
    """Replies with the existing object, as DescribeX gives it."""
    from localstack.aws.connect import connect_to
    from localstack.http import Response

    from ..core import serialize

    client = connect_to(aws_access_key_id=call.account, region_name=call.region).elbv2
    call.context.service_response = {key: describe(client)[key]}
    call.replay = Response()
    serialize(call.context, call.replay)


GHOSTS = {
    "DescribeLoadBalancers": ("LoadBalancers", "LoadBalancerArn", "LoadBalancerName"),
    "DescribeTargetGroups": ("TargetGroups", "TargetGroupArn", "TargetGroupName"),
}


CREATES = {"CreateLoadBalancer": ("LoadBalancers", "LoadBalancerArn"), "CreateTargetGroup": ("TargetGroups", "TargetGroupArn")}


def after(call, _response) -> None:
    """Adds to a full listing an object that is gone by the next call."""
    if call.service == "resourcegroupstaggingapi" and call.op == "GetResources":
        return _tagging(call)
    if call.service == "elbv2" and call.op in CREATES:
        key, arn = CREATES[call.op]
        with FACTS.lock:
            for item in call.out.get(key) or []:
                FACTS.created[item[arn]] = now()
    if call.service != "elbv2" or not call.profile.listing_races or call.op not in GHOSTS:
        return
    key, arn, name = GHOSTS[call.op]
    asked = any(call.params.get(k) for k in ("LoadBalancerArns", "TargetGroupArns", "Names", "Marker", "LoadBalancerArn"))
    items = call.out.get(key) or []
    if asked or not items:
        return
    ghost = dict(items[0])
    ghost[arn] = items[0][arn].rsplit("/", 1)[0] + "/0000000000000000"
    ghost[name] = "gone-" + items[0][name][:20]
    items.append(ghost)
    call.rewrite()


def _tagging(call) -> None:
    """GetResources: new ELB objects hidden for a while, a deleted one still listed."""
    items = call.out.get("ResourceTagMappingList") or []
    fresh = lambda arn: call.within(FACTS.age(FACTS.created, arn), call.profile.ec2_visibility)  # noqa: E731
    keep = [i for i in items if call.profile.ec2_visibility <= 0 or not fresh(i.get("ResourceARN", ""))]
    elb = [i for i in keep if ":elasticloadbalancing:" in i.get("ResourceARN", "")]
    if call.profile.listing_races and elb and not call.params.get("PaginationToken"):
        ghost = dict(elb[0])
        ghost["ResourceARN"] = elb[0]["ResourceARN"].rsplit("/", 1)[0] + "/0000000000000000"
        keep.append(ghost)
    if keep != items:
        call.out["ResourceTagMappingList"] = keep
        call.rewrite()
