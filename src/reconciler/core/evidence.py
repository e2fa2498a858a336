"""What a run knows about each broker, and how far it may trust it. Pure: the reads happen in the shell.

The rules are written once, in docs/safety.md; this module and plan.py are
where they are enforced. In short:
- Scope comes from the configured ids and the tag listing; a broker a trigger
  names that the listing lacks is asked about (the tagging API lags).
- An ActiveMQ address is *confirmed* when DescribeBroker gives it to one of the
  broker's instances and EC2 shows it held, in the endpoint's VPC, by an
  attached interface in one of the broker's subnets. The interface's
  description only says which broker to ask. Confirmed interfaces are
  remembered by id (memory.py), so DescribeBroker is asked only about brokers
  with an interface not confirmed yet, or fewer than they have instances.
- A RabbitMQ broker's addresses are the interfaces of one Amazon MQ-managed
  VPC endpoint in its subnets that its hostname resolves to: the hostname is
  in Amazon's DNS zone, which no one in the account can write; the endpoint's
  `Broker` tag, which anyone can write, only points at a candidate.
- A broker whose subnets are in another VPC is outside: never registered,
  and it blocks nothing.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace

from reconciler.core.brokers import (
    Address,
    AddressSource,
    BrokerDescription,
    BrokerFinding,
    Engine,
    Knowledge,
    RefusedAddress,
    Scope,
    gone,
    unresolved,
)
from reconciler.core.endpoints import BROKER_TAG, BrokerEndpoint, DnsVerdict, EndpointListing, addresses_of
from reconciler.core.interfaces import InterfaceListing, NetworkInterface
from reconciler.core.memory import Confirmed, Memory

# States after which the broker will never serve again.
GONE_STATES = frozenset({"DELETION_IN_PROGRESS", "CREATION_FAILED"})


@dataclass(frozen=True)
class ScopeListing:
    """The brokers in scope as listed in this run: the configured ids and the tagged brokers."""

    # broker id -> its name, where the listing's ARN gives one
    brokers: Mapping[str, str | None]
    # False when the tag listing failed: only the configured ids are known then.
    complete: bool


@dataclass(frozen=True)
class RunEvidence:
    """Everything the plan may rely on: read in this run, or confirmed in an earlier one (memory.py)."""

    brokers: Mapping[str, BrokerFinding]
    scope_complete: bool
    # False when the broker interfaces could not be listed: no ActiveMQ broker's addresses are known.
    interfaces_listed: bool
    # Who holds, in the VPC, each registered address no served broker has; None when that lookup failed.
    holders: InterfaceListing | None = None
    # The stack's account: an interface attached to another account's instance may be an unknown broker's.
    account_id: str | None = None

    def brokers_of(self, serves: ServedBy | None = None) -> dict[str, str]:
        """Every confirmed address of a broker the group serves (every served broker if None) -> that broker."""
        return {
            ip: b.broker_id
            for b in self.brokers.values()
            if b.served and (serves is None or serves(b))
            for ip in sorted(b.ips)
        }

    def owner_of(self, ip: str) -> BrokerFinding | None:
        """The served broker whose confirmed address this is, if any."""
        return next((b for b in self.brokers.values() if b.served and ip in b.ips), None)

    def departed_from(self, ip: str) -> BrokerFinding | None:
        """The broker Amazon MQ confirmed gone in this run whose confirmed interface or endpoint holds this address."""
        return next((b for b in self.brokers.values() if b.knowledge is Knowledge.GONE and ip in b.ips), None)


class ServedBy:
    """Which brokers a target group serves: those of its engine (and, with a cutover, of its set)."""

    def __init__(self, engine: Engine, broker_ids: Collection[str] | None = None) -> None:
        self.engine = engine
        self.broker_ids = frozenset(broker_ids) if broker_ids is not None else None

    def __call__(self, broker: BrokerFinding) -> bool:
        return self.could_be(broker) and broker.engine is self.engine

    def could_be(self, broker: BrokerFinding) -> bool:
        """Whether the broker may be one this group serves: its engine may be unknown yet."""
        in_set = self.broker_ids is None or broker.broker_id in self.broker_ids
        return in_set and broker.engine in (None, self.engine)


def wanted_addresses(brokers: Mapping[str, BrokerFinding], engine: Engine | None = None) -> dict[str, str]:
    """Every confirmed address of a served broker (of this engine, if one is given) -> that broker."""
    return {
        ip: b.broker_id for b in brokers.values() if b.served and engine in (None, b.engine) for ip in sorted(b.ips)
    }


def endpoints_needed(listing: ScopeListing, named: Iterable[str], interfaces: InterfaceListing | None) -> bool:
    """Whether this run must list the VPC endpoints: a broker in scope (or named) has no interface named for it."""
    if interfaces is None:
        return True
    return bool((set(listing.brokers) | set(named)) - interfaces.broker_ids())


def brokers_to_describe(
    listing: ScopeListing,
    named: Iterable[str],
    interfaces: InterfaceListing | None,
    endpoints: EndpointListing | None,
    memory: Memory,
    registered_ips: Iterable[str],
) -> dict[str, str]:
    """Each broker this run must ask DescribeBroker about, and why. A steady sweep asks about none."""
    why: dict[str, str] = {}
    confirmed_endpoint_brokers = {
        memory.endpoints[e.endpoint_id]
        for e in (endpoints.endpoints if endpoints else ())
        if e.endpoint_id in memory.endpoints and e.live
    }
    for broker_id in sorted(listing.brokers):
        if interfaces is None:
            continue  # nothing it says could be confirmed against EC2 in this run
        candidates = [i for i in interfaces.named_for(broker_id) if i.interface_id not in memory.refused_interfaces]
        # A confirmed interface that is no longer attached says its broker changed: ask again.
        new = [i for i in candidates if i.interface_id not in memory.interfaces or not i.attached]
        expected = memory.instance_counts.get(broker_id)
        if new:
            why[broker_id] = f"interface {', '.join(i.interface_id for i in new)} names it: Amazon MQ must confirm"
        elif not candidates and broker_id not in confirmed_endpoint_brokers:
            why[broker_id] = f"no interface named for it in {interfaces.vpc_id}, nor a VPC endpoint confirmed as its"
        elif candidates and (expected is None or len(candidates) < expected):
            why[broker_id] = f"{len(candidates)} of {expected or '?'} instances' interfaces listed: it may be changing"
    for broker_id in sorted(named):
        # An event says something changed: Amazon MQ's word on the broker it names costs one call.
        lag = "" if broker_id in listing.brokers else ", not in the tag listing (yet)"
        why.setdefault(broker_id, f"named by the trigger{lag}")
    if listing.complete and interfaces is not None:
        held = _held_by_confirmed(interfaces, endpoints, memory)
        for ip in sorted(set(registered_ips)):
            named_holder = interfaces.holder_of(ip)
            if named_holder is not None and named_holder.broker_id and named_holder.broker_id not in listing.brokers:
                # An interface names a broker the listing lacks (it may lag): Amazon MQ says whether it is in scope.
                why.setdefault(
                    named_holder.broker_id, f"its interface holds registered address {ip}, not in the tag listing"
                )
            holder = held.get(ip)
            if holder is not None and holder not in listing.brokers:
                why.setdefault(holder, f"holds registered address {ip} but is not in the tag listing: still in scope?")
    return why


def _held_by_confirmed(
    interfaces: InterfaceListing, endpoints: EndpointListing | None, memory: Memory
) -> dict[str, str]:
    """Address -> the broker an interface or endpoint confirmed in an earlier run holds it for."""
    held = {
        i.ip: memory.interfaces[i.interface_id].broker_id
        for i in interfaces.interfaces
        if i.interface_id in memory.interfaces
    }
    for endpoint in endpoints.endpoints if endpoints else ():
        if endpoint.endpoint_id in memory.endpoints:
            held.update({a.ip: memory.endpoints[endpoint.endpoint_id] for a in endpoint.addresses})
    return held


def free_looking(registered_ips: Iterable[str], brokers: Mapping[str, BrokerFinding]) -> list[str]:
    """Registered addresses no served broker has or claims: before one goes, EC2 says who holds it now."""
    known = {ip for b in brokers.values() if b.served for ip in b.ips | b.claimed}
    return sorted(set(registered_ips) - known)


def addresses_to_look_up(described: Mapping[str, BrokerDescription], interfaces: InterfaceListing | None) -> list[str]:
    """Addresses Amazon MQ gives an ActiveMQ broker that no listed broker interface holds: EC2 is asked by address."""
    if interfaces is None:
        return []
    return sorted(
        ip
        for answer in described.values()
        if answer.answer is not None and answer.engine is Engine.ACTIVEMQ
        for ip in answer.instance_ips
        if ip is not None and interfaces.holder_of(ip) is None
    )


def subnets_to_place(described: Mapping[str, BrokerDescription], vpc_subnets: frozenset[str] | None) -> list[str]:
    """Subnets of described brokers that are not the VPC's: whose VPC they are in, the report says."""
    if vpc_subnets is None:
        return []
    return sorted(
        {s for answer in described.values() if answer.answer is not None for s in answer.subnet_ids} - vpc_subnets
    )


