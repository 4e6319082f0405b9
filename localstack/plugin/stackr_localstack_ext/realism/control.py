"""The control endpoint: which profile applies to which caller.

    GET    /_stackr/realism               the default profile and the per-key ones
    PUT    /_stackr/realism/default       body: a preset name ("full") or settings object
    PUT    /_stackr/realism/keys/<key>    the same, for requests signed with access key <key>
    DELETE /_stackr/realism/keys/<key>
    POST   /_stackr/realism/reset         forget recorded facts; default back to off; keys dropped
"""

from __future__ import annotations

import json

from localstack.http import Request, Response

from . import config, core, state


def _spec(request: Request):
    raw = request.get_data(as_text=True).strip()
    if not raw:
        return "off"
    return json.loads(raw) if raw[0] in "{\"" else raw


def _profile(request: Request):
    try:
        profile = config.build(_spec(request))
    except (ValueError, TypeError) as e:
        return None, Response(json.dumps({"error": str(e)}), status=400, mimetype="application/json")
    core.seed(profile.seed)
    return profile, None


def _ok(payload) -> Response:
    return Response(json.dumps(payload, indent=1), status=200, mimetype="application/json")


def show(request: Request, **_):
    keys = {k: p.to_json() for k, p in core.PROFILES["keys"].items()}
    return _ok({"default": core.PROFILES["default"].to_json(), "keys": keys})


def set_default(request: Request, **_):
    profile, err = _profile(request)
    if err:
        return err
    core.PROFILES["default"] = profile
    return _ok(profile.to_json())


def set_key(request: Request, key: str, **_):
    if request.method == "DELETE":
        core.PROFILES["keys"].pop(key, None)
        return _ok({"deleted": key})
    profile, err = _profile(request)
    if err:
        return err
    core.PROFILES["keys"][key] = profile
    return _ok(profile.to_json())


def reset(request: Request, **_):
    state.reset()
    core.PROFILES["default"] = config.build("off")
    core.PROFILES["keys"].clear()
    return _ok({"reset": True})


def register(router) -> None:
    router.add("/_stackr/realism", show, methods=["GET"])
    router.add("/_stackr/realism/default", set_default, methods=["PUT"])
    router.add("/_stackr/realism/keys/<key>", set_key, methods=["PUT", "DELETE"])
    router.add("/_stackr/realism/reset", reset, methods=["POST"])
