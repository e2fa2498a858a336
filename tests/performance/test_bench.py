"""The benchmark at B=10: what a sweep and an event cost in AWS calls, and a new container's sweeps at the default pace.

Counts, never timings: the bounds are exact (issues 5 and 16), the pace is
judged by how many calls moto served within each stretch of time.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest

from bench.measured import measure
from bench.pacing import (
    DEFAULT_BURST,
    DEFAULT_RATE,
    SLACK_SECONDS,
    measure_cold_sweeps,
    measure_paced_sweeps,
    measure_throttled_sweep,
    pace_of,
)
from bench.sweep_cost import SweepCosts, measure_sweep_costs
from bench.world import BenchWorld
from reconciler.core.plan import FREE_FOR_SECONDS

BROKERS = 10
# The benchmark's world and paced sweeps take seconds; still part of `make test` and CI.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def world() -> Iterator[BenchWorld]:
    with BenchWorld.build(BROKERS) as built:
        yield built


@pytest.fixture(scope="module", params=[1, 3], ids=lambda groups: f"T={groups}")
def costs(request: pytest.FixtureRequest, world: BenchWorld) -> SweepCosts:
    """Steady sweep, a sweep after every broker moved, two events: in one warm container serving T groups."""
    return measure_sweep_costs(world, request.param)


def test_a_steady_sweep_costs_one_page_of_scope_one_of_interfaces_one_health_read_per_group_and_no_mq_call(
    costs: SweepCosts,
) -> None:
    steady = costs.steady
    assert steady.calls == Counter(GetResources=1, DescribeNetworkInterfaces=1, DescribeTargetHealth=steady.groups)
    assert steady.ratio == 1.0


def test_ten_moved_brokers_cost_one_describe_broker_each_and_their_old_addresses_leave_a_minute_later(
    costs: SweepCosts,
) -> None:
    """Their new interfaces are not confirmed yet: one DescribeBroker each; the 20 old addresses are looked up and
    go on the next sweep, their second reading."""
    (moved,) = costs.moved  # B = 10: after 10 brokers moved is after all of them
    groups = moved.groups
    assert moved.calls == Counter(
        GetResources=1,
        DescribeNetworkInterfaces=2,
        DescribeTargetHealth=groups,
        DescribeBroker=BROKERS,
        RegisterTargets=groups,
    ), "new addresses in at once; the old ones are looked up, not removed on one reading"
    assert moved.checks == {
        "the next sweep removes the old addresses, at its bound": True,
        "groups hold exactly the brokers' addresses": True,
        "a sweep after it changes nothing": True,
        "a sweep after it makes no Amazon MQ call": True,
    }


def test_a_reboot_event_costs_one_sweep_and_one_describe_broker_and_the_next_sweep_finishes_it(
    costs: SweepCosts,
) -> None:
    event, groups = costs.event, costs.event.groups
    assert event.calls == Counter(
        GetResources=1,
        DescribeNetworkInterfaces=2,
        DescribeTargetHealth=groups,
        DescribeBroker=1,
        RegisterTargets=groups,
    )
    assert event.checks == {
        "the next sweep removes the old addresses, at its bound": True,
        "groups hold exactly the brokers' addresses": True,
        "a sweep after it changes nothing": True,
        "a sweep after it makes no Amazon MQ call": True,
    }


def test_a_tag_event_the_listing_lags_behind_costs_one_sweep_and_one_describe_broker(costs: SweepCosts) -> None:
    tagged, groups = costs.tagged, costs.tagged.groups
    assert tagged.calls == Counter(
        GetResources=1,
        DescribeNetworkInterfaces=1,
        DescribeTargetHealth=groups,
        DescribeBroker=1,
        RegisterTargets=groups,
    )
    assert all(tagged.checks.values()), tagged.checks


def test_targets_no_broker_has_go_on_a_second_reading_a_minute_later_in_batches_of_200(world: BenchWorld) -> None:
    """250 targets registered by hand on the public subnets' addresses: Amazon MQ cannot vouch for any of them."""
    world.settle(1)
    strays = [{"Id": f"10.0.{101 + n // 200}.{n % 200 + 4}", "Port": 61617} for n in range(250)]
    world.aws.client("elbv2").register_targets(TargetGroupArn=next(iter(world.groups.values())), Targets=strays)

    first, first_log, _ = measure(world.sweep)
    world.let_time_pass(FREE_FOR_SECONDS)
    second, second_log, _ = measure(world.sweep)

    assert first.report["targetGroups"][0]["deregistered"] == [], "one listing may be stale: none goes on it"
    assert len(first.report["targetGroups"][0]["withheld"]) == 250
    assert len(second.report["targetGroups"][0]["deregistered"]) == 250
    assert second_log.count("elbv2", "DeregisterTargets") == 2 and second_log.count("elbv2", "RegisterTargets") == 0
    for log in (first_log, second_log):
        assert log.count("ec2", "DescribeNetworkInterfaces") == 3, (
            "the listing, then 250 addresses looked up 200 at a time"
        )
        assert log.count("mq", "DescribeBroker") == 0, "no broker was registered on them: nothing to ask Amazon MQ"


