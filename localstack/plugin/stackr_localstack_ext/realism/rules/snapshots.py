"""EBS snapshots take time: a new one is `pending`, with a growing `Progress`, for minutes
before it is `completed` (moto completes it at once). A snapshot can also end in `error`, with
a `StateMessage` (https://docs.aws.amazon.com/ebs/latest/userguide/ebs-creating-snapshot.html,
https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Snapshot.html); on demand, a volume
tagged `stackr-realism:snapshot-error` makes its snapshots fail with the tag's value.
"""

from __future__ import annotations

from .. import backend
from ..state import FACTS, now

ERROR_TAG = "stackr-realism:snapshot-error"


def _error_of(call, volume_id: str) -> str | None:
    """The failure a volume's tag asks for, recorded whatever the caller's profile."""
    volume = backend.ec2(call).volumes.get(volume_id)
    for t in volume.get_tags() if volume is not None else []:
        if t.get("key") == ERROR_TAG:
            return t.get("value") or "Snapshot failed"
    return None


def _shown(call, snap: dict) -> bool:
    """Rewrites one snapshot as the caller's profile sees it; True when it changed."""
    with FACTS.lock:
        rec = FACTS.snapshots.get(snap.get("SnapshotId", ""))
    if rec is None:
        return False
    age, error = now() - rec[0], rec[1]
    if call.within(age, call.profile.snapshot_pending):
        snap["State"] = "pending"
        snap["Progress"] = f"{int(100 * age / call.window(call.profile.snapshot_pending))}%"
        return True
    if error and call.profile.snapshot_errors:
        snap["State"] = "error"
        snap["StateMessage"] = error
        snap["Progress"] = "0%"
        return True
    return False


def after(call, _response) -> None:
    if call.service != "ec2":
        return
    if call.op == "CreateSnapshot":
        snap = call.out.get("SnapshotId")
        with FACTS.lock:
            FACTS.snapshots[snap] = (now(), _error_of(call, call.params.get("VolumeId", "")))
        if _shown(call, call.out):
            call.rewrite()
    elif call.op == "DescribeSnapshots":
        for snap in call.out.get("Snapshots", []):
            if _shown(call, snap):
                call.rewrite()
