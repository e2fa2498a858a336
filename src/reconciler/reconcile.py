"""One reconcile: read scope, interfaces, endpoints and target groups, confirm what EC2 cannot, plan, apply.

Every trigger runs this same whole comparison; an event only makes it sooner
and names brokers to read directly. Knows nothing of Lambda. Between runs it
keeps only what saves calls (the groups' ports, the VPC's ranges) and which
broker each address was last registered for, which may delay a removal
(plan.hold_back) but never justifies one.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from enum import Enum

from reconciler.brokers import Address, AddressSource, BrokerFinding, Described, Engine, Knowledge
from reconciler.deadline import Deadline
from reconciler.discovery import BrokerDirectory
from reconciler.dns import Resolver, resolve_all, system_resolver
from reconciler.endpoints import DnsVerdict, EndpointListing, tie_by_dns
from reconciler.evidence import (
    AddressHolders,
    Discovery,
    addresses_to_check,
    assess_brokers,
    brokers_to_describe,
    endpoints_needed,
    hostnames_to_confirm,
    wanted_addresses,
)
from reconciler.interfaces import InterfaceListing
from reconciler.network import BrokerNetwork, EndpointListingFailed, InterfaceListingFailed
from reconciler.plan import TargetGroupPlan, plan_target_group
from reconciler.settings import Settings
from reconciler.target_groups import AppliedChanges, GroupOwnedElsewhere, GroupReadFailed, TargetGroups
from reconciler.targets import TargetGroupView
from reconciler.triggers import Trigger


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
    read_error: str | None = None
    # The read was not attempted because the run's deadline was near: unresolved, not failed.
    read_cut_short: bool = False
    owned_elsewhere: bool = False
    engine: Engine = Engine.ACTIVEMQ

    @property
    def label(self) -> str:
        return self.name or self.arn

    def failures(self) -> list[str]:
        """What kept this group from being reconciled: the run failed."""
        read = [self.read_error] if self.read_error and not self.read_cut_short else []
        return read + (self.applied.failures if self.applied else [])

    def shortfalls(self) -> list[str]:
        """What this group's run could not settle, though it applied what it could."""
        found = [self.read_error] if self.read_error and self.read_cut_short else []
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
    errors: list[str] = field(default_factory=list)
    # How many Amazon MQ-managed VPC endpoints EC2 listed; None when not asked (nothing needed them) or failed.
    endpoints_listed: int | None = None
    cut_short: bool = False
    duration_ms: int = 0

    @property
    def status(self) -> Status:
        if any(group.failures() for group in self.groups):
            return Status.FAILED
        if self.problems():
            return Status.INCOMPLETE
        return Status.OK

    def problems(self) -> list[str]:
        """Everything that went wrong, for the report and the logs."""
        found = list(self.errors)
        found += [f"{g.label}: {p}" for g in self.groups for p in g.failures() + g.shortfalls()]
        found += [
            f"{u.broker.broker_id} ({u.broker.name or 'unnamed'}) {u.address.ip} in {u.address.zone or 'an unknown zone'}: "
            "the load balancer does not route there (unused): enable that zone for it"
            for u in self.unserved()
        ]
        if self.cut_short:
            found.append("the run was cut short: its deadline was near, so what it could not read stays as it was")
        return found

    def in_scope(self) -> list[BrokerFinding]:
        """The brokers the endpoint serves in this run: every broker not confirmed gone."""
        return [b for b in self.brokers.values() if b.knowledge is not Knowledge.GONE]

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
            initial = {t.target.ip for t in group.view.targets if t.state == "initial"}
            just_registered = {t.ip for t in group.applied.registered} if group.applied else set()
            if broker.ips & (initial | just_registered):
                return True
        return False