def hostnames_to_confirm(
    described: Mapping[str, BrokerDescription],
    scope: Scope,
    endpoints: EndpointListing | None,
    memory: Memory,
    region: str,
) -> dict[str, str]:
    """RabbitMQ brokers in scope with no endpoint confirmed as theirs -> the hostname that may tie them to one.

    The hostname is DescribeBroker's (its endpoint URL); failing that, the one
    Amazon MQ gives every RabbitMQ broker, b-<id>.mq.<region>.<DNS suffix>, in
    the partition's suffix. A publicly accessible broker has no endpoint in
    the VPC: not asked.
    """
    if endpoints is None:
        return {}
    confirmed = {
        memory.endpoints[e.endpoint_id] for e in endpoints.endpoints if e.endpoint_id in memory.endpoints and e.live
    }
    wanted: dict[str, str] = {}
    for broker_id, answer in sorted(described.items()):
        if answer.answer is None or departure(answer, scope) or answer.engine is not Engine.RABBITMQ:
            continue
        if answer.publicly_accessible or broker_id in confirmed:
            continue
        suffix = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
        wanted[broker_id] = answer.hostname or f"{broker_id}.mq.{region}.{suffix}"
    return wanted


@dataclass(frozen=True)
class RunReads:
    """What the shell read in this run, for assess_brokers."""

    listing: ScopeListing
    scope: Scope
    interfaces: InterfaceListing | None
    described: Mapping[str, BrokerDescription]
    why_described: Mapping[str, str]
    # Interfaces in the VPC holding addresses Amazon MQ gave that the broker listing lacked; None: lookup failed.
    looked_up: InterfaceListing | None = None
    endpoints: EndpointListing | None = None
    dns: Mapping[str, DnsVerdict] = field(default_factory=dict)
    # The VPC's subnet ids; None when they could not be read.
    vpc_subnets: frozenset[str] | None = None
    # Subnet id -> its VPC, for subnets not in the endpoint's VPC.
    elsewhere: Mapping[str, str] = field(default_factory=dict)
    engines_served: Collection[Engine] = tuple(Engine)


