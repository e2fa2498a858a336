"""A deployed mq-static-endpoint stack, found through CloudFormation: nobody types an ARN.

DescribeStacks gives the parameters (scope, VPC, pacing) and the outputs: the
target groups exactly as the function's environment lists them, the function,
its log group and the load balancer (template.yaml, Outputs). From them the CLI
builds the very Settings the function builds from its environment (template.yaml
maps each parameter to a variable), through the same validation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from itertools import islice
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from reconciler.core.settings import ConfigurationError, Settings

from .aws import explain
from .errors import CommandError

# What --stack defaults to.
STACK_VARIABLE = "MQ_ENDPOINT_STACK"

# The stack's outputs read here (template.yaml, Outputs). The three lists are the function's variables of the same
# meaning, written once in the template: both sets, blue then green; the RabbitMQ brokers' groups (only when enabled);
# the set behind the standby listeners, the one LiveTargetGroupSet does not name.
TARGET_GROUPS_OUTPUT = "TargetGroupArns"
RABBITMQ_TARGET_GROUPS_OUTPUT = "RabbitMqTargetGroupArns"
STANDBY_TARGET_GROUPS_OUTPUT = "StandbyTargetGroupArns"
FUNCTION_OUTPUT = "ReconcilerFunctionName"
LOAD_BALANCER_OUTPUT = "LoadBalancerArn"
# Where the function writes its reports (its LoggingConfig); Lambda's default group otherwise.
LOG_GROUP_OUTPUT = "ReconcilerLogGroupName"
# An output only this project's template has: how the stacks of the region are told apart.
PROJECT_OUTPUT = FUNCTION_OUTPUT
# DescribeStacks pages (of 100 stacks... in practice far fewer) read to name the project's stacks.
MAX_STACK_PAGES = 5
# Stack parameter -> the function's variable it becomes (template.yaml, ReconcilerFunction's Environment).
PARAMETER_VARIABLES = {
    "BrokerTag": "BROKER_TAG",
    "BrokerIds": "BROKER_IDS",
    "VpcId": "VPC_ID",
    "MqDescribeRate": "MQ_DESCRIBE_RATE",
    "MqDescribeBurst": "MQ_DESCRIBE_BURST",
    "StandbyBrokerIds": "STANDBY_BROKER_IDS",
    "LiveOnlyBrokerIds": "LIVE_ONLY_BROKER_IDS",
}
VARIABLE_PARAMETERS = {v: k for k, v in PARAMETER_VARIABLES.items()}
# A stack in these states has no resources to read, or is replacing them.
UNREADABLE_STATES = frozenset(
    {"CREATE_IN_PROGRESS", "CREATE_FAILED", "ROLLBACK_COMPLETE", "DELETE_IN_PROGRESS", "DELETE_FAILED"}
)


@dataclass(frozen=True)
class DeployedStack:
    name: str
    region: str
    status: str
    parameters: Mapping[str, str]
    # In the function's order; only the groups the stack's conditions created.
    target_group_arns: tuple[str, ...]
    function_name: str
    rabbitmq_target_group_arns: tuple[str, ...] = ()
    # The groups behind the standby listeners: the set LiveTargetGroupSet does not name.
    standby_target_group_arns: tuple[str, ...] = ()
    load_balancer_arn: str = ""
    log_group: str = ""

    @property
    def scope(self) -> str:
        """The scope as the operator configured it, for headings."""
        parts = []
        if self.parameters.get("BrokerTag"):
            parts.append(f"tag {self.parameters['BrokerTag']}")
        if self.parameters.get("BrokerIds"):
            parts.append(f"ids {self.parameters['BrokerIds']}")
        return " and ".join(parts) or "nothing"

    def settings(self) -> Settings:
        """The function's settings, in dry-run mode: what `status` and `plan` reconcile with."""
        environ = {variable: self.parameters.get(parameter, "") for parameter, variable in PARAMETER_VARIABLES.items()}
        environ.update(
            AWS_REGION=self.region,
            TARGET_GROUP_ARNS=",".join(self.target_group_arns),
            RABBITMQ_TARGET_GROUP_ARNS=",".join(self.rabbitmq_target_group_arns),
            STANDBY_TARGET_GROUP_ARNS=",".join(self.standby_target_group_arns),
            STACK_NAME=self.name,
            DRY_RUN="true",
        )
        try:
            return Settings.from_environ(environ)
        except ConfigurationError as error:
            parameter = VARIABLE_PARAMETERS.get(error.variable, error.variable)
            raise CommandError(f"stack {self.name}: parameter {parameter}: {error}") from None


