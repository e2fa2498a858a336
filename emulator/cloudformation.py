"""Emulator support for CloudFormation: what moto's stack engine gets wrong for this template.

- `!If [cond, x, !Ref AWS::NoValue]` inside a list: AWS drops the element;
  moto 5.2.1 keeps a None there, and e.g. SecurityGroupIngress then fails.
- AWS::ElasticLoadBalancingV2::LoadBalancer: moto ignores `Type: network`
  (it builds an application load balancer with an `app/` ARN), and
  IpAddressType and LoadBalancerAttributes too; the patch builds what the
  template's own properties say.
- `!GetAtt LoadBalancer.CanonicalHostedZoneID` (for the Route 53 alias) and
  `LoadBalancerFullName` (alarms, dashboard) raise NotImplementedError in moto;
  a target group has no GetAtt at all (`TargetGroupFullName` for alarms).
- Parameters and Rules: moto creates a stack whatever its parameter values;
  CloudFormation refuses a value outside AllowedValues, AllowedPattern or
  Min/MaxValue, a missing or unknown parameter, and a broken Rule, before it
  creates or updates anything (ValidationError).
- A stack update that changes only parameters: moto updates the resources
  that `Ref` a changed parameter, not those that depend on it through a
  Condition (`!If [GreenIsLive, ...]` in a listener's default action, the
  function's environment). CloudFormation updates every resource whose
  resolved properties change; the patch adds those.
Both are decided by emulator/cfn_evaluator.py, the evaluation the template
tests read the template through.
  `UsePreviousValue` of a parameter the stack took its default for raises
  KeyError in moto; CloudFormation keeps that default.
- Speed only: moto parses every template body with pure-Python YAML, about
  1.3 s for this one, on each create and update; a JSON body (what
  samtranslator gives, and `sam deploy` uploads) is read as JSON first.
"""

import json
from collections.abc import Callable
from typing import Any

from moto.cloudformation import parsing
from moto.cloudformation.exceptions import ValidationError
from moto.cloudformation.models import CloudFormationBackend, Stack
from moto.elbv2.models import FakeLoadBalancer, FakeTargetGroup, elbv2_backends

from ._patching import Patch
from .cfn_evaluator import Evaluation, Refused, checked_parameters, with_defaults

# Route 53 zone ids of load balancer DNS names, per region and type, as AWS's
# "Elastic Load Balancing endpoints and quotas" page lists them.
CANONICAL_HOSTED_ZONES: dict[str, dict[str, str]] = {
    "network": {
        "us-east-1": "Z26RNL4JYFTOTI",
        "us-east-2": "ZLMOA37VPKANP",
        "us-west-2": "Z18D5FSROUN65G",
        "eu-west-1": "Z2IFOLAFXWLO4F",
        "eu-central-1": "Z3F0SRJ5LGBH90",
    },
    "application": {
        "us-east-1": "Z35SXDOTRQ7X7K",
        "us-east-2": "Z3AADJGX6KTTL2",
        "us-west-2": "Z1H1FL5HABSF5",
        "eu-west-1": "Z32O12XQLNTSW2",
        "eu-central-1": "Z215JYRZR1TBD5",
    },
}


def _dropping_no_value_from_lists(original: Callable[..., Any]) -> Callable[..., Any]:
    def clean_json(resource_json: Any, resources_map: Any) -> Any:
        cleaned = original(resource_json, resources_map)
        if isinstance(resource_json, list):
            # A list item is never null in CloudFormation: None here is AWS::NoValue.
            return [item for item in cleaned if item is not None]
        return cleaned

    return clean_json


