"""Fixes for moto defects that make LocalStack wrong where AWS is right (not realism: these hold
whatever the realism profile). Installed by an `on_infra_start` hook.

- CreateLaunchTemplateVersion keeps UserData as a plain string (CreateLaunchTemplate decodes it),
  so every Auto Scaling launch from a later version that has user data fails with an
  AssertionError (an InternalError to the caller). AWS launches it.
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
