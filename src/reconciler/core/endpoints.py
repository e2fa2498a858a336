"""Amazon MQ for RabbitMQ's VPC endpoints, as EC2 lists them: which address belongs to which RabbitMQ broker.

A RabbitMQ broker has no per-instance address (DescribeBroker:
`BrokerInstances[].IpAddress` "does not apply", botocore mq model). It sits
behind a load balancer AWS runs, reached through one interface VPC endpoint
that Amazon MQ's service-linked role creates in the customer's own VPC and
account, one network interface per broker subnet. The role may create a VPC
endpoint only with the tag `AMQManaged=true` (managed policy
AmazonMQServiceRolePolicy; docs/sources.md): that tag, the type
`Interface` and the VPC are how EC2 lists them, in one paged call.

Which broker an endpoint belongs to:
- its `Broker` tag, holding the broker id: likely (a public script relies on
  it), unconfirmed on a live account. This is the tie removals may rest on.
- otherwise DNS: the broker's hostname (DescribeBroker's endpoint URL) resolves
  to its endpoint's interface addresses (AWS's own RabbitMQ samples register
  what `dig` returns). Each resolved address must be held by an interface of
  such an endpoint in the VPC, or it is refused; the tie then only adds
  targets. DNS alone never removes anything.
RabbitMQ private networking also creates *resource* VPC endpoints at reboot
(developer guide, private networking): type `Resource`, with a resource
configuration. They are not the broker's endpoint, whatever their tags say.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from reconciler.core.brokers import Address, RefusedAddress, is_broker_id

# Amazon MQ's service-linked role may create a VPC endpoint only with this tag (AmazonMQServiceRolePolicy).
MANAGED_TAG = ("AMQManaged", "true")
# The tag naming the endpoint's broker (likely: public code reads it; unconfirmed on a live account).
BROKER_TAG = "Broker"
ENDPOINT_TYPE = "Interface"
# States in which an endpoint's interfaces carry traffic, or soon will (EC2 API reference, VpcEndpoint.State).
LIVE_STATES = frozenset({"available", "pending", "pendingAcceptance"})


@dataclass(frozen=True)
class BrokerEndpoint:
    """One Amazon MQ-managed interface VPC endpoint and the addresses of its network interfaces."""

    endpoint_id: str
    state: str
    # The broker its Broker tag names; None: no such tag, or a value that is no broker id.
    broker_id: str | None
    addresses: tuple[Address, ...]
    subnet_ids: frozenset[str] = frozenset()
    # Interfaces the endpoint names that EC2 did not return: deleted, or created and not listed yet.
    unlisted_interfaces: int = 0

    @property
    def live(self) -> bool:
        return self.state in LIVE_STATES


@dataclass(frozen=True)
class EndpointListing:
    """Every Amazon MQ-managed interface VPC endpoint in the VPC, from one complete, successful listing."""

    vpc_id: str
    endpoints: tuple[BrokerEndpoint, ...]
    # Endpoint id -> the broker whose hostname resolved to its addresses in this run.
    dns_ties: Mapping[str, str] = field(default_factory=dict)

    @cached_property
    def _by_ip(self) -> dict[str, BrokerEndpoint]:
        return {a.ip: endpoint for endpoint in self.endpoints for a in endpoint.addresses}

    def holder_of(self, ip: str) -> BrokerEndpoint | None:
        """The endpoint whose interface holds this address now, if any."""
        return self._by_ip.get(ip)

    def tied_by_dns_to(self, broker_id: str) -> tuple[BrokerEndpoint, ...]:
        """The endpoints the broker's hostname resolved to in this run, EC2 confirming each address."""
        return tuple(e for e in self.endpoints if self.dns_ties.get(e.endpoint_id) == broker_id)


@dataclass(frozen=True)
class Resolution:
    """What the broker's hostname resolved to in this run, or why it did not."""

    hostname: str
    addresses: tuple[str, ...] = ()
    problem: str = ""


@dataclass(frozen=True)
class DnsVerdict:
    """How a broker's hostname tied it to an endpoint, and the resolved addresses refused."""

    resolution: Resolution
    refused: tuple[RefusedAddress, ...] = ()

    def describe(self) -> str:
        if self.resolution.problem:
            return f"its hostname {self.resolution.hostname} could not be resolved: {self.resolution.problem}"
        return (
            f"its hostname {self.resolution.hostname} resolves to {', '.join(self.resolution.addresses) or 'nothing'}"
        )


