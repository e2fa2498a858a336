"""EC2, read: the Amazon MQ broker interfaces in the endpoint's VPC.

One paged DescribeNetworkInterfaces call, filtered on the broker interfaces'
description and the VPC, answers for every broker at once: ceil(I/1000)
requests for I interfaces, whatever the number of brokers, and none of them
against Amazon MQ's throttle (EC2 Describe calls have their own, large bucket;
../shared/CONTEXT.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from reconciler.clients import describe_error
from reconciler.evidence import AddressHolders, OtherInterface
from reconciler.interfaces import DESCRIPTION_FILTER, BrokerInterface, InterfaceListing, broker_interface, in_ranges

# DescribeNetworkInterfaces' largest page.
PAGE_SIZE = 1000
# Addresses per lookup (the values of one filter). EC2's API reference gives no
# cap on filter values; 200 keeps a request small. If AWS refused it, the
# lookup would fail, and a failed lookup removes nothing (plan.py).
ADDRESSES_PER_FILTER = 200


class InterfaceListingFailed(RuntimeError):
    """The listing failed or stopped part-way: nobody's addresses are known in this run."""


class BrokerNetwork:
    def __init__(self, ec2: Any, vpc_id: str) -> None:
        self._ec2 = ec2
        self._vpc_id = vpc_id
        # Subnets come and go rarely: read them again only when an address falls outside those known.
        self._subnet_ranges: tuple[str, ...] | None = None

    def subnet_ranges(self, covering: Iterable[str]) -> tuple[tuple[str, ...] | None, str | None]:
        """The IPv4 ranges of the VPC's subnets (None if never read: every address then counts as inside), and what failed.

        An IP target outside them needs `AvailabilityZone: all`, and one inside
        them may not have it; ELB compares with the subnets, not with the VPC's
        CIDR blocks (aws-load-balancer-controller issue 3714).
        """
        if self._subnet_ranges is None or not all(in_ranges(ip, self._subnet_ranges) for ip in covering):
            try:
                pages = self._ec2.get_paginator("describe_subnets").paginate(Filters=[{"Name": "vpc-id", "Values": [self._vpc_id]}])
                self._subnet_ranges = tuple(sorted(s["CidrBlock"] for page in pages for s in page.get("Subnets", [])))
            except (ClientError, BotoCoreError) as error:
                return self._subnet_ranges, f"DescribeSubnets failed: {describe_error(error)}"
        return self._subnet_ranges, None

    def holders_of(self, addresses: Sequence[str]) -> AddressHolders:
        """Which interface, of any kind, holds each address: EC2 knows every interface, whatever its description."""
        holders: dict[str, OtherInterface] = {}
        try:
            for start in range(0, len(addresses), ADDRESSES_PER_FILTER):
                pages = self._ec2.get_paginator("describe_network_interfaces").paginate(
                    Filters=[{"Name": "addresses.private-ip-address", "Values": list(addresses[start : start + ADDRESSES_PER_FILTER])}],
                    PaginationConfig={"PageSize": PAGE_SIZE},
                )
                for page in pages:
                    for found in page.get("NetworkInterfaces", []):
                        for address in found.get("PrivateIpAddresses") or [{"PrivateIpAddress": found.get("PrivateIpAddress")}]:
                            holder = OtherInterface(found.get("NetworkInterfaceId", "?"), found.get("Description") or "")
                            holders[address.get("PrivateIpAddress")] = holder
        except (ClientError, BotoCoreError) as error:
            raise InterfaceListingFailed(f"DescribeNetworkInterfaces by address failed: {describe_error(error)}") from error
        return AddressHolders(frozenset(addresses), {ip: h for ip, h in holders.items() if ip in addresses})

    def list_broker_interfaces(self) -> InterfaceListing:
        pages = self._ec2.get_paginator("describe_network_interfaces").paginate(
            Filters=[
                {"Name": "vpc-id", "Values": [self._vpc_id]},
                {"Name": "description", "Values": [DESCRIPTION_FILTER]},
            ],
            PaginationConfig={"PageSize": PAGE_SIZE},
        )
        found: list[BrokerInterface] = []
        try:
            for page in pages:
                found.extend(i for i in map(broker_interface, page.get("NetworkInterfaces", [])) if i is not None)
        except (ClientError, BotoCoreError) as error:
            # A listing cut off after some pages would make the rest look free: all or nothing.
            raise InterfaceListingFailed(f"DescribeNetworkInterfaces failed: {describe_error(error)}") from error
        return InterfaceListing(self._vpc_id, tuple(found))

