"""A cold container's sweeps at the function's default pace and timeout, a paced sweep after brokers moved, and
throttling.

A steady sweep makes no Amazon MQ call at all: a warm container remembers the
interfaces Amazon MQ confirmed. A new container remembers none, so its first
sweep reads every broker in scope with DescribeBroker, at the function's
pace, within the function's timeout: that is where the pace is measured, and
where the run may be cut short (a pacing wait that would end too near the
deadline is refused, src/reconciler/adapters/deadline.py). What it confirmed stays
confirmed, so each sweep after it asks only about the rest.

The pace is judged from when moto served each DescribeBroker call: in no
stretch of time may more calls arrive than the token bucket lets through,
rate * length + burst.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from bench.measured import Measured, measure, sweep_bound
from bench.sweep_cost import MOVING, measure_moved_sweep
from bench.world import BenchWorld
from emulator import Fault
from emulator.lambda_runtime import Invocation

# The function's defaults (docs/contract.md: MQ_DESCRIBE_RATE, MQ_DESCRIBE_BURST) and Timeout (template.yaml).
DEFAULT_RATE = 10.0
DEFAULT_BURST = 5
FUNCTION_TIMEOUT = 60.0
# What a new container reads once, before its first run's reads.
FIRST_RUN = Counter(DescribeTargetGroups=1, DescribeTags=1, DescribeSubnets=1)
# moto's clock reads when a worker thread got to serve the call, a little after
# the bucket let it go: a thread that wakes late joins the next calls. This
# much of such jitter is allowed (1 call at the default rate).
SLACK_SECONDS = 0.1
# The default SweepSchedule, rate(1 minute): what the container's clock moves on between two sweeps.
SWEEP_INTERVAL = 60.0
# Sweeps a cold container is given to converge before the benchmark says it did not.
MOST_SWEEPS = 10


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


@dataclass(frozen=True)
class ColdSweeps:
    """A new container's sweeps, one a minute, until one of them ends with every broker confirmed and nothing to do."""

    first: Measured  # the first sweep: its calls against a whole reconcile's, its wall time
    pace: Pace  # of the first sweep's DescribeBroker calls
    timeout: float  # the function's Timeout the sweeps ran under
    cut_short: bool  # the first sweep stopped asking (its deadline was near) and said so
    timed_out: bool  # some sweep was killed at the timeout, without a report
    described: tuple[int, ...]  # DescribeBroker calls served in each sweep, the first one first
    converged: bool  # the last sweep ended with status ok, nothing cut short, the groups as the brokers' addresses

    @property
    def sweeps(self) -> int:
        return len(self.described)


def measure_paced_sweeps(world: BenchWorld, *, timeout: float = FUNCTION_TIMEOUT) -> tuple[ColdSweeps, Measured]:
    """A new container's first sweeps at the default pace under `timeout`,
    then, warm, a sweep after 10 brokers moved."""
    cold = measure_cold_sweeps(world, timeout=timeout)
    with world.function_timeout(timeout):
        moved = measure_moved_sweep(world, 1, min(MOVING, len(world.in_scope)))
    return cold, moved


def measure_cold_sweeps(world: BenchWorld, *, timeout: float = FUNCTION_TIMEOUT) -> ColdSweeps:
    """The groups already hold the brokers' addresses (the container before it was recycled set them); a new container
    at the function's defaults sweeps, then sweeps a minute later, until it has confirmed every broker."""
    brokers = len(world.in_scope)
    world.settle(1)
    world.cold_start(1)
    with world.function_timeout(timeout):
        invocation, log, seconds = measure(world.sweep)
        first_log, runs, described = log, [invocation], [log.count("mq", "DescribeBroker")]
        while not _converged(world, runs[-1]) and len(runs) < MOST_SWEEPS:
            world.let_time_pass(SWEEP_INTERVAL)
            invocation, log, _ = measure(world.sweep)
            runs.append(invocation)
            described.append(log.count("mq", "DescribeBroker"))
    pace = pace_of(first_log.times("mq", "DescribeBroker"), DEFAULT_RATE, DEFAULT_BURST)
    first = Measured(
        "a new container's first sweep, default pace",
        brokers,
        1,
        first_log.by_operation(),
        sweep_bound(brokers, 1, world.interfaces(), described=brokers) + FIRST_RUN,
        seconds,
        {"no stretch of time above rate * length + burst": pace.excess <= DEFAULT_RATE * SLACK_SECONDS},
    )
    return ColdSweeps(
        first,
        pace,
        timeout,
        cut_short=bool(runs[0].report.get("cutShort")),
        timed_out=any(run.timed_out for run in runs),
        described=tuple(described),
        converged=_converged(world, runs[-1]),
    )


def _converged(world: BenchWorld, invocation: Invocation) -> bool:
    report = invocation.report
    wanted = world.wanted_ips()
    settled = report.get("status") == "ok" and not report.get("cutShort")
    return settled and all(ips == wanted for ips in world.targets(1).values())


def measure_throttled_sweep(world: BenchWorld) -> tuple[Measured, Pace]:
    """A new container's first sweep, with a quarter of the DescribeBroker calls throttled once and one broker's on
    every attempt.

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
        f"a new container's first sweep, {len(once)} brokers throttled once, 1 always",
        brokers,
        1,
        log.by_operation(),
        sweep_bound(brokers, 1, world.interfaces(), described=brokers + retries) + FIRST_RUN,
        seconds,
        {
            "no target deregistered": not any(g["deregistered"] for g in report["targetGroups"]),
            "groups unchanged": world.targets(1) == before,
            "throttled once: read on retry": all(knowledge[b] == "settled" for b in once),
            "throttled always: left unresolved": knowledge[always] == "unresolved",
            f"a whole run within the {FUNCTION_TIMEOUT:g} s timeout": not invocation.timed_out
            and not report["cutShort"],
        },
        note=f"{throttled} throttled answers, {retries} retried",
    )
    return measured, pace
