"""Throttling: EC2's token buckets per API category, and a share of every service's calls refused.

EC2 meters each account and region with one bucket per category of action; a call takes a
token or is refused with RequestLimitExceeded, and buckets refill at a fixed rate
(https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html). IAM, ELBv2 and Auto
Scaling answer Throttling. Nothing a refused call asked for is done. `throttle_first` refuses
the first attempts of every call, as a long stretch of throttling does, deterministically.
"""

from __future__ import annotations

from ..core import fail
from ..state import FACTS, now

# (capacity, refill per second), from the EC2 API throttling page.
BUCKETS = {
    "non-mutating": (100, 20.0),
    "unfiltered": (50, 10.0),
    "mutating": (50, 5.0),
    "run-instances": (5, 2.0),
    "create-tags": (100, 10.0),
}

CODES = {"ec2": ("RequestLimitExceeded", 503), "elbv2": ("Throttling", 400)}


def category(call) -> str:
    op = call.op
    if op == "RunInstances":
        return "run-instances"
    if op == "CreateTags":
        return "create-tags"
    if op.startswith(("Describe", "Get", "List", "Search")):
        paged = call.params.get("MaxResults") or call.params.get("NextToken")
        narrowed = call.params.get("Filters") or any(k.endswith("Ids") for k in call.params)
        return "non-mutating" if paged or narrowed else "unfiltered"
    return "mutating"


def _take(key, capacity: int, rate: float) -> bool:
    with FACTS.lock:
        tokens, last = FACTS.buckets.get(key, (float(capacity), now()))
        t = now()
        tokens = min(float(capacity), tokens + (t - last) * rate)
        ok = tokens >= 1.0
        FACTS.buckets[key] = (tokens - 1.0 if ok else tokens, t)
    return ok


def throttle(call) -> None:
    p = call.profile
    code, status = CODES.get(call.service, ("Throttling", 400))
    if call.service == "ec2" and p.ec2_token_buckets:
        cat = category(call)
        capacity, rate = BUCKETS[cat]
        if not _take((call.account, call.region, cat), capacity, rate):
            fail(code, "Request limit exceeded.", status)
    if call.chance(p.throttle_rate) or call.attempt() <= p.throttle_first:
        fail(code, "Rate exceeded", status)
