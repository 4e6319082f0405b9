"""CloudWatch's control plane is eventually consistent: an alarm PutMetricAlarm has just made
is not yet in DescribeAlarms' answer, even asked for by name (the same read-after-write lag as
EC2's, https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html
says an alarm's state and configuration are applied asynchronously). Code that puts an alarm
and reads it back at once must wait for it, or a plan after the apply finds it missing.
"""

from __future__ import annotations

from ..state import FACTS, now


def _key(call, name):
    return (call.account, call.region, name)


def record(call, _response) -> None:
    if call.service != "cloudwatch":
        return
    if call.op == "PutMetricAlarm":
        key = _key(call, call.params.get("AlarmName"))
        with FACTS.lock:
            # Only a new alarm is missing from reads; an update changes one already listed.
            if key not in FACTS.alarms:
                FACTS.alarms[key] = now()
    elif call.op == "DeleteAlarms":
        with FACTS.lock:
            for name in call.params.get("AlarmNames", []):
                FACTS.alarms.pop(_key(call, name), None)


def hide_fresh(call, _response) -> None:
    if call.service != "cloudwatch" or call.op != "DescribeAlarms" or call.profile.alarm_visibility <= 0:
        return
    alarms = call.out.get("MetricAlarms") or []
    keep = [
        a
        for a in alarms
        if not call.within(FACTS.age(FACTS.alarms, _key(call, a.get("AlarmName"))), call.profile.alarm_visibility)
    ]
    if len(keep) != len(alarms):
        call.out["MetricAlarms"] = keep
        call.rewrite()
