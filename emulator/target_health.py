"""Emulator support for ELBv2 DescribeTargetHealth: target states as an NLB reports them.

moto 5.2.1 reports every registered target `healthy`. On AWS the NLB's health
check (on the console port, 8162) reaches only the active instance of an
active/standby broker: the standby is `unhealthy` by design, an IP that no
running broker owns times out, and a deregistered target drains for a while.
A RabbitMQ broker answers on every interface of its VPC endpoint (AWS runs
the load balancer behind it). This module answers for IP targets from the
brokers in moto's MQ backend (moto_patches hooks it into moto), and
lets a test force any state (draining, initial, unused...) for one target.

A group no listener forwards to is not health-checked: AWS reports its
targets `unused`, `Target.NotInUse` ("the target group is not used by any
load balancer", ELB API reference, TargetHealth). `health_checks_take(s)`
keeps a newly registered target `initial` for s seconds, as the NLB's first
health checks do (two 10 s intervals by default; minutes on AWS, see
docs/cutover.md): the cutover's wait for a new broker and the bench see it.
A forced state lasts until the target is registered or deregistered again
(re-registering a draining target on AWS brings it back into service).
"""

import ipaddress
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from moto.ec2.models import EC2Backend
from moto.elbv2.models import ELBv2Backend, FakeHealthStatus, FakeTargetGroup, elbv2_backends
from moto.mq.models import mq_backends

from . import mq_brokers
from .listeners import forwarded_groups

# The reason and description AWS gives with each state.
REASONS: dict[str, tuple[str | None, str | None]] = {
    "healthy": (None, None),
    "initial": ("Elb.RegistrationInProgress", "Target registration is in progress"),
    "unhealthy": ("Target.FailedHealthChecks", "Health checks failed"),
    "unused": ("Target.NotInUse", "Target group is not configured to receive traffic from the load balancer"),
    "draining": ("Target.DeregistrationInProgress", "Target deregistration is in progress"),
    "unavailable": ("Target.HealthCheckDisabled", "Health checks are disabled"),
}
_TIMEOUT = ("Target.Timeout", "Request timed out")

# The serving roles worked out during one DescribeTargetHealth call, per thread (the server answers in threads).
_CALL = threading.local()
# Per target group, on moto's own object so that a moto reset forgets it: ip -> forced state.
_FORCED = "emulator_forced_states"
# Per target group likewise: ip -> until when (time.monotonic()) it stays initial after its registration.
_REGISTERED_AT = "emulator_registered_at"
_first_checks = {"seconds": 0.0}


def health_checks_take(seconds: float) -> None:
    """From now on a target registered less than `seconds` ago is `initial` (0: judged at once, the default)."""
    _first_checks["seconds"] = seconds


def _initial_until(group: FakeTargetGroup) -> dict[str, float]:
    return _kept_on(group, _REGISTERED_AT)


def in_use(group: FakeTargetGroup, backend: ELBv2Backend) -> bool:
    """Whether a listener's default action forwards to the group."""
    return any(
        group.arn in forwarded_groups(listener)
        for balancer in backend.load_balancers.values()
        for listener in balancer.listeners.values()
    )


def forced_states(group: FakeTargetGroup) -> dict[str, str]:
    return _kept_on(group, _FORCED)


def _kept_on(group: FakeTargetGroup, attribute: str) -> dict[str, Any]:
    """A dict the emulator keeps on moto's own object, so that a moto reset forgets it."""
    found: dict[str, Any] | None = getattr(group, attribute, None)
    if found is None:
        found = {}
        setattr(group, attribute, found)
    return found


def force_state(group: FakeTargetGroup, ip: str, state: str) -> None:
    if state not in REASONS:
        raise ValueError(f"unknown target state {state!r}; one of {sorted(REASONS)}")
    forced_states(group)[ip] = state


def _status(
    group: FakeTargetGroup, ip: str, port: Any, state: str, reason: tuple[str | None, str | None]
) -> FakeHealthStatus:
    return FakeHealthStatus(ip, port, group.health_check_port, state, reason[0], reason[1])


