"""Auto Scaling takes time: launched instances are `Pending` before `InService`, a group being
deleted is listed as "Delete in progress" while its instances terminate, and a group cannot be
deleted while a scaling activity runs or, without ForceDelete, while it has instances
(https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_DeleteAutoScalingGroup.html).
"""

from __future__ import annotations

import copy
import datetime
import uuid

from .. import backend
from ..core import fail
from ..state import FACTS, now
from . import dependencies, lifecycle

WATCHED = {
    "CreateAutoScalingGroup",
    "UpdateAutoScalingGroup",
    "SetDesiredCapacity",
    "DeleteAutoScalingGroup",
    "TerminateInstanceInAutoScalingGroup",
    "DetachInstances",
}


def _group(call, name):
    return backend.autoscaling(call).autoscaling_groups.get(name)


def _ids(group) -> set[str]:
    return {s.instance.id for s in group.instance_states} if group else set()


def _key(call, name):
    return (call.account, call.region, name)


def capture(call) -> None:
    if call.service == "autoscaling" and call.op in WATCHED:
        call.asg_before = _ids(_group(call, call.params.get("AutoScalingGroupName")))


def check(call) -> None:
    if call.service != "autoscaling":
        return
    name, p = call.params.get("AutoScalingGroupName"), call.profile
    if call.op == "DeleteAutoScalingGroup":
        if call.within(FACTS.age(FACTS.asg_scaled, _key(call, name)), p.asg_scaling):
            fail(
                "ScalingActivityInProgress",
                "You cannot delete an AutoScalingGroup while there are scaling activities in progress for that group.",
            )
        if p.asg_scaling > 0 and not call.params.get("ForceDelete") and _ids(_group(call, name)):
            fail(
                "ResourceInUse",
                "You cannot delete an AutoScalingGroup while there are instances or pending Spot instance request(s) "
                "still in the group.",
            )
    elif call.op == "CreateAutoScalingGroup":
        # moto replaces a group of the same name (orphaning its instances); AWS refuses, also
        # while the old one is still being deleted.
        deleting = call.within(FACTS.age(FACTS.asg_deleted, _key(call, name)), p.asg_deleting)
        if deleting or (p.validation and _group(call, name) is not None):
            fail("AlreadyExists", f"AutoScalingGroup by this name already exists - A group with the name {name} already exists")


def after(call, _response) -> None:
    if call.service != "autoscaling":
        return
    name = call.params.get("AutoScalingGroupName")
    if call.op in WATCHED:
        before = getattr(call, "asg_before", set())
        after_ids = _ids(_group(call, name))
        launched, gone = after_ids - before, before - after_ids
        lifecycle.record(call, launched, "launch")
        lifecycle.record(call, gone, "terminate")
        dependencies.record_group_terminations(call, gone)
        with FACTS.lock:
            if launched or gone:
                FACTS.asg_scaled[_key(call, name)] = now()
            if call.op == "DeleteAutoScalingGroup":
                FACTS.asg_deleted[_key(call, name)] = (now(), FACTS.asg_seen.get(_key(call, name)), gone)
        if call.op in ("CreateAutoScalingGroup", "UpdateAutoScalingGroup") and call.profile.asg_launch_failure:
            with FACTS.lock:
                FACTS.asg_failing[_key(call, name)] = call.profile.asg_launch_failure
    elif call.op == "DescribeAutoScalingGroups":
        _overlay(call)
    elif call.op == "DescribeScalingActivities":
        _failed_launches(call)


def _failed_launches(call) -> None:
    """Launches of a failing group: no instances, a Failed activity with the profile's message."""
    name = call.params.get("AutoScalingGroupName")
    with FACTS.lock:
        message = FACTS.asg_failing.get(_key(call, name))
    if not message:
        return
    now_dt = datetime.datetime.now(datetime.timezone.utc)
    activity = {
        "ActivityId": str(uuid.uuid4()),
        "AutoScalingGroupName": name,
        "Description": "Launching a new EC2 instance.  Status Reason: " + message,
        "Cause": "At an instance was started in response to a difference between desired and actual capacity.",
        "StartTime": now_dt,
        "EndTime": now_dt,
        "StatusCode": "Failed",
        "StatusMessage": message,
        "Progress": 100,
    }
    call.out.setdefault("Activities", []).insert(0, activity)
    call.rewrite()


def _overlay(call) -> None:
    groups = call.out.setdefault("AutoScalingGroups", [])
    for g in groups:
        with FACTS.lock:
            failing = _key(call, g.get("AutoScalingGroupName")) in FACTS.asg_failing
        if failing:
            g["Instances"] = []
            call.rewrite()
        with FACTS.lock:
            FACTS.asg_seen[_key(call, g.get("AutoScalingGroupName"))] = copy.deepcopy(g)
        for i in g.get("Instances", []):
            if lifecycle.instance_state(call, i.get("InstanceId", "")) == "pending":
                i["LifecycleState"] = "Pending"
                call.rewrite()
    asked = set(call.params.get("AutoScalingGroupNames") or [])
    window = call.window(call.profile.asg_deleting)
    with FACTS.lock:
        deleted = list(FACTS.asg_deleted.items())
    for (account, region, name), (t, seen, gone) in deleted:
        if (account, region) != (call.account, call.region) or seen is None or now() - t >= window:
            continue
        if (asked and name not in asked) or call.params.get("NextToken"):
            continue
        if any(g.get("AutoScalingGroupName") == name for g in groups):
            continue
        if not _matches(seen, call.params.get("Filters") or []):
            continue
        ghost = copy.deepcopy(seen)
        ghost["Status"] = "Delete in progress"
        for i in ghost.get("Instances", []):
            i["LifecycleState"] = "Terminating"
        groups.append(ghost)
        call.rewrite()


def _matches(group: dict, filters: list) -> bool:
    """Whether a group passes DescribeAutoScalingGroups filters, as AWS applies them to every
    group it lists (a group being deleted included)."""
    tags = {t.get("Key"): t.get("Value") for t in group.get("Tags", [])}
    for f in filters:
        name, values = f.get("Name", ""), set(f.get("Values") or [])
        if name.startswith("tag:"):
            ok = tags.get(name[4:]) in values
        elif name == "tag-key":
            ok = bool(values & set(tags))
        elif name == "tag-value":
            ok = bool(values & set(tags.values()))
        elif name == "auto-scaling-group":
            ok = group.get("AutoScalingGroupName") in values
        else:
            ok = False
        if not ok:
            return False
    return True
