"""Fixes for moto defects that make LocalStack wrong where AWS is right (not realism: these hold
whatever the realism profile). Installed by an `on_infra_start` hook.

- CreateLaunchTemplateVersion keeps UserData as a plain string (CreateLaunchTemplate decodes it),
  so every Auto Scaling launch from a later version that has user data fails with an
  AssertionError (an InternalError to the caller). AWS launches it.
- ListGroups and ListInstanceProfiles ignore PathPrefix and answer every group and profile of
  the account (ListUsers and ListRoles honour it). AWS filters by the path, so a stack's
  discovery costs the same in a busy account.
- An EC2 object's tags are found by scanning every tag of the region (TaggedEC2Resource.get_tags
  filters the whole tag table by resource id), once per object a filter looks at and once per
  object an answer shows: in a busy account every filtered Describe costs objects x tags. AWS
  looks tags up by resource; so does this fix (the same tags, found directly).
- EC2 filter values are matched with Python's fnmatch, where `[...]` is a character class: a
  tag value holding brackets (an instance address, `subnet.public["a"]`) never matches itself.
  AWS knows only `*` and `?` (and `\` to escape them); every other character is literal.
- An Auto Scaling instance's LaunchTemplate.Version is reported as the template's default version
  now, not the version it was launched from: after a new default version every instance seems
  up to date. AWS reports what each instance runs; so does this fix (recorded at launch).
- ListRoles with a PathPrefix encodes each trust policy twice (a JSON string of the document,
  URL-encoded). AWS URL-encodes the document once, as GetRole does here.
- ELBv2 CreateLoadBalancer and SetSubnets drop the Elastic IPs of SubnetMappings: a network load
  balancer's AvailabilityZones never show LoadBalancerAddresses, so its addresses cannot be
  read back. AWS reports each subnet's AllocationId and IpAddress; so does this fix.
- ELBv2 ModifyListener refuses TLS, UDP and TCP_UDP (UnsupportedProtocol), which AWS takes on a
  network load balancer; and moto has no AddListenerCertificates, RemoveListenerCertificates or
  DescribeListenerCertificates. This fix serves them: a listener's extra (SNI) certificates kept
  beside its default one, listed with IsDefault as AWS lists them, each checked to exist in ACM
  or IAM (CertificateNotFound).
- PutScalingPolicy answers `PolicyArn`; AWS's (and the SDKs') member is `PolicyARN`, so every
  caller reads no ARN and cannot make the policy's CloudWatch alarm.
- CloudWatch's PutMetricAlarm keeps its `Tags` in the alarm instead of tagging it: DescribeAlarms
  then returns a member MetricAlarm does not have (the CBOR serializer of the current SDKs'
  protocol fails on it with a 500) and ListTagsForResource shows none. AWS tags a new alarm
  (and ignores the tags of an update) and returns tags only through ListTagsForResource.
"""

from localstack.runtime import hooks


@hooks.on_infra_start()
def install_fixes():
    from moto.ec2.models.launch_templates import LaunchTemplate
    from moto.ec2.utils import parse_user_data

    create_version = LaunchTemplate.create_version
    if getattr(create_version, "_stackr_fixed", False):
        return

    def fixed(self, data, description):
        if isinstance(data, dict) and isinstance(data.get("UserData"), str):
            data = dict(data, UserData=parse_user_data(data["UserData"]))
        return create_version(self, data, description)

    fixed._stackr_fixed = True
    LaunchTemplate.create_version = fixed
    install_path_prefix()
    install_list_roles()
    install_tag_lookup()
    install_filter_wildcards()
    install_launch_versions()
    install_mixed_update()
    from . import health

    health.install()
    install_subnet_mappings()
    install_listener_certificates()
    install_policy_arn()
    install_alarm_members()


def install_path_prefix():
    from moto.core.responses import ActionResult
    from moto.iam.responses import IamResponse

    if getattr(IamResponse.list_groups, "_stackr_fixed", False):
        return

    def list_groups(self):
        prefix = self._get_param("PathPrefix") or "/"
        groups = [g for g in self.backend.list_groups() if g.path.startswith(prefix)]
        return ActionResult({"Groups": groups})

    def list_instance_profiles(self):
        prefix = self._get_param("PathPrefix") or "/"
        profiles = [p for p in self.backend.get_instance_profiles() if p.path.startswith(prefix)]
        return ActionResult({"InstanceProfiles": profiles})

    list_groups._stackr_fixed = True
    IamResponse.list_groups = list_groups
    IamResponse.list_instance_profiles = list_instance_profiles


def install_list_roles():
    import json
    from urllib.parse import quote, unquote

    from localstack.services.iam.provider import IamProvider

    list_roles = IamProvider.list_roles
    if getattr(list_roles, "_stackr_fixed", False):
        return

    def fixed(self, *args, **kwargs):
        response = list_roles(self, *args, **kwargs)
        for role in response.get("Roles", []):
            doc = role.get("AssumeRolePolicyDocument")
            try:
                inner = json.loads(unquote(doc)) if doc else None
            except ValueError:
                continue
            if isinstance(inner, str):
                role["AssumeRolePolicyDocument"] = quote(inner)
        return response

    fixed._stackr_fixed = True
    IamProvider.list_roles = fixed


