"""The benchmark at B=10: what a sweep and an event cost in AWS calls, and the pace of DescribeBroker where it is needed.

Counts, never timings: the bounds are exact (issue 5), the pace is judged by
how many calls moto served within each stretch of time.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest

from bench.measured import measure
from bench.pacing import DEFAULT_BURST, DEFAULT_RATE, SLACK_SECONDS, measure_paced_sweep, measure_throttled_sweep, pace_of
from bench.sweep_cost import SweepCosts, measure_sweep_costs
from bench.world import BenchWorld

BROKERS = 10
# The benchmark's world and paced sweeps take seconds; still part of `make test` and CI.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def world() -> Iterator[BenchWorld]:
    with BenchWorld.build(BROKERS) as built:
        yield built


@pytest.fixture(scope="module", params=[1, 3], ids=lambda groups: f"T={groups}")
def costs(request: pytest.FixtureRequest, world: BenchWorld) -> SweepCosts:
    """Steady sweep, a sweep after every broker moved, an event: in one warm container serving T groups."""
    return measure_sweep_costs(world, request.param, moving=BROKERS)


def test_a_steady_sweep_costs_one_page_of_scope_one_of_interfaces_one_health_read_per_group_and_no_mq_call(
    costs: SweepCosts,
) -> None:
    steady = costs.steady
    assert steady.calls == Counter(GetResources=1, DescribeNetworkInterfaces=1, DescribeTargetHealth=steady.groups)
    assert steady.ratio == 1.0


def test_twenty_moved_targets_cost_one_register_one_deregister_per_group_and_one_lookup(costs: SweepCosts) -> None:
    moved, groups = costs.moved, costs.moved.groups
    assert moved.calls == Counter(
        GetResources=1, DescribeNetworkInterfaces=2, DescribeTargetHealth=groups, RegisterTargets=groups, DeregisterTargets=groups
    ), "the second DescribeNetworkInterfaces looks up the 20 freed addresses before they go"
    assert all(moved.checks.values()), moved.checks


def test_a_reboot_event_costs_one_sweep_and_ends_where_a_sweep_would(costs: SweepCosts) -> None:
    event, groups = costs.event, costs.event.groups
    assert event.calls == Counter(GetResources=1, DescribeNetworkInterfaces=2, DescribeTargetHealth=groups,
                                  RegisterTargets=groups, DeregisterTargets=groups)
    assert event.checks == {
        "no DescribeBroker: the broker is listed": True,
        "groups hold exactly the brokers' addresses": True,
        "a sweep after it changes nothing": True,
    }


def test_a_tag_event_the_listing_lags_behind_costs_one_sweep_and_one_describe_broker(costs: SweepCosts) -> None:
    tagged, groups = costs.tagged, costs.tagged.groups
    assert tagged.calls == Counter(GetResources=1, DescribeNetworkInterfaces=1, DescribeTargetHealth=groups,
                                   DescribeBroker=1, RegisterTargets=groups)
    assert all(tagged.checks.values()), tagged.checks


def test_more_than_200_removals_go_out_in_batches_of_200(world: BenchWorld) -> None:
    world.settle(1)
    strays = [{"Id": f"10.0.{101 + n // 200}.{n % 200 + 4}", "Port": 61617} for n in range(250)]  # the public subnets
    world.aws.client("elbv2").register_targets(TargetGroupArn=next(iter(world.groups.values())), Targets=strays)

    invocation, log, _ = measure(world.sweep)

    assert len(invocation.report["targetGroups"][0]["deregistered"]) == 250
    assert log.count("elbv2", "DeregisterTargets") == 2 and log.count("elbv2", "RegisterTargets") == 0
    assert log.count("ec2", "DescribeNetworkInterfaces") == 3, "the listing, then 250 addresses looked up 200 at a time"


def test_describe_broker_calls_keep_to_the_default_rate_and_burst(world: BenchWorld) -> None:
    measured, pace = measure_paced_sweep(world)
    assert pace.calls == BROKERS, "no interface found: every broker is read with DescribeBroker"
    assert measured.calls == measured.bound
    assert pace.excess <= DEFAULT_RATE * SLACK_SECONDS, f"{pace.excess:.2f} calls above rate * t + burst in some stretch"


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
        "within the 60 s timeout, with its 14 s margin": True,
    }
    assert throttled.calls["DescribeBroker"] == throttled.bound["DescribeBroker"], "one call per broker and per retry"
    assert pace.excess <= DEFAULT_RATE * SLACK_SECONDS, "retries take their turn in the pace too"


def test_the_cutover_bench_splits_each_step_into_what_it_waited_for_and_what_it_spent() -> None:
    """Small waits; the figures are printed, never asserted: only that the split adds up and names every step."""
    from bench.cutover import measure_cutover
    from bench.report import cutover_section

    timing = measure_cutover(health_seconds=0.2, drain_seconds=0.2)

    assert [s.step for s in timing.steps] == ["prepare", "health", "switch", "drain", "finish"]
    assert all(0 <= s.waited <= s.seconds for s in timing.steps)
    assert timing.steps[1].waited > 0, "the health checks are waited for"
    assert timing.steps[3].seconds >= 0.2, "flows stay open: the drain lasts its whole time"
    print(cutover_section(timing))
