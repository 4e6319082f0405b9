"""Instance refresh for Auto Scaling, which moto lacks: StartInstanceRefresh,
DescribeInstanceRefreshes, CancelInstanceRefresh and RollbackInstanceRefresh, served by the
plugin's autoscaling provider on moto's groups.

A refresh runs in a thread, as AWS runs it in the background: it replaces the group's instances
batch by batch with ones launched from the desired configuration, keeping MinHealthyPercentage
in service (launching before terminating when MaxHealthyPercentage is above 100), waits each
batch's InstanceWarmup, pauses at checkpoints, and skips instances that already match
(SkipMatching). A new instance that fails its health checks fails the refresh; with AutoRollback
(or RollbackInstanceRefresh) the replaced instances are replaced back and the group keeps its
old configuration. The group takes the desired configuration only when the refresh succeeds.

Health: the group's EC2 health is always good here; with health check type ELB an instance
counts as healthy when its target groups say so (see `health.py`: an instance whose user data
holds `stackr-localstack: unhealthy` fails them, as a broken release would).

Durations are AWS seconds divided by STACKR_REFRESH_SCALE (default 20), at most 10 s a wait.
"""

from __future__ import annotations

import copy
import datetime
import math
import os
import threading
import time
import uuid

from localstack.aws.api import CommonServiceException

from . import health

ACTIVE = {"Pending", "InProgress", "Cancelling", "RollbackInProgress", "Baking"}
_LOCK = threading.RLock()
# (account, region, group) -> refreshes, newest first
REFRESHES: dict[tuple, list["Refresh"]] = {}
ACTIVITIES: dict[tuple, list[dict]] = {}


def _scaled(seconds: float) -> float:
    scale = float(os.environ.get("STACKR_REFRESH_SCALE", "20") or 20)
    return min(10.0, max(0.2, seconds / scale if scale > 0 else seconds))


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


def _backends(account: str, region: str):
    from moto.autoscaling.models import autoscaling_backends

    return autoscaling_backends[account][region]


def _fail(code: str, message: str, status: int = 400):
    raise CommonServiceException(code, message, status_code=status, sender_fault=True)


class Refresh:
    def __init__(self, account, region, group, request):
        self.id = str(uuid.uuid4())
        self.key = (account, region, group.name)
        self.account, self.region, self.group_name = account, region, group.name
        self.prefs = dict(request.get("Preferences") or {})
        self.desired = dict(request.get("DesiredConfiguration") or {})
        self.status, self.reason = "Pending", None
        self.start, self.end = _now(), None
        self.percentage, self.to_update = 0, 0
        self.replaced: list[str] = []  # new instances launched so far
        self.cancel = False
        self.rollback = False
        self.rollback_reason = None
        self.old_spec = _spec_of(group)

    def describe(self) -> dict:
        out = {
            "InstanceRefreshId": self.id,
            "AutoScalingGroupName": self.group_name,
            "Status": self.status,
            "StartTime": self.start,
            "PercentageComplete": self.percentage,
            "InstancesToUpdate": max(0, self.to_update - len(self.replaced)),
            "Preferences": self.prefs,
            "Strategy": "Rolling",
        }
        if self.reason:
            out["StatusReason"] = self.reason
        if self.end:
            out["EndTime"] = self.end
        if self.desired:
            out["DesiredConfiguration"] = self.desired
        if self.rollback_reason:
            out["RollbackDetails"] = {
                "RollbackReason": self.rollback_reason,
                "RollbackStartTime": self.end or _now(),
                "PercentageCompleteOnRollback": self.percentage,
                "InstancesToUpdateOnRollback": len(self.replaced),
            }
        return out


def _spec_of(group) -> dict | None:
    lt = group.ec2_launch_template
    if lt is None:
        return None
    mixed = ((group.mixed_instances_policy or {}).get("LaunchTemplate") or {}).get("LaunchTemplateSpecification")
    if mixed:
        return {"LaunchTemplateId": lt.id, "Version": mixed.get("Version") or "$Default"}
    return {"LaunchTemplateId": lt.id, "Version": group.provided_launch_template_version or "$Default"}


def _desired_spec(desired: dict) -> dict | None:
    """The launch template spec of a desired configuration, in either of its forms."""
    mixed = (desired.get("MixedInstancesPolicy") or {}).get("LaunchTemplate") or {}
    return desired.get("LaunchTemplate") or mixed.get("LaunchTemplateSpecification")


def _group(r: Refresh):
    return _backends(r.account, r.region).autoscaling_groups.get(r.group_name)


def _version_of(group, spec: dict) -> tuple[str, str]:
    """The template id and version number a launch spec resolves to now."""
    ec2 = group.ec2_backend
    lt_id = spec.get("LaunchTemplateId")
    lt = ec2.get_launch_template(lt_id) if lt_id else ec2.get_launch_template_by_name(spec.get("LaunchTemplateName"))
    return lt.id, str(lt.get_version(spec.get("Version") or "$Default").number)


