"""Deploys the project's own template.yaml into the emulator's CloudFormation.

As `sam deploy` would: the code is zipped to S3, the template's loops expanded
and the SAM template translated (offline, emulator/sam_template.py), the stack
created. What moto cannot build from
the template is filled in by the emulator's CloudFormation patches
(emulator/moto_patches.py), from the template's own properties.
"""

import io
import json
import zipfile
from dataclasses import dataclass
from typing import Any

from emulator import sam_template

from .world import ENDPOINT_NAME, SCOPE_TAG_KEY, SCOPE_TAG_VALUE, World

ROOT = sam_template.ROOT
TEMPLATE = sam_template.TEMPLATE
STACK_NAME = "mq-endpoint"
CODE_BUCKET = "mq-static-endpoint-artifacts"
# Client and console ranges of the demo (documentation ranges, RFC 5737).
CLIENT_CIDRS = "203.0.113.0/24"
CONSOLE_CIDRS = "198.51.100.0/24"


@dataclass(frozen=True)
class DeployedStack:
    name: str
    outputs: dict[str, str]
    function_name: str
    function_arn: str
    function_environment: dict[str, str]
    # Resources the template creates here that the emulator does not build, by type.
    not_emulated: dict[str, list[str]]
    # Where the function logs (its LoggingConfig: the stack's ReconcilerLogGroup).
    log_group: str = ""

    @property
    def target_group_arns(self) -> list[str]:
        """Every group the function serves: the ActiveMQ brokers', then the RabbitMQ brokers'."""
        return self._arns("TARGET_GROUP_ARNS") + self.rabbitmq_target_group_arns

    @property
    def rabbitmq_target_group_arns(self) -> list[str]:
        return self._arns("RABBITMQ_TARGET_GROUP_ARNS")

    @property
    def live_target_group_arns(self) -> list[str]:
        """The groups the client listeners forwarded to at deploy time (LiveTargetGroupSet), in the function's order."""
        standby = set(self._arns("STANDBY_TARGET_GROUP_ARNS"))
        return [arn for arn in self.target_group_arns if arn not in standby]

    def _arns(self, variable: str) -> list[str]:
        return [arn for arn in self.function_environment.get(variable, "").split(",") if arn]


def template_exists() -> bool:
    return TEMPLATE.is_file()


def deploy(world: World, *, stack_name: str = STACK_NAME, rabbitmq: bool = False) -> DeployedStack:
    """The stack, as `sam deploy` would create it; `rabbitmq` adds the AMQPS listener for RabbitMQ brokers."""
    aws = world.aws
    code_uri = _upload_code(aws)
    translated = sam_template.translated(code_uri, aws.region)
    parameters = {
        "EndpointName": ENDPOINT_NAME,
        "HostedZoneId": world.hosted_zone_id,
        "CertificateArn": world.certificate_arn,
        "VpcId": aws.vpc_id,
        "LoadBalancerSubnetIds": ",".join(aws.public_subnets),
        "AllowedClientCidrs": CLIENT_CIDRS,
        "EnableConsole": "true",
        "AllowedConsoleCidrs": CONSOLE_CIDRS,
        "BrokerTag": f"{SCOPE_TAG_KEY}={SCOPE_TAG_VALUE}",
        "EnableRabbitMq": "true" if rabbitmq else "false",
    }
    cloudformation = aws.client("cloudformation")
    cloudformation.create_stack(
        StackName=stack_name,
        TemplateBody=json.dumps(translated),
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()],
        Capabilities=["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"],
    )
    described = cloudformation.describe_stacks(StackName=stack_name)["Stacks"][0]
    if described["StackStatus"] != "CREATE_COMPLETE":
        raise RuntimeError(f"stack {stack_name}: {described['StackStatus']} {described.get('StackStatusReason', '')}")
    outputs = {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", [])}
    function = aws.client("lambda").get_function_configuration(FunctionName=outputs["ReconcilerFunctionName"])
    listed = cloudformation.list_stack_resources(StackName=stack_name)
    physical = {r["LogicalResourceId"]: r.get("PhysicalResourceId", "") for r in listed["StackResourceSummaries"]}
    return DeployedStack(
        name=stack_name,
        outputs=outputs,
        function_name=function["FunctionName"],
        function_arn=function["FunctionArn"],
        function_environment={k: str(v) for k, v in function["Environment"]["Variables"].items()},
        not_emulated=_not_emulated(translated, listed, aws.stack_conditions(stack_name)),
        log_group=physical["ReconcilerLogGroup"],
    )


def _upload_code(aws: Any) -> str:
    """The deployment package as `sam build` would make it: src/ at the zip's root."""
    package = io.BytesIO()
    with zipfile.ZipFile(package, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted((ROOT / "src").rglob("*.py")):
            archive.write(path, path.relative_to(ROOT / "src"))
    s3 = aws.client("s3")
    s3.create_bucket(Bucket=CODE_BUCKET, CreateBucketConfiguration={"LocationConstraint": aws.region})
    s3.put_object(Bucket=CODE_BUCKET, Key="reconciler.zip", Body=package.getvalue())
    return f"s3://{CODE_BUCKET}/reconciler.zip"


def _not_emulated(
    translated: dict[str, Any], listed: dict[str, Any], conditions: dict[str, bool]
) -> dict[str, list[str]]:
    created = {r["LogicalResourceId"] for r in listed["StackResourceSummaries"]}
    missing: dict[str, list[str]] = {}
    for logical_id, resource in translated["Resources"].items():
        wanted = conditions.get(resource.get("Condition", ""), True)
        if wanted and logical_id not in created:
            missing.setdefault(resource["Type"], []).append(logical_id)
    return missing