def assess_brokers(reads: RunReads, memory: Memory) -> tuple[dict[str, BrokerFinding], Memory]:
    """One finding per broker listed in scope or described in this run, and what it confirmed (to remember)."""
    findings: dict[str, BrokerFinding] = {}
    learned = Memory()
    for broker_id in sorted(set(reads.listing.brokers) | set(reads.described)):
        finding = _assess(broker_id, reads, memory, learned)
        findings[broker_id] = _served_here(finding, reads.engines_served)
    return findings, learned


def departure(described: BrokerDescription, scope: Scope) -> str | None:
    """Why DescribeBroker says the broker no longer belongs to the endpoint, or None if it does."""
    if described.missing:
        return "does not exist (DescribeBroker: NotFoundException)"
    state = described.state
    if state in GONE_STATES:
        return f"is {state}"
    tags = (described.answer or {}).get("Tags")
    if not scope.admits(described.broker_id, tags if isinstance(tags, Mapping) else {}):
        return "is not in scope"
    return None


def _assess(broker_id: str, reads: RunReads, memory: Memory, learned: Memory) -> BrokerFinding:
    answer = reads.described.get(broker_id)
    listed = broker_id in reads.listing.brokers
    name = reads.listing.brokers.get(broker_id) or (answer.name if answer else None)
    if answer is not None and answer.problem:
        if not listed:
            why = reads.why_described[broker_id]
            return unresolved(broker_id, f"{why}; DescribeBroker failed: {answer.problem}", name=name)
        answer = None  # in scope by the listing: judged on what EC2 and memory show
        problem = f"DescribeBroker failed: {reads.described[broker_id].problem}"
    else:
        problem = ""
    if answer is not None:
        left = departure(answer, reads.scope)
        if left:
            finding = gone(broker_id, f"broker {left}", name=name, state=answer.state, engine=answer.engine)
            return replace(finding, addresses=_last_addresses(broker_id, reads, memory))
        if answer.engine is None:
            engine = (answer.answer or {}).get("EngineType")
            return gone(broker_id, f"engine {engine} is not one this endpoint serves", name=name, state=answer.state)
        if answer.engine is Engine.RABBITMQ and answer.publicly_accessible:
            return gone(
                broker_id,
                "publicly accessible RabbitMQ broker: it has no VPC endpoint in the VPC, and IP "
                "targets cannot be public addresses",
                name=name,
                state=answer.state,
                engine=Engine.RABBITMQ,
            )
        outside = _outside(answer, reads)
        if outside is not None:
            return replace(outside, name=name)
    joined = "" if listed else "in scope by DescribeBroker's tags, the tag listing lags; "
    engine = answer.engine if answer else _remembered_engine(broker_id, reads, memory)
    if engine is Engine.RABBITMQ:
        finding = _assess_rabbitmq(broker_id, answer, reads, memory, learned)
    elif engine is Engine.ACTIVEMQ:
        finding = _assess_activemq(broker_id, answer, reads, memory, learned)
    else:
        finding = unresolved(broker_id, problem or reads.why_described.get(broker_id, "not described in this run"))
    asked = (
        reads.why_described.get(broker_id) if answer is not None and finding.knowledge is Knowledge.UNRESOLVED else None
    )
    reason = "; ".join(part for part in (joined + (f"{asked}; " if asked else "") + finding.reason, problem) if part)
    return replace(finding, name=name, reason=reason)