class Reconciler:
    """Keeps the configured target groups equal to the addresses of the brokers in scope."""

    def __init__(
        self,
        settings: Settings,
        directory: BrokerDirectory,
        network: BrokerNetwork,
        target_groups: TargetGroups,
        *,
        deadline: Deadline | None = None,
        clock: Callable[[], float] = time.monotonic,
        resolver: Resolver = system_resolver,
    ) -> None:
        self._settings = settings
        self._directory = directory
        self._network = network
        self._target_groups = target_groups
        self._deadline = deadline or Deadline()
        self._clock = clock
        self._resolver = resolver
        # Address -> the broker it was last registered for: attributes removals, only to delay them.
        self._last_registered_for: dict[str, str] = {}

    def run(self, trigger: Trigger, *, remaining_ms: Callable[[], int] | None = None) -> RunOutcome:
        started = self._clock()
        self._deadline.arm(remaining_ms)
        dry_run = self._settings.dry_run or trigger.dry_run
        named = trigger.broker_ids or frozenset()
        listing, listing_error = self._directory.list_scope()
        interfaces, interfaces_error = self._list_interfaces()
        groups = self._observe_groups()

        registered = {t.ip for g in groups if g.view for t in g.view.registered}
        # A stack that serves no RabbitMQ group never needs RabbitMQ brokers' endpoints: an address
        # one of them holds is then an interface of unknown kind to it, and stays (plan.py).
        serves_rabbitmq = Engine.RABBITMQ in self._settings.engines_served
        endpoints, endpoints_error = self._list_endpoints(
            serves_rabbitmq and endpoints_needed(listing, named, interfaces, registered)
        )
        why = brokers_to_describe(listing, named, interfaces, registered, endpoints)
        described = self._directory.describe(why)
        endpoints, dns = self._tie_by_dns(endpoints, described)
        brokers = assess_brokers(
            listing, self._settings.scope, interfaces, described, why, endpoints, dns, self._settings.engines_served
        )
        # Only registrations need to know what lies outside the subnets (AvailabilityZone "all").
        subnet_ranges, subnets_error = self._network.subnet_ranges(wanted_addresses(brokers).keys() - registered)
        checked = addresses_to_check(registered, brokers, interfaces, endpoints) if listing.complete else []
        holders, holders_error = self._look_up_holders(checked)
        discovery = Discovery(brokers, interfaces, listing.complete, subnet_ranges, holders, endpoints)
        groups = [self._reconcile_group(outcome, discovery, dry_run) for outcome in groups]
        self._remember_registrations(discovery, groups)
        errors = [e for e in (listing_error, interfaces_error, endpoints_error, subnets_error, holders_error) if e]
        return RunOutcome(
            trigger=trigger,
            dry_run=dry_run,
            brokers=dict(discovery.brokers),
            groups=groups,
            interfaces_listed=len(interfaces.interfaces) if interfaces else None,
            errors=errors + _broker_problems(discovery.brokers, self._named_brokers(trigger)),
            cut_short=self._deadline.reached,
            duration_ms=round((self._clock() - started) * 1000),
            endpoints_listed=len(endpoints.endpoints) if endpoints else None,
        )

    def _list_endpoints(self, needed: bool) -> tuple[EndpointListing | None, str | None]:
        if not needed:
            return None, None
        try:
            return self._network.list_broker_endpoints(), None
        except EndpointListingFailed as failure:
            return None, str(failure)

    def _tie_by_dns(
        self, endpoints: EndpointListing | None, described: Mapping[str, Described]
    ) -> tuple[EndpointListing | None, dict[str, DnsVerdict]]:
        """Resolve the hostnames of RabbitMQ brokers no endpoint is tagged for; EC2's listing confirms each address."""
        hostnames = hostnames_to_confirm(described, self._settings.scope, endpoints, self._settings.region)
        if endpoints is None or not hostnames:
            return endpoints, {}
        return tie_by_dns(endpoints, resolve_all(self._resolver, hostnames))

    def _look_up_holders(self, addresses: list[str]) -> tuple[AddressHolders | None, str | None]:
        if not addresses:
            return AddressHolders(frozenset(), {}), None
        try:
            return self._network.holders_of(addresses), None
        except InterfaceListingFailed as failure:
            return None, str(failure)

    def _list_interfaces(self) -> tuple[InterfaceListing | None, str | None]:
        try:
            return self._network.list_broker_interfaces(), None
        except InterfaceListingFailed as failure:
            return None, str(failure)

    def _named_brokers(self, trigger: Trigger) -> frozenset[str]:
        """Brokers a person named, in the configuration or a resync: a missing one is their mistake to hear about."""
        return self._settings.scope.broker_ids | (trigger.broker_ids or frozenset() if trigger.kind == "resync" else frozenset())

    def _observe_groups(self) -> list[GroupOutcome]:
        arns = self._settings.all_target_group_arns
        identities, unreadable = self._target_groups.identify(arns)
        engine = self._settings.engine_of
        outcomes = [
            GroupOutcome(arn, None, None, read_error=str(failure), read_cut_short=failure.cut_short, engine=engine(arn))
            for arn, failure in unreadable.items()
        ]
        for group in identities:
            try:
                view = self._target_groups.observe(group)
                outcomes.append(GroupOutcome(group.arn, group.name, group.port, view=view, engine=engine(group.arn)))
            except GroupReadFailed as failure:
                outcomes.append(
                    GroupOutcome(
                        group.arn, group.name, group.port, read_error=str(failure), read_cut_short=failure.cut_short,
                        owned_elsewhere=isinstance(failure, GroupOwnedElsewhere), engine=engine(group.arn),
                    )
                )
        order = {arn: i for i, arn in enumerate(arns)}
        return sorted(outcomes, key=lambda outcome: order[outcome.arn])

    def _reconcile_group(self, outcome: GroupOutcome, discovery: Discovery, dry_run: bool) -> GroupOutcome:
        if outcome.view is None:
            return outcome  # a group we could not read gets no plan at all
        plan = plan_target_group(
            outcome.view, discovery, self._last_registered_for, outcome.engine,
            not_served=self._settings.brokers_not_served_by(outcome.arn, discovery.brokers),
        )
        applied = None if dry_run else self._target_groups.apply(plan)
        return replace(outcome, plan=plan, applied=applied)

    def _remember_registrations(self, discovery: Discovery, groups: list[GroupOutcome]) -> None:
        """Which broker each still-registered address is for: EC2's word where it has one, else what was known."""
        still = {t.ip for g in groups if g.view for t in g.view.registered}
        still -= {t.ip for g in groups if g.applied for t in g.applied.deregistered}
        remembered = {ip: broker for ip, broker in self._last_registered_for.items() if ip in still}
        self._last_registered_for = {**remembered, **discovery.brokers_of()}


def _broker_problems(brokers: Mapping[str, BrokerFinding], named: frozenset[str]) -> list[str]:
    ordered = sorted(brokers.values(), key=lambda b: b.broker_id)
    problems = [
        f"{b.broker_id}: {b.reason}"
        for b in ordered
        if b.knowledge is Knowledge.UNRESOLVED or (b.knowledge is Knowledge.GONE and b.broker_id in named)
    ]
    return problems + [f"{b.broker_id}: its hostname resolves to {r.ip}, refused: {r.reason}" for b in ordered for r in b.refused]
