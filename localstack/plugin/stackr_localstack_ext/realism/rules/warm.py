"""Warm pools: AWS deletes one asynchronously (DescribeWarmPool reports it `PendingDelete` while
its instances terminate, moto drops it at once), and PutWarmPool refuses a group with a mixed
instances policy
(https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_PutWarmPool.html,
provider `autoscaling/group.go` waitWarmPoolDeleted).
"""

from __future__ import annotations

from .. import backend
from ..core import fail
from ..state import FACTS, now


def _key(call):
    return (call.account, call.region, call.params.get("AutoScalingGroupName"))


def _group(call):
    return backend.autoscaling(call).autoscaling_groups.get(call.params.get("AutoScalingGroupName"))


def _described(pool) -> dict:
    out = {"MinSize": pool.min_size or 0, "PoolState": pool.pool_state or "Stopped", "Status": "PendingDelete"}
    if pool.max_group_prepared_capacity is not None:
        out["MaxGroupPreparedCapacity"] = int(pool.max_group_prepared_capacity)
    if pool.instance_reuse_policy:
        out["InstanceReusePolicy"] = dict(pool.instance_reuse_policy)
    return out


def capture(call) -> None:
    if call.service == "autoscaling" and call.op == "DeleteWarmPool":
        group = _group(call)
        call.warm_before = group.warm_pool if group is not None else None


def check(call) -> None:
    if call.service != "autoscaling" or call.op != "PutWarmPool" or not call.profile.validation:
        return
    group = _group(call)
    if group is not None and group.mixed_instances_policy:
        fail(
            "ValidationError",
            "You can't add a warm pool to an Auto Scaling group that has a mixed instances policy "
            "or a launch template or launch configuration that requests Spot Instances.",
        )


def after(call, _response) -> None:
    if call.service != "autoscaling":
        return
    if call.op == "DeleteWarmPool" and getattr(call, "warm_before", None) is not None:
        with FACTS.lock:
            FACTS.warm_deleted[_key(call)] = (now(), _described(call.warm_before))
    elif call.op == "PutWarmPool":
        with FACTS.lock:
            FACTS.warm_deleted.pop(_key(call), None)
    elif call.op == "DescribeWarmPool" and not call.out.get("WarmPoolConfiguration"):
        with FACTS.lock:
            found = FACTS.warm_deleted.get(_key(call))
        if found and now() - found[0] < call.window(call.profile.asg_warm_deleting):
            call.out["WarmPoolConfiguration"] = dict(found[1])
            call.rewrite()
