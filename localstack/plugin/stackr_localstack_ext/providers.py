"""elbv2 and autoscaling providers for LocalStack community (host mode or the official image).

Same pattern as localstack/services/providers.py: each factory is an @aws_provider plugin
(entry-point group "localstack.aws.provider", names "<api>:default", see pyproject.toml).
Every operation of the botocore service model is passed through to moto, which also backs
LocalStack's EC2, so VPCs, subnets, launch templates and instances are shared.
"""

from localstack.services.plugins import Service, aws_provider


def _moto_service(name: str) -> Service:
    from localstack.aws.skeleton import Skeleton
    from localstack.aws.spec import load_service
    from localstack.services.moto import _proxy_moto

    model = load_service(name)
    table = {operation: _proxy_moto for operation in model.operation_names}
    return Service(name, skeleton=Skeleton(model, table))


@aws_provider()
def elbv2():
    return _moto_service("elbv2")


@aws_provider()
def autoscaling():
    return _moto_service("autoscaling")
