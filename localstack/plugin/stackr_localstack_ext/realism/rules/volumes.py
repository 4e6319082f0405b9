"""Asynchronous state of EBS volumes, and the account's encryption by default.

A new volume is `creating` for a while, a detached one `detaching`; a volume detached without
force from a running instance whose file system still uses it stays `busy` until the instance
stops or terminates, or a forced detach (https://docs.aws.amazon.com/ebs/latest/userguide/ebs-detaching-volume.html).
A modification is `modifying`, then `optimizing`, and a second one meanwhile is refused
(https://docs.aws.amazon.com/ebs/latest/userguide/modify-volume-requirements.html). With EBS
encryption by default every new volume is encrypted, whatever the call asked
(https://docs.aws.amazon.com/ebs/latest/userguide/encryption-by-default.html).
"""

from __future__ import annotations

import datetime

from .. import backend
from ..core import fail, serialize
from ..state import FACTS, now
from .lifecycle import instance_state


def _detaching(call, vol: str):
    with FACTS.lock:
        rec = FACTS.detached.get(vol)
    if rec and call.within(now() - rec[0], call.profile.volume_detaching):
        return rec
    return None


def _busy(call, vol: str):
    with FACTS.lock:
        return FACTS.busy.get(vol)


def _creating(call, vol: str) -> bool:
    return call.within(FACTS.age(FACTS.volumes, vol), call.profile.volume_creating)


def check(call) -> None:
    if call.service != "ec2":
        return
    p, op = call.params, call.op
    vol = p.get("VolumeId", "")
    if op == "AttachVolume":
        if _creating(call, vol):
            fail("IncorrectState", f"vol '{vol}' is not 'available'.")
        if _busy(call, vol) or _detaching(call, vol):
            fail("VolumeInUse", f"{vol} is already attached to an instance")
    elif op == "DeleteVolume":
        held = _busy(call, vol) or _detaching(call, vol)
        if held:
            fail("VolumeInUse", f"Volume {vol} is currently attached to {held[1]}")
    elif op == "ModifyVolume":
        if call.within(FACTS.age(FACTS.modified, vol), call.profile.volume_modifying):
            fail(
                "IncorrectModificationState",
                f"Cannot modify volume {vol} as it is already being modified.",
            )
    elif op == "DetachVolume":
        _detach(call, vol)
    elif op == "TerminateInstances":
        # Terminating detaches the instance's volumes; they are detaching for a while.
        ids = set(p.get("InstanceIds") or [])
        call.detaching = [v.id for v in backend.ec2(call).volumes.values() if _on(v, ids)]


def _detach(call, vol: str) -> None:
    """A detach without force from a running instance leaves the volume busy."""
    if _busy(call, vol) and not call.params.get("Force"):
        fail("IncorrectState", f"Volume '{vol}' is in the 'busy' state.")
    if not call.profile.volume_busy or call.params.get("Force"):
        return
    ec2 = backend.ec2(call)
    volume = ec2.volumes.get(vol)
    attachment = getattr(volume, "attachment", None)
    if attachment is None:
        return
    inst = attachment.instance
    if inst.state != "running" or instance_state(call, inst.id) is not None:
        return
    with FACTS.lock:
        FACTS.busy[vol] = (now(), inst.id, attachment.device)
    call.context.service_response = {
        "VolumeId": vol,
        "InstanceId": inst.id,
        "Device": attachment.device,
        "State": "busy",
        "AttachTime": datetime.datetime.now(datetime.timezone.utc),
    }
    from localstack.http import Response

    call.replay = Response()
    serialize(call.context, call.replay)


def release_busy(call, instance_ids) -> None:
    """The instance stopped or went: its busy volumes finish detaching."""
    ec2 = backend.ec2(call)
    with FACTS.lock:
        done = [(v, rec) for v, rec in FACTS.busy.items() if rec[1] in instance_ids]
        for v, rec in done:
            del FACTS.busy[v]
            FACTS.detached[v] = (now(), rec[1])
    for v, rec in done:
        try:
            ec2.detach_volume(v, rec[1], rec[2])
        except Exception:
            pass


def after(call, _response) -> None:
    if call.service != "ec2":
        return
    op, p = call.op, call.params
    if op == "CreateVolume":
        vol = call.out.get("VolumeId")
        with FACTS.lock:
            FACTS.volumes[vol] = now()
        if call.profile.ebs_encryption_by_default:
            _encrypt(call, [vol])
            call.out["Encrypted"] = True
            call.rewrite()
        if call.profile.volume_creating > 0:
            call.out["State"] = "creating"
            call.rewrite()
    elif op == "RunInstances" and call.profile.ebs_encryption_by_default:
        ids = {i.get("InstanceId") for i in call.out.get("Instances", [])}
        _encrypt(call, [v.id for v in backend.ec2(call).volumes.values() if _on(v, ids)])
    elif op == "DetachVolume":
        with FACTS.lock:
            FACTS.busy.pop(p.get("VolumeId"), None)
            FACTS.detached[p.get("VolumeId")] = (now(), call.out.get("InstanceId") or p.get("InstanceId"))
        if call.profile.volume_detaching > 0:
            call.out["State"] = "detaching"
            call.rewrite()
    elif op == "ModifyVolume":
        with FACTS.lock:
            FACTS.modified[p.get("VolumeId")] = now()
    elif op in ("StopInstances", "TerminateInstances"):
        release_busy(call, set(p.get("InstanceIds") or []))
        with FACTS.lock:
            for v in getattr(call, "detaching", []):
                FACTS.busy.pop(v, None)
                FACTS.detached[v] = (now(), (p.get("InstanceIds") or [""])[0])
    elif op == "DescribeVolumes":
        _overlay_volumes(call)
    elif op == "DescribeVolumesModifications":
        _overlay_modifications(call)
    elif op == "GetEbsEncryptionByDefault" and call.profile.ebs_encryption_by_default:
        call.out["EbsEncryptionByDefault"] = True
        call.rewrite()


def _on(volume, instance_ids) -> bool:
    a = getattr(volume, "attachment", None)
    return a is not None and a.instance.id in instance_ids


def _encrypt(call, volume_ids) -> None:
    ec2 = backend.ec2(call)
    for v in volume_ids:
        if v in ec2.volumes:
            ec2.volumes[v].encrypted = True


def _overlay_volumes(call) -> None:
    for v in call.out.get("Volumes", []):
        vol = v.get("VolumeId", "")
        busy, detaching = _busy(call, vol), _detaching(call, vol)
        if _creating(call, vol):
            v["State"] = "creating"
        elif busy or detaching:
            rec = busy or detaching
            state = "busy" if busy else "detaching"
            v["State"] = "in-use"
            v["Attachments"] = [{"VolumeId": vol, "InstanceId": rec[1], "State": state}]
            if busy:
                v["Attachments"][0]["Device"] = rec[2]
        else:
            continue
        call.rewrite()


def _overlay_modifications(call) -> None:
    window = call.window(call.profile.volume_modifying)
    for m in call.out.get("VolumesModifications", []):
        age = FACTS.age(FACTS.modified, m.get("VolumeId", ""))
        if age is None or age >= window:
            continue
        m["ModificationState"] = "modifying" if age < window / 2 else "optimizing"
        m["Progress"] = int(100 * age / window)
        call.rewrite()
