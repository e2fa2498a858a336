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
- A stack update that changes only parameters: moto updates the resources
  that `Ref` a changed parameter, not those that depend on it through a
  Condition (`!If [GreenIsLive, ...]` in a listener's default action, the
  function's environment). CloudFormation updates every resource whose
  resolved properties change; the patch adds those reached through Conditions.
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
from moto.cloudformation.models import CloudFormationBackend, Stack
from moto.elbv2.models import FakeLoadBalancer, FakeTargetGroup, elbv2_backends

from ._patching import Patch

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


def _conditions_on(parameters: set[str], conditions: dict[str, Any]) -> set[str]:
    """The Conditions whose value may change with these parameters, through other Conditions too."""
    reached: set[str] = set()
    while True:
        more = {
            name
            for name, expression in conditions.items()
            if name not in reached
            and (
                set(parsing.get_references_from_template(expression)) & parameters
                or _conditions_named(expression) & reached
            )
        }
        if not more:
            return reached
        reached |= more


def _conditions_named(node: Any) -> set[str]:
    """Every Condition a template fragment uses: `Fn::If`'s first item, `Condition: name`."""
    if isinstance(node, list):
        return set().union(*(_conditions_named(item) for item in node)) if node else set()
    if not isinstance(node, dict):
        return set()
    named = set().union(*(_conditions_named(value) for value in node.values())) if node else set()
    if isinstance(node.get("Fn::If"), list) and node["Fn::If"]:
        named.add(node["Fn::If"][0])
    if isinstance(node.get("Condition"), str):
        named.add(node["Condition"])
    return named


def _updating_what_conditions_change(original: Callable[..., Any]) -> Callable[..., Any]:
    def build_resource_diff(
        self: parsing.ResourceMap, other_template: dict[str, Any], parameters: dict[str, Any] | None = None
    ) -> Any:
        diff = original(self, other_template, parameters)
        if not parameters:
            return diff
        changed = {name for name in parameters if self.input_parameters.get(name) != parameters[name]}
        affected = _conditions_on(changed, other_template.get("Conditions", {}))
        created = self._parsed_resources  # a resource whose Condition was false never was
        for name, resource in other_template["Resources"].items():
            properties = {k: v for k, v in resource.items() if k != "Condition"}
            if name in created and name not in diff["Modify"] and _conditions_named(properties) & affected:
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

    return staticmethod(parse_template)  # type: ignore[return-value]


PATCHES = [
    Patch(Stack, "parse_template", _json_first),
    Patch(parsing.ResourceMap, "build_resource_diff", _updating_what_conditions_change),
    Patch(CloudFormationBackend, "_resolve_update_parameters", _previous_defaults_kept),
    Patch(parsing, "clean_json", _dropping_no_value_from_lists),
    Patch(FakeLoadBalancer, "create_from_cloudformation_json", _building_the_declared_type),
    Patch(FakeLoadBalancer, "get_cfn_attribute", _with_missing_attributes),
    Patch(FakeTargetGroup, "get_cfn_attribute", _target_group_attributes),
]
