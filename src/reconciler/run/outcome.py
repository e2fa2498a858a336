"""What a run did and found: per group and as a whole, with the status the report and the metrics carry."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import Enum

from reconciler.adapters.elb import Refusal, Written
from reconciler.core.brokers import Address, AddressSource, BrokerFinding, Engine
from reconciler.core.plan import TargetGroupPlan, Withheld
from reconciler.core.targets import Target, TargetGroupView, TargetState
from reconciler.core.triggers import Trigger


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
    # The problems of the run as a whole (failed reads, brokers it could not settle), beside each group's own.
    run_problems: list[str] = field(default_factory=list)
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
        found = list(self.run_problems)
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