def _launched_as(state) -> tuple[str | None, str | None]:
    inst = state.instance
    return getattr(inst, "_stackr_lt_id", None), getattr(inst, "_stackr_lt_version", None)


def _launch(group, spec: dict, count: int) -> list:
    """Launches `count` instances into the group from `spec`; returns their states."""
    saved = (group.ec2_launch_template, group.launch_template_version, getattr(group, "provided_launch_template_version", None))
    # moto writes the launch spec into a mixed policy too: keep the group's own.
    mixed = copy.deepcopy(group.mixed_instances_policy)
    group._set_launch_configuration(None, dict(spec), None)
    group.mixed_instances_policy = mixed
    try:
        before = set(group.instance_states)
        group.replace_autoscaling_group_instances(count, group.get_propagated_tags())
        new = [s for s in group.instance_states if s not in before]
    finally:
        group.ec2_launch_template, group.launch_template_version, group.provided_launch_template_version = saved
    group.autoscaling_backend.update_attached_target_groups(group.name)
    return new


def _terminate(group, states: list) -> None:
    ids = [s.instance.id for s in states]
    group.instance_states = [s for s in group.instance_states if s.instance.id not in ids]
    backend = group.autoscaling_backend
    for arn in group.target_group_arns or []:
        try:
            backend.elbv2_backend.deregister_targets(arn, [{"Id": i} for i in ids])
        except Exception:
            pass
    backend.ec2_backend.terminate_instances(ids)


def _activity(r: Refresh, description: str, cause: str, status="Successful", message=None) -> None:
    a = {
        "ActivityId": str(uuid.uuid4()),
        "AutoScalingGroupName": r.group_name,
        "Description": description,
        "Cause": cause,
        "StartTime": _now(),
        "EndTime": _now(),
        "StatusCode": status,
        "Progress": 100,
    }
    if message:
        a["StatusMessage"] = message
    with _LOCK:
        ACTIVITIES.setdefault(r.key, []).insert(0, a)


def _batches(n: int, prefs: dict) -> tuple[int, bool]:
    """(instances per batch, launch before terminate) for a group of n."""
    low = int(prefs.get("MinHealthyPercentage", 90))
    high = int(prefs.get("MaxHealthyPercentage", -1) or -1)
    if high > 100:
        return max(1, math.floor(n * (high - 100) / 100)), True
    return max(1, n - math.ceil(n * low / 100)), False


def _unhealthy(group, states: list) -> list[str]:
    """Ids of the instances among `states` that fail their health checks."""
    if (group.health_check_type or "EC2") != "ELB":
        return []
    return [s.instance.id for s in states if not health.instance_healthy(group, s.instance.id)]


def _replace(r: Refresh, group, olds: list, spec: dict, first_launch: bool, warmup: float) -> tuple[list, list[str]]:
    """Replaces `olds` with instances from `spec`: the new instances, and the ids of those unhealthy."""
    if first_launch:
        new = _launch(group, spec, len(olds))
        _terminate(group, olds)
    else:
        _terminate(group, olds)
        new = _launch(group, spec, len(olds))
    for s in olds:
        _activity(r, f"Terminating EC2 instance: {s.instance.id}", "an instance was taken out of service in response to an instance refresh")
    for s in new:
        _activity(r, f"Launching a new EC2 instance: {s.instance.id}", "an instance was started in response to an instance refresh")
    time.sleep(warmup)
    return new, _unhealthy(group, new)


def _run(r: Refresh) -> None:
    try:
        _work(r)
    except Exception as e:  # a bug here must not leave the refresh running forever
        with _LOCK:
            r.status, r.reason, r.end = "Failed", f"internal error in the LocalStack refresh: {e}", _now()


def _work(r: Refresh) -> None:
    time.sleep(_scaled(10))
    group = _group(r)
    if group is None:
        r.status, r.reason, r.end = "Failed", "The Auto Scaling group was deleted.", _now()
        return
    spec = _desired_spec(r.desired) or r.old_spec
    target = _version_of(group, spec)
    skip = r.prefs.get("SkipMatching", False)
    olds = [s for s in group.instance_states if not (skip and _launched_as(s) == target)]
    r.to_update = len(olds)
    r.status = "InProgress"
    size, first_launch = _batches(max(1, len(group.instance_states)), r.prefs)
    warmup = _scaled(float(r.prefs.get("InstanceWarmup") or group.health_check_grace_period or 60))
    checkpoints = [int(c) for c in r.prefs.get("CheckpointPercentages") or []]
    news: list = []
    done = 0
    while done < len(olds):
        if r.cancel or r.rollback:
            break
        batch = olds[done : done + size]
        new, sick = _replace(r, group, batch, spec, first_launch, warmup)
        news.extend(new)
        r.replaced.extend(s.instance.id for s in new)
        done += len(batch)
        if sick:
            for i in sick:
                _activity(r, f"Terminating EC2 instance: {i}", "an instance was taken out of service in response to an ELB system health check failure.")
            r.reason = (
                f"{len(sick)} instance(s) launched by the instance refresh failed their health checks ({', '.join(sick)}); "
                "the instance refresh failed."
            )
            if r.prefs.get("AutoRollback"):
                r.rollback, r.rollback_reason = True, r.reason
            else:
                r.status, r.end = "Failed", _now()
                return
            break
        r.percentage = int(100 * done / max(1, len(olds)))
        if any(done * 100 >= c * len(olds) > (done - len(batch)) * 100 for c in checkpoints) and done < len(olds):
            r.reason = f"Waiting for checkpoint at {r.percentage}%"
            time.sleep(_scaled(float(r.prefs.get("CheckpointDelay", 3600))))
            r.reason = None
    if r.rollback:
        _roll_back(r, group, news, size, first_launch, warmup)
        return
    if r.cancel:
        r.status, r.end = "Cancelled", _now()
        return
    # What AWS sets on the group when the refresh succeeds: the desired form, mixed or not.
    if r.desired.get("MixedInstancesPolicy"):
        group.mixed_instances_policy = copy.deepcopy(r.desired["MixedInstancesPolicy"])
        group._set_launch_configuration(None, None, group.mixed_instances_policy)
    elif r.desired.get("LaunchTemplate"):
        group.mixed_instances_policy = None
        group._set_launch_configuration(None, dict(spec), None)
    r.percentage, r.status, r.end = 100, "Successful", _now()


