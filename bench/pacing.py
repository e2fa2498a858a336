"""Pacing and throttling: sweeps at the default rate, where every broker must be read with DescribeBroker.

A steady sweep makes no Amazon MQ call at all (the addresses come from EC2),
so these sweeps take the worst case a deployment can meet: no broker
interface found (AWS changed their description), every broker read with
DescribeBroker, at the function's pace.

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
from reconciler.deadline import MARGIN_MS

# The function's defaults (README: MQ_DESCRIBE_RATE, MQ_DESCRIBE_BURST) and Timeout (template.yaml).
DEFAULT_RATE = 10.0
DEFAULT_BURST = 5
FUNCTION_TIMEOUT = 60
# What a new container reads once, before its first run's reads.
FIRST_RUN = Counter(DescribeTargetGroups=1, DescribeTags=1, DescribeSubnets=1)
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
    """A new container's first sweep at the default rate, every broker read with DescribeBroker, nothing to change."""
    brokers = len(world.in_scope)
    world.settle(1)
    with world.interfaces_described_otherwise():
        world.cold_start(1)
        _, log, seconds = measure(world.sweep)
    pace = pace_of(log.times("mq", "DescribeBroker"), DEFAULT_RATE, DEFAULT_BURST)
    measured = Measured(
        "paced sweep (10/s, burst 5), no interface found, new container",
        brokers,
        1,
        log.by_operation(),
        sweep_bound(brokers, 1, world.interfaces(), described=brokers) + FIRST_RUN,
        seconds,
        {"no stretch of time above rate * length + burst": pace.excess <= DEFAULT_RATE * SLACK_SECONDS},
    )
    return measured, pace


def measure_throttled_sweep(world: BenchWorld) -> tuple[Measured, Pace]:
    """As the paced sweep, with a quarter of the DescribeBroker calls throttled once and one broker's on every attempt.

    botocore's standard retry mode retries throttling answers with backoff, and
    every retry takes its turn in the pace; what cannot be read keeps its
    targets. The time is set against the function's timeout (template.yaml).
    """
    brokers = len(world.in_scope)
    if brokers < 2:
        raise ValueError("a throttled sweep needs two brokers in scope")
    ordered = sorted(world.in_scope)
    always, once = ordered[-1], ordered[: max(1, brokers // 4)]
    world.settle(1)
    before = world.targets(1)
    with world.interfaces_described_otherwise():
        world.cold_start(1)
        faults = [world.aws.inject_fault(Fault(service="mq", operation="DescribeBroker", match=b, times=1)) for b in once]
        faults.append(world.aws.inject_fault(Fault(service="mq", operation="DescribeBroker", match=always)))
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
        f"paced sweep, {len(once)} brokers throttled once, 1 always, no interface found, new container",
        brokers,
        1,
        log.by_operation(),
        # The broker never read keeps its two addresses, looked up once to see who holds them.
        sweep_bound(brokers, 1, world.interfaces(), described=brokers + retries, looked_up=2) + FIRST_RUN,
        seconds,
        {
            "no target deregistered": not any(g["deregistered"] for g in report["targetGroups"]),
            "groups unchanged": world.targets(1) == before,
            "throttled once: read on retry": all(knowledge[b] == "settled" for b in once),
            "throttled always: left unresolved": knowledge[always] == "unresolved",
            f"within the {FUNCTION_TIMEOUT} s timeout, with its {MARGIN_MS // 1000} s margin": seconds < FUNCTION_TIMEOUT - MARGIN_MS / 1000,
        },
        note=f"{throttled} throttled answers, {retries} retried",
    )
    return measured, pace