def _last_addresses(broker_id: str, reads: RunReads, memory: Memory) -> tuple[Address, ...]:
    """The addresses a broker confirmed gone held through interfaces or endpoints confirmed as its: they may go."""
    held = [
        i.address()
        for i in (reads.interfaces.interfaces if reads.interfaces else ())
        if memory.interfaces.get(i.interface_id) == Confirmed(broker_id, i.ip)
    ]
    for endpoint in reads.endpoints.endpoints if reads.endpoints else ():
        if memory.endpoints.get(endpoint.endpoint_id) == broker_id:
            held += endpoint.addresses
    return tuple(sorted(held))


def _remembered_engine(broker_id: str, reads: RunReads, memory: Memory) -> Engine | None:
    if reads.interfaces is not None and reads.interfaces.named_for(broker_id):
        return Engine.ACTIVEMQ
    if broker_id in memory.endpoints.values():
        return Engine.RABBITMQ
    return None


def _outside(answer: BrokerDescription, reads: RunReads) -> BrokerFinding | None:
    """A broker whose subnets are all outside the endpoint's VPC: reported, never served."""
    subnets = answer.subnet_ids
    if reads.vpc_subnets is None or not subnets or subnets & reads.vpc_subnets:
        return None
    vpcs = sorted({reads.elsewhere[s] for s in subnets if s in reads.elsewhere})
    where = f"in {', '.join(vpcs)}" if vpcs else f"in subnets {', '.join(sorted(subnets))}"
    vpc = reads.interfaces.vpc_id if reads.interfaces else "the endpoint's VPC"
    return BrokerFinding(
        answer.broker_id,
        Knowledge.OUTSIDE,
        name=answer.name,
        state=answer.state,
        engine=answer.engine,
        reason=f"{where}, not {vpc}: this endpoint does not serve it",
        vpc_id=vpcs[0] if vpcs else None,
    )


