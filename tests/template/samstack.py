"""template.yaml as CloudFormation would see it, offline.

`deploy(**parameters)` checks the parameters the way CloudFormation does
before it creates anything (AllowedValues, AllowedPattern, Min/MaxValue,
Rules), translates the SAM template with samtranslator (no AWS call: the
managed-policy loader is a stub), evaluates the Conditions and returns the
resources the stack would create, with intrinsic functions resolved.

Resources that only exist at deploy time resolve to stand-ins: `Ref` of a
target group gives an ARN of the real shape (the reconciler validates them),
of anything else `<LogicalId>`; `Fn::GetAtt` gives `<LogicalId>.<Attribute>`.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from unittest import mock

import regex
from cfnlint.decode import decode_str
from samtranslator.translator.transform import transform

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"

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


class DeployError(Exception):
    """What CloudFormation would refuse before creating anything."""


class _NoValue:
    def __repr__(self) -> str:
        return "AWS::NoValue"


NO_VALUE = _NoValue()


@cache
def sam_template() -> dict[str, Any]:
    """template.yaml, short-form tags expanded, as plain JSON data."""
    decoded, problems = decode_str(TEMPLATE.read_text())
    if problems:
        raise AssertionError(f"template.yaml does not parse: {problems}")
    return json.loads(json.dumps(decoded))


def physical_id(logical_id: str, resource_type: str) -> str:
    if resource_type == "AWS::ElasticLoadBalancingV2::TargetGroup":
        suffix = hashlib.sha256(logical_id.encode()).hexdigest()[:16]
        name = f"{STACK_NAME}-{logical_id}"[:32].rstrip("-")
        return f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/{name}/{suffix}"
    return f"<{logical_id}>"


def parameter_values(given: dict[str, str]) -> dict[str, str]:
    """Defaults overlaid with what is given; checked like CloudFormation does."""
    declared = sam_template()["Parameters"]
    unknown = set(given) - set(declared)
    if unknown:
        raise DeployError(f"Parameters {sorted(unknown)} do not exist in the template")
    values = {name: str(spec["Default"]) for name, spec in declared.items() if "Default" in spec}
    values.update({name: str(value) for name, value in given.items()})
    for name, spec in declared.items():
        if name not in values:
            raise DeployError(f"Parameters: [{name}] must have values")
        _check_parameter(name, spec, values[name])
    return values


def _check_parameter(name: str, spec: dict[str, Any], value: str) -> None:
    reason = spec.get("ConstraintDescription", "")
    if "AllowedValues" in spec and value not in [str(v) for v in spec["AllowedValues"]]:
        raise DeployError(f"Parameter '{name}' must be one of AllowedValues")
    if "AllowedPattern" in spec and not regex.fullmatch(spec["AllowedPattern"], value):
        raise DeployError(f"Parameter '{name}' failed to satisfy constraint: {reason}")
    if spec["Type"] == "Number":
        number = float(value)
        if number < spec.get("MinValue", number) or number > spec.get("MaxValue", number):
            raise DeployError(f"Parameter '{name}' is out of range")


@dataclass
class Stack:
    template: dict[str, Any]
    parameters: dict[str, Any]
    _conditions: dict[str, bool] = field(default_factory=dict)

    # --- intrinsic functions -------------------------------------------------
    def resolve(self, node: Any) -> Any:
        if isinstance(node, list):
            return [item for item in map(self.resolve, node) if item is not NO_VALUE]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            ((key, arg),) = node.items()
            function = _FUNCTIONS.get(key)
            if function is not None:
                return function(self, arg)
        return {k: v for k, v in ((k, self.resolve(v)) for k, v in node.items()) if v is not NO_VALUE}

    def ref(self, name: str) -> Any:
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in PSEUDO:
            return PSEUDO[name]
        if name in self.parameters:
            kind = self.template["Parameters"][name]["Type"]
            value = self.parameters[name]
            return value.split(",") if kind.startswith("List<") or kind == "CommaDelimitedList" else value
        return physical_id(name, self.template["Resources"][name]["Type"])

    def sub(self, arg: Any) -> str:
        text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], self.resolve(arg[1]))

        def replace(match: regex.Match[str]) -> str:
            name = match.group(1)
            if name in variables:
                return str(variables[name])
            if "." in name and not name.startswith("AWS::"):
                return name
            return str(self.ref(name))

        return regex.sub(r"\$\{([^!}][^}]*)\}", replace, text)

    def condition(self, name: str) -> bool:
        if name not in self._conditions:
            self._conditions[name] = bool(self.resolve(self.template["Conditions"][name]))
        return self._conditions[name]

    # --- what the stack holds ---------------------------------------------------
    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        return {
            logical_id: self.resolve(resource)
            for logical_id, resource in self.template["Resources"].items()
            if "Condition" not in resource or self.condition(resource["Condition"])
        }

    def of_type(self, resource_type: str) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in self.resources.items() if v["Type"] == resource_type}

    def properties(self, logical_id: str) -> dict[str, Any]:
        return self.resources[logical_id].get("Properties", {})

    @property
    def outputs(self) -> dict[str, Any]:
        return {
            name: self.resolve(output["Value"])
            for name, output in self.template.get("Outputs", {}).items()
            if "Condition" not in output or self.condition(output["Condition"])
        }

    def broken_rules(self) -> list[str]:
        broken = []
        for rule in self.template.get("Rules", {}).values():
            if "RuleCondition" in rule and not self.resolve(rule["RuleCondition"]):
                continue
            broken += [a["AssertDescription"] for a in rule["Assertions"] if not self.resolve(a["Assert"])]
        return broken


def _select(stack: Stack, arg: list[Any]) -> Any:
    index, items = stack.resolve(arg)
    return items[int(index)]


_FUNCTIONS = {
    "Ref": lambda s, name: s.ref(name),
    "Fn::GetAtt": lambda s, arg: ".".join(arg) if isinstance(arg, list) else arg,
    "Fn::If": lambda s, arg: s.resolve(arg[1] if s.condition(arg[0]) else arg[2]),
    "Fn::Join": lambda s, arg: arg[0].join(s.resolve(arg[1])),
    "Fn::Split": lambda s, arg: s.resolve(arg[1]).split(arg[0]),
    "Fn::Select": _select,
    "Fn::Sub": lambda s, arg: s.sub(arg),
    "Fn::Equals": lambda s, arg: s.resolve(arg[0]) == s.resolve(arg[1]),
    "Fn::Not": lambda s, arg: not s.resolve(arg[0]),
    "Fn::And": lambda s, arg: all(s.resolve(arg)),
    "Fn::Or": lambda s, arg: any(s.resolve(arg)),
    "Condition": lambda s, name: s.condition(name),
}


class _NoManagedPolicies:
    """Stands in for samtranslator's ManagedPolicyLoader, which asks IAM."""

    def load(self) -> dict[str, str]:
        return {}


@cache
def _translated(frozen_parameters: tuple[tuple[str, str], ...]) -> str:
    parameters = dict(frozen_parameters)
    sam = copy.deepcopy(sam_template())
    # `sam build`/`sam deploy` replace the local CodeUri with the uploaded artifact.
    for resource in sam["Resources"].values():
        if resource["Type"] == "AWS::Serverless::Function":
            resource["Properties"]["CodeUri"] = "s3://artifacts-bucket/reconciler.zip"
    values = {**parameters, **PSEUDO}
    # transform() insists on a boto3 session with a region, even when
    # AWS::Region is given; it needs no credentials and makes no call.
    with mock.patch.dict(os.environ, {"AWS_DEFAULT_REGION": REGION}):
        return json.dumps(transform(sam, values, _NoManagedPolicies()))


def deploy(**given: str) -> Stack:
    """The stack CloudFormation would create from these parameter values."""
    parameters = parameter_values({**REQUIRED, **given})
    cfn = json.loads(_translated(tuple(sorted(parameters.items()))))
    stack = Stack(cfn, parameters)
    broken = stack.broken_rules()
    if broken:
        raise DeployError("; ".join(broken))
    return stack
