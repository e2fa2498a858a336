"""Emulator support for ELBv2 RegisterTargets: the targets AWS refuses, and how.

moto 5.2.1 registers any Id in an IP target group. AWS refuses, with HTTP 400
and the whole call failing for one bad target (docs/sources.md, "Elastic Load Balancing"):
- an address outside the VPC's subnets without `AvailabilityZone: all`
  ("You must specify a valid Availability Zone or select 'all' ... since the
  IP address '...' is outside the VPC", as seen in aws-load-balancer-controller
  issue 3084; AWS compares with the subnets, not the VPC's CIDR blocks, per
  issue 3714 there);
- `all` for an address inside the VPC ("... is within the VPC, and cannot
  have its Availability Zone overridden to 'all'", issue 561 there);
- an address that is not private (RFC 1918 or 100.64.0.0/10).
The exact wording of the last message is the emulator's own.

Nor does moto cap a group's targets. AWS allows 1,000 targets per target
group (Elastic Load Balancing quotas, docs/sources.md); RegisterTargets past it
fails as a whole with `TooManyTargets`, HTTP 400, and the message of the ELB
API reference's error list ("You've reached the limit on the number of
targets."; botocore's elbv2 model documents TooManyTargetsException so):
no target is at fault, the group is full. A test may lower a group's quota
(set_quota). Whether draining targets count against it is not documented, so
it is a switch: counted (the default, the stricter case for a reconciler
that must make room) or not. A target is draining when a test forced it so
(target_health.force_state), whether or not moto still lists it.
"""

import ipaddress
from typing import Any

from moto.ec2.models import ec2_backends
from moto.elbv2.exceptions import ELBClientError
from moto.elbv2.models import ELBv2Backend, FakeTargetGroup

from .interfaces import subnet_ranges
from .target_health import forced_states

# Targets per target group (Elastic Load Balancing quotas).
TARGETS_PER_GROUP = 1000
# On moto's target group, so that a moto reset forgets it: (quota, whether draining targets count).
_QUOTA = "emulator_target_quota"

_PRIVATE = [ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10")]


def _refusal(target: dict[str, Any], subnets: list[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> str | None:
    """AWS's message for a target it refuses; None if it would register it."""
    ip = ipaddress.ip_address(target["Id"])
    if not any(ip in network for network in _PRIVATE):
        return f"The IP address '{ip}' is not a valid private IP address for an IP target"
    inside = any(ip in subnet for subnet in subnets)
    if inside and target.get("AvailabilityZone") == "all":
        return f"The IP address '{ip}' is within the VPC, and cannot have its Availability Zone overridden to 'all'"
    if not inside and target.get("AvailabilityZone") != "all":
        return (
            "You must specify a valid Availability Zone or select 'all' for all enabled Availability zones, "
            f"since the IP address '{ip}' is outside the VPC"
        )
    return None


def set_quota(group: FakeTargetGroup, quota: int = TARGETS_PER_GROUP, *, draining_counts: bool = True) -> None:
    setattr(group, _QUOTA, (quota, draining_counts))


def _counted(group: FakeTargetGroup, registered: set[str], draining: set[str]) -> set[str]:
    """The targets that count against the group's quota."""
    _, draining_counts = getattr(group, _QUOTA, (TARGETS_PER_GROUP, True))
    return registered | draining if draining_counts else registered - draining


def _refusal_for_quota(group: FakeTargetGroup, ids: list[str]) -> str | None:
    """AWS's message if registering these ids takes the group past its quota; None if they fit."""
    quota, _ = getattr(group, _QUOTA, (TARGETS_PER_GROUP, True))
    registered = set(group.targets)
    draining = {ip for ip, state in forced_states(group).items() if state == "draining"}
    before = _counted(group, registered, draining)
    # Registering a target brings a draining one back into service (target_health).
    after = _counted(group, registered | set(ids), draining - set(ids))
    if len(after) > quota and not after <= before:
        return "You've reached the limit on the number of targets."
    return None


def refuse_bad_targets(backend: ELBv2Backend, target_group_arn: str, targets: list[Any]) -> None:
    """Raise AWS's error for a RegisterTargets call it refuses whole; return if it would register these targets."""
    group = backend.target_groups.get(target_group_arn)
    if group is None:
        return
    if group.target_type == "ip":
        ec2 = ec2_backends[backend.account_id][backend.region_name]
        subnets = [r for s in ec2.describe_subnets(filters={"vpc-id": [group.vpc_id]}) for r in subnet_ranges(s)]
        for target in targets:
            message = _refusal(target, subnets)
            if message:
                raise ELBClientError("ValidationError", message)
    full = _refusal_for_quota(group, [target["Id"] for target in targets])
    if full:
        raise ELBClientError("TooManyTargets", full)
