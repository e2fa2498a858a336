"""What a target group holds: targets, their health, and which of them count."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from functools import cached_property


class TargetState(str, Enum):
    """A target's state as DescribeTargetHealth gives it (ELB API reference, TargetHealth)."""

    INITIAL = "initial"
    HEALTHY = "healthy"
    UNHEALTHY = "unhealthy"
    # Failing its health checks while deregistration drains it.
    UNHEALTHY_DRAINING = "unhealthy.draining"
    UNUSED = "unused"
    DRAINING = "draining"
    UNAVAILABLE = "unavailable"

    @classmethod
    def of(cls, value: object) -> TargetState:
        """An unknown or missing state counts as unavailable: health is not known."""
        return next((state for state in cls if state.value == value), cls.UNAVAILABLE)

    @property
    def leaving(self) -> bool:
        return self in (TargetState.DRAINING, TargetState.UNHEALTHY_DRAINING)


@dataclass(frozen=True, order=True)
class Target:
    """One NLB target: an instance IP on the port of its target group."""

    ip: str
    port: int

    def __str__(self) -> str:
        return f"{self.ip}:{self.port}"


@dataclass(frozen=True)
class ObservedTarget:
    target: Target
    state: TargetState
    reason: str | None = None


@dataclass(frozen=True)
class TargetGroupView:
    """A target group as DescribeTargetHealth saw it in this run."""

    arn: str
    name: str
    port: int
    targets: tuple[ObservedTarget, ...]

    @cached_property
    def registered(self) -> frozenset[Target]:
        """Targets that count as registered: all but the draining ones.

        A draining target is on its way out, so a wanted address in that state
        is registered again (so is one `unhealthy.draining`). An `unused` one is registered, only not routed to
        (its zone is not enabled for the load balancer): registering it again
        changes nothing (ELB API reference, TargetHealth; docs/sources.md).
        """
        return frozenset(t.target for t in self.targets if not t.state.leaving)

    @cached_property
    def healthy_ips(self) -> frozenset[str]:
        return frozenset(t.target.ip for t in self.targets if t.state is TargetState.HEALTHY)

    @cached_property
    def unused_ips(self) -> frozenset[str]:
        """Addresses the load balancer does not route to: their zone is not
        enabled for it, or the group serves no listener."""
        return frozenset(t.target.ip for t in self.targets if t.state is TargetState.UNUSED)

    def state_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for observed in self.targets:
            counts[observed.state.value] = counts.get(observed.state.value, 0) + 1
        return counts