def test_a_new_container_reads_every_broker_once_at_the_default_rate_and_burst_and_converges_in_one_sweep(
    world: BenchWorld,
) -> None:
    cold, moved = measure_paced_sweeps(world)
    assert cold.pace.calls == BROKERS, "it has confirmed no interface: every broker is read with DescribeBroker"
    assert cold.first.calls == cold.first.bound
    assert cold.pace.excess <= DEFAULT_RATE * SLACK_SECONDS, f"{cold.pace.excess:.2f} calls above rate * t + burst"
    assert (cold.cut_short, cold.timed_out, cold.converged, cold.described) == (False, False, True, (BROKERS,))
    assert moved.calls == moved.bound and moved.calls["DescribeBroker"] == BROKERS, "then warm: one per moved broker"
    assert all(moved.checks.values()), moved.checks


def test_a_new_container_cut_short_by_its_timeout_asks_each_broker_once_over_the_sweeps_that_converge(
    world: BenchWorld,
) -> None:
    """17.3 s leaves 0.3 s of pacing waits before the request margin and the writes' reserve (deadline.py): the
    burst and two or three more calls, however fast the machine. What a cut-short run confirmed stays confirmed."""
    cold = measure_cold_sweeps(world, timeout=17.3)
    assert cold.cut_short and not cold.timed_out, "the run stopped asking and returned its report"
    assert DEFAULT_BURST <= cold.described[0] < BROKERS
    assert cold.converged and cold.sweeps >= 2
    assert sum(cold.described) == BROKERS, "no broker asked about twice: later sweeps ask only about the rest"


def test_the_pace_check_notices_calls_sent_at_once() -> None:
    at_once = [0.0] * BROKERS
    assert pace_of(at_once, DEFAULT_RATE, DEFAULT_BURST).excess == BROKERS - DEFAULT_BURST


def test_throttled_brokers_keep_their_targets_and_a_single_throttle_is_retried(world: BenchWorld) -> None:
    throttled, pace = measure_throttled_sweep(world)
    assert throttled.checks == {
        "no target deregistered": True,
        "groups unchanged": True,
        "throttled once: read on retry": True,
        "throttled always: left unresolved": True,
        "a whole run within the 60 s timeout": True,
    }
    assert throttled.calls["DescribeBroker"] == throttled.bound["DescribeBroker"], "one call per broker and per retry"
    assert throttled.calls == throttled.bound
    assert pace.excess <= DEFAULT_RATE * SLACK_SECONDS, "retries take their turn in the pace too"


def test_the_cutover_bench_splits_each_step_into_what_it_waited_for_and_what_it_spent() -> None:
    """Small waits; the figures are printed, never asserted: only that the split adds up and names every step."""
    from bench.cutover import measure_cutover
    from bench.report import cutover_section

    timing = measure_cutover(health_seconds=0.2, drain_seconds=0.2)

    assert [s.step for s in timing.steps] == ["prepare", "health", "switch", "drain", "finish"]
    assert all(0 <= s.waited <= s.seconds for s in timing.steps)
    # The health step may find the checks done already (they start at prepare): only the drain must wait.
    assert timing.steps[3].waited > 0 and timing.steps[3].seconds >= 0.2, (
        "flows stay open: the drain lasts its whole time"
    )
    print(cutover_section(timing))