def _roll_back(r: Refresh, group, news: list, size: int, first_launch: bool, warmup: float) -> None:
    r.status = "RollbackInProgress"
    r.rollback_reason = r.rollback_reason or "Rollback requested by the user."
    if not r.reason:
        r.reason = r.rollback_reason
    remaining = [s for s in news if s in group.instance_states]
    for i in range(0, len(remaining), size):
        _replace(r, group, remaining[i : i + size], r.old_spec, first_launch, warmup)
    r.status, r.end = "RollbackSuccessful", _now()


# --- the API -------------------------------------------------------------------------------


def _active(key) -> Refresh | None:
    with _LOCK:
        return next((r for r in REFRESHES.get(key, []) if r.status in ACTIVE), None)


def start(context, request) -> dict:
    name = request.get("AutoScalingGroupName")
    group = _backends(context.account_id, context.region).autoscaling_groups.get(name)
    if group is None:
        _fail("ValidationError", f"AutoScalingGroup name not found - AutoScalingGroup {name} not found")
    key = (context.account_id, context.region, name)
    if _active(key):
        _fail("InstanceRefreshInProgress", "An Instance Refresh is already in progress and blocks the execution of this Instance Refresh.")
    prefs = request.get("Preferences") or {}
    low, high = int(prefs.get("MinHealthyPercentage", 90)), int(prefs.get("MaxHealthyPercentage", -1) or -1)
    if high != -1 and (high < 100 or high > 200 or high - low > 100 or high < low):
        _fail("ValidationError", "The MaxHealthyPercentage must be between 100 and 200, and at most 100 above the MinHealthyPercentage.")
    if prefs.get("AutoRollback"):
        spec = _desired_spec(request.get("DesiredConfiguration") or {})
        if not spec:
            _fail("ValidationError", "AutoRollback requires a desired configuration.")
        for v in (spec.get("Version"), (_spec_of(group) or {}).get("Version")):
            if str(v).startswith("$"):
                _fail("ValidationError", "You can't enable auto rollback when the launch template version is $Latest or $Default.")
    r = Refresh(context.account_id, context.region, group, request)
    with _LOCK:
        REFRESHES.setdefault(key, []).insert(0, r)
    threading.Thread(target=_run, args=(r,), daemon=True, name=f"refresh-{name}").start()
    return {"InstanceRefreshId": r.id}


def describe(context, request) -> dict:
    key = (context.account_id, context.region, request.get("AutoScalingGroupName"))
    ids = set(request.get("InstanceRefreshIds") or [])
    with _LOCK:
        found = [r.describe() for r in REFRESHES.get(key, []) if not ids or r.id in ids]
    return {"InstanceRefreshes": found}


def cancel(context, request) -> dict:
    r = _active((context.account_id, context.region, request.get("AutoScalingGroupName")))
    if r is None or r.status not in ("Pending", "InProgress"):
        _fail("ActiveInstanceRefreshNotFound", "No in progress or pending Instance Refresh found for Auto Scaling group")
    r.cancel, r.status = True, "Cancelling"
    return {"InstanceRefreshId": r.id}


def rollback(context, request) -> dict:
    r = _active((context.account_id, context.region, request.get("AutoScalingGroupName")))
    if r is None or r.status not in ("Pending", "InProgress"):
        _fail("ActiveInstanceRefreshNotFound", "No in progress or pending Instance Refresh found for Auto Scaling group")
    if not r.desired:
        _fail("IrreversibleInstanceRefresh", "The instance refresh has no desired configuration to roll back from.")
    r.rollback, r.rollback_reason = True, "Rollback requested by the user."
    return {"InstanceRefreshId": r.id}


def activities(key) -> list[dict]:
    with _LOCK:
        return list(ACTIVITIES.get(key, []))
