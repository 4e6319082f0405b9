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
- ListRoles with a PathPrefix encodes each trust policy twice (a JSON string of the document,
  URL-encoded). AWS URL-encodes the document once, as GetRole does here.
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
