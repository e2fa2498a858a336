"""Pacing and throttling: a sweep at the default rate, and a sweep whose DescribeBroker calls are throttled.

The pace is judged from when moto served each DescribeBroker call: in no
stretch of time may more calls arrive than the token bucket lets through,
rate * length + burst.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from bench.measured import Measured, measure, sweep_bound
from bench.world import BenchWorld
from emulator import Fault

# The function's defaults (README: MQ_DESCRIBE_RATE, MQ_DESCRIBE_BURST).
DEFAULT_RATE = 10.0
DEFAULT_BURST = 5
# moto's clock reads when a worker thread got to serve the call, a little after
# the bucket let it go: a thread that wakes late joins the next calls. This
# much of such jitter is allowed (1 call at the default rate).
SLACK_SECONDS = 0.1


@dataclass(frozen=True)
class Pace:
    """How close DescribeBroker calls came to the bucket's limit."""

    calls: int
    busiest_second: int  # most calls served within any 1 s
    # Most calls served within any stretch of time beyond rate * length + burst
    # (0 or less: the limit held exactly everywhere).
    excess: float


def pace_of(times: Sequence[float], rate: float, burst: int) -> Pace:
    """Check every stretch from one call to a later one: those calls fit in a window that long."""
    ordered = sorted(times)
    excess = float("-inf") if ordered else 0.0
    busiest = 0
    for first, start in enumerate(ordered):
        for last in range(first, len(ordered)):
            length = ordered[last] - start
            count = last - first + 1
            excess = max(excess, count - (rate * length + burst))
            if length <= 1.0:
                busiest = max(busiest, count)
    return Pace(len(ordered), busiest, excess)


def measure_paced_sweep(world: BenchWorld) -> tuple[Measured, Pace]:
    """The first sweep of a container at the default rate, over groups that need no change."""
    brokers = len(world.in_scope)
    world.settle(1)
    world.cold_start(1)
    _, log, seconds = measure(world.sweep)
    pace = pace_of(log.times("mq", "DescribeBroker"), DEFAULT_RATE, DEFAULT_BURST)
    measured = Measured(
        "paced sweep (10/s, burst 5), new container",
        brokers,
        1,
        log.by_operation(),
        sweep_bound(brokers, 1) + Counter(DescribeTargetGroups=1),
        seconds,
        {"no stretch of time above rate * length + burst": pace.excess <= DEFAULT_RATE * SLACK_SECONDS},
    )
    return measured, pace


def measure_throttled_sweep(world: BenchWorld) -> tuple[Measured, Pace]:
    """A new container at the default pace, whose first DescribeBroker is throttled once and another broker's on every attempt.

    botocore's adaptive retry mode retries throttling answers with backoff and
    slows the client down; what it cannot read must keep its targets. The
    first call is the worst moment for a throttle: the client has not measured
    its own rate yet (the sweep describes brokers in order of id).
    """
    brokers = len(world.in_scope)
    if brokers < 2:
        raise ValueError("a throttled sweep needs two brokers in scope")
    once, *_, always = sorted(world.in_scope)
    world.settle(1)
    world.cold_start(1)
    before = world.targets(1)
    faults = [
        world.aws.inject_fault(Fault(service="mq", operation="DescribeBroker", match=once, times=1)),
        world.aws.inject_fault(Fault(service="mq", operation="DescribeBroker", match=always)),
    ]
    try:
        invocation, log, seconds = measure(world.sweep)
    finally:
        for fault in faults:
            world.aws.remove_fault(fault)
    report = invocation.report
    knowledge = {b["brokerId"]: b["knowledge"] for b in report["brokers"]}
    throttled = sum(fault.hits for fault in faults)
    retries = throttled - 1  # the last throttled answer of `always` is given up on
    pace = pace_of(log.times("mq", "DescribeBroker"), DEFAULT_RATE, DEFAULT_BURST)
    measured = Measured(
        "paced sweep, 2 brokers throttled, new container",
        brokers,
        1,
        log.by_operation(),
        sweep_bound(brokers, 1) + Counter(DescribeTargetGroups=1, DescribeBroker=retries),
        seconds,
        {
            "no target deregistered": not any(g["deregistered"] for g in report["targetGroups"]),
            "groups unchanged": world.targets(1) == before,
            "throttled once: read on retry": knowledge[once] == "settled",
            "throttled always: left unresolved": knowledge[always] == "unresolved",
        },
        note=f"{throttled} throttled answers, {retries} retried",
    )
    return measured, pace
