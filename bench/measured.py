"""One measured invocation: the AWS calls it cost, against the fewest it could have cost."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from math import ceil

from emulator.api_calls import ApiCallLog, recording_api_calls
from emulator.lambda_runtime import Invocation

# What GetResources returns at most per page (ResourcesPerPage 1..100).
RESOURCES_PER_PAGE = 100
# What DescribeNetworkInterfaces returns at most per page (MaxResults 5..1000).
INTERFACES_PER_PAGE = 1000
# What the reconciler sends per RegisterTargets/DeregisterTargets call.
TARGETS_PER_WRITE = 200


@dataclass(frozen=True)
class Measured:
    scenario: str
    brokers: int  # B: brokers in scope
    groups: int  # T: target groups served
    calls: Counter[str]  # operation -> calls moto served during the invocation
    bound: Counter[str]  # operation -> the fewest calls the scenario needs
    seconds: float  # wall time of the invocation
    # Outcomes a user would check besides the cost (same state as a sweep, targets kept...).
    checks: Mapping[str, bool] = field(default_factory=dict)
    note: str = ""

    @property
    def total(self) -> int:
        return sum(self.calls.values())

    @property
    def bound_total(self) -> int:
        return sum(self.bound.values())

    @property
    def ratio(self) -> float:
        return self.total / self.bound_total

    @property
    def excess(self) -> dict[str, int]:
        """Operations called more often than the bound allows, by how many calls."""
        return {op: n - self.bound[op] for op, n in sorted(self.calls.items()) if n > self.bound[op]}


def discovery_pages(brokers: int) -> int:
    """GetResources pages that list `brokers` tagged brokers: one even for none."""
    return max(1, ceil(brokers / RESOURCES_PER_PAGE))


def interface_pages(interfaces: int) -> int:
    """DescribeNetworkInterfaces pages that list `interfaces` broker interfaces: one even for none."""
    return max(1, ceil(interfaces / INTERFACES_PER_PAGE))


def address_lookups(addresses: int) -> int:
    """DescribeNetworkInterfaces calls that look `addresses` up (200 values a filter; ec2.py)."""
    return ceil(addresses / 200)


def write_calls(targets: int) -> int:
    """RegisterTargets or DeregisterTargets calls for `targets` changes in one group."""
    return ceil(targets / TARGETS_PER_WRITE)


def sweep_bound(
    brokers: int, groups: int, interfaces: int, *, registered: int = 0, freed: int = 0, described: int = 0
) -> Counter[str]:
    """A warm container's whole reconcile.

    The scope's pages, the interfaces' pages and one DescribeTargetHealth per
    group, whatever happened; `described` DescribeBroker calls, one per broker
    with an interface the container has not confirmed yet (0 in the steady
    state); `registered` new targets per group, in batched writes; `freed`
    registered addresses no broker has any more: looked up by address (who
    holds them now: an instance of another account may be a broker nobody
    lists). They are deregistered on the next sweep a minute later
    (sweep_bound(..., deregistered=...)), not in this one.
    """
    bound = Counter(
        GetResources=discovery_pages(brokers),
        DescribeNetworkInterfaces=interface_pages(interfaces) + address_lookups(freed),
        DescribeTargetHealth=groups,
        DescribeBroker=described,
        RegisterTargets=groups * write_calls(registered),
    )
    return +bound


def second_reading_bound(brokers: int, groups: int, interfaces: int, *, freed: int) -> Counter[str]:
    """The sweep a minute after `freed` addresses per group were first seen free: looked up again, then deregistered."""
    bound = sweep_bound(brokers, groups, interfaces, freed=freed)
    bound["DeregisterTargets"] = groups * write_calls(freed)
    return +bound


def measure(invoke: Callable[[], Invocation]) -> tuple[Invocation, ApiCallLog, float]:
    """Run one invocation, recording the calls moto serves meanwhile and the wall time."""
    with recording_api_calls() as log:
        started = time.perf_counter()
        invocation = invoke()
        seconds = time.perf_counter() - started
    return invocation, log, seconds
