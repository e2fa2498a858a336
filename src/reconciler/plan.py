"""The plan: which targets each group gains and loses. Pure, and where the safety rules live.

Every address of a broker in scope is registered. A target no broker in scope
wants goes only on authoritative evidence read in this run:
- EC2 says no Amazon MQ network interface in the VPC holds its address, and no
  broker in scope could be holding it unseen (one found by DescribeBroker alone
  that could not be read); or
- the interface holding it belongs to a broker that DescribeBroker confirmed,
  in this run, gone or out of scope.
A failed, throttled or cut-off read never removes anything: no interface
listing, no complete tag listing, or no confirmation means the target stays.
Nothing remembered from an earlier run counts: EC2 hands freed addresses out
again, so who held an address before says nothing about who holds it now.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from reconciler.brokers import Knowledge
from reconciler.evidence import Discovery
from reconciler.targets import Target, TargetGroupView


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


class _Verdict(Enum):
    REMOVE = "remove"
    WITHHOLD = "withhold"


def plan_target_group(group: TargetGroupView, discovery: Discovery) -> TargetGroupPlan:
    wanted_ips = discovery.wanted_ips()
    desired = frozenset(Target(ip, group.port) for ip in wanted_ips)
    deregister: list[Removal] = []
    withheld: list[Withheld] = []
    for target in sorted(group.registered - desired):
        verdict, why = _judge_removal(target, group.port, wanted_ips, discovery)
        if verdict is _Verdict.REMOVE:
            deregister.append(Removal(target, why))
        else:
            withheld.append(Withheld(target, why))
    return TargetGroupPlan(
        arn=group.arn,
        name=group.name,
        port=group.port,
        desired=tuple(sorted(desired)),
        register=tuple(sorted(desired - group.present)),
        deregister=tuple(deregister),
        keep=tuple(sorted(desired & group.present)),
        withheld=tuple(withheld),
    )


def _judge_removal(target: Target, group_port: int, wanted_ips: frozenset[str], discovery: Discovery) -> tuple[_Verdict, str]:
    """Whether an unwanted target may go, and the evidence, or the reason it may not."""
    if target.ip in wanted_ips:
        # The same address is wanted on the group's own port, and registered there.
        return _Verdict.REMOVE, f"registered on port {target.port}, the group's port is {group_port}"
    interfaces = discovery.interfaces
    if interfaces is None:
        return _Verdict.WITHHOLD, "the Amazon MQ network interfaces could not be listed: who holds this address is unknown"
    if not discovery.scope_complete:
        return _Verdict.WITHHOLD, "the brokers in scope could not be listed: whether its holder is in scope is unknown"
    holder = interfaces.holder_of(target.ip)
    if holder is None:
        blind = discovery.blind_spots()
        if blind:
            return _Verdict.WITHHOLD, f"{', '.join(blind)} could not be read and may hold this address without a known interface"
        return _Verdict.REMOVE, f"no Amazon MQ network interface in {interfaces.vpc_id} holds this address"
    if holder.broker_id is None:
        return _Verdict.WITHHOLD, f"held by Amazon MQ interface {holder.interface_id}, whose description names no broker id"
    owner = discovery.brokers.get(holder.broker_id)
    if owner is not None and owner.knowledge is Knowledge.GONE:
        return _Verdict.REMOVE, f"held by {holder.broker_id}'s interface {holder.interface_id}, and that {owner.reason}"
    if owner is not None and owner.knowledge is Knowledge.UNRESOLVED:
        return _Verdict.WITHHOLD, f"held by {holder.broker_id}, which could not be confirmed gone: {owner.reason}"
    return _Verdict.WITHHOLD, f"held by {holder.broker_id}, which this run did not confirm gone or out of scope"
