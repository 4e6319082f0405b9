"""What happened and when: the facts the behaviours are computed from.

Facts are recorded whatever the caller's profile; each request then reads them through its own
profile (a volume created 0.1 s ago is "creating" for a realistic caller and "available" for a
plain one). Every access holds one lock: LocalStack serves requests on many threads.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field


def now() -> float:
    return time.monotonic()


@dataclass
class Hold:
    """Network interfaces still in place: they keep subnets, groups and public IPs in use."""

    at: float
    what: str  # "load balancer arn:..." or "instance i-..."
    vpc: str | None
    subnets: set = field(default_factory=set)
    groups: set = field(default_factory=set)
    public: bool = False
    # How long it lasts is the caller's profile's: `eni_linger` after a load balancer, the
    # shutting-down time after an instance.
    kind: str = "lb"
    # Elastic IPs a network load balancer answered on: still associated with its interfaces.
    allocations: set = field(default_factory=set)


@dataclass
class Facts:
    lock: threading.RLock = field(default_factory=threading.RLock)
    # EC2 ids (and the default children a VPC is born with) -> creation time.
    created: dict = field(default_factory=dict)
    # (account, "role" | "profile" | "user", name) -> creation time; ("profile-role", name):
    # when a role was last added to the profile.
    iam: dict = field(default_factory=dict)
    # instance id -> (time, event): launch | start | stop | terminate.
    instances: dict = field(default_factory=dict)
    # instance ids whose type changed since their last start.
    type_changed: set = field(default_factory=set)
    # load balancer ARN -> creation time.
    lbs: dict = field(default_factory=dict)
    # volume id -> creation time; -> (detach time, instance); -> (instance, device) while busy;
    # -> modification start time. Tuples keep their time first.
    volumes: dict = field(default_factory=dict)
    detached: dict = field(default_factory=dict)
    busy: dict = field(default_factory=dict)
    modified: dict = field(default_factory=dict)
    holds: list = field(default_factory=list)
    # snapshot id -> (creation time, the failure its volume's tag asks for, or None).
    snapshots: dict = field(default_factory=dict)
    # (account, region, group name) -> time of the last capacity change; -> (time, last seen
    # description) once deleted; -> its last description.
    asg_scaled: dict = field(default_factory=dict)
    asg_deleted: dict = field(default_factory=dict)
    asg_seen: dict = field(default_factory=dict)
    # (account, region, group name) -> the launch failure message of its caller's profile.
    asg_failing: dict = field(default_factory=dict)
    # (account, region, group name) -> (time, its warm pool as described) once deleted.
    warm_deleted: dict = field(default_factory=dict)
    # NAT gateway id -> {created, deleted, allocation, association, subnet, vpc, no_gateway}.
    nats: dict = field(default_factory=dict)
    # (account, region, operation, client token) -> (fingerprint, status, headers, body).
    tokens: dict = field(default_factory=dict)
    # (account, region, bucket) -> [tokens, last refill time].
    buckets: dict = field(default_factory=dict)
    # (account, region, alarm name) -> when PutMetricAlarm first made it.
    alarms: dict = field(default_factory=dict)
    # IAM objects (policy ARNs, principal names) already refused once as a concurrent modification.
    iam_conflicts: set = field(default_factory=set)

    def age(self, table: dict, key) -> float | None:
        """Seconds since `key` was recorded in `table`, or None."""
        with self.lock:
            t = table.get(key)
        if isinstance(t, tuple):
            t = t[0]
        return None if t is None else now() - t


FACTS = Facts()


def reset() -> None:
    """Forgets everything (the control endpoint's reset)."""
    global FACTS
    with FACTS.lock:
        fresh = Facts()
        for name in fresh.__dataclass_fields__:
            if name != "lock":
                setattr(FACTS, name, getattr(fresh, name))
