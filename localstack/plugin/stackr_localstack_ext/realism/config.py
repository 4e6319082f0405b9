"""Realism profiles: which AWS behaviours the layer imitates, and how long each lasts.

Durations are given in real AWS seconds and divided by one `scale` factor, so the suite stays
fast while the proportions between behaviours stay AWS's. A profile is chosen per request by
its access key id (see control.py); requests whose key has no profile get the default one.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field

# Operations whose response "lost responses" drops by default: everything that creates.
CREATE_OPERATIONS = r"^(Create|Run|Allocate|Import)"


@dataclass
class Profile:
    name: str = "off"
    # Real seconds are divided by this: 20 turns AWS's 60 s into 3 s.
    scale: float = 20.0

    # Eventual consistency (real seconds after a create).
    ec2_visibility: float = 0.0
    iam_propagation: float = 0.0
    # A new CloudWatch alarm missing from DescribeAlarms.
    alarm_visibility: float = 0.0

    # Asynchronous state (real seconds in each transitional state).
    instance_pending: float = 0.0
    instance_stopping: float = 0.0
    instance_shutting_down: float = 0.0
    lb_provisioning: float = 0.0
    volume_creating: float = 0.0
    volume_detaching: float = 0.0
    # A volume detached without force from a running instance stays busy until the instance
    # stops or terminates, or a forced detach.
    volume_busy: bool = False
    volume_modifying: float = 0.0
    # EBS snapshots pending after CreateSnapshot; fault injection (not in `full`): snapshots of
    # a volume tagged `stackr-realism:snapshot-error` end in `error` with the tag's value.
    snapshot_pending: float = 0.0
    snapshot_errors: bool = False
    asg_scaling: float = 0.0
    asg_deleting: float = 0.0
    # A deleted warm pool is `PendingDelete` this long.
    asg_warm_deleting: float = 0.0
    # NAT gateways: pending after create, deleting (still holding address and subnet) after delete.
    nat_pending: float = 0.0
    nat_deleting: float = 0.0
    # Fault injection (not in `full`): every launch of an Auto Scaling group fails with this
    # scaling activity message, e.g. "We currently do not have sufficient t3.micro capacity...".
    asg_launch_failure: str = ""
    # The first StartInstances after an instance type change fails once.
    start_after_type_change_fails: bool = False

    # Dependencies on delete: network interfaces of deleted load balancers and terminated
    # instances linger this long; in-use checks on delete and detach.
    eni_linger: float = 0.0
    dependencies: bool = False

    # Validation moto skips; listings that show an object deleted before the next call.
    validation: bool = False
    listing_races: bool = False
    filter_value_limit: int = 0

    # Account settings.
    ebs_encryption_by_default: bool = False
    iam_policy_rewrite: bool = False
    password_policy_defaults: bool = False
    # The first tag write on each IAM policy, and the first policy attachment to each user,
    # group and role, answer ConcurrentModification, as when another writer is at it too.
    iam_conflicts: bool = False

    # Throttling: EC2's per-API token buckets, and a share of all calls refused.
    ec2_token_buckets: bool = False
    throttle_rate: float = 0.0
    # Fault injection (not in `full`): the first this many attempts of every call are throttled.
    throttle_first: int = 0

    # Idempotency: client tokens honoured; the first response of each matching call lost
    # ("first"), or a share of them lost ("rate" with lose_rate).
    client_tokens: bool = False
    lose_responses: str = "off"
    lose_rate: float = 0.0
    lose_operations: str = CREATE_OPERATIONS

    # Optional seed for the random choices (throttling, lost responses).
    seed: int | None = None

    extra: dict = field(default_factory=dict)

    def seconds(self, real: float) -> float:
        """A duration in this run's time: real AWS seconds divided by the scale."""
        return real / self.scale if self.scale > 0 else real

    def to_json(self) -> dict:
        return dataclasses.asdict(self)


# What AWS does, in real seconds. Sources for each number: localstack/README.md.
FULL = dict(
    name="full",
    ec2_visibility=4.0,
    iam_propagation=10.0,
    alarm_visibility=4.0,
    instance_pending=30.0,
    instance_stopping=30.0,
    instance_shutting_down=30.0,
    lb_provisioning=90.0,
    volume_creating=4.0,
    volume_detaching=10.0,
    volume_busy=True,
    volume_modifying=20.0,
    snapshot_pending=60.0,
    asg_scaling=30.0,
    asg_deleting=40.0,
    asg_warm_deleting=60.0,
    nat_pending=120.0,
    nat_deleting=60.0,
    start_after_type_change_fails=True,
    eni_linger=60.0,
    dependencies=True,
    validation=True,
    listing_races=True,
    filter_value_limit=200,
    ebs_encryption_by_default=True,
    iam_policy_rewrite=True,
    password_policy_defaults=True,
    iam_conflicts=True,
    ec2_token_buckets=True,
    throttle_rate=0.2,
    client_tokens=True,
    lose_responses="first",
)

PRESETS = {"off": {"name": "off"}, "full": FULL}


def build(spec: dict | str | None) -> Profile:
    """A profile from a preset name, or a JSON object: `{"preset": "full", "scale": 10, ...}`."""
    if spec is None:
        spec = "off"
    if isinstance(spec, str):
        spec = {"preset": spec}
    spec = dict(spec)
    preset = spec.pop("preset", None)
    values: dict = {}
    if preset is not None:
        if preset not in PRESETS:
            raise ValueError(f"unknown realism preset {preset!r} (known: {', '.join(PRESETS)})")
        values.update(PRESETS[preset])
    known = {f.name for f in dataclasses.fields(Profile)}
    unknown = sorted(set(spec) - known)
    if unknown:
        raise ValueError(f"unknown realism setting(s): {', '.join(unknown)}")
    values.update(spec)
    values.setdefault("name", preset or "custom")
    if "scale" not in spec and os.environ.get("STACKR_REALISM_SCALE"):
        values["scale"] = float(os.environ["STACKR_REALISM_SCALE"])
    if values.get("lose_responses", "off") not in ("off", "first", "rate"):
        raise ValueError("lose_responses is one of off, first, rate")
    return Profile(**values)


def from_environment() -> Profile:
    """The default profile at start: STACKR_REALISM (a preset name or JSON), else off."""
    raw = os.environ.get("STACKR_REALISM", "off").strip()
    if raw.startswith("{"):
        import json

        return build(json.loads(raw))
    return build(raw or "off")
