"""What a sweep and an event cost in AWS calls: steady state, moved IPs, one broker's event.

One warm container per number of groups: a first sweep fills the groups and
reads their ports (DescribeTargetGroups, once per container); the sweeps and
the event after it are measured.
"""

from __future__ import annotations

from dataclasses import dataclass

from bench.measured import Measured, event_bound, measure, sweep_bound
from bench.world import BenchWorld


@dataclass(frozen=True)
class SweepCosts:
    """One warm container's figures, in the order they were measured."""

    steady: Measured
    moved: Measured
    event: Measured


def measure_sweep_costs(world: BenchWorld, groups: int, *, moving: int) -> SweepCosts:
    """Steady sweep, a sweep after `moving` brokers took new IPs, then an event about one broker."""
    brokers = len(world.in_scope)
    world.settle(groups)  # also reads the groups' ports: DescribeTargetGroups is not counted below

    _, log, seconds = measure(world.sweep)
    bound = sweep_bound(brokers, groups)
    calls = log.by_operation()
    note = ""
    if calls["GetResources"] > bound["GetResources"]:
        # Whether an extra page is the reconciler's doing or the emulator's: how full moto makes a page.
        note = f"moto returns {world.tagged_per_page()} brokers on a page of ResourcesPerPage=100"
    steady = Measured("steady sweep", brokers, groups, calls, bound, seconds, note=note)

    for broker in world.in_scope[:moving]:
        world.aws.change_broker_ips(broker)
    _, log, seconds = measure(world.sweep)
    changed = 2 * moving  # active/standby: two new IPs in, two old ones out, per group
    moved = Measured(
        f"sweep, {changed} targets in and out",
        brokers,
        groups,
        log.by_operation(),
        sweep_bound(brokers, groups, changed_per_group=changed),
        seconds,
        {"groups hold exactly the brokers' IPs": _converged(world, groups)},
    )
    return SweepCosts(steady, moved, _event(world, groups))


def _event(world: BenchWorld, groups: int) -> Measured:
    """A RebootBroker event after the broker came back on new IPs, then the proof that a sweep would change nothing."""
    rebooted = world.in_scope[-1]
    world.aws.change_broker_ips(rebooted)
    invocation, log, seconds = measure(lambda: world.reboot_event(rebooted))
    after_event = world.targets(groups)
    follow_up = world.sweep().report["targetGroups"]
    return Measured(
        "RebootBroker event, new IPs",
        len(world.in_scope),
        groups,
        log.by_operation(),
        event_bound(groups, changed_per_group=2),
        seconds,
        {
            "narrowed to the broker": invocation.report["trigger"]["narrowed"] is True,
            "groups hold exactly the brokers' IPs": _converged(world, groups),
            "a sweep after it changes nothing": not any(g["registered"] or g["deregistered"] for g in follow_up)
            and world.targets(groups) == after_event,
        },
    )


def _converged(world: BenchWorld, groups: int) -> bool:
    wanted = world.wanted_ips()
    return all(ips == wanted for ips in world.targets(groups).values())
