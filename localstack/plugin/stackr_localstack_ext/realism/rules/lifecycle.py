"""Asynchronous state of instances and load balancers.

An instance is `pending` after RunInstances and StartInstances, `stopping` after StopInstances
and `shutting-down` after TerminateInstances, each for a while
(https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-instance-lifecycle.html); calls that
need another state are refused as AWS refuses them. A load balancer stays `provisioning`
(https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_LoadBalancerState.html).
The first StartInstances after a type change may fail with "LaunchPlan instance type does not
match attribute value" (hashicorp/terraform-provider-aws#16433).
"""

from __future__ import annotations

from ..core import fail
from ..state import FACTS, now

CODES = {"pending": 0, "running": 16, "shutting-down": 32, "terminated": 48, "stopping": 64, "stopped": 80}
EVENTS = {"RunInstances": "launch", "StartInstances": "start", "StopInstances": "stop", "TerminateInstances": "terminate"}
OUTPUTS = {
    "StartInstances": "StartingInstances",
    "StopInstances": "StoppingInstances",
    "TerminateInstances": "TerminatingInstances",
}


def instance_state(call, instance_id: str) -> str | None:
    """The transitional state a caller of this profile sees, or None when it has settled."""
    with FACTS.lock:
        rec = FACTS.instances.get(instance_id)
    if rec is None:
        return None
    t, event = rec
    age = now() - t
    p = call.profile
    if event in ("launch", "start") and call.within(age, p.instance_pending):
        return "pending"
    if event == "stop" and call.within(age, p.instance_stopping):
        return "stopping"
    if event == "terminate" and call.within(age, p.instance_shutting_down):
        return "shutting-down"
    return None


def record(call, instance_ids, event: str) -> None:
    t = now()
    with FACTS.lock:
        for i in instance_ids:
            FACTS.instances[i] = (t, event)


def _ids(call) -> list[str]:
    return list(call.params.get("InstanceIds") or [])


def check(call) -> None:
    """Refuses calls that need an instance or load balancer in another state."""
    op, p = call.op, call.params
    if call.service == "ec2" and op == "StopInstances":
        for i in _ids(call):
            if instance_state(call, i) in ("pending", "shutting-down"):
                fail("IncorrectInstanceState", f"The instance '{i}' is not in a state from which it can be stopped.")
    elif call.service == "ec2" and op == "StartInstances":
        for i in _ids(call):
            if instance_state(call, i) in ("stopping", "shutting-down"):
                fail("IncorrectInstanceState", f"The instance '{i}' is not in a state from which it can be started.")
        _first_start_after_type_change(call)
    elif call.service == "ec2" and op == "ModifyInstanceAttribute":
        i = p.get("InstanceId", "")
        if p.get("InstanceType") and instance_state(call, i) is not None:
            fail("IncorrectInstanceState", f"The instance '{i}' is not in the 'stopped' state.")
    elif call.service == "ec2" and op == "AttachVolume":
        if instance_state(call, p.get("InstanceId", "")) == "pending":
            fail("IncorrectState", f"Instance '{p['InstanceId']}' is not 'running'.")
    elif call.service == "ec2" and op == "AssociateAddress":
        i = p.get("InstanceId")
        if i and instance_state(call, i) == "pending":
            fail("InvalidInstanceID", f"The pending instance '{i}' is not in a valid state for this operation.")
    elif call.service == "elbv2" and op == "RegisterTargets":
        pending = [t["Id"] for t in p.get("Targets", []) if _elb_sees_pending(call, t.get("Id", ""))]
        if pending:
            listed = ", ".join(f"'{t}'" for t in pending)
            fail("InvalidTarget", f"The following targets are not in a running state and cannot be registered: {listed}")


def _elb_sees_pending(call, instance_id: str) -> bool:
    """ELB learns that an instance runs only after EC2 says so: pending for it as long as for
    EC2, plus EC2's own propagation delay."""
    with FACTS.lock:
        rec = FACTS.instances.get(instance_id)
    if rec is None or rec[1] not in ("launch", "start"):
        return False
    return call.within(now() - rec[0], call.profile.instance_pending + call.profile.ec2_visibility)


def _first_start_after_type_change(call) -> None:
    changed = [i for i in _ids(call) if i in FACTS.type_changed]
    with FACTS.lock:
        FACTS.type_changed.difference_update(changed)
    if changed and call.profile.start_after_type_change_fails:
        fail("InvalidParameterValue", "LaunchPlan instance type does not match attribute value " + changed[0])


def after(call, _response) -> None:
    op = call.op
    if call.service == "ec2":
        if op == "RunInstances":
            record(call, [i.get("InstanceId") for i in call.out.get("Instances", [])], "launch")
        elif op in EVENTS:
            record(call, _ids(call), EVENTS[op])
        elif op == "ModifyInstanceAttribute" and call.params.get("InstanceType"):
            with FACTS.lock:
                FACTS.type_changed.add(call.params.get("InstanceId"))
        _overlay_instances(call)
    elif call.service == "elbv2":
        if op == "CreateLoadBalancer":
            with FACTS.lock:
                for lb in call.out.get("LoadBalancers", []):
                    FACTS.lbs[lb.get("LoadBalancerArn")] = now()
        if op in ("CreateLoadBalancer", "DescribeLoadBalancers"):
            _overlay_lbs(call)


def _set(state_dict: dict, name: str) -> bool:
    if state_dict.get("Name") == name:
        return False
    state_dict["Name"], state_dict["Code"] = name, CODES[name]
    return True


def _overlay_instances(call) -> None:
    items = []
    if call.op in ("RunInstances",):
        items = [(i, "State") for i in call.out.get("Instances", [])]
    elif call.op == "DescribeInstances":
        items = [(i, "State") for r in call.out.get("Reservations", []) for i in r.get("Instances", [])]
    elif call.op == "DescribeInstanceStatus":
        items = [(i, "InstanceState") for i in call.out.get("InstanceStatuses", [])]
    elif call.op in OUTPUTS:
        items = [(i, "CurrentState") for i in call.out.get(OUTPUTS[call.op], [])]
    for item, key in items:
        state = instance_state(call, item.get("InstanceId", ""))
        if state and isinstance(item.get(key), dict) and _set(item[key], state):
            call.rewrite()


def _overlay_lbs(call) -> None:
    for lb in call.out.get("LoadBalancers", []):
        age = FACTS.age(FACTS.lbs, lb.get("LoadBalancerArn"))
        if call.within(age, call.profile.lb_provisioning):
            lb["State"] = {"Code": "provisioning"}
            call.rewrite()
