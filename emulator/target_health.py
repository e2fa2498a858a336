"""Emulator support for ELBv2 DescribeTargetHealth: target states as an NLB reports them.

moto 5.2.1 reports every registered target `healthy`. On AWS the NLB's health
check (on the console port, 8162) reaches only the active instance of an
active/standby broker: the standby is `unhealthy` by design, an IP that no
running broker owns times out, and a deregistered target drains for a while.
A RabbitMQ broker answers on every interface of its VPC endpoint (AWS runs
the load balancer behind it). This patch answers for IP targets from the
brokers in moto's MQ backend, and
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
from collections.abc import Callable
from typing import Any

from moto.ec2.models import EC2Backend
from moto.elbv2.models import ELBv2Backend, FakeHealthStatus, FakeTargetGroup, elbv2_backends
from moto.mq.models import mq_backends

from . import mq_brokers
from ._patching import Patch
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


def _with_broker_health(original: Callable[..., FakeHealthStatus]) -> Callable[..., FakeHealthStatus]:
    def health_for(self: FakeTargetGroup, target: dict[str, Any], ec2_backend: EC2Backend) -> FakeHealthStatus:
        ip = target["Id"]
        registered = self.targets.get(ip)
        port = registered["Port"] if registered else target.get("Port", self.port)
        forced = forced_states(self).get(ip)
        if forced:
            return _status(self, ip, port, forced, REASONS[forced])
        moto_says = original(self, target, ec2_backend)
        if registered is None or self.target_type != "ip" or moto_says.status != "healthy":
            return moto_says
        if not in_use(self, elbv2_backends[ec2_backend.account_id][ec2_backend.region_name]):
            return _status(self, ip, port, "unused", REASONS["unused"])
        if time.monotonic() < _initial_until(self).get(ip, 0.0):
            return _status(
                self, ip, port, "initial", ("Elb.InitialHealthChecking", "Initial health checks in progress")
            )
        role = _role(self, ip, ec2_backend)
        if role == "active":
            return _status(self, ip, port, "healthy", REASONS["healthy"])
        if role == "standby":
            return _status(self, ip, port, "unhealthy", REASONS["unhealthy"])
        return _status(self, ip, port, "unhealthy", _TIMEOUT)

    return health_for


def _listing_forced_targets(original: Callable[..., list[FakeHealthStatus]]) -> Callable[..., list[FakeHealthStatus]]:
    """Without Targets, DescribeTargetHealth also lists targets forced into a state
    though not registered in moto (a draining target has left moto's list already)."""

    def describe_target_health(
        self: ELBv2Backend, target_group_arn: str, targets: list[dict[str, Any]]
    ) -> list[FakeHealthStatus]:
        _CALL.roles = {}
        try:
            statuses = original(self, target_group_arn, targets)
            if targets:
                return statuses
            group = self.target_groups[target_group_arn]
            listed = {s.instance_id for s in statuses}
            extra = [{"Id": ip, "Port": group.port} for ip in forced_states(group) if ip not in listed]
            return statuses + [group.health_for(t, self.ec2_backend) for t in extra]
        finally:
            _CALL.roles = None

    return describe_target_health


def _registration_clears_forced_state(original: Callable[..., None]) -> Callable[..., None]:
    def change_registration(self: FakeTargetGroup, targets: list[dict[str, Any]]) -> None:
        original(self, targets)
        for target in targets:
            forced_states(self).pop(target["Id"], None)

    return change_registration


def _registration_starts_health_checks(original: Callable[..., None]) -> Callable[..., None]:
    def register(self: FakeTargetGroup, targets: list[dict[str, Any]]) -> None:
        new = [t["Id"] for t in targets if t["Id"] not in self.targets]
        original(self, targets)
        # The first checks of a target take what they took when it was registered, not what a later setting says.
        _initial_until(self).update(dict.fromkeys(new, time.monotonic() + _first_checks["seconds"]))

    return register


PATCHES = [
    Patch(FakeTargetGroup, "health_for", _with_broker_health),
    Patch(ELBv2Backend, "describe_target_health", _listing_forced_targets),
    Patch(FakeTargetGroup, "register", _registration_clears_forced_state),
    Patch(FakeTargetGroup, "register", _registration_starts_health_checks),
    Patch(FakeTargetGroup, "deregister", _registration_clears_forced_state),
]
