"""What a target group holds: targets, their health, and which of them count."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property



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
    state: str
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
        is registered again. An `unused` one is registered, only not routed to
        (its zone is not enabled for the load balancer): registering it again
        changes nothing (ELB API reference, TargetHealth; ../shared/CONTEXT.md).
        """
        return frozenset(t.target for t in self.targets if t.state != "draining")

    @cached_property
    def healthy_ips(self) -> frozenset[str]:
        return frozenset(t.target.ip for t in self.targets if t.state == "healthy")

    @cached_property
    def unused_ips(self) -> frozenset[str]:
        """Addresses the load balancer does not route to: their zone is not enabled for it, or the group serves no listener."""
        return frozenset(t.target.ip for t in self.targets if t.state == "unused")

    def state_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for observed in self.targets:
            counts[observed.state] = counts.get(observed.state, 0) + 1
        return counts
