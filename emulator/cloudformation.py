"""What the CloudFormation patches (moto_patches.py, where each says what moto does and what AWS does) bring
to moto's stack engine: the load balancer the template declares, the GetAtt attributes moto lacks, the refusals
CloudFormation makes before it creates or updates anything, and the resources a parameter-only update reaches.
The last two are decided by cfn_evaluator.py, the evaluation the template tests read the template through.
"""

from typing import Any

from moto.cloudformation import parsing
from moto.cloudformation.exceptions import ValidationError
from moto.cloudformation.models import CloudFormationBackend, Stack
from moto.elbv2.models import FakeLoadBalancer, FakeTargetGroup, elbv2_backends

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


def declared_load_balancer(
    resource_name: str, cloudformation_json: Any, account_id: str, region_name: str
) -> FakeLoadBalancer:
    """The load balancer the resource declares: its Type, IpAddressType and LoadBalancerAttributes."""
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


def load_balancer_attribute(balancer: FakeLoadBalancer, attribute_name: str) -> tuple[bool, Any]:
    """(True, value) for the GetAtt attributes moto lacks; (False, None) leaves the others to moto."""
    if attribute_name == "CanonicalHostedZoneID":
        region = balancer.arn.split(":")[3]
        return True, CANONICAL_HOSTED_ZONES.get(balancer.type, {}).get(region, balancer.canonical_hosted_zone_id)
    if attribute_name == "LoadBalancerFullName":
        return True, balancer.arn.split(":loadbalancer/", 1)[1]
    if attribute_name == "SecurityGroups":
        return True, list(balancer.security_groups)
    return False, None


def target_group_attribute(group: FakeTargetGroup, attribute_name: str) -> Any:
    attributes = {
        "TargetGroupArn": group.arn,
        "TargetGroupName": group.name,
        "TargetGroupFullName": group.arn.split(":", 5)[5],
        "LoadBalancerArns": list(group.load_balancer_arns),
    }
    return attributes[attribute_name]


def _pseudo(backend: CloudFormationBackend, stack_name: str) -> dict[str, str]:
    return {
        "AWS::Region": backend.region_name,
        "AWS::AccountId": backend.account_id,
        "AWS::StackName": stack_name,
        "AWS::Partition": "aws",
        "AWS::URLSuffix": "amazonaws.com",
    }


def refuse_what_cloudformation_refuses(
    backend: CloudFormationBackend, name: str, body: str | dict[str, Any], given: dict[str, Any]
) -> None:
    """ValidationError for a parameter CloudFormation would refuse, or a broken Rule, before anything is made."""
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


def _changes(before: Evaluation, after: Evaluation, old: dict[str, Any], new: dict[str, Any]) -> bool:
    """Whether a resource's resolved properties differ between the two evaluations."""
    try:
        return bool(before.resolve(old) != after.resolve(new))
    except (KeyError, IndexError, TypeError, ValueError):  # what cannot be evaluated offline is updated
        return True


def resources_parameters_reach(
    resources: parsing.ResourceMap, other_template: dict[str, Any], parameters: dict[str, Any], modified: list[str]
) -> list[str]:
    """The stack's resources, beyond `modified`, whose resolved properties the new template and parameters change."""
    old_template = resources._template
    before = Evaluation(old_template, with_defaults(old_template.get("Parameters") or {}, resources.input_parameters))
    after = Evaluation(other_template, with_defaults(other_template.get("Parameters") or {}, parameters))
    created = resources._parsed_resources  # a resource whose Condition was false never was
    reached = []
    for name, resource in other_template["Resources"].items():
        if name not in created or name in modified or name not in resources._resource_json_map:
            continue
        old = {k: v for k, v in resources._resource_json_map[name].items() if k != "Condition"}
        if _changes(before, after, old, {k: v for k, v in resource.items() if k != "Condition"}):
            reached.append(name)
    return reached
