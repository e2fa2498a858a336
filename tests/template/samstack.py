"""template.yaml as CloudFormation would see it, offline.

`deploy(**parameters)` takes the template as `sam deploy` sends it
(emulator/sam_template.py: the loops expanded, the SAM transform run) and
evaluates it as the emulator does (emulator/cfn_evaluator.py): the parameters
and Rules checked the way CloudFormation checks them before it creates
anything, the Conditions evaluated, and the resources the stack would create
returned with their intrinsic functions resolved.

Resources that only exist at deploy time resolve to stand-ins: `Ref` of a
target group gives an ARN of the real shape (the reconciler validates them),
of anything else `<LogicalId>`; `Fn::GetAtt` gives `<LogicalId>.<Attribute>`.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from typing import Any

from emulator import cfn_evaluator
from emulator import sam_template as sent

ROOT = sent.ROOT
TEMPLATE = sent.TEMPLATE

REGION = "eu-west-1"
ACCOUNT = "123456789012"
STACK_NAME = "mq-endpoint"

# The parameters without a default, as a user would give them.
REQUIRED = {
    "EndpointName": "mq.example.com",
    "HostedZoneId": "Z0123456789ABCDEFGHIJ",
    "VpcId": "vpc-0a1b2c3d4e5f60718",
    "LoadBalancerSubnetIds": "subnet-0a1b2c3d4e5f60718,subnet-0b1c2d3e4f5061728",
    "AllowedClientCidrs": "203.0.113.0/24",
}
# Every optional listener on.
ALL_PROTOCOLS = {
    "EnableAmqp": "true",
    "EnableStomp": "true",
    "EnableMqtt": "true",
    "EnableWss": "true",
    "EnableConsole": "true",
    "AllowedConsoleCidrs": "192.0.2.0/28",
}
# RabbitMQ brokers served beside ActiveMQ ones: every optional listener but AMQP 1.0, which needs 5671 too.
WITH_RABBITMQ = {
    **{k: v for k, v in ALL_PROTOCOLS.items() if k != "EnableAmqp"},
    "EnableRabbitMq": "true",
    "EnableRabbitMqConsole": "true",
}
PSEUDO = {
    "AWS::Region": REGION,
    "AWS::AccountId": ACCOUNT,
    "AWS::StackName": STACK_NAME,
    "AWS::Partition": "aws",
    "AWS::URLSuffix": "amazonaws.com",
}


DeployError = cfn_evaluator.Refused


def sam_template() -> dict[str, Any]:
    """template.yaml as written (its loops not expanded), as plain JSON data."""
    return sent.source()


def physical_id(logical_id: str, resource_type: str) -> str:
    if resource_type == "AWS::ElasticLoadBalancingV2::TargetGroup":
        suffix = hashlib.sha256(logical_id.encode()).hexdigest()[:16]
        name = f"{STACK_NAME}-{logical_id}"[:32].rstrip("-")
        return f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/{name}/{suffix}"
    return cfn_evaluator.stand_in(logical_id, resource_type)


def parameter_values(given: dict[str, str]) -> dict[str, str]:
    """Defaults overlaid with what is given; checked like CloudFormation does."""
    return cfn_evaluator.checked_parameters(sam_template()["Parameters"], given)


class Stack(cfn_evaluator.Evaluation):
    """The stack's resources, outputs and rules under these parameters, in the emulator's evaluation."""

    def __init__(self, template: dict[str, Any], parameters: dict[str, str]) -> None:
        super().__init__(template, parameters, PSEUDO, physical_id)

    def of_type(self, resource_type: str) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in self.resources.items() if v["Type"] == resource_type}

    def properties(self, logical_id: str) -> dict[str, Any]:
        return self.resources[logical_id].get("Properties", {})


@cache
def _translated(frozen_parameters: tuple[tuple[str, str], ...]) -> str:
    # `sam build`/`sam deploy` replace the local CodeUri with the uploaded artifact.
    values = {**dict(frozen_parameters), **PSEUDO}
    return json.dumps(sent.translated("s3://artifacts-bucket/reconciler.zip", REGION, values))


def deploy(**given: str) -> Stack:
    """The stack CloudFormation would create from these parameter values."""
    parameters = parameter_values({**REQUIRED, **given})
    cfn = json.loads(_translated(tuple(sorted(parameters.items()))))
    stack = Stack(cfn, parameters)
    broken = stack.broken_rules()
    if broken:
        raise DeployError("; ".join(broken))
    return stack
