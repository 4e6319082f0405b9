"""The layer's place in LocalStack's handler chain, and what a behaviour sees of one request.

A request handler runs the behaviours' `before` checks after LocalStack has parsed the call and
before moto serves it (a check refuses the call by raising an AWS error); a response handler
runs their `after` steps on the parsed response (recording facts, rewriting what a caller of
that profile sees). Only the services stackr uses are touched, never LocalStack's internal calls.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import threading

from localstack.aws.api import CommonServiceException
from localstack.aws.protocol.serializer import create_serializer
from localstack.utils.aws.request_context import extract_access_key_id_from_auth_header

from . import config

LOG = logging.getLogger("stackr.realism")

SERVICES = {"ec2", "iam", "elbv2", "autoscaling", "sts", "acm", "resourcegroupstaggingapi", "cloudwatch"}

# The default profile and the profiles registered for access key ids (control.py).
PROFILES = {"default": config.from_environment(), "keys": {}}
_rng_lock = threading.Lock()
_rng = random.Random()


class Call:
    """One AWS request as the behaviours see it."""

    def __init__(self, context, profile: config.Profile):
        self.context = context
        self.profile = profile
        self.service = context.service.service_name
        self.op = context.operation.name
        self.params = context.service_request or {}
        self.account = context.account_id
        self.region = context.region
        self.headers = context.request.headers
        self.refused = False
        self.replay = None
        self.rewritten = False

    @property
    def out(self) -> dict:
        """The parsed response; behaviours that change it call `rewrite()`."""
        return self.context.service_response or {}

    def rewrite(self) -> None:
        self.rewritten = True

    def window(self, real: float) -> float:
        return self.profile.seconds(real)

    def within(self, age: float | None, real: float) -> bool:
        """True when something `age` seconds old is still inside a window of `real` AWS seconds."""
        return age is not None and real > 0 and age < self.window(real)

    def chance(self, p: float) -> bool:
        if p <= 0:
            return False
        with _rng_lock:
            return _rng.random() < p

    def attempt(self) -> int:
        """The SDK's attempt number of this request (1 for the first try)."""
        raw = self.headers.get("amz-sdk-request", "")
        for part in raw.split(";"):
            k, _, v = part.strip().partition("=")
            if k == "attempt" and v.isdigit():
                return int(v)
        return 1

    def fingerprint(self, drop=("ClientToken",)) -> str:
        body = {k: v for k, v in self.params.items() if k not in drop}
        return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def fail(code: str, message: str, status: int = 400):
    """Refuses the current request with an AWS error."""
    raise CommonServiceException(code, message, status_code=status, sender_fault=status < 500)


def profile_for(context) -> config.Profile:
    key = extract_access_key_id_from_auth_header(context.request.headers) or ""
    return PROFILES["keys"].get(key, PROFILES["default"])


def seed(value: int | None) -> None:
    if value is not None:
        with _rng_lock:
            _rng.seed(value)


def serialize(context, response, error: Exception | None = None) -> None:
    """Replaces `response` with the context's (changed) parsed response, or with `error`."""
    serializer = create_serializer(context.service)
    if error is None:
        new = serializer.serialize_to_response(
            context.service_response, context.operation, context.request.headers, context.request_id
        )
    else:
        new = serializer.serialize_error_to_response(
            error, context.operation, context.request.headers, context.request_id
        )
    response.update_from(new)


def _applies(context) -> bool:
    return (
        context.service is not None
        and context.operation is not None
        and context.service.service_name in SERVICES
        and not context.is_internal_call
    )


def request_handler(chain, context, response):
    if not _applies(context):
        return
    from .rules import BEFORE

    call = Call(context, profile_for(context))
    context.stackr_realism = call
    try:
        for rule in BEFORE:
            rule(call)
            if call.replay is not None:
                response.update_from(call.replay)
                chain.stop()
                return
    except CommonServiceException as e:
        call.refused = True
        LOG.info("realism(%s): %s.%s refused: %s", call.profile.name, call.service, call.op, e.code)
        raise


def response_handler(chain, context, response):
    call = getattr(context, "stackr_realism", None)
    if call is None or call.refused or call.replay is not None:
        return
    if context.service_exception is not None or response.status_code >= 400:
        return
    from .rules import AFTER

    for rule in AFTER:
        try:
            rule(call, response)
        except Exception:  # a bug in a behaviour must not break the request it watches
            LOG.exception("realism: %s.%s: %s failed", call.service, call.op, rule.__qualname__)
    if call.rewritten:
        serialize(context, response)
    from .rules import idempotency

    idempotency.remember_and_maybe_lose(call, response)
