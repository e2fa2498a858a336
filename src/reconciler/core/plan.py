"""The plan: which targets each group gains and loses. Pure.

The rules it applies are written once, in docs/safety.md: removing (rules 4
to 6) and, in hold_back, keeping a broker's old addresses while its new ones
could not be registered (rule 8).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from reconciler.core.brokers import Engine, Knowledge
from reconciler.core.evidence import RunEvidence, ServedBy
from reconciler.core.targets import Target, TargetGroupView

# EC2's Describe calls are eventually consistent: a listing may miss an interface created
# moments ago. A second listing this much later that still shows the address free is trusted.
FREE_FOR_SECONDS = 60.0


@dataclass(frozen=True)
class Withheld:
    target: Target
    reason: str


@dataclass(frozen=True)
class Removal:
    target: Target
    evidence: str
    # The broker whose address it is or was, where a run can tell: its owner in this
    # run, or the broker it was last registered for. Only delays (hold_back).
    broker_id: str | None = None


@dataclass(frozen=True)
class TargetGroupPlan:
    arn: str
    desired: tuple[Target, ...]
    register: tuple[Target, ...]
    deregister: tuple[Removal, ...]
    keep: tuple[Target, ...]
    withheld: tuple[Withheld, ...]
    # Desired address -> the broker that has it.
    brokers_of: Mapping[str, str] = field(default_factory=dict)
    # Registered addresses that looked free in this run: the run remembers when it first saw each.
    free: frozenset[str] = frozenset()


@dataclass(frozen=True)
class RemovalClock:
    """What earlier runs saw, which may only delay a removal: when each address was first seen free, and for whom
    it was last registered."""

    now: float
    # (group, address) -> when the group first saw it free: each group takes its own second reading.
    free_since: Mapping[tuple[str, str], float] = field(default_factory=dict)
    last_registered_for: Mapping[str, str] = field(default_factory=dict)


def hold_back(plan: TargetGroupPlan, failed_brokers: Collection[str]) -> tuple[list[Removal], list[Withheld]]:
    """Register before deregister, per broker: removals of a broker whose registration failed wait for the next run."""
    go: list[Removal] = []
    wait: list[Withheld] = []
    for removal in plan.deregister:
        if removal.broker_id in failed_brokers:
            wait.append(
                Withheld(
                    removal.target, f"{removal.broker_id}'s new addresses could not be registered: its old ones stay"
                )
            )
        else:
            go.append(removal)
    return go, wait


def plan_target_group(
    group: TargetGroupView,
    evidence: RunEvidence,
    clock: RemovalClock,
    serves: ServedBy | None = None,
) -> TargetGroupPlan:
    """The changes of one group, serving the brokers `serves` admits (by default, ActiveMQ's)."""
    serves = serves or ServedBy(Engine.ACTIVEMQ)
    brokers_of = evidence.brokers_of(serves)
    desired = frozenset(Target(ip, group.port) for ip in brokers_of)
    deregister: list[Removal] = []
    withheld: list[Withheld] = []
    free: set[str] = set()
    for target in sorted(group.registered - desired):
        why, removable, looks_free = _judge_removal(group.arn, target, group.port, brokers_of, evidence, serves, clock)
        if looks_free:
            free.add(target.ip)
        if removable:
            owner = evidence.owner_of(target.ip)
            broker = owner.broker_id if owner else clock.last_registered_for.get(target.ip)
            deregister.append(Removal(target, why, broker))
        else:
            withheld.append(Withheld(target, why))
    return TargetGroupPlan(
        arn=group.arn,
        desired=tuple(sorted(desired)),
        register=tuple(sorted(desired - group.registered)),
        deregister=tuple(deregister),
        keep=tuple(sorted(desired & group.registered)),
        withheld=tuple(withheld),
        brokers_of=brokers_of,
        free=frozenset(free),
    )


def _judge_removal(
    group_arn: str,
    target: Target,
    group_port: int,
    brokers_of: Mapping[str, str],
    evidence: RunEvidence,
    serves: ServedBy,
    clock: RemovalClock,
) -> tuple[str, bool, bool]:
    """Why an unwanted target may go or must stay; whether it may go; whether its address looked free."""
    ip = target.ip
    if ip in brokers_of:
        return f"registered on port {target.port}, the group's port is {group_port}", True, False
    owner = evidence.owner_of(ip)
    if owner is not None:
        # Confirmed as a broker's by Amazon MQ and EC2, and not one this group serves.
        engine = owner.engine.value if owner.engine else "unknown engine"
        return (
            f"Amazon MQ and EC2 confirm it as {owner.broker_id}'s ({engine}), a broker this group does not serve",
            True,
            False,
        )
    if not evidence.interfaces_listed:
        return "the broker interfaces could not be listed: whether a broker has this address is unknown", False, False
    if not evidence.scope_complete:
        return "the brokers in scope could not be listed: whether one of them has this address is unknown", False, False
    claimant = next((b for b in evidence.brokers.values() if serves.could_be(b) and b.served and ip in b.claimed), None)
    if claimant is not None:
        return f"{claimant.broker_id} may have it: {claimant.reason}", False, False
    unresolved = sorted(
        b.broker_id for b in evidence.brokers.values() if b.knowledge is Knowledge.UNRESOLVED and serves.could_be(b)
    )
    if unresolved:
        return f"{', '.join(unresolved)} unresolved: it could have this address unseen", False, False
    departed = evidence.departed_from(ip)
    if departed is not None:
        # Checked after the claims: a listing may still show a deleted broker's interface on an address
        # Amazon MQ already gives another broker.
        return f"held for {departed.broker_id}, and that {departed.reason}", True, False
    return (*_judge_free_address(group_arn, ip, evidence, clock), True)


def _judge_free_address(group_arn: str, ip: str, evidence: RunEvidence, clock: RemovalClock) -> tuple[str, bool]:
    """No broker the group serves has it: one listing may be stale, so it goes on a second reading.

    An attached interface holding it that belongs to an instance of another
    account (Amazon MQ runs brokers in its own) may be a broker the scope
    listing lags behind with interfaces described otherwise: it stays.
    """
    if evidence.holders is None:
        return "who holds this address in the VPC could not be looked up", False
    holder = evidence.holders.holder_of(ip)
    named = evidence.brokers.get(holder.broker_id) if holder is not None and holder.broker_id else None
    known = named is not None and not named.served  # a broker Amazon MQ showed gone or outside in this run
    # Account ids are 12 digits; AWS services' own interfaces say `amazon-elb`, `amazon-rds`...: no broker there.
    foreign = holder is not None and holder.instance_owner is not None and holder.instance_owner.isdigit()
    if (
        holder is not None
        and holder.attached
        and foreign
        and holder.instance_owner != evidence.account_id
        and not known
    ):
        return (
            f"held by {holder.interface_id}, attached to an instance of account {holder.instance_owner}: it may be a "
            "broker's whose interfaces are described otherwise",
            False,
        )
    since = clock.free_since.get((group_arn, ip))
    if since is not None and clock.now - since >= FREE_FOR_SECONDS:
        # The time itself is not shown: a report (and the docs' samples of one) says the same on every run.
        return f"no broker in scope has had it for {FREE_FOR_SECONDS:.0f} s or more (seen free in two listings)", True
    return (
        f"no broker in scope has it; it goes when a listing at least {FREE_FOR_SECONDS:.0f} s after the first "
        "still shows it free",
        False,
    )
