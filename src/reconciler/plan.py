"""The plan: which targets each group gains and loses. Pure, and where the safety rules live.

Desired targets come from what brokers report in this run. A present target is
removed only on positive evidence, and never while a broker could not be read:
EC2 hands freed addresses out again, so an unreadable broker may hold any IP.
A whole, clean read of the scope removes what no broker in scope has. A run
that read only some brokers removes a target only on the word of the broker
last seen with its IP (gone, or reporting other IPs), and never one the NLB
still finds healthy when that broker cannot be what answers there.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum

from reconciler.brokers import BrokerFinding, Knowledge
from reconciler.targets import Target, TargetGroupView


@dataclass(frozen=True)
class Discovery:
    """What a run knows of the brokers, and what earlier runs saw them own."""

    brokers: Mapping[str, BrokerFinding]
    # True when the run enumerated the whole scope (a full sweep whose listing
    # succeeded); a run narrowed to some brokers never is.
    whole_scope: bool
    # IP -> the broker last seen with it, from earlier runs of this container.
    last_owners: Mapping[str, str]

    def wanted_ips(self) -> frozenset[str]:
        return frozenset(ip for b in self.brokers.values() if b.knowledge is not Knowledge.GONE for ip in b.ips)

    def unresolved_ids(self) -> list[str]:
        return sorted(b.broker_id for b in self.brokers.values() if b.knowledge is Knowledge.UNRESOLVED)


@dataclass(frozen=True)
class Withheld:
    target: Target
    reason: str


@dataclass(frozen=True)
class Removal:
    target: Target
    evidence: str


@dataclass(frozen=True)
class TargetGroupPlan:
    arn: str
    name: str
    port: int
    desired: tuple[Target, ...]
    register: tuple[Target, ...]
    deregister: tuple[Removal, ...]
    keep: tuple[Target, ...]
    withheld: tuple[Withheld, ...]


def plan_target_group(group: TargetGroupView, discovery: Discovery) -> TargetGroupPlan:
    wanted_ips = discovery.wanted_ips()
    desired = frozenset(Target(ip, group.port) for ip in wanted_ips)
    states = {observed.target: observed.state for observed in group.targets}
    deregister: list[Removal] = []
    keep = set(desired & group.present)
    withheld: list[Withheld] = []
    for target in sorted(group.registered - desired):
        verdict, why = _judge_removal(target, states[target], group.port, wanted_ips, discovery)
        if verdict is _Verdict.REMOVE:
            deregister.append(Removal(target, why))
        elif verdict is _Verdict.WITHHOLD:
            withheld.append(Withheld(target, why))
        else:
            keep.add(target)
    return TargetGroupPlan(
        arn=group.arn,
        name=group.name,
        port=group.port,
        desired=tuple(sorted(desired)),
        register=tuple(sorted(desired - group.present)),
        deregister=tuple(deregister),
        keep=tuple(sorted(keep)),
        withheld=tuple(withheld),
    )


class _Verdict(Enum):
    REMOVE = "remove"
    WITHHOLD = "withhold"
    KEEP = "keep"


def _judge_removal(
    target: Target, state: str, group_port: int, wanted_ips: frozenset[str], discovery: Discovery
) -> tuple[_Verdict, str]:
    """Whether an unwanted target may go, and the evidence or the reason it may not."""
    owner_id = discovery.last_owners.get(target.ip)
    owner = discovery.brokers.get(owner_id) if owner_id else None
    unresolved = discovery.unresolved_ids()
    if owner is not None and owner.knowledge is Knowledge.UNRESOLVED:
        return _Verdict.WITHHOLD, f"{owner_id} was last seen with this IP and could not be read: {owner.reason}"
    if unresolved:
        return _Verdict.WITHHOLD, f"{', '.join(unresolved)} could not be read and may hold this IP now"
    if discovery.whole_scope:
        return _Verdict.REMOVE, _evidence(target, group_port, wanted_ips, owner_id, owner)
    if target.ip in wanted_ips or owner_id is None:
        return _Verdict.WITHHOLD, "not every broker in scope was read in this run; a full sweep decides"
    if owner is None:
        return _Verdict.KEEP, ""  # a narrowed run did not ask this broker: its targets are its own business
    if state == "healthy" and not owner.may_answer_at(target.ip):
        return _Verdict.WITHHOLD, f"{owner_id} no longer has this IP, yet something answers there; a full sweep decides"
    return _Verdict.REMOVE, _evidence(target, group_port, wanted_ips, owner_id, owner)


def _evidence(
    target: Target, group_port: int, wanted_ips: frozenset[str], owner_id: str | None, owner: BrokerFinding | None
) -> str:
    if target.ip in wanted_ips:
        return f"registered on port {target.port}, the group's port is {group_port}"
    if owner_id is None:
        return "no broker in scope has this IP"
    if owner is None:
        return f"{owner_id} left the scope (no longer listed)"
    if owner.knowledge is Knowledge.GONE:
        return f"{owner_id} is gone: {owner.reason}"
    return f"{owner_id} now reports other IPs"


def remember_owners(
    last_owners: Mapping[str, str], findings: Iterable[BrokerFinding], *, whole_scope: bool, applied: bool
) -> dict[str, str]:
    """Who owns which IP after this run, for the narrowed runs that follow.

    Every broker keeps what it was seen with and adds what it reports. Only a
    run that applied its whole plan may forget: a settled broker's old IPs, a
    gone broker, a broker a whole-scope read no longer lists. Otherwise the
    removal that failed is retried with the same evidence.
    """
    findings = tuple(findings)
    listed = {f.broker_id for f in findings}
    forgotten: set[str] = set()
    if applied:
        forgotten = {f.broker_id for f in findings if f.knowledge in (Knowledge.SETTLED, Knowledge.GONE)}
        if whole_scope:
            forgotten |= {broker_id for broker_id in last_owners.values() if broker_id not in listed}
    owners = {ip: broker_id for ip, broker_id in last_owners.items() if broker_id not in forgotten}
    for finding in findings:
        if finding.knowledge is not Knowledge.GONE:
            owners.update(dict.fromkeys(finding.ips, finding.broker_id))
    return owners
