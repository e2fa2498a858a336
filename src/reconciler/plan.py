"""The plan: which targets each group gains and loses. Pure, and where the safety rules live.

A target group serves one engine: ActiveMQ (OpenWire, AMQP 1.0, STOMP, MQTT,
WSS, the 8162 console) or RabbitMQ (AMQPS, its management console). Every
address of a broker in scope of the group's engine is registered there. A
target no such broker wants goes only on authoritative evidence read in this run:
- EC2 says no network interface at all holds its address (checked by address,
  whatever the interface's description), and no broker in scope could be
  holding it unseen (one found by DescribeBroker alone, unresolved: its read
  failed, or it is changing); or
- the interface holding it belongs to a broker (an ActiveMQ broker's
  interface, or a VPC endpoint tagged with a RabbitMQ broker's id) that
  DescribeBroker confirmed, in this run, gone or out of scope; or
- the interface holding it is of the other engine's kind: an ActiveMQ broker
  interface in a RabbitMQ group, an Amazon MQ-managed VPC endpoint's in an
  ActiveMQ group. Whoever answers there speaks the other engine's protocol; or
- the interface holding it is a broker's that the group's target-group set
  does not serve in a cutover (the other set's own broker, settings.py).
An endpoint tied to its broker only through DNS, or to none, keeps its
addresses: DNS alone never removes anything.
A failed, throttled or cut-off read never removes anything: no interface
listing, no complete tag listing, or no confirmation means the target stays.
Nothing remembered from an earlier run counts: EC2 hands freed addresses out
again, so who held an address before says nothing about who holds it now.
Memory may only delay a removal: a broker whose new addresses could not be
registered keeps the addresses it was last registered with (`hold_back`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from enum import Enum

from reconciler.brokers import Engine, Knowledge
from reconciler.endpoints import BROKER_TAG, BrokerEndpoint
from reconciler.evidence import Discovery, holding_broker
from reconciler.interfaces import in_ranges
from reconciler.targets import Target, TargetGroupView


@dataclass(frozen=True)
class Withheld:
    target: Target
    reason: str


@dataclass(frozen=True)
class Removal:
    target: Target
    evidence: str
    # The broker whose address it is or was, where a run can tell: its holder
    # (confirmed gone), or the broker it was last registered for. Only delays.
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
    # Registrations outside the VPC's subnets (a peered VPC): the ELB API wants
    # them with AvailabilityZone "all" (botocore elbv2 TargetDescription).
    outside_vpc: frozenset[Target] = frozenset()


def hold_back(plan: TargetGroupPlan, failed_brokers: Collection[str]) -> tuple[list[Removal], list[Withheld]]:
    """Register before deregister, per broker: removals of a broker whose registration failed wait for the next run."""
    go: list[Removal] = []
    wait: list[Withheld] = []
    for removal in plan.deregister:
        if removal.broker_id in failed_brokers:
            wait.append(Withheld(removal.target, f"{removal.broker_id}'s new addresses could not be registered: its old ones stay"))
        else:
            go.append(removal)
    return go, wait


class _Verdict(Enum):
    REMOVE = "remove"
    WITHHOLD = "withhold"


def plan_target_group(
    group: TargetGroupView,
    discovery: Discovery,
    last_registered_for: Mapping[str, str] | None = None,
    engine: Engine = Engine.ACTIVEMQ,
    *,
    not_served: frozenset[str] = frozenset(),
) -> TargetGroupPlan:
    """The changes of a group serving `engine`'s brokers but `not_served` (the other set's own, in a cutover).

    `last_registered_for` (address -> broker, from earlier runs) only attributes removals.
    """
    brokers_of = {ip: b for ip, b in discovery.brokers_of(engine).items() if b not in not_served}
    wanted_ips = frozenset(brokers_of)
    desired = frozenset(Target(ip, group.port) for ip in wanted_ips)
    register = desired - group.registered
    deregister: list[Removal] = []
    withheld: list[Withheld] = []
    for target in sorted(group.registered - desired):
        verdict, why = _judge_removal(target, group.port, engine, wanted_ips, discovery, not_served)
        if verdict is _Verdict.REMOVE:
            deregister.append(Removal(target, why, _attribute(target, discovery, brokers_of, last_registered_for or {})))
        else:
            withheld.append(Withheld(target, why))
    return TargetGroupPlan(
        arn=group.arn,
        desired=tuple(sorted(desired)),
        register=tuple(sorted(register)),
        deregister=tuple(deregister),
        keep=tuple(sorted(desired & group.registered)),
        withheld=tuple(withheld),
        brokers_of=brokers_of,
        outside_vpc=_outside(register, discovery.subnet_ranges),
    )


def _attribute(
    target: Target, discovery: Discovery, brokers_of: Mapping[str, str], last_registered_for: Mapping[str, str]
) -> str | None:
    """Whose address a removal concerns: its broker in this run, its holder, or whom it was last registered for."""
    if target.ip in brokers_of:
        return brokers_of[target.ip]
    held = holding_broker(target.ip, discovery.interfaces, discovery.endpoints)
    return held[0] if held else last_registered_for.get(target.ip)


def _outside(targets: frozenset[Target], subnet_ranges: tuple[str, ...] | None) -> frozenset[Target]:
    """Targets outside the VPC's subnets; with the subnets unknown, none (AWS then says which it refuses)."""
    if subnet_ranges is None:
        return frozenset()
    return frozenset(t for t in targets if not in_ranges(t.ip, subnet_ranges))