def _assess_activemq(
    broker_id: str, answer: BrokerDescription | None, reads: RunReads, memory: Memory, learned: Memory
) -> BrokerFinding:
    interfaces = reads.interfaces
    if interfaces is None:
        return unresolved(broker_id, "the network interfaces could not be listed", engine=Engine.ACTIVEMQ)
    named = [i for i in interfaces.named_for(broker_id) if i.interface_id not in memory.refused_interfaces]
    if answer is None:
        return _activemq_from_memory(broker_id, named, interfaces.vpc_id, memory)
    confirmed: list[NetworkInterface] = []
    claimed: set[str] = set()
    for ip in (ip for ip in answer.instance_ips if ip is not None):
        holder = interfaces.holder_of(ip) or (reads.looked_up.holder_of(ip) if reads.looked_up else None)
        if holder is not None and holder.attached and holder.subnet_id in answer.subnet_ids:
            confirmed.append(holder)
            learned.interfaces[holder.interface_id] = Confirmed(broker_id, ip)
        else:
            claimed.add(ip)
    count = answer.instance_count
    learned.instance_counts[broker_id] = count
    confirmed_ips = {i.ip for i in confirmed}
    strays = [i for i in named if i.ip not in confirmed_ips and i.ip not in claimed]
    complete = answer.settled and len(confirmed) == count == len(answer.instance_ips) and count > 0
    refused: list[RefusedAddress] = []
    for stray in strays:
        if complete:
            # Amazon MQ shows every instance's address, none of them this one: not the broker's.
            why = f"interface {stray.interface_id} names {broker_id}, but Amazon MQ gives it no such address"
            refused.append(RefusedAddress(stray.ip, why))
            learned.refused_interfaces[stray.interface_id] = why
        else:
            claimed.add(stray.ip)
    addresses = tuple(sorted(i.address() for i in confirmed))
    by_description = all(i.broker_id == broker_id for i in confirmed)
    source = None if not confirmed else AddressSource.INTERFACES if by_description else AddressSource.DESCRIBE_BROKER
    if complete:
        reason = f"Amazon MQ and EC2 agree on {len(addresses)} interface(s) in {interfaces.vpc_id}"
    elif not answer.settled:
        reason = f"broker is {answer.state}"
    else:
        reason = f"{len(addresses)} of {count} instance addresses confirmed by EC2 in {interfaces.vpc_id}"
    knowledge = Knowledge.SETTLED if complete else Knowledge.UNRESOLVED
    return BrokerFinding(
        broker_id,
        knowledge,
        addresses,
        source,
        answer.name,
        answer.state,
        reason,
        Engine.ACTIVEMQ,
        tuple(refused),
        frozenset(claimed),
    )


def _activemq_from_memory(broker_id: str, named: list[NetworkInterface], vpc_id: str, memory: Memory) -> BrokerFinding:
    """Not asked in this run: the interfaces EC2 lists that an earlier run confirmed, and no more."""
    confirmed = [i for i in named if i.attached and memory.interfaces.get(i.interface_id) == Confirmed(broker_id, i.ip)]
    unconfirmed = {i.ip for i in named if i not in confirmed}
    expected = memory.instance_counts.get(broker_id)
    complete = expected is not None and len(confirmed) == expected and not unconfirmed
    if complete:
        reason = f"{len(confirmed)} confirmed interface(s) in {vpc_id}"
    else:
        reason = f"{len(confirmed)} of {expected or '?'} instances' interfaces confirmed in {vpc_id}; not described"
    return BrokerFinding(
        broker_id,
        Knowledge.SETTLED if complete else Knowledge.UNRESOLVED,
        tuple(sorted(i.address() for i in confirmed)),
        AddressSource.INTERFACES,
        reason=reason,
        engine=Engine.ACTIVEMQ,
        claimed=frozenset(unconfirmed),
    )


