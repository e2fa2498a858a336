"""Network interfaces as EC2 lists them in the endpoint's VPC: who holds which address, in which subnet.

Amazon MQ creates one network interface per ActiveMQ broker instance in the
customer's own subnets, described `Amazon MQ network interface for broker
b-<uuid>` (docs/sources.md, "Broker network interfaces"). Anyone allowed
`ec2:CreateNetworkInterface` can write that description, so it only points at
the broker to ask: an address is the broker's when Amazon MQ says so too
(evidence.py). An interface id is never reused and its primary address never
changes (docs/sources.md), so a confirmed interface stays confirmed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from reconciler.core.brokers import Address, is_broker_id

DESCRIPTION_PREFIX = "Amazon MQ network interface for broker "
# DescribeNetworkInterfaces' `description` filter takes `*` wildcards.
DESCRIPTION_FILTER = DESCRIPTION_PREFIX + "*"
_DESCRIPTION = re.compile(re.escape(DESCRIPTION_PREFIX) + r"(\S+)")


@dataclass(frozen=True)
class NetworkInterface:
    interface_id: str
    # The broker its description names; None when it names none we can read.
    broker_id: str | None
    ip: str
    subnet_id: str | None
    zone: str | None
    # EC2's `Status`: a broker instance's interface is `in-use`; a leftover or a forgery may be `available`.
    status: str | None = None
    # The account owning the instance it is attached to (Amazon MQ's, for a broker's); None when detached.
    instance_owner: str | None = None

    @property
    def attached(self) -> bool:
        return self.status == "in-use"

    def address(self) -> Address:
        return Address(self.ip, self.zone, self.interface_id)


@dataclass(frozen=True)
class InterfaceListing:
    """Interfaces in the VPC from one complete, successful listing: the broker ones, or those holding some addresses."""

    vpc_id: str
    interfaces: tuple[NetworkInterface, ...]

    @cached_property
    def _by_ip(self) -> dict[str, NetworkInterface]:
        # Within one VPC an address is held by one interface at a time.
        return {interface.ip: interface for interface in self.interfaces}

    @cached_property
    def _by_broker(self) -> dict[str, tuple[NetworkInterface, ...]]:
        by_broker: dict[str, list[NetworkInterface]] = {}
        for interface in self.interfaces:
            if interface.broker_id:
                by_broker.setdefault(interface.broker_id, []).append(interface)
        return {broker_id: tuple(found) for broker_id, found in by_broker.items()}

    def named_for(self, broker_id: str) -> tuple[NetworkInterface, ...]:
        """The interfaces whose description names this broker: candidates, not evidence."""
        return self._by_broker.get(broker_id, ())

    def holder_of(self, ip: str) -> NetworkInterface | None:
        return self._by_ip.get(ip)

    def broker_ids(self) -> frozenset[str]:
        return frozenset(self._by_broker)


def interface_from(described: Mapping[str, Any]) -> NetworkInterface | None:
    """One DescribeNetworkInterfaces entry; None when it has no primary IPv4 address to offer."""
    ip = described.get("PrivateIpAddress")
    if not isinstance(ip, str) or not ip:
        return None
    description = described.get("Description")
    match = _DESCRIPTION.fullmatch(description) if isinstance(description, str) else None
    broker_id = match.group(1) if match and is_broker_id(match.group(1)) else None
    return NetworkInterface(
        interface_id=str(described.get("NetworkInterfaceId", "?")),
        broker_id=broker_id,
        ip=ip,
        subnet_id=_text(described.get("SubnetId")),
        zone=_text(described.get("AvailabilityZone")),
        status=_text(described.get("Status")),
        instance_owner=_text((described.get("Attachment") or {}).get("InstanceOwnerId")),
    )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None