def _judge_removal(
    target: Target, group_port: int, engine: Engine, wanted_ips: frozenset[str], discovery: Discovery,
    not_served: frozenset[str] = frozenset(),
) -> tuple[_Verdict, str]:
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
    if holder is not None and engine is not Engine.ACTIVEMQ:
        return _Verdict.REMOVE, (
            f"held by Amazon MQ interface {holder.interface_id} of ActiveMQ broker {holder.broker_id or '(unnamed)'}: "
            f"this group serves {engine.value} brokers only"
        )
    endpoint = discovery.endpoints.holder_of(target.ip) if discovery.endpoints else None
    owner = holding_broker(target.ip, interfaces, discovery.endpoints)
    if owner is not None and owner[0] in not_served:
        # As for the other engine's kind: the address is a broker's this group never serves.
        return _Verdict.REMOVE, f"held by {owner[0]}'s {owner[1]}: a broker of the other target-group set (cutover)"
    if holder is None and endpoint is not None:
        return _judge_endpoint_address(endpoint, engine, discovery)
    if holder is None:
        return _judge_address_no_broker_interface_holds(target, discovery)
    if holder.broker_id is None:
        return _Verdict.WITHHOLD, f"held by Amazon MQ interface {holder.interface_id}, whose description names no broker id"
    return _judge_holder(holder.broker_id, f"held by {holder.broker_id}'s interface {holder.interface_id}", discovery)


def _judge_holder(broker_id: str, held: str, discovery: Discovery) -> tuple[_Verdict, str]:
    """An address EC2 shows as this broker's goes only if DescribeBroker confirmed the broker gone in this run."""
    owner = discovery.brokers.get(broker_id)
    if owner is not None and owner.knowledge is Knowledge.GONE:
        return _Verdict.REMOVE, f"{held}, and that {owner.reason}"
    if owner is not None and owner.knowledge is Knowledge.UNRESOLVED:
        return _Verdict.WITHHOLD, f"{held}; {broker_id} could not be confirmed gone: {owner.reason}"
    return _Verdict.WITHHOLD, f"{held}; this run did not confirm {broker_id} gone or out of scope"


def _judge_endpoint_address(endpoint: BrokerEndpoint, engine: Engine, discovery: Discovery) -> tuple[_Verdict, str]:
    """An address a RabbitMQ broker's VPC endpoint holds: only its Broker tag ties it firmly enough to remove it."""
    held = f"held by Amazon MQ VPC endpoint {endpoint.endpoint_id}'s interface"
    if engine is not Engine.RABBITMQ:
        return _Verdict.REMOVE, f"{held} (a RabbitMQ broker's): this group serves {engine.value} brokers only"
    if endpoint.broker_id is None:
        tied = discovery.endpoints.dns_ties.get(endpoint.endpoint_id) if discovery.endpoints else None
        if tied:
            return _Verdict.WITHHOLD, f"{held}, tied to {tied} only through its hostname: DNS alone never removes anything"
        return _Verdict.WITHHOLD, f"{held}, which has no {BROKER_TAG} tag and no broker's hostname resolved to it in this run"
    return _judge_holder(endpoint.broker_id, f"{held}, tagged {BROKER_TAG}={endpoint.broker_id}", discovery)


def _judge_address_no_broker_interface_holds(target: Target, discovery: Discovery) -> tuple[_Verdict, str]:
    """Only a free address may go: any interface holding it may be a broker's whose description changed."""
    holders = discovery.address_holders
    if holders is None or target.ip not in holders.checked:
        return _Verdict.WITHHOLD, "who holds this address could not be checked"
    other = holders.holders.get(target.ip)
    if other is not None:
        return _Verdict.WITHHOLD, (
            f"held by {other.interface_id} ({other.description or 'no description'}), not known as an Amazon MQ broker "
            "interface: its owner is unknown"
        )
    blind = discovery.blind_spots()
    if blind:
        return _Verdict.WITHHOLD, f"{', '.join(blind)} is unresolved and may hold this address without a known interface"
    return _Verdict.REMOVE, "no network interface holds this address"
