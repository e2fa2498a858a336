"""What a run knows about each broker: scope from the tag listing, addresses from EC2,
DescribeBroker only where EC2 cannot answer. Pure: the reads happen in the shell.

Three reads cost the same whatever the number of brokers: the tag listing
(scope), the interface listing (who holds which address) and the target
groups. DescribeBroker, against Amazon MQ's account-wide throttle, is asked
only about brokers those cannot settle:
- a broker in scope with no interface found (a changed description, or
  interfaces not created yet): its addresses, visibly reported as such;
- a broker a trigger names that the listing does not show: the tagging API is
  eventually consistent, DescribeBroker's tags are authoritative;
- a broker the listing does not show whose interface holds a registered
  address: before that target may go, confirm the broker is gone or out of scope.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from reconciler.brokers import (
    AddressSource,
    BrokerFinding,
    Described,
    Knowledge,
    Scope,
    departure,
    finding_from_description,
    gone,
    unresolved,
)
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

    def brokers_of(self) -> dict[str, str]:
        """Every address a broker in scope has -> that broker."""
        return wanted_addresses(self.brokers)

    def blind_spots(self) -> list[str]:
        """Brokers that may hold addresses no interface of theirs shows: unresolved, and no interface found."""
        found = self.interfaces.broker_ids() if self.interfaces else frozenset()
        return sorted(
            b.broker_id for b in self.brokers.values() if b.knowledge is Knowledge.UNRESOLVED and b.broker_id not in found
        )


def wanted_addresses(brokers: Mapping[str, BrokerFinding]) -> dict[str, str]:
    """Every address a broker not confirmed gone has -> that broker: what the groups should hold."""
    return {ip: b.broker_id for b in brokers.values() if b.knowledge is not Knowledge.GONE for ip in sorted(b.ips)}


def brokers_to_describe(
    listing: ScopeListing, named: Iterable[str], interfaces: InterfaceListing | None, registered_ips: Iterable[str]
) -> dict[str, str]:
    """Each broker this run must ask DescribeBroker about, and why: only where EC2 and the listing cannot answer."""
    listed = set(listing.brokers)
    why: dict[str, str] = {}
    if interfaces is not None:
        for broker_id in sorted(listed - interfaces.broker_ids()):
            why[broker_id] = f"no Amazon MQ network interface found in {interfaces.vpc_id}"
    for broker_id in sorted(set(named) - listed):
        why.setdefault(broker_id, "named by the trigger, not in the tag listing (yet)")
    if interfaces is not None and listing.complete:
        for ip in sorted(set(registered_ips)):
            holder = interfaces.holder_of(ip)
            if holder is not None and holder.broker_id is not None and holder.broker_id not in listed:
                why.setdefault(holder.broker_id, f"holds registered address {ip} but is not in the tag listing")
    return why


def addresses_to_check(
    registered_ips: Iterable[str], brokers: Mapping[str, BrokerFinding], interfaces: InterfaceListing | None
) -> list[str]:
    """Registered addresses that nobody in scope has and no broker interface holds: who holds them decides.

    The broker interfaces are found by their description; an interface whose
    description changed, or any other, may still hold the address. Asked only
    when something would be removed, so a steady sweep asks nothing.
    """
    if interfaces is None:
        return []
    return sorted(ip for ip in set(registered_ips) - wanted_addresses(brokers).keys() if interfaces.holder_of(ip) is None)


def assess_brokers(
    listing: ScopeListing,
    scope: Scope,
    interfaces: InterfaceListing | None,
    described: Mapping[str, Described],
    why_described: Mapping[str, str],
) -> dict[str, BrokerFinding]:
    """One finding per broker listed in scope or described in this run."""
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
        addresses = interfaces.addresses_of(broker_id) if interfaces else ()
        if addresses and interfaces is not None:
            joined = "in scope by DescribeBroker's tags, the tag listing lags; " if not listed else ""
            reason = f"{joined}{len({a.interface_id for a in addresses})} Amazon MQ network interface(s) in {interfaces.vpc_id}"
            state = (answer.answer or {}).get("BrokerState") if answer else None
            findings[broker_id] = BrokerFinding(
                broker_id, Knowledge.SETTLED, addresses, AddressSource.INTERFACES, name, state, reason
            )
        elif answer is not None:
            finding = finding_from_description(answer, scope, why_described[broker_id])
            findings[broker_id] = finding if finding.name else replace(finding, name=name)
        else:
            findings[broker_id] = unresolved(broker_id, "the network interfaces could not be listed", name=name)
    return findings

