"""The brokers' network interfaces, as EC2 lists them: which address belongs to which broker.

Amazon MQ creates one elastic network interface per ActiveMQ broker instance in
the customer's own subnets, described `Amazon MQ network interface for broker
b-<uuid>` (../shared/CONTEXT.md, "Broker network interfaces"). EC2 is
authoritative about who holds an address *now*, in one paged call, whatever
happened to it before: that is what makes a removal safe when EC2 hands a freed
address to another broker. The description is not in AWS's reference docs, so
a broker with no interface found falls back to DescribeBroker, visibly.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from reconciler.brokers import Address, is_broker_id

DESCRIPTION_PREFIX = "Amazon MQ network interface for broker "
# DescribeNetworkInterfaces' `description` filter takes `*` wildcards.
DESCRIPTION_FILTER = DESCRIPTION_PREFIX + "*"
_DESCRIPTION = re.compile(re.escape(DESCRIPTION_PREFIX) + r"(\S+)")


@dataclass(frozen=True)
class BrokerInterface:
    interface_id: str
    # None when the description has the prefix but names no broker id we can read.
    broker_id: str | None
    ips: tuple[str, ...]
    zone: str | None


@dataclass(frozen=True)
class InterfaceListing:
    """Every Amazon MQ broker interface in the VPC, from one complete, successful listing."""

    vpc_id: str
    interfaces: tuple[BrokerInterface, ...]

    @cached_property
    def _by_ip(self) -> dict[str, BrokerInterface]:
        # An address is held by one interface at a time: EC2 assigns it to one.
        return {ip: interface for interface in self.interfaces for ip in interface.ips}

    @cached_property
    def _by_broker(self) -> dict[str, list[BrokerInterface]]:
        by_broker: dict[str, list[BrokerInterface]] = {}
        for interface in self.interfaces:
            if interface.broker_id:
                by_broker.setdefault(interface.broker_id, []).append(interface)
        return by_broker

    def addresses_of(self, broker_id: str) -> tuple[Address, ...]:
        return tuple(
            sorted(Address(ip, i.zone, i.interface_id) for i in self._by_broker.get(broker_id, ()) for ip in i.ips)
        )

    def holder_of(self, ip: str) -> BrokerInterface | None:
        """The broker interface that holds this address now, if any."""
        return self._by_ip.get(ip)

    def broker_ids(self) -> frozenset[str]:
        return frozenset(self._by_broker)


def broker_interface(described: Mapping[str, Any]) -> BrokerInterface | None:
    """One DescribeNetworkInterfaces entry as a broker interface; None if it is not an Amazon MQ broker's."""
    description = described.get("Description") or ""
    if not description.startswith(DESCRIPTION_PREFIX):
        return None
    match = _DESCRIPTION.fullmatch(description)
    broker_id = match.group(1) if match and is_broker_id(match.group(1)) else None
    ips = [a.get("PrivateIpAddress") for a in described.get("PrivateIpAddresses") or []]
    ips = [ip for ip in ips if ip] or [described.get("PrivateIpAddress")]
    return BrokerInterface(
        interface_id=described.get("NetworkInterfaceId", "?"),
        broker_id=broker_id,
        ips=tuple(ip for ip in ips if ip),
        zone=described.get("AvailabilityZone"),
    )


def in_ranges(ip: str, ranges: Iterable[str]) -> bool:
    """Whether an IPv4 address lies in one of these CIDR ranges."""
    address = ipaddress.ip_address(ip)
    return any(address in ipaddress.ip_network(cidr) for cidr in ranges)
