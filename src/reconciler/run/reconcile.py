"""One reconcile: read scope, interfaces, endpoints and target groups, confirm with Amazon MQ what is new, plan,
then write in order.

Every trigger runs this same whole comparison; an event only makes it sooner
and names brokers to read directly. Knows nothing of Lambda. Between runs it
keeps what saves calls (the groups' ports, the VPC's subnets) and its Memory
(memory.py), which may delay a removal but never causes one. Every run returns
an outcome, whatever was raised.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import replace

from reconciler.adapters.amazon_mq import BrokerDirectory
from reconciler.adapters.deadline import Deadline
from reconciler.adapters.dns import Resolver, resolve_all, system_resolver
from reconciler.adapters.ec2 import BrokerNetwork
from reconciler.adapters.elb import OWNER_TAG, TARGETS_QUOTA, TargetGroups
from reconciler.adapters.tagging import BrokersInScope
from reconciler.core.brokers import BrokerDescription, BrokerFinding, Engine, Knowledge
from reconciler.core.endpoints import DnsVerdict, EndpointListing, tie_by_dns
from reconciler.core.evidence import (
    RunEvidence,
    RunReads,
    ServedBy,
    addresses_to_look_up,
    assess_brokers,
    brokers_to_describe,
    endpoints_needed,
    free_looking,
    hostnames_to_confirm,
    subnets_to_place,
)
from reconciler.core.interfaces import InterfaceListing
from reconciler.core.memory import Memory
from reconciler.core.plan import RemovalClock, TargetGroupPlan, hold_back, plan_target_group
from reconciler.core.reads import Read
from reconciler.core.settings import Settings
from reconciler.core.targets import TargetGroupView
from reconciler.core.triggers import Trigger, TriggerKind
from reconciler.run.outcome import AppliedChanges, GroupOutcome, RunOutcome


class Reconciler:
    """Keeps the configured target groups equal to the confirmed addresses of the brokers in scope."""

    def __init__(
        self,
        settings: Settings,
        scope: BrokersInScope,
        directory: BrokerDirectory,
        network: BrokerNetwork,
        target_groups: TargetGroups,
        *,
        deadline: Deadline | None = None,
        clock: Callable[[], float] | None = None,
        resolver: Resolver = system_resolver,
    ) -> None:
        self._settings = settings
        self._scope = scope
        self._directory = directory
        self._network = network
        self._target_groups = target_groups
        self._deadline = deadline or Deadline()
        # Looked up at each call, so that a test can let time pass for a warm container.
        self._clock = clock or (lambda: time.monotonic())
        self._resolver = resolver
        self._memory = Memory()

    def run(self, trigger: Trigger, *, remaining_ms: Callable[[], int] | None = None) -> RunOutcome:
        started = self._clock()
        self._deadline.arm(remaining_ms)
        try:
            return self._run(trigger, started)
        except Exception as error:  # noqa: BLE001 - every run returns a report; the cause is in it and in the log
            return RunOutcome(
                trigger=trigger,
                dry_run=self._settings.dry_run or trigger.dry_run,
                brokers={},
                groups=[],
                interfaces_listed=None,
                cut_short=self._deadline.reached,
                run_problems=[f"unexpected {type(error).__name__}: {error}: nothing more was changed in this run"],
                crashed=True,
                duration_ms=round((self._clock() - started) * 1000),
            )

    def _run(self, trigger: Trigger, started: float) -> RunOutcome:
        dry_run = self._settings.dry_run or trigger.dry_run
        named = trigger.broker_ids or frozenset()
        scope = self._scope.list()
        listing = scope.value
        assert listing is not None  # the configured brokers are known whatever the tag listing did
        interfaces = self._network.list_broker_interfaces()
        groups = self._observe_groups()
        registered = {t.ip for g in groups if g.view for t in g.view.registered}
        # A stack that serves no RabbitMQ group never needs RabbitMQ brokers' endpoints.
        serves_rabbitmq = Engine.RABBITMQ in self._settings.engines_served
        needed = serves_rabbitmq and endpoints_needed(listing, named, interfaces.value)
        endpoints = self._network.list_broker_endpoints() if needed else Read[EndpointListing](None)
        why = brokers_to_describe(listing, named, interfaces.value, endpoints.value, self._memory, registered)
        described = self._directory.describe(why)
        looked_up = self._look_up(addresses_to_look_up(described, interfaces.value))
        vpc_subnets = self._network.vpc_subnets({s for d in described.values() for s in d.subnet_ids})
        elsewhere = self._network.vpcs_of(subnets_to_place(described, vpc_subnets.value))
        tied, dns = self._tie_by_dns(endpoints.value, described)
        reads = RunReads(
            listing=listing,
            scope=self._settings.scope,
            interfaces=interfaces.value,
            described=described,
            why_described=why,
            looked_up=looked_up.value,
            endpoints=tied,
            dns=dns,
            vpc_subnets=vpc_subnets.value,
            elsewhere=elsewhere,
            engines_served=self._settings.engines_served,
        )
        brokers, confirmed = assess_brokers(reads, self._memory)
        self._memory.learn(confirmed)
        holders = self._look_up(free_looking(registered, brokers))
        evidence = RunEvidence(
            brokers=brokers,
            scope_complete=listing.complete,
            interfaces_listed=interfaces.value is not None,
            holders=None if holders.problem else holders.value or InterfaceListing(self._settings.vpc_id, ()),
            account_id=self._settings.account_id,
        )
        clock = RemovalClock(self._clock(), dict(self._memory.free_since), dict(self._memory.last_registered_for))
        groups = [self._reconcile_group(outcome, evidence, clock, dry_run) for outcome in groups]
        self._remember(evidence, groups, clock.now, dry_run)
        problems = [r.problem for r in (scope, interfaces, endpoints, looked_up, vpc_subnets, holders) if r.problem]
        return RunOutcome(
            trigger=trigger,
            dry_run=dry_run,
            brokers=dict(brokers),
            groups=groups,
            interfaces_listed=len(interfaces.value.interfaces) if interfaces.value else None,
            run_problems=problems + _broker_problems(brokers, self._named_brokers(trigger)),
            cut_short=self._deadline.reached,
            duration_ms=round((self._clock() - started) * 1000),
            endpoints_listed=len(tied.endpoints) if tied else None,
        )

    def _tie_by_dns(
        self, endpoints: EndpointListing | None, described: Mapping[str, BrokerDescription]
    ) -> tuple[EndpointListing | None, dict[str, DnsVerdict]]:
        """Resolve the hostnames of RabbitMQ brokers no endpoint is confirmed for; EC2's listing checks each address."""
        hostnames = hostnames_to_confirm(
            described, self._settings.scope, endpoints, self._memory, self._settings.region
        )
        if endpoints is None or not hostnames:
            return endpoints, {}
        return tie_by_dns(endpoints, resolve_all(self._resolver, hostnames, self._deadline.seconds_left()))

    def _look_up(self, addresses: list[str]) -> Read[InterfaceListing]:
        return self._network.interfaces_holding(addresses) if addresses else Read[InterfaceListing](None)

    def _named_brokers(self, trigger: Trigger) -> frozenset[str]:
        """Brokers a person named, in the configuration or a resync: a missing one is their mistake to hear about."""
        return self._settings.scope.broker_ids | (
            trigger.broker_ids or frozenset() if trigger.kind is TriggerKind.RESYNC else frozenset()
        )

    def _observe_groups(self) -> list[GroupOutcome]:
        """Each group as it is now, in the configured order; a group that cannot
        be read, or is another stack's, is left alone."""
        outcomes = []
        for arn, identity in self._target_groups.identify(self._settings.all_target_group_arns).items():
            engine = self._settings.engine_of(arn)
            group = identity.value
            if group is None:
                outcomes.append(
                    GroupOutcome(
                        arn, None, None, engine=engine, read_problem=identity.problem, read_cut_short=identity.cut_short
                    )
                )
            elif group.owned_by_another(self._settings.stack_name):
                problem = (
                    f"tagged {OWNER_TAG}={group.owner}: it belongs to another stack, and this one "
                    f"({self._settings.stack_name}) will not change it; give each stack its own target groups"
                )
                outcomes.append(
                    GroupOutcome(arn, group.name, group.port, engine=engine, read_problem=problem, owned_elsewhere=True)
                )
            else:
                view = self._target_groups.observe(group)
                outcomes.append(
                    GroupOutcome(
                        arn,
                        group.name,
                        group.port,
                        view=view.value,
                        engine=engine,
                        read_problem=view.problem,
                        read_cut_short=view.cut_short,
                    )
                )
        return outcomes

    def _reconcile_group(
        self, outcome: GroupOutcome, evidence: RunEvidence, clock: RemovalClock, dry_run: bool
    ) -> GroupOutcome:
        if outcome.view is None:
            return outcome  # a group we could not read gets no plan at all
        plan = plan_target_group(outcome.view, evidence, clock, self._served_by(outcome, evidence))
        applied = None if dry_run else self._apply(plan, outcome.view)
        return replace(outcome, plan=plan, applied=applied)

    def _served_by(self, outcome: GroupOutcome, evidence: RunEvidence) -> ServedBy:
        """The brokers the group serves: its engine's, and in a cutover its set's (settings.brokers_not_served_by)."""
        not_served = self._settings.brokers_not_served_by(outcome.arn, evidence.brokers)
        if not not_served:
            return ServedBy(outcome.engine)
        return ServedBy(outcome.engine, set(evidence.brokers) - not_served)

    def _apply(self, plan: TargetGroupPlan, view: TargetGroupView) -> AppliedChanges:
        """Register first, then deregister, per broker: a broker's new addresses serve before its old ones go.

        A full group is the exception: its removals go first, so that the new
        addresses fit, in this run if the freed places count at once, in the
        next one if draining targets still hold them (undocumented either way).
        """
        applied = AppliedChanges()
        registration = self._target_groups.register(plan.arn, plan.register)
        if registration.full:
            applied.take(registration, plan)  # targets refused on their own are reported all the same
            removals = list(plan.deregister)
        else:
            applied.take(registration, plan)
            applied.registered += registration.done
            failed_brokers = {plan.brokers_of[t.ip] for t in registration.failed if t.ip in plan.brokers_of}
            removals, applied.held_back = hold_back(plan, failed_brokers)
        deregistration = self._target_groups.deregister(plan.arn, [r.target for r in removals])
        applied.take(deregistration, plan)
        applied.deregistered += deregistration.done
        if registration.full:
            retried = (
                self._target_groups.register(plan.arn, registration.failed) if deregistration.done else registration
            )
            applied.take(retried, plan)
            applied.registered += registration.done + retried.done
            if retried.full:
                applied.problems.append(
                    f"the group is full: {len(view.targets)} targets, the quota is {TARGETS_QUOTA:,} per target group "
                    f"unless raised; {len(retried.failed)} new targets wait for the next run, after "
                    f"{len(deregistration.done)} removals"
                )
        return applied

    def _remember(self, evidence: RunEvidence, groups: list[GroupOutcome], now: float, dry_run: bool) -> None:
        """Since when each registered address has looked free and, after real writes, which broker each is for."""
        still = {t.ip for g in groups if g.view for t in g.view.registered}
        still -= {t.ip for g in groups if g.applied for t in g.applied.deregistered}
        memory = self._memory
        free = {(g.arn, ip) for g in groups if g.plan for ip in g.plan.free if ip in still}
        memory.free_since = {seen: memory.free_since.get(seen, now) for seen in free}
        if not dry_run:
            still |= {t.ip for g in groups if g.applied for t in g.applied.registered}
            remembered = {ip: broker for ip, broker in memory.last_registered_for.items() if ip in still}
            memory.last_registered_for = {**remembered, **evidence.brokers_of()}


def _broker_problems(brokers: Mapping[str, BrokerFinding], named: frozenset[str]) -> list[str]:
    ordered = sorted(brokers.values(), key=lambda b: b.broker_id)
    problems = [
        f"{b.broker_id}{f' ({b.name})' if b.knowledge is Knowledge.OUTSIDE else ''}: {b.reason}"
        for b in ordered
        if b.knowledge in (Knowledge.UNRESOLVED, Knowledge.OUTSIDE)
        or (b.knowledge is Knowledge.GONE and b.broker_id in named)
    ]
    return problems + [f"{b.broker_id}: {r.ip} refused: {r.reason}" for b in ordered for r in b.refused]
