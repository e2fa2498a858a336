"""What a run knows about each broker: scope from the tag listing, addresses from EC2,
DescribeBroker only where EC2 cannot answer. Pure: the reads happen in the shell.

Three reads cost the same whatever the number of brokers: the tag listing
(scope), the interface listing (who holds which address) and the target
groups. A fourth, the Amazon MQ-managed VPC endpoints (RabbitMQ brokers'), is
read only when something in this run is not an ActiveMQ broker interface's.
DescribeBroker, against Amazon MQ's account-wide throttle, is asked only about
brokers those cannot settle:
- a broker in scope with no interface and no endpoint tagged with its id (a
  changed description, interfaces not created yet, or a RabbitMQ broker whose
  endpoint is tied to it only through its hostname): its engine, and for
  ActiveMQ its addresses, visibly reported as such;
- a broker a trigger names that the listing does not show: the tagging API is
  eventually consistent, DescribeBroker's tags are authoritative;
- a broker the listing does not show whose interface holds a registered
  address: before that target may go, confirm the broker is gone or out of scope.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, replace

from reconciler.brokers import (
    SETTLED_STATES,
    AddressSource,
    BrokerFinding,
    Described,
    Engine,
    Knowledge,
    Scope,
    departure,
    finding_from_description,
    gone,
    unresolved,
)
from reconciler.endpoints import BROKER_TAG, BrokerEndpoint, DnsVerdict, EndpointListing, addresses_of, broker_hostname
from reconciler.interfaces import InterfaceListing


@dataclass(frozen=True)
class ScopeListing:
    """The brokers in scope as listed in this run: the configured ids and the tagged brokers."""

    # broker id -> its name, where the listing's ARN gives one
    brokers: Mapping[str, str | None]
    # False when the tag listing failed: only the configured ids are known then.
    complete: bool


@dataclass(frozen=True)
class OtherInterface:
    """A network interface that is not an Amazon MQ broker interface as discovery knows them."""

    interface_id: str
    description: str


@dataclass(frozen=True)
class AddressHolders:
    """Who holds each address a removal concerns, from any interface, whatever its description."""

    checked: frozenset[str]
    # address -> the interface holding it; an address checked and absent here is held by nothing.
    holders: Mapping[str, OtherInterface]


@dataclass(frozen=True)
class Discovery:
    """Everything the plan may rely on, all read in this run: no memory of earlier runs."""

    brokers: Mapping[str, BrokerFinding]
    # None when the interface listing failed or was cut off: nobody's addresses are known then.
    interfaces: InterfaceListing | None
    scope_complete: bool
    # The IPv4 ranges of the VPC's subnets; None when they could not be read.
    subnet_ranges: tuple[str, ...] | None = None
    # Who holds the addresses no broker interface holds; None when that lookup failed.
    address_holders: AddressHolders | None = None
    # The Amazon MQ-managed VPC endpoints (RabbitMQ brokers'); None when not listed: not needed, or failed.
    endpoints: EndpointListing | None = None

    def brokers_of(self, engine: Engine | None = None) -> dict[str, str]:
        """Every address a broker in scope has (of this engine, if one is given) -> that broker."""
        return wanted_addresses(self.brokers, engine)

    def blind_spots(self) -> list[str]:
        """Brokers that may hold addresses no interface of theirs shows: unresolved, and no interface or endpoint found."""
        found = self.interfaces.broker_ids() if self.interfaces else frozenset()
        return sorted(
            b.broker_id
            for b in self.brokers.values()
            if b.knowledge is Knowledge.UNRESOLVED and b.broker_id not in found
            and not (self.endpoints and self.endpoints.tied_to(b.broker_id))
        )


def wanted_addresses(brokers: Mapping[str, BrokerFinding], engine: Engine | None = None) -> dict[str, str]:
    """Every address a broker not confirmed gone has (of this engine, if one is given) -> that broker."""
    return {
        ip: b.broker_id
        for b in brokers.values()
        if b.knowledge is not Knowledge.GONE and engine in (None, b.engine)
        for ip in sorted(b.ips)
    }


def endpoints_needed(
    listing: ScopeListing, named: Iterable[str], interfaces: InterfaceListing | None, registered_ips: Iterable[str]
) -> bool:
    """Whether this run must list the VPC endpoints: something in it is not an ActiveMQ broker interface's.

    A broker in scope (or named) without interfaces may be a RabbitMQ broker; a
    registered address no broker interface holds may be a RabbitMQ endpoint's.
    A steady sweep of ActiveMQ brokers needs neither, and makes no such call.
    """
    if interfaces is None:
        return True
    if (set(listing.brokers) | set(named)) - interfaces.broker_ids():
        return True
    return any(interfaces.holder_of(ip) is None for ip in registered_ips)


def brokers_to_describe(
    listing: ScopeListing,
    named: Iterable[str],
    interfaces: InterfaceListing | None,
    registered_ips: Iterable[str],
    endpoints: EndpointListing | None = None,
) -> dict[str, str]:
    """Each broker this run must ask DescribeBroker about, and why: only where EC2 and the listing cannot answer."""
    listed = set(listing.brokers)
    tagged = endpoints.tagged_broker_ids() if endpoints else frozenset()
    why: dict[str, str] = {}
    if interfaces is not None:
        for broker_id in sorted(listed - interfaces.broker_ids() - tagged):
            why[broker_id] = f"no Amazon MQ network interface found in {interfaces.vpc_id}, nor a VPC endpoint tagged {BROKER_TAG}=<its id>"
    for broker_id in sorted(set(named) - listed):
        why.setdefault(broker_id, "named by the trigger, not in the tag listing (yet)")
    if listing.complete:
        for ip in sorted(set(registered_ips)):
            holder = holding_broker(ip, interfaces, endpoints)
            if holder is not None and holder[0] not in listed:
                why.setdefault(holder[0], f"holds registered address {ip} through {holder[1]} but is not in the tag listing")
    return why


def hostnames_to_confirm(
    described: Mapping[str, Described], scope: Scope, endpoints: EndpointListing | None, region: str
) -> dict[str, str]:
    """RabbitMQ brokers in scope that no endpoint is tagged for -> the hostname that may tie them to theirs.

    The hostname is DescribeBroker's (its endpoint URL); failing that, the one
    Amazon MQ gives every RabbitMQ broker, b-<id>.mq.<region>.<DNS suffix>
    (developer guide; cdk-amazonmq builds it the same way), in the partition's
    suffix. A publicly accessible broker has no endpoint in the VPC: not asked.
    """
    if endpoints is None:
        return {}
    wanted: dict[str, str] = {}
    for broker_id, answer in sorted(described.items()):
        found = answer.answer or {}
        if answer.failure or departure(answer, scope) or Engine.of(found.get("EngineType")) is not Engine.RABBITMQ:
            continue
        if found.get("PubliclyAccessible") or endpoints.tied_to(broker_id):
            continue
        suffix = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
        wanted[broker_id] = broker_hostname(found) or f"{broker_id}.mq.{region}.{suffix}"
    return wanted


def holding_broker(ip: str, interfaces: InterfaceListing | None, endpoints: EndpointListing | None) -> tuple[str, str] | None:
    """The broker whose interface, or tagged endpoint, holds the address, and what holds it."""
    interface = interfaces.holder_of(ip) if interfaces else None
    if interface is not None and interface.broker_id is not None:
        return interface.broker_id, f"interface {interface.interface_id}"
    endpoint = endpoints.holder_of(ip) if endpoints else None
    if endpoint is not None and endpoint.broker_id is not None:
        return endpoint.broker_id, f"VPC endpoint {endpoint.endpoint_id}"
    return None


def addresses_to_check(
    registered_ips: Iterable[str],
    brokers: Mapping[str, BrokerFinding],
    interfaces: InterfaceListing | None,
    endpoints: EndpointListing | None = None,
) -> list[str]:
    """Registered addresses that nobody in scope has and no broker interface or endpoint holds: who holds them decides.

    The broker interfaces are found by their description; an interface whose
    description changed, or any other, may still hold the address. Asked only
    when something would be removed, so a steady sweep asks nothing.
    """
    if interfaces is None:
        return []
    return sorted(
        ip for ip in set(registered_ips) - wanted_addresses(brokers).keys()
        if interfaces.holder_of(ip) is None and (endpoints is None or endpoints.holder_of(ip) is None)
    )


def assess_brokers(
    listing: ScopeListing,
    scope: Scope,
    interfaces: InterfaceListing | None,
    described: Mapping[str, Described],
    why_described: Mapping[str, str],
    endpoints: EndpointListing | None = None,
    dns: Mapping[str, DnsVerdict] | None = None,
    engines_served: Collection[Engine] = tuple(Engine),
) -> dict[str, BrokerFinding]:
    """One finding per broker listed in scope or described in this run.

    A broker of an engine the stack has no target group for is not served
    here: reported as such, it owns nothing in this stack's groups.
    """
    findings: dict[str, BrokerFinding] = {}
    for broker_id in sorted(set(listing.brokers) | set(described)):
        answer = described.get(broker_id)
        name = listing.brokers.get(broker_id) or ((answer.answer or {}).get("BrokerName") if answer else None)
        listed = broker_id in listing.brokers
        if not listed and answer is not None:
            # Not listed: DescribeBroker decides whether it is in scope at all.
            if answer.failure:
                findings[broker_id] = unresolved(
                    broker_id, f"{why_described[broker_id]}; DescribeBroker failed: {answer.failure}", name=name
                )
                continue
            left = departure(answer, scope)
            if left:
                findings[broker_id] = gone(broker_id, f"broker {left}", name=name, state=(answer.answer or {}).get("BrokerState"))
                continue
        joined = "in scope by DescribeBroker's tags, the tag listing lags; " if not listed else ""
        state = (answer.answer or {}).get("BrokerState") if answer else None
        addresses = interfaces.addresses_of(broker_id) if interfaces else ()
        tied = endpoints.tied_to(broker_id) if endpoints else ()
        verdict = (dns or {}).get(broker_id)
        if addresses and interfaces is not None:
            reason = f"{joined}{len({a.interface_id for a in addresses})} Amazon MQ network interface(s) in {interfaces.vpc_id}"
            findings[broker_id] = BrokerFinding(
                broker_id, Knowledge.SETTLED, addresses, AddressSource.INTERFACES, name, state, reason, Engine.ACTIVEMQ
            )
        elif tied and endpoints is not None:
            findings[broker_id] = _finding_from_endpoints(broker_id, tied, endpoints.vpc_id, name, state, joined, verdict)
        elif answer is not None:
            finding = finding_from_description(answer, scope, why_described[broker_id])
            findings[broker_id] = _with_dns(finding if finding.name else replace(finding, name=name), verdict, endpoints)
        else:
            findings[broker_id] = unresolved(broker_id, "the network interfaces could not be listed", name=name)
    return {broker_id: _served_here(finding, engines_served) for broker_id, finding in findings.items()}


def _served_here(finding: BrokerFinding, engines_served: Collection[Engine]) -> BrokerFinding:
    if finding.knowledge is Knowledge.GONE or finding.engine is None or finding.engine in engines_served:
        return finding
    return gone(
        finding.broker_id, f"engine {finding.engine.value}: this stack has no target group for it", name=finding.name,
        state=finding.state,
    )


def _finding_from_endpoints(
    broker_id: str,
    tied: tuple[BrokerEndpoint, ...],
    vpc_id: str,
    name: str | None,
    state: str | None,
    joined: str,
    verdict: DnsVerdict | None,
) -> BrokerFinding:
    """A RabbitMQ broker's addresses: its endpoint's interfaces, settled when there is exactly one endpoint and it is available."""
    tagged = any(e.broker_id == broker_id for e in tied)
    how = f"tagged {BROKER_TAG}={broker_id}" if tagged or verdict is None else verdict.describe()
    addresses = addresses_of(tied)
    live = [e for e in tied if e.live]
    reason = f"{joined}VPC endpoint {', '.join(e.endpoint_id for e in tied)} in {vpc_id} ({how})"
    if not addresses:
        problem = "no live interface address"
    elif len(live) > 1:
        problem = f"{len(live)} live endpoints are tied to it: which one serves is unclear"
    elif live[0].state != "available":
        problem = f"its endpoint is {live[0].state}"
    elif state is not None and state not in SETTLED_STATES:
        problem = f"broker is {state}"
    else:
        problem = ""
    return BrokerFinding(
        broker_id,
        Knowledge.UNRESOLVED if problem else Knowledge.SETTLED,
        addresses,
        AddressSource.VPC_ENDPOINT if tagged else AddressSource.VPC_ENDPOINT_BY_DNS,
        name,
        state,
        f"{reason}; {problem}" if problem else f"{reason}: {len(addresses)} interface address(es)",
        Engine.RABBITMQ,
        verdict.refused if verdict and not tagged else (),
    )


def _with_dns(finding: BrokerFinding, verdict: DnsVerdict | None, endpoints: EndpointListing | None) -> BrokerFinding:
    """A RabbitMQ broker no endpoint was tied to: say what its hostname gave, or why it was not looked up."""
    if finding.engine is not Engine.RABBITMQ or finding.knowledge is Knowledge.GONE:
        return finding
    if endpoints is None:
        return replace(finding, reason=f"{finding.reason}; the VPC endpoints could not be listed")
    if verdict is None:
        return finding
    return replace(finding, reason=f"{finding.reason}; {verdict.describe()}", refused=verdict.refused)

