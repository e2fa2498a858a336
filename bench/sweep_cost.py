"""What a sweep and an event cost in AWS calls: steady state, moved brokers, two kinds of event.

One warm container per number of groups: a first sweep fills the groups and
reads what a container reads once (the groups' ports and owners, the VPC's
subnets) and confirms every broker's interfaces; the sweeps and events after
it are measured.
"""

from __future__ import annotations

from dataclasses import dataclass

from bench.measured import Measured, measure, second_reading_bound, sweep_bound
from bench.world import SCOPE_TAG, BenchWorld
from emulator import events

# The figure: a sweep after this many brokers moved (fewer where the account has fewer).
MOVING = 10


@dataclass(frozen=True)
class SweepCosts:
    """One warm container's figures, in the order they were measured."""

    steady: Measured
    moved: tuple[Measured, ...]  # after MOVING brokers moved, then (where B is larger) after every broker moved
    event: Measured
    tagged: Measured
    # What moto alone takes to answer the steady sweep's listing and health reads (world.emulator_read_seconds).
    emulator_seconds: float

    def rows(self) -> tuple[Measured, ...]:
        return self.steady, *self.moved, self.event, self.tagged


def measure_sweep_costs(world: BenchWorld, groups: int) -> SweepCosts:
    """Steady sweep, sweeps after 10 and after all brokers took new
    addresses, a reboot event, a tag event the listing lags."""
    brokers = len(world.in_scope)
    world.settle(groups)

    _, log, seconds = measure(world.sweep)
    bound = sweep_bound(brokers, groups, world.interfaces())
    calls = log.by_operation()
    note = ""
    if calls["GetResources"] > bound["GetResources"]:
        # Whether an extra page is the reconciler's doing or the emulator's: how full moto makes a page.
        note = f"moto returns {world.tagged_per_page()} brokers on a page of ResourcesPerPage=100"
    steady = Measured("steady sweep", brokers, groups, calls, bound, seconds, note=note)
    emulator_seconds = world.emulator_read_seconds(groups)

    moving = sorted({min(MOVING, brokers), brokers})
    moved = tuple(measure_moved_sweep(world, groups, count) for count in moving)
    return SweepCosts(steady, moved, _reboot_event(world, groups), _tag_event(world, groups), emulator_seconds)


def measure_moved_sweep(world: BenchWorld, groups: int, moving: int) -> Measured:
    """A sweep after `moving` brokers came back on new interfaces: one DescribeBroker each, their new addresses in at
    once, their old ones out on the next sweep a minute later."""
    brokers = len(world.in_scope)
    for broker in world.in_scope[:moving]:
        world.aws.change_broker_ips(broker)
    _, log, seconds = measure(world.sweep)
    changed = 2 * moving  # active/standby: two new addresses in, two old ones out, per group
    return Measured(
        f"sweep after {moving} broker{'s' if moving > 1 else ''} moved ({changed} targets in, {changed} waiting)",
        brokers,
        groups,
        log.by_operation(),
        sweep_bound(brokers, groups, world.interfaces(), registered=changed, freed=changed, described=moving),
        seconds,
        _then_the_next_sweep_removes_the_old_ones(world, groups, changed),
    )


def _reboot_event(world: BenchWorld, groups: int) -> Measured:
    """A RebootBroker event after the broker came back on new interfaces,
    then the proof that a sweep would change nothing."""
    rebooted = world.in_scope[-1]
    world.aws.change_broker_ips(rebooted)
    invocation, log, seconds = measure(lambda: world.reboot_event(rebooted))
    return Measured(
        "RebootBroker event, new interfaces",
        len(world.in_scope),
        groups,
        log.by_operation(),
        sweep_bound(len(world.in_scope), groups, world.interfaces(), registered=2, freed=2, described=1),
        seconds,
        _then_the_next_sweep_removes_the_old_ones(world, groups, 2),
    )


def _tag_event(world: BenchWorld, groups: int) -> Measured:
    """A CreateTags event for a broker the tag listing does not show yet: one DescribeBroker decides its scope."""
    newcomer = world.outside[0]
    world.aws.tag_listing_lags()
    world.aws.tag_broker(newcomer, dict([SCOPE_TAG]))
    try:
        event = events.create_tags(world.aws.region, world.aws.broker_arn(newcomer), dict([SCOPE_TAG]))
        invocation, log, seconds = measure(lambda: world.runtime.invoke(event))
        added = set(world.aws.broker_ips(newcomer))
        registered = all(added <= ips for ips in world.targets(groups).values())
    finally:
        world.aws.untag_broker(newcomer, [SCOPE_TAG[0]])
        world.aws.tag_listing_catches_up()
    world.sweep()  # back to the account the next measurements expect
    return Measured(
        "CreateTags event, listing lags",
        len(world.in_scope),
        groups,
        log.by_operation(),
        sweep_bound(len(world.in_scope), groups, world.interfaces(), registered=len(added), described=1),
        seconds,
        {"the newcomer's addresses registered": registered, "status ok": invocation.report["status"] == "ok"},
    )


def _then_the_next_sweep_removes_the_old_ones(world: BenchWorld, groups: int, freed: int) -> dict[str, bool]:
    """A minute later the sweep deregisters the old addresses at its bound and asks Amazon MQ nothing (the new
    interfaces are confirmed); the sweep after that writes nothing."""
    world.let_time_pass(60)
    _, log, _ = measure(world.sweep)
    second = log.by_operation() == second_reading_bound(len(world.in_scope), groups, world.interfaces(), freed=freed)
    after = world.targets(groups)
    invocation, log, _ = measure(world.sweep)
    follow_up = invocation.report["targetGroups"]
    return {
        "the next sweep removes the old addresses, at its bound": second,
        "groups hold exactly the brokers' addresses": _converged(world, groups),
        "a sweep after it changes nothing": not any(g["registered"] or g["deregistered"] for g in follow_up)
        and world.targets(groups) == after,
        "a sweep after it makes no Amazon MQ call": log.count("mq", "DescribeBroker") == 0,
    }


def _converged(world: BenchWorld, groups: int) -> bool:
    wanted = world.wanted_ips()
    return all(ips == wanted for ips in world.targets(groups).values())
