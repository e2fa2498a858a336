"""One reconcile: discover brokers, observe target groups, plan, apply. Knows nothing of Lambda."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from reconciler.brokers import BrokerFinding, Knowledge
from reconciler.discovery import BrokerDirectory, ListingFailed
from reconciler.plan import Discovery, TargetGroupPlan, plan_target_group, remember_owners
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
    narrowed: bool
    errors: list[str] = field(default_factory=list)
    duration_ms: int = 0

    @property
    def failed(self) -> bool:
        """A planned change was not applied, or a group could not be reconciled at all."""
        return any(group.errors for group in self.groups)

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
    """Keeps the configured target groups equal to the IPs of the brokers in scope.

    It remembers, for the life of the container, which broker each IP was last
    seen on: that is what lets a run narrowed to one broker remove the targets
    that broker no longer reports without reading every other broker.
    """

    def __init__(
        self,
        settings: Settings,
        directory: BrokerDirectory,
        target_groups: TargetGroups,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._settings = settings
        self._directory = directory
        self._target_groups = target_groups
        self._clock = clock
        self._last_owners: dict[str, str] = {}
        self._seen_whole_scope = False

    def run(self, trigger: Trigger) -> RunOutcome:
        started = self._clock()
        dry_run = self._settings.dry_run or trigger.dry_run
        # Until this container has read the whole scope it cannot tell whose
        # targets are whose, so a narrowed run widens itself to a full sweep.
        narrowed = trigger.broker_ids is not None and self._seen_whole_scope
        discovery, errors = self._discover(trigger, narrowed)
        groups = [self._reconcile_group(outcome, discovery, dry_run) for outcome in self._observe_groups()]
        applied_everything = not dry_run and not any(g.errors for g in groups)
        self._last_owners = remember_owners(
            self._last_owners, discovery.brokers.values(), whole_scope=discovery.whole_scope, applied=applied_everything
        )
        self._seen_whole_scope = self._seen_whole_scope or discovery.whole_scope
        return RunOutcome(
            trigger=trigger,
            dry_run=dry_run,
            brokers=dict(discovery.brokers),
            groups=groups,
            narrowed=narrowed,
            errors=errors + _broker_problems(discovery.brokers, self._named_brokers(trigger)),
            duration_ms=round((self._clock() - started) * 1000),
        )

    def _discover(self, trigger: Trigger, narrowed: bool) -> tuple[Discovery, list[str]]:
        requested = trigger.broker_ids or frozenset()
        if narrowed:
            return Discovery(self._directory.describe(requested), False, self._last_owners), []
        try:
            listed, whole_scope, errors = self._directory.list_scope(), True, []
        except ListingFailed as failure:
            listed, whole_scope, errors = self._settings.scope.broker_ids, False, [str(failure)]
        # The brokers a trigger names are read even when the listing has not
        # caught up with them (the tagging API is eventually consistent).
        return Discovery(self._directory.describe(listed | requested), whole_scope, self._last_owners), errors

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