def _assess_rabbitmq(
    broker_id: str, answer: BrokerDescription | None, reads: RunReads, memory: Memory, learned: Memory
) -> BrokerFinding:
    endpoints = reads.endpoints
    if endpoints is None:
        return unresolved(
            broker_id,
            "a RabbitMQ broker, and the VPC endpoints could not be listed",
            engine=Engine.RABBITMQ,
            state=answer.state if answer else None,
        )
    confirmed = [e for e in endpoints.endpoints if memory.endpoints.get(e.endpoint_id) == broker_id and e.live]
    verdict = reads.dns.get(broker_id)
    refused: tuple[RefusedAddress, ...] = verdict.refused if verdict else ()
    if not confirmed and answer is not None:
        confirmed, refusals = _confirm_by_hostname(broker_id, answer, endpoints, verdict)
        refused += refusals
        learned.endpoints.update({e.endpoint_id: broker_id for e in confirmed})
    tagged = [e for e in endpoints.endpoints if e.broker_id == broker_id and e not in confirmed]
    claimed = frozenset(a.ip for e in tagged for a in e.addresses)
    live = [e for e in confirmed if e.live]
    addresses = addresses_of(live)
    state = answer.state if answer else None
    how = f"VPC endpoint {', '.join(e.endpoint_id for e in confirmed)} in {endpoints.vpc_id}"
    if not confirmed:
        hint = f"; {verdict.describe()}" if verdict else ""
        problem = f"no VPC endpoint in {endpoints.vpc_id} is confirmed as its{hint}"
        if tagged:
            problem += (
                f" ({', '.join(e.endpoint_id for e in tagged)} tagged {BROKER_TAG}={broker_id} is only a candidate)"
            )
    elif not addresses:
        problem = f"{how}: no live interface address"
    elif len(live) > 1:
        problem = f"{how}: {len(live)} live endpoints are tied to it, which one serves is unclear"
    elif live[0].unlisted_interfaces:
        # Just created interfaces may not be listed yet (EC2 is eventually consistent): one may hold any address.
        problem = f"{how}: EC2 does not list {live[0].unlisted_interfaces} of its interfaces yet"
    elif live[0].state != "available":
        problem = f"{how}: its endpoint is {live[0].state}"
    elif answer is not None and not answer.settled:
        problem = f"{how}: broker is {state}"
    else:
        problem = ""
    tie = f" ({verdict.describe()})" if verdict and confirmed else " (confirmed by its hostname earlier)"
    return BrokerFinding(
        broker_id,
        Knowledge.UNRESOLVED if problem else Knowledge.SETTLED,
        addresses if len(live) == 1 else (),
        AddressSource.VPC_ENDPOINT,
        state=state,
        reason=problem or f"{how}{tie}: {len(addresses)} interface address(es)",
        engine=Engine.RABBITMQ,
        refused=refused,
        # A tagged candidate (anyone may tag) claims nothing once the broker is settled on its confirmed endpoint.
        claimed=(claimed if problem else frozenset())
        | (frozenset(a.ip for a in addresses) if len(live) > 1 else frozenset()),
    )


def _confirm_by_hostname(
    broker_id: str, answer: BrokerDescription, endpoints: EndpointListing, verdict: DnsVerdict | None
) -> tuple[list[BrokerEndpoint], tuple[RefusedAddress, ...]]:
    """The endpoint the broker's hostname resolves to, if EC2 and Amazon MQ agree it can be the broker's.

    Its addresses must all be what the hostname gives (one endpoint), it must
    be in the broker's subnets, and no other broker's id may be on its tag.
    """
    if verdict is None or verdict.resolution.problem:
        return [], ()
    tied = endpoints.tied_by_dns_to(broker_id)
    refusals: list[RefusedAddress] = []
    accepted: list[BrokerEndpoint] = []
    for endpoint in tied:
        if not endpoint.subnet_ids or not endpoint.subnet_ids <= answer.subnet_ids:
            subnets = ", ".join(sorted(endpoint.subnet_ids))
            why = f"VPC endpoint {endpoint.endpoint_id} is in subnets {subnets}, not the broker's"
            refusals += [RefusedAddress(a.ip, why) for a in endpoint.addresses]
        else:
            accepted.append(endpoint)
    return accepted, tuple(refusals)


def _served_here(finding: BrokerFinding, engines_served: Collection[Engine]) -> BrokerFinding:
    if not finding.served or finding.engine is None or finding.engine in engines_served:
        return finding
    return gone(
        finding.broker_id,
        f"engine {finding.engine.value}: this stack has no target group for it",
        name=finding.name,
        state=finding.state,
        engine=finding.engine,
    )
