"""Idempotency and lost responses.

EC2 honours a call's ClientToken: the same token with the same parameters returns the first
call's result instead of doing the work again, and with other parameters answers
IdempotentParameterMismatch (https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-idempotency.html).
moto ignores tokens (two RunInstances with one token make two instances), so the layer keeps
each token's response and replays it.

A lost response is work done whose answer never arrives: the layer performs the call, then
answers 500, so the SDK retries it. "first" loses the first attempt of every matching call
(every create is retried once), "rate" a share of them.
"""

from __future__ import annotations

import re

from localstack.aws.api import CommonServiceException
from werkzeug.datastructures import Headers

from ..core import fail, serialize
from ..state import FACTS

INTERNAL = {"ec2": "InternalError", "iam": "ServiceFailure"}
_lost: set = set()


def _token_key(call):
    token = call.params.get("ClientToken")
    if not token or not call.profile.client_tokens or call.service != "ec2":
        return None
    return (call.account, call.region, call.op, token)


def replay(call) -> None:
    key = _token_key(call)
    if key is None:
        return
    with FACTS.lock:
        seen = FACTS.tokens.get(key)
    if seen is None:
        return
    fingerprint, status, headers, body = seen
    if fingerprint != call.fingerprint():
        fail(
            "IdempotentParameterMismatch",
            "The client token you have provided is associated with a resource that is already deleted "
            "or with different parameters. Please use a different client token.",
        )
    from localstack.http import Response

    call.replay = Response(body, status=status, headers=Headers(headers))


def remember_and_maybe_lose(call, response) -> None:
    key = _token_key(call)
    if key is not None:
        with FACTS.lock:
            FACTS.tokens.setdefault(key, (call.fingerprint(), response.status_code, list(response.headers.items()), response.get_data()))
    if _lose(call):
        code = INTERNAL.get(call.service, "InternalFailure")
        error = CommonServiceException(code, "We encountered an internal error. Please try again.", 500)
        serialize(call.context, response, error)


def _lose(call) -> bool:
    p = call.profile
    if p.lose_responses == "off" or not re.search(p.lose_operations, call.op):
        return False
    if p.lose_responses == "rate":
        return call.chance(p.lose_rate)
    # "first": the first attempt of each call, once per SDK invocation.
    invocation = call.headers.get("amz-sdk-invocation-id") or call.fingerprint(drop=())
    with FACTS.lock:
        if call.attempt() > 1 or invocation in _lost:
            return False
        _lost.add(invocation)
    return True
