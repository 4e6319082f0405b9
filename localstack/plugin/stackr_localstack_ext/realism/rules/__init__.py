"""The behaviours, in the order they run. `BEFORE` steps see a parsed request and may refuse it
(or answer it, as a client-token replay does); `AFTER` steps see a successful response, record
what happened and rewrite what the caller's profile should see."""

from . import (
    account,
    alarms,
    asg,
    consistency,
    dependencies,
    elb,
    idempotency,
    lifecycle,
    nat,
    snapshots,
    throttling,
    validation,
    volumes,
    warm,
)

BEFORE = [
    throttling.throttle,
    idempotency.replay,
    dependencies.capture,
    asg.capture,
    warm.capture,
    consistency.ec2_not_found,
    consistency.elb_allocation_not_found,
    consistency.iam_propagation,
    validation.check,
    elb.check,
    lifecycle.check,
    nat.check,
    dependencies.check,
    asg.check,
    warm.check,
    account.check,
    volumes.check,
]

AFTER = [
    consistency.record_created,
    consistency.record_iam,
    lifecycle.after,
    volumes.after,
    snapshots.after,
    dependencies.after,
    asg.after,
    warm.after,
    nat.after,
    account.after,
    elb.after,
    alarms.record,
    consistency.hide_fresh,
    alarms.hide_fresh,
]
