"""elbv2 and autoscaling providers for LocalStack community (host mode or the official image).

Same pattern as localstack/services/providers.py: each factory is an @aws_provider plugin
(entry-point group "localstack.aws.provider", names "<api>:default", see pyproject.toml).
Every operation of the botocore service model is passed through to moto, which also backs
LocalStack's EC2, so VPCs, subnets, launch templates and instances are shared; instance
refreshes, which moto lacks, are served by `refresh.py`.
"""

from localstack.services.plugins import Service, aws_provider


def _moto_service(name: str, own: dict | None = None) -> Service:
    from localstack.aws.skeleton import Skeleton
    from localstack.aws.spec import load_service
    from localstack.services.moto import _proxy_moto

    model = load_service(name)
    table = {operation: _proxy_moto for operation in model.operation_names}
    table.update(own or {})
    return Service(name, skeleton=Skeleton(model, table))


def _scaling_activities(context, request):
    """moto's activities, with those of instance refreshes (newest first)."""
    from localstack.services.moto import call_moto

    from . import refresh

    out = call_moto(context)
    key = (context.account_id, context.region, request.get("AutoScalingGroupName"))
    out["Activities"] = refresh.activities(key) + list(out.get("Activities") or [])
    return out


@aws_provider()
def elbv2():
    return _moto_service("elbv2")


@aws_provider()
def autoscaling():
    from . import refresh

    return _moto_service(
        "autoscaling",
        {
            "StartInstanceRefresh": refresh.start,
            "DescribeInstanceRefreshes": refresh.describe,
            "CancelInstanceRefresh": refresh.cancel,
            "RollbackInstanceRefresh": refresh.rollback,
            "DescribeScalingActivities": _scaling_activities,
        },
    )
