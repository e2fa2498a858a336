"""One reconcile: read scope, interfaces and target groups, confirm what EC2 cannot, plan, apply.

Every trigger runs this same whole comparison; an event only makes it sooner
and names brokers to read directly. Knows nothing of Lambda, and remembers
nothing between runs but what saves calls (the target groups' ports).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from reconciler.brokers import AddressSource, BrokerFinding, Knowledge
from reconciler.discovery import BrokerDirectory
from reconciler.evidence import Discovery, assess_brokers, brokers_to_describe
from reconciler.interfaces import InterfaceListing
from reconciler.network import BrokerNetwork, InterfaceListingFailed
from reconciler.plan import TargetGroupPlan, plan_target_group
from reconciler.settings import Settings
from reconciler.target_groups import AppliedChanges, GroupReadFailed, TargetGroups
from reconciler.targets import TargetGroupView
from reconciler.triggers import Trigger


@dataclass(frozen=True)
class GroupOutcome:
    arn: str
    name: str | None
    port: int | None
    view: TargetGroupView | None = None
    plan: TargetGroupPlan | None = None
    applied: AppliedChanges | None = None
    read_error: str | None = None

    @property
    def errors(self) -> list[str]:
        return ([self.read_error] if self.read_error else []) + (self.applied.errors if self.applied else [])


@dataclass(frozen=True)
class RunOutcome:
    trigger: Trigger
    dry_run: bool
    brokers: dict[str, BrokerFinding]
    groups: list[GroupOutcome]
    # How many broker interfaces EC2 listed in the VPC; None when the listing failed.
    interfaces_listed: int | None
    errors: list[str] = field(default_factory=list)
    duration_ms: int = 0

    @property
    def failed(self) -> bool:
        """A planned change was not applied, or a group could not be reconciled at all."""
        return any(group.errors for group in self.groups)

    def in_scope(self) -> list[BrokerFinding]:
        """The brokers the endpoint serves in this run: every broker not confirmed gone."""
        return [b for b in self.brokers.values() if b.knowledge is not Knowledge.GONE]

    def from_describe_broker(self) -> list[BrokerFinding]:
        """Brokers in scope whose addresses EC2 could not give: each a sign worth noticing."""
        return [b for b in self.in_scope() if b.source is AddressSource.DESCRIBE_BROKER]

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
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._settings = settings
        self._directory = directory
        self._network = network
        self._target_groups = target_groups
        self._clock = clock

    def run(self, trigger: Trigger) -> RunOutcome:
        started = self._clock()
        dry_run = self._settings.dry_run or trigger.dry_run
        named = trigger.broker_ids or frozenset()
        listing, listing_error = self._directory.list_scope()
        interfaces, interfaces_error = self._list_interfaces()
        groups = self._observe_groups()

        registered = {t.ip for g in groups if g.view for t in g.view.registered}
        why = brokers_to_describe(listing, named, interfaces, registered)
        described = self._directory.describe(why)
        discovery = Discovery(
            assess_brokers(listing, self._settings.scope, interfaces, described, why), interfaces, listing.complete
        )
        groups = [self._reconcile_group(outcome, discovery, dry_run) for outcome in groups]
        errors = [e for e in (listing_error, interfaces_error) if e]
        return RunOutcome(
            trigger=trigger,
            dry_run=dry_run,
            brokers=dict(discovery.brokers),
            groups=groups,
            interfaces_listed=len(interfaces.interfaces) if interfaces else None,
            errors=errors + _broker_problems(discovery.brokers, self._named_brokers(trigger)),
            duration_ms=round((self._clock() - started) * 1000),
        )

    def _list_interfaces(self) -> tuple[InterfaceListing | None, str | None]:
        try:
            return self._network.list_broker_interfaces(), None
        except InterfaceListingFailed as failure:
            return None, str(failure)

    def _named_brokers(self, trigger: Trigger) -> frozenset[str]:
        """Brokers a person named, in the configuration or a resync: a missing one is their mistake to hear about."""
        return self._settings.scope.broker_ids | (trigger.broker_ids or frozenset() if trigger.kind == "resync" else frozenset())

    def _observe_groups(self) -> list[GroupOutcome]:
        identities, unreadable = self._target_groups.identify(self._settings.target_group_arns)
        outcomes = [GroupOutcome(arn, None, None, read_error=error) for arn, error in unreadable.items()]
        for group in identities:
            try:
                outcomes.append(GroupOutcome(group.arn, group.name, group.port, view=self._target_groups.observe(group)))
            except GroupReadFailed as failure:
                outcomes.append(GroupOutcome(group.arn, group.name, group.port, read_error=str(failure)))
        order = {arn: i for i, arn in enumerate(self._settings.target_group_arns)}
        return sorted(outcomes, key=lambda outcome: order[outcome.arn])

    def _reconcile_group(self, outcome: GroupOutcome, discovery: Discovery, dry_run: bool) -> GroupOutcome:
        if outcome.view is None:
            return outcome  # a group we could not read gets no plan at all
        plan = plan_target_group(outcome.view, discovery)
        applied = None if dry_run else self._target_groups.apply(plan)
        return GroupOutcome(outcome.arn, outcome.name, outcome.port, outcome.view, plan, applied)


def _broker_problems(brokers: Mapping[str, BrokerFinding], named: frozenset[str]) -> list[str]:
    return [
        f"{b.broker_id}: {b.reason}"
        for b in sorted(brokers.values(), key=lambda b: b.broker_id)
        if b.knowledge is Knowledge.UNRESOLVED or (b.knowledge is Knowledge.GONE and b.broker_id in named)
    ]