def install_tag_lookup():
    from moto.ec2.models.core import TaggedEC2Resource
    from moto.ec2.utils import EC2_PREFIX_TO_RESOURCE, get_prefix

    if getattr(TaggedEC2Resource.get_tags, "_stackr_fixed", False):
        return

    def get_tags(self):
        ident = getattr(self, "id", None)
        if not ident:
            return []
        tags = dict(self.ec2_backend.tags.get(ident) or {})
        kind = EC2_PREFIX_TO_RESOURCE.get(get_prefix(ident), "")
        return [{"resource_id": ident, "key": k, "value": v, "resource_type": kind} for k, v in tags.items()]

    get_tags._stackr_fixed = True
    TaggedEC2Resource.get_tags = get_tags


def aws_filter_to_re(pattern: str) -> str:
    """An EC2 filter value as a regular expression: `*` and `?` are wildcards, `\\` escapes."""
    import re

    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*" if c == "*" else "." if c == "?" else re.escape(c))
        i += 1
    return "(?s:" + "".join(out) + ")\\Z"


def install_filter_wildcards():
    import re
    import types

    import moto.ec2.models.tags as tags
    import moto.ec2.utils as utils

    if getattr(utils.simple_aws_filter_to_re, "_stackr_fixed", False):
        return
    aws_filter_to_re._stackr_fixed = True
    utils.simple_aws_filter_to_re = aws_filter_to_re
    tags.simple_aws_filter_to_re = aws_filter_to_re
    utils.fnmatch = types.SimpleNamespace(
        fnmatch=lambda value, pattern: re.match(aws_filter_to_re(pattern), value) is not None
    )


def install_launch_versions():
    from moto.autoscaling.models import FakeAutoScalingGroup, InstanceState

    replace = FakeAutoScalingGroup.replace_autoscaling_group_instances
    if getattr(replace, "_stackr_fixed", False):
        return

    def fixed_replace(self, count_needed, propagated_tags):
        before = {id(s) for s in self.instance_states}
        replace(self, count_needed, propagated_tags)
        lt = self.ec2_launch_template
        if lt is None:
            return
        version = str(lt.get_version(self.launch_template_version).number)
        for s in self.instance_states:
            if id(s) not in before:
                s.instance._stackr_lt_id = lt.id
                s.instance._stackr_lt_version = version

    def launch_template(self):
        group = self.auto_scaling_group
        if group is None or group.ec2_launch_template is None:
            return None
        lt = group.ec2_launch_template
        return {
            "LaunchTemplateId": getattr(self.instance, "_stackr_lt_id", lt.id),
            "LaunchTemplateName": lt.name,
            "Version": getattr(self.instance, "_stackr_lt_version", str(lt.default_version_number)),
        }

    fixed_replace._stackr_fixed = True
    FakeAutoScalingGroup.replace_autoscaling_group_instances = fixed_replace
    InstanceState.launch_template = property(launch_template)


def install_mixed_update():
    """UpdateAutoScalingGroup without a launch form keeps the group's MixedInstancesPolicy, as
    AWS does; moto drops it (and sending a LaunchTemplate replaces it, as in AWS)."""
    from moto.autoscaling.models import FakeAutoScalingGroup

    update = FakeAutoScalingGroup.update
    if getattr(update, "_stackr_fixed", False):
        return

    def fixed_update(self, **kwargs):
        if not (kwargs.get("mixed_instances_policy") or kwargs.get("launch_template") or kwargs.get("launch_config_name")):
            kwargs["mixed_instances_policy"] = self.mixed_instances_policy
        return update(self, **kwargs)

    fixed_update._stackr_fixed = True
    FakeAutoScalingGroup.update = fixed_update


def install_subnet_mappings():
    from moto.elbv2 import models

    backend = models.ELBv2Backend
    if getattr(backend.create_load_balancer, "_stackr_fixed", False):
        return
    create, set_subnets = backend.create_load_balancer, backend.set_subnets

    def allocations(mappings) -> dict:
        return {m["SubnetId"]: m["AllocationId"] for m in mappings or [] if m.get("AllocationId")}

    def fixed_create(self, *args, **kwargs):
        lb = create(self, *args, **kwargs)
        lb._stackr_allocations = allocations(kwargs.get("subnet_mappings"))
        return lb

    def fixed_set_subnets(self, arn, subnets, subnet_mappings):
        zones = set_subnets(self, arn, subnets, subnet_mappings)
        lb = self.load_balancers[arn]
        # SetSubnets keeps the addresses of subnets the balancer already had.
        kept = getattr(lb, "_stackr_allocations", {})
        lb._stackr_allocations = {**kept, **allocations(subnet_mappings)}
        return [_with_address(lb, z) for z in zones]

    def zones(self):
        return [_with_address(self, models.AvailabilityZone(subnet)) for subnet in self.subnets]

    fixed_create._stackr_fixed = True
    backend.create_load_balancer = fixed_create
    backend.set_subnets = fixed_set_subnets
    models.FakeLoadBalancer.availability_zones = property(zones)