def _building_the_declared_type(original: Any) -> Any:
    def create_from_cloudformation_json(
        cls: type[FakeLoadBalancer],
        /,
        resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> FakeLoadBalancer:
        properties = cloudformation_json["Properties"]
        backend = elbv2_backends[account_id][region_name]
        kind = properties.get("Type", "application")
        balancer = backend.create_load_balancer(
            properties.get("Name", resource_name),
            properties.get("SecurityGroups") or [],
            properties.get("Subnets") or [],
            scheme=properties.get("Scheme", "internet-facing"),
            loadbalancer_type=kind,
            ip_address_type=properties.get("IpAddressType", "ipv4"),
        )
        if kind == "network":
            # AWS names a network load balancer `loadbalancer/net/...`, moto always `app/`.
            backend.load_balancers.pop(balancer.arn)
            balancer.arn = balancer.arn.replace(":loadbalancer/app/", ":loadbalancer/net/")
            backend.load_balancers[balancer.arn] = balancer
        for attribute in properties.get("LoadBalancerAttributes") or []:
            balancer.attrs[attribute["Key"]] = attribute["Value"]
        return balancer

    return classmethod(create_from_cloudformation_json)


def _with_missing_attributes(original: Callable[..., Any]) -> Callable[..., Any]:
    def get_cfn_attribute(self: FakeLoadBalancer, attribute_name: str) -> Any:
        if attribute_name == "CanonicalHostedZoneID":
            region = self.arn.split(":")[3]
            return CANONICAL_HOSTED_ZONES.get(self.type, {}).get(region, self.canonical_hosted_zone_id)
        if attribute_name == "LoadBalancerFullName":
            return self.arn.split(":loadbalancer/", 1)[1]
        if attribute_name == "SecurityGroups":
            return list(self.security_groups)
        return original(self, attribute_name)

    return get_cfn_attribute


def _target_group_attributes(_: None) -> Callable[..., Any]:
    def get_cfn_attribute(self: FakeTargetGroup, attribute_name: str) -> Any:
        attributes = {
            "TargetGroupArn": self.arn,
            "TargetGroupName": self.name,
            "TargetGroupFullName": self.arn.split(":", 5)[5],
            "LoadBalancerArns": list(self.load_balancer_arns),
        }
        return attributes[attribute_name]

    return get_cfn_attribute


def _pseudo(backend: CloudFormationBackend, stack_name: str) -> dict[str, str]:
    return {
        "AWS::Region": backend.region_name,
        "AWS::AccountId": backend.account_id,
        "AWS::StackName": stack_name,
        "AWS::Partition": "aws",
        "AWS::URLSuffix": "amazonaws.com",
    }


def _refuse_what_cloudformation_refuses(
    backend: CloudFormationBackend, name: str, body: str | dict[str, Any], given: dict[str, Any]
) -> None:
    template = body if isinstance(body, dict) else Stack.parse_template(body)
    if not isinstance(template, dict):
        return
    try:
        values = checked_parameters(template.get("Parameters") or {}, given)
    except Refused as refusal:
        raise ValidationError(message=str(refusal)) from None
    broken = Evaluation(template, values, _pseudo(backend, name)).broken_rules()
    if broken:
        raise ValidationError(message="; ".join(broken))


def _creating_only_what_cloudformation_accepts(original: Callable[..., Any]) -> Callable[..., Any]:
    def create_stack(
        self: CloudFormationBackend, name: str, template: str, parameters: dict[str, Any], *args: Any, **kwargs: Any
    ) -> Any:
        _refuse_what_cloudformation_refuses(self, name, template, parameters)
        return original(self, name, template, parameters, *args, **kwargs)

    return create_stack


def _updating_only_as_cloudformation_accepts(original: Callable[..., Any]) -> Callable[..., Any]:
    def update_stack(
        self: CloudFormationBackend,
        name: str,
        template: str,
        role_arn: str | None,
        parameters: list[dict[str, Any]],
        tags: dict[str, str] | None,
    ) -> Any:
        stack = self.get_stack(name)
        given = self._resolve_update_parameters(instance=stack, incoming_params=parameters)
        _refuse_what_cloudformation_refuses(self, stack.name, template or stack.template, given)
        return original(self, name, template, role_arn, parameters, tags)

    return update_stack


def _changes(before: Evaluation, after: Evaluation, old: dict[str, Any], new: dict[str, Any]) -> bool:
    """Whether a resource's resolved properties differ between the two evaluations."""
    try:
        return bool(before.resolve(old) != after.resolve(new))
    except (KeyError, IndexError, TypeError, ValueError):  # what cannot be evaluated offline is updated
        return True


def _updating_what_parameters_reach(original: Callable[..., Any]) -> Callable[..., Any]:
    def build_resource_diff(
        self: parsing.ResourceMap, other_template: dict[str, Any], parameters: dict[str, Any] | None = None
    ) -> Any:
        diff = original(self, other_template, parameters)
        if not parameters:
            return diff
        old_template = self._template
        before = Evaluation(old_template, with_defaults(old_template.get("Parameters") or {}, self.input_parameters))
        after = Evaluation(other_template, with_defaults(other_template.get("Parameters") or {}, parameters))
        created = self._parsed_resources  # a resource whose Condition was false never was
        for name, resource in other_template["Resources"].items():
            if name not in created or name in diff["Modify"] or name not in self._resource_json_map:
                continue
            old = {k: v for k, v in self._resource_json_map[name].items() if k != "Condition"}
            if _changes(before, after, old, {k: v for k, v in resource.items() if k != "Condition"}):
                diff["Modify"].append(name)
        return diff

    return build_resource_diff


def _previous_defaults_kept(original: Callable[..., Any]) -> Callable[..., Any]:
    def _resolve_update_parameters(self: Any, instance: Any, incoming_params: list[dict[str, str]]) -> Any:
        given = [
            p for p in incoming_params if not p.get("UsePreviousValue") or p["ParameterKey"] in instance.parameters
        ]
        return original(self, instance, given)

    return _resolve_update_parameters


def _json_first(original: Callable[[str], Any]) -> Callable[[str], Any]:
    def parse_template(template: str) -> Any:
        try:
            return json.loads(template)
        except ValueError:
            return original(template)

    return staticmethod(parse_template)


PATCHES = [
    Patch(Stack, "parse_template", _json_first),
    Patch(CloudFormationBackend, "create_stack", _creating_only_what_cloudformation_accepts),
    Patch(CloudFormationBackend, "update_stack", _updating_only_as_cloudformation_accepts),
    Patch(parsing.ResourceMap, "build_resource_diff", _updating_what_parameters_reach),
    Patch(CloudFormationBackend, "_resolve_update_parameters", _previous_defaults_kept),
    Patch(parsing, "clean_json", _dropping_no_value_from_lists),
    Patch(FakeLoadBalancer, "create_from_cloudformation_json", _building_the_declared_type),
    Patch(FakeLoadBalancer, "get_cfn_attribute", _with_missing_attributes),
    Patch(FakeTargetGroup, "get_cfn_attribute", _target_group_attributes),
]