def endpoint_from(described: Mapping[str, Any], interfaces: Mapping[str, Mapping[str, Any]]) -> BrokerEndpoint | None:
    """One DescribeVpcEndpoints entry as a broker endpoint; None if it is not an Amazon MQ-managed interface endpoint.

    The listing is filtered on the type and the tag already; checking again
    costs nothing and keeps a resource endpoint (type Resource, with a
    resource configuration) out whatever a filter did.
    `interfaces`: DescribeNetworkInterfaces entries by id; an id missing there
    was deleted in between, or created and not listed yet: counted, so that
    its broker stays unresolved until EC2 shows it.
    """
    tags = {t.get("Key"): t.get("Value") for t in described.get("Tags") or []}
    if described.get("VpcEndpointType") != ENDPOINT_TYPE or tags.get(MANAGED_TAG[0]) != MANAGED_TAG[1]:
        return None
    if described.get("ResourceConfigurationArn") or described.get("ServiceNetworkArn"):
        return None
    broker = tags.get(BROKER_TAG)
    addresses = []
    unlisted = 0
    for interface_id in described.get("NetworkInterfaceIds") or []:
        found = interfaces.get(interface_id)
        if found is not None and found.get("PrivateIpAddress"):
            addresses.append(Address(found["PrivateIpAddress"], found.get("AvailabilityZone"), interface_id))
        elif found is None:
            unlisted += 1
    subnets = described.get("SubnetIds")
    return BrokerEndpoint(
        endpoint_id=described.get("VpcEndpointId", "?"),
        state=str(described.get("State", "")),
        broker_id=broker if is_broker_id(broker) else None,
        addresses=tuple(sorted(addresses)),
        subnet_ids=frozenset(s for s in subnets if isinstance(s, str)) if isinstance(subnets, list) else frozenset(),
        unlisted_interfaces=unlisted,
    )


def tie_by_dns(
    listing: EndpointListing, resolutions: Mapping[str, Resolution]
) -> tuple[EndpointListing, dict[str, DnsVerdict]]:
    """Tie each broker to the endpoints its resolved addresses belong to; refuse every address EC2 does not confirm.

    A resolved address counts only if an interface of a live Amazon MQ-managed
    interface endpoint in the VPC holds it, and that endpoint is tagged for no
    other broker: the confirmation is EC2's, DNS only names the endpoint.
    """
    ties: dict[str, str] = {}
    verdicts: dict[str, DnsVerdict] = {}
    for broker_id, resolution in sorted(resolutions.items()):
        refused: list[RefusedAddress] = []
        for ip in resolution.addresses:
            endpoint = listing.holder_of(ip)
            why = _refusal(listing, endpoint, broker_id, ties)
            if endpoint is None or why:
                refused.append(RefusedAddress(ip, why))
            else:
                ties[endpoint.endpoint_id] = broker_id
        verdicts[broker_id] = DnsVerdict(resolution, tuple(refused))
    return replace(listing, dns_ties={**listing.dns_ties, **ties}), verdicts


def _refusal(listing: EndpointListing, endpoint: BrokerEndpoint | None, broker_id: str, ties: Mapping[str, str]) -> str:
    """Why a resolved address may not be the broker's; empty if EC2 confirms it."""
    if endpoint is None:
        return (
            f"no interface of an Amazon MQ VPC endpoint ({MANAGED_TAG[0]}={MANAGED_TAG[1]}, {ENDPOINT_TYPE}) "
            f"in {listing.vpc_id} holds it"
        )
    if endpoint.broker_id not in (None, broker_id):
        return f"held by VPC endpoint {endpoint.endpoint_id}, tagged {BROKER_TAG}={endpoint.broker_id}"
    if not endpoint.live:
        return f"held by VPC endpoint {endpoint.endpoint_id}, which is {endpoint.state}"
    other = ties.get(endpoint.endpoint_id)
    if other not in (None, broker_id):
        return f"held by VPC endpoint {endpoint.endpoint_id}, which {other}'s hostname resolves to as well"
    return ""


def addresses_of(endpoints: Iterable[BrokerEndpoint]) -> tuple[Address, ...]:
    """The addresses of the live ones among these endpoints."""
    return tuple(sorted(a for e in endpoints if e.live for a in e.addresses))