def _with_address(lb, zone):
    """The zone with the Elastic IP the balancer answers on there, as AWS reports it."""
    alloc = getattr(lb, "_stackr_allocations", {}).get(zone.subnet_id)
    if alloc:
        from moto.ec2.models import ec2_backends

        region = lb.arn.split(":")[3]
        account = lb.arn.split(":")[4]
        ips = [a.public_ip for a in ec2_backends[account][region].addresses if a.allocation_id == alloc]
        zone.load_balancer_addresses = [{"AllocationId": alloc, "IpAddress": ips[0] if ips else None}]
    return zone


def install_listener_certificates():
    from moto.core.exceptions import RESTError
    from moto.core.responses import ActionResult
    from moto.elbv2 import models
    from moto.elbv2.responses import ELBV2Response

    if getattr(ELBV2Response, "_stackr_certificates", False):
        return
    ELBV2Response._stackr_certificates = True
    modify = models.ELBv2Backend.modify_listener

    def modify_listener(self, arn, port=None, protocol=None, ssl_policy=None, certificates=None, actions=None):
        if protocol not in ("TLS", "UDP", "TCP_UDP"):
            return modify(self, arn, port, protocol, ssl_policy, certificates, actions)
        listener = modify(self, arn, port, None, ssl_policy, None, actions)
        listener.protocol = protocol
        if protocol == "TLS" and certificates:
            listener.certificate = certificates[0]["CertificateArn"]
            listener.certificates = [listener.certificate]
        return listener

    models.ELBv2Backend.modify_listener = modify_listener

    def listener(self):
        arn = self._get_param("ListenerArn")
        return self.elbv2_backend.describe_listeners(load_balancer_arn=None, listener_arns=[arn])[0]

    def given(self):
        return [c["CertificateArn"] for c in self._get_param("Certificates", [])]

    def add_listener_certificates(self):
        l, arns = listener(self), given(self)
        for arn in arns:
            if not self.elbv2_backend._certificate_exists(certificate_arn=arn):
                raise RESTError("CertificateNotFound", f"Certificate '{arn}' not found")
        sni = getattr(l, "_stackr_sni", [])
        l._stackr_sni = sni + [a for a in arns if a not in sni]
        return ActionResult({"Certificates": [{"CertificateArn": a, "IsDefault": False} for a in arns]})

    def remove_listener_certificates(self):
        l, arns = listener(self), given(self)
        if l.certificate in arns:
            raise RESTError("OperationNotPermitted", "The default certificate cannot be removed")
        l._stackr_sni = [a for a in getattr(l, "_stackr_sni", []) if a not in arns]
        return ActionResult({})

    def describe_listener_certificates(self):
        l = listener(self)
        default = [{"CertificateArn": l.certificate, "IsDefault": True}] if l.certificate else []
        extra = [{"CertificateArn": a, "IsDefault": False} for a in getattr(l, "_stackr_sni", [])]
        return ActionResult({"Certificates": default + extra})

    ELBV2Response.add_listener_certificates = add_listener_certificates
    ELBV2Response.remove_listener_certificates = remove_listener_certificates
    ELBV2Response.describe_listener_certificates = describe_listener_certificates


def install_policy_arn():
    from moto.autoscaling.responses import AutoScalingResponse
    from moto.core.responses import ActionResult

    put = AutoScalingResponse.put_scaling_policy
    if getattr(put, "_stackr_fixed", False):
        return

    def fixed(self):
        result = put(self)
        arn = getattr(result, "result", {}).get("PolicyArn")
        return ActionResult({"PolicyARN": arn}) if arn else result

    fixed._stackr_fixed = True
    AutoScalingResponse.put_scaling_policy = fixed


def install_alarm_members():
    from localstack.aws.api import handler
    from localstack.services.cloudwatch.provider_v2 import CloudwatchProvider

    put = CloudwatchProvider.put_metric_alarm
    if getattr(put, "_stackr_fixed", False):
        return

    def put_metric_alarm(self, context, request):
        store = self.get_store(context.account_id, context.region)
        name = request.get("AlarmName")
        existed = any(a.alarm.get("AlarmName") == name for a in list(store.alarms.values()))
        put(self, context, request)
        for arn, a in list(store.alarms.items()):
            if a.alarm.get("AlarmName") == name:
                tags = a.alarm.pop("Tags", None)
                if tags and not existed:
                    store.TAGS.tag_resource(arn, tags)

    # The skeleton dispatches by the handler's name: keep the provider's.
    fixed = handler("PutMetricAlarm", expand=False)(put_metric_alarm)
    fixed._stackr_fixed = True
    CloudwatchProvider.put_metric_alarm = fixed