def _role(group: FakeTargetGroup, ip: str, ec2: EC2Backend) -> str | None:
    """The serving role of the broker instance at `ip` as the group's health check reaches it.

    Other VPCs of the account may use the same ranges: an address inside the
    group's VPC is the broker's there. One outside it (registered with
    AvailabilityZone all) is reached through peering: whichever broker has it.
    """
    backend = mq_backends[ec2.account_id][ec2.region_name]
    vpc = ec2.get_vpc(group.vpc_id)
    inside = ipaddress.ip_address(ip) in ipaddress.ip_network(vpc.cidr_block)
    # One DescribeTargetHealth asks about every target: the roles are worked out once per call, not per target.
    cache: dict[tuple[str, bool], dict[str, str]] | None = getattr(_CALL, "roles", None)
    key = (group.vpc_id, inside)
    if cache is not None and key in cache:
        return cache[key].get(ip)
    brokers = mq_brokers.brokers_in(backend, group.vpc_id) if inside else backend.brokers.values()
    roles = mq_brokers.serving_roles(brokers)
    if cache is not None:
        cache[key] = roles
    return roles.get(ip)


def _port(group: FakeTargetGroup, target: dict[str, Any]) -> Any:
    registered = group.targets.get(target["Id"])
    return registered["Port"] if registered else target.get("Port", group.port)


def forced_health(group: FakeTargetGroup, target: dict[str, Any]) -> FakeHealthStatus | None:
    """The state a test forced on the target; None if it forced none."""
    forced = forced_states(group).get(target["Id"])
    return _status(group, target["Id"], _port(group, target), forced, REASONS[forced]) if forced else None


def checked_health(
    group: FakeTargetGroup, target: dict[str, Any], ec2: EC2Backend, moto_says: FakeHealthStatus
) -> FakeHealthStatus:
    """What the NLB's health check finds of an IP target moto calls healthy (`moto_says` stands for any other)."""
    ip, port = target["Id"], _port(group, target)
    if group.targets.get(ip) is None or group.target_type != "ip" or moto_says.status != "healthy":
        return moto_says
    if not in_use(group, elbv2_backends[ec2.account_id][ec2.region_name]):
        return _status(group, ip, port, "unused", REASONS["unused"])
    if time.monotonic() < _initial_until(group).get(ip, 0.0):
        return _status(group, ip, port, "initial", ("Elb.InitialHealthChecking", "Initial health checks in progress"))
    role = _role(group, ip, ec2)
    if role == "active":
        return _status(group, ip, port, "healthy", REASONS["healthy"])
    if role == "standby":
        return _status(group, ip, port, "unhealthy", REASONS["unhealthy"])
    return _status(group, ip, port, "unhealthy", _TIMEOUT)


@contextmanager
def one_description() -> Iterator[None]:
    """One DescribeTargetHealth call: the brokers' roles are worked out once in it, not once per target."""
    _CALL.roles = {}
    try:
        yield
    finally:
        _CALL.roles = None


def forced_unlisted(group: FakeTargetGroup, listed: list[FakeHealthStatus], ec2: EC2Backend) -> list[FakeHealthStatus]:
    """The targets forced into a state that moto does not list (a draining target has left its list already)."""
    shown = {status.instance_id for status in listed}
    extra = [{"Id": ip, "Port": group.port} for ip in forced_states(group) if ip not in shown]
    return [group.health_for(target, ec2) for target in extra]


def forget_forced(group: FakeTargetGroup, targets: list[dict[str, Any]]) -> None:
    """The targets were registered or deregistered again: what a test forced on them ends."""
    for target in targets:
        forced_states(group).pop(target["Id"], None)


def first_checks_start(group: FakeTargetGroup, ips: list[str]) -> None:
    """These targets were just registered: they stay `initial` while their first health checks last."""
    # The first checks of a target take what they took when it was registered, not what a later setting says.
    _initial_until(group).update(dict.fromkeys(ips, time.monotonic() + _first_checks["seconds"]))