def read_stack(session: boto3.session.Session, name: str) -> DeployedStack:
    cloudformation = session.client("cloudformation")
    region = session.region_name
    try:
        described = cloudformation.describe_stacks(StackName=name)["Stacks"][0]
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "ValidationError" and "does not exist" in str(error):
            raise CommandError(f"no stack {name} in {region}: {_project_stacks_said(cloudformation, region)}") from None
        raise explain(error, "cloudformation:DescribeStacks") from None
    except BotoCoreError as error:  # no credentials, no answer
        raise explain(error, "cloudformation:DescribeStacks") from None
    status = described["StackStatus"]
    if status in UNREADABLE_STATES:
        raise CommandError(f"stack {name} is {status}: it has no endpoint to read")
    parameters = {
        p["ParameterKey"]: p.get("ResolvedValue", p.get("ParameterValue", "")) for p in described.get("Parameters", [])
    }

    outputs = {o["OutputKey"]: o.get("OutputValue", "") for o in described.get("Outputs", [])}
    if not outputs.get(TARGET_GROUPS_OUTPUT) or not outputs.get(FUNCTION_OUTPUT):
        raise CommandError(
            f"stack {name} is not an mq-static-endpoint stack of this version: it has no {TARGET_GROUPS_OUTPUT} and "
            f"{FUNCTION_OUTPUT} outputs (an older one gets them from `sam deploy` of this template.yaml)"
        )
    return DeployedStack(
        name=name,
        region=region,
        status=status,
        parameters=parameters,
        target_group_arns=_arns(outputs[TARGET_GROUPS_OUTPUT]),
        function_name=outputs[FUNCTION_OUTPUT],
        rabbitmq_target_group_arns=_arns(outputs.get(RABBITMQ_TARGET_GROUPS_OUTPUT, "")),
        standby_target_group_arns=_arns(outputs.get(STANDBY_TARGET_GROUPS_OUTPUT, "")),
        load_balancer_arn=outputs.get(LOAD_BALANCER_OUTPUT, ""),
        log_group=outputs.get(LOG_GROUP_OUTPUT) or f"/aws/lambda/{outputs[FUNCTION_OUTPUT]}",
    )


def _arns(output: str) -> tuple[str, ...]:
    return tuple(arn for arn in output.split(",") if arn)


def _project_stacks_said(cloudformation: Any, region: str) -> str:
    """What to try instead of a stack name that does not exist: this project's stacks in the region, if any."""
    try:
        found = sorted(
            stack["StackName"]
            for page in islice(cloudformation.get_paginator("describe_stacks").paginate(), MAX_STACK_PAGES)
            for stack in page["Stacks"]
            if any(o.get("OutputKey") == PROJECT_OUTPUT for o in stack.get("Outputs", []))
            and stack.get("StackStatus") not in UNREADABLE_STATES
        )
    except (ClientError, BotoCoreError) as error:
        listed = explain(error, "cloudformation:DescribeStacks")
        return f"check --stack and --region (or AWS_REGION); the region's stacks could not be listed ({listed})"
    if not found:
        return "no mq-static-endpoint stack is deployed there: check --region (or AWS_REGION)"
    return f"mq-static-endpoint stacks there: {', '.join(found)} (--stack NAME, or set {STACK_VARIABLE})"
