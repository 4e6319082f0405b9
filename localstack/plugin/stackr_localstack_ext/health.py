"""Target health that can fail. moto reports every registered running instance `healthy`; here
an instance whose user data holds the marker `stackr-localstack: unhealthy` fails its target
groups' health checks (`unhealthy`, Target.FailedHealthChecks), as an instance of a broken
release would on AWS. Tests use it to break a rolling update on purpose.
"""

from __future__ import annotations

import base64

MARKER = "stackr-localstack: unhealthy"


def _user_data_text(inst) -> str:
    raw = getattr(inst, "user_data", None)
    if isinstance(raw, list):
        raw = raw[0] if raw else None
    if hasattr(raw, "decode") and not isinstance(raw, bytes):
        try:
            return raw.decode()  # moto's Base64EncodedString
        except Exception:
            return ""
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", "replace")
    if not raw:
        return ""
    try:
        decoded = base64.b64decode(raw, validate=False).decode("utf-8", "replace")
    except Exception:
        decoded = ""
    return f"{raw}\n{decoded}"


def broken(inst) -> bool:
    return inst is not None and MARKER in _user_data_text(inst)


def instance_healthy(group, instance_id: str) -> bool:
    try:
        inst = group.ec2_backend.get_instance(instance_id)
    except Exception:
        return False
    return not broken(inst)


def install() -> None:
    from moto.elbv2.models import FakeHealthStatus, FakeTargetGroup

    health_for = FakeTargetGroup.health_for
    if getattr(health_for, "_stackr_fixed", False):
        return

    def fixed(self, target, ec2_backend):
        status = health_for(self, target, ec2_backend)
        if status.status == "healthy" and str(target.get("Id", "")).startswith("i-"):
            try:
                inst = ec2_backend.get_instance_by_id(target["Id"])
            except Exception:
                inst = None
            if broken(inst):
                return FakeHealthStatus(
                    target["Id"],
                    status.port,
                    self.health_check_port,
                    "unhealthy",
                    "Target.FailedHealthChecks",
                    "Health checks failed",
                )
        return status

    fixed._stackr_fixed = True
    FakeTargetGroup.health_for = fixed
