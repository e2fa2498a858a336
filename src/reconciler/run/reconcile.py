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
from dataclasses import dataclass, field, replace
from enum import Enum

from reconciler.adapters.amazon_mq import BrokerDirectory
from reconciler.adapters.deadline import Deadline
from reconciler.adapters.dns import Resolver, resolve_all, system_resolver
from reconciler.adapters.ec2 import BrokerNetwork
from reconciler.adapters.elb import OWNER_TAG, TARGETS_QUOTA, Refusal, TargetGroups, Written
from reconciler.adapters.tagging import BrokersInScope
from reconciler.core.brokers import Address, AddressSource, BrokerDescription, BrokerFinding, Engine, Knowledge
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
from reconciler.core.plan import RemovalClock, TargetGroupPlan, Withheld, hold_back, plan_target_group
from reconciler.core.reads import Read
from reconciler.core.settings import Settings
from reconciler.core.targets import Target, TargetGroupView, TargetState
from reconciler.core.triggers import Trigger, TriggerKind


@dataclass
class AppliedChanges:
    """What the run wrote to one group."""

    registered: list[Target] = field(default_factory=list)
    deregistered: list[Target] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    # Removals that wait because their broker's registration failed.
    held_back: list[Withheld] = field(default_factory=list)
    # Calls that failed as a whole: the group is not as planned.
    problems: list[str] = field(default_factory=list)
    # Calls not sent because the run's deadline was near.
    unsent: list[str] = field(default_factory=list)

    def take(self, written: Written, plan: TargetGroupPlan) -> None:
        """What went wrong in one pass of writes, naming each refused target's broker; a full group is told apart."""
        self.refused += [replace(r, broker_id=plan.brokers_of.get(r.target.ip)) for r in written.refused]
        self.problems += [] if written.full else written.problems
        self.unsent += written.unsent


class Status(str, Enum):
    OK = "ok"  # nothing went wrong
    INCOMPLETE = "incomplete"  # applied what it could; something was unresolved, refused, withheld or cut short
    FAILED = "failed"  # a group could not be read or changed, or belongs to another stack


@dataclass(frozen=True)
class GroupOutcome:
    arn: str
    name: str | None
    port: int | None
    view: TargetGroupView | None = None
    plan: TargetGroupPlan | None = None
    applied: AppliedChanges | None = None
    read_problem: str | None = None
    # The read was not attempted because the run's deadline was near: unresolved, not failed.
    read_cut_short: bool = False
    owned_elsewhere: bool = False
    engine: Engine = Engine.ACTIVEMQ

    @property
    def label(self) -> str:
        return self.name or self.arn

    def problems_failing_the_run(self) -> list[str]:
        """What kept this group from being reconciled."""
        read = [self.read_problem] if self.read_problem and not self.read_cut_short else []
        return read + (self.applied.problems if self.applied else [])

    def problems(self) -> list[str]:
        return self.problems_failing_the_run() + self.problems_leaving_it_incomplete()

    def problems_leaving_it_incomplete(self) -> list[str]:
        """What this group's run could not settle, though it applied what it could."""
        found = [self.read_problem] if self.read_problem and self.read_cut_short else []
        if self.plan and self.plan.withheld:
            found.append(f"{len(self.plan.withheld)} removal(s) withheld for want of evidence (see withheld)")
        if self.applied:
            found += [f"refused {r.target} ({r.broker_id or 'no broker'}): {r.message}" for r in self.applied.refused]
            found += [f"{w.target} stays: {w.reason}" for w in self.applied.held_back]
            found += self.applied.unsent
        return found


@dataclass(frozen=True)
class UnservedInstance:
    """A broker instance whose targets the load balancer does not route to (`unused`)."""

    broker: BrokerFinding
    address: Address


@dataclass(frozen=True)
class RunOutcome:
    trigger: Trigger
    dry_run: bool
    brokers: dict[str, BrokerFinding]
    groups: list[GroupOutcome]
    # How many broker interfaces EC2 listed in the VPC; None when the listing failed.
    interfaces_listed: int | None
    # What the reads and the evidence could not settle, beyond the groups' own problems.
    read_problems: list[str] = field(default_factory=list)
    # How many Amazon MQ-managed VPC endpoints EC2 listed; None when not asked (nothing needed them) or failed.
    endpoints_listed: int | None = None
    cut_short: bool = False
    duration_ms: int = 0
    # Something unexpected was raised: the run stopped where it was.
    crashed: bool = False

    @property
    def status(self) -> Status:
        if self.crashed or any(group.problems_failing_the_run() for group in self.groups):
            return Status.FAILED
        if self.problems():
            return Status.INCOMPLETE
        return Status.OK

    def problems(self) -> list[str]:
        """Everything that went wrong, for the report and the logs."""
        found = list(self.read_problems)
        found += [f"{g.label}: {p}" for g in self.groups for p in g.problems()]
        found += [
            f"{u.broker.broker_id} ({u.broker.name or 'unnamed'}) {u.address.ip} in "
            f"{u.address.zone or 'an unknown zone'}: "
            "the load balancer does not route there (unused): enable that zone for it"
            for u in self.unserved()
        ]
        if self.cut_short:
            found.append("the run was cut short: its deadline was near, so what it could not read stays as it was")
        return found

    def in_scope(self) -> list[BrokerFinding]:
        """The brokers the endpoint serves in this run: in scope, in the VPC, not confirmed gone."""
        return [b for b in self.brokers.values() if b.served]

    def from_describe_broker(self) -> list[BrokerFinding]:
        """Brokers in scope whose addresses EC2 could not give: each a sign worth noticing."""
        return [b for b in self.in_scope() if b.source is AddressSource.DESCRIBE_BROKER]

    def unserved(self) -> list[UnservedInstance]:
        unused = frozenset().union(*(g.view.unused_ips for g in self.groups if g.view))
        return [UnservedInstance(b, a) for b in self.in_scope() for a in b.addresses if a.ip in unused]

    def healthy_instances(self, broker: BrokerFinding) -> int:
        healthy = frozenset().union(*(g.view.healthy_ips for g in self.groups if g.view))
        return len(broker.ips & healthy)

    def awaiting_health_checks(self, broker: BrokerFinding) -> bool:
        """The NLB cannot have judged the broker yet: a target of it was registered now or is still `initial`."""
        for group in self.groups:
            if group.view is None:
                continue
            initial = {t.target.ip for t in group.view.targets if t.state is TargetState.INITIAL}
            just_registered = {t.ip for t in group.applied.registered} if group.applied else set()
            if broker.ips & (initial | just_registered):
                return True
        return False


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
                read_problems=[f"unexpected {type(error).__name__}: {error}: nothing more was changed in this run"],
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
            read_problems=problems + _broker_problems(brokers, self._named_brokers(trigger)),
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
