"""Emulator support for SSM: AWS's public parameters (/aws/service/...).

Templates read them through `AWS::SSM::Parameter::Value<String>` parameters
(a Powertools layer ARN, for one). moto knows only a few trees
of them, and its PutParameter refuses every /aws name as AWS does, so the
emulator writes them into moto's SSM backend directly.
"""

from moto.core.utils import utcnow
from moto.ssm.models import Parameter, ssm_backends


def publish(account_id: str, region: str, name: str, value: str) -> None:
    parameters = ssm_backends[account_id][region]._parameters
    parameters[name].append(
        # moto 5.2.1 types Parameter abstract (CloudFormationModel's has_cfn_attr and is_created, which it never
        # defines), yet builds it just so itself.
        Parameter(  # type: ignore[abstract]
            account_id=account_id,
            name=name,
            value=value,
            parameter_type="String",
            description="AWS public parameter (emulated)",
            allowed_pattern=None,
            keyid=None,
            last_modified_date=utcnow(),
            version=len(parameters[name]) + 1,
            data_type="text",
        )
    )
