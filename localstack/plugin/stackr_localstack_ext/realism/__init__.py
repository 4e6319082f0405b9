"""The realism layer: LocalStack made to behave like AWS where stackr's correctness depends on it
(eventual consistency, asynchronous states, dependencies on delete, validation moto skips,
account settings, throttling, idempotency and lost responses). See localstack/README.md.

Installed by an `on_infra_start` hook into LocalStack's handler chain; switched per test run
through the control endpoint `/_stackr/realism` or STACKR_REALISM at start.
"""

from localstack.runtime import hooks


@hooks.on_infra_start()
def install_realism():
    from localstack.aws import handlers
    from localstack.services.edge import ROUTER

    from . import control, core

    # The rules read moto's models from request threads. Imported lazily, two first requests
    # importing moto.elbv2 and moto.autoscaling at once (both import moto.elb) deadlock on
    # Python's module locks and answer 500: import them once, here, before any request.
    import moto.autoscaling.models  # noqa: F401
    import moto.ec2.models  # noqa: F401
    import moto.elbv2.models  # noqa: F401
    import moto.iam.models  # noqa: F401

    handlers.serve_custom_service_request_handlers.append(core.request_handler)
    handlers.run_custom_response_handlers.append(core.response_handler)
    control.register(ROUTER)
    core.LOG.info("realism layer installed; default profile: %s", core.PROFILES["default"].name)
