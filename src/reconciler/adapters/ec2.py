"""EC2, read: the Amazon MQ broker interfaces, VPC endpoints and subnets of the endpoint's VPC. Every lookup is
filtered on that VPC.

One paged DescribeNetworkInterfaces call, filtered on the broker interfaces'
description and the VPC, answers for every ActiveMQ broker at once:
ceil(I/1000) requests for I interfaces, whatever the number of brokers, and
none of them against Amazon MQ's throttle (EC2 Describe calls have their own,
large bucket; docs/sources.md). RabbitMQ brokers' endpoints take one paged
DescribeVpcEndpoints call and one DescribeNetworkInterfaces call for their
interfaces, likewise for every broker at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar

from botocore.exceptions import BotoCoreError, ClientError

from reconciler.adapters.clients import describe_error
from reconciler.adapters.deadline import DeadlineReached
from reconciler.core.endpoints import ENDPOINT_TYPE, MANAGED_TAG, BrokerEndpoint, EndpointListing, endpoint_from
from reconciler.core.interfaces import DESCRIPTION_FILTER, InterfaceListing, NetworkInterface, interface_from
from reconciler.core.reads import Read

# DescribeNetworkInterfaces' largest page.
PAGE_SIZE = 1000
# Addresses per lookup (the values of one filter). EC2's API reference gives no
# cap on filter values; 200 keeps a request small. If AWS refused it, the
# lookup would fail, and a failed lookup removes nothing (plan.py).
ADDRESSES_PER_FILTER = 200

T = TypeVar("T")


class BrokerNetwork:
    def __init__(self, ec2: Any, vpc_id: str) -> None:
        self._ec2 = ec2
        self._vpc_id = vpc_id
        # Subnets come and go rarely, and never change VPC: read again only for a subnet not known yet.
        self._vpc_subnets: frozenset[str] | None = None
        self._elsewhere: dict[str, str] = {}

    def vpc_subnets(self, covering: Iterable[str]) -> Read[frozenset[str]]:
        """The ids of the VPC's subnets, read again when one asked about is new; a failed read keeps the last ones."""
        wanted = set(covering)
        if self._vpc_subnets is None or not wanted <= self._vpc_subnets | self._elsewhere.keys():
            try:
                self._vpc_subnets = frozenset(s["SubnetId"] for s in self._subnets_where("vpc-id", [self._vpc_id]))
            except (ClientError, BotoCoreError, KeyError, TypeError) as error:
                return _failed("DescribeSubnets failed", error, value=self._vpc_subnets)
        return Read(self._vpc_subnets)

    def vpcs_of(self, subnet_ids: Sequence[str]) -> dict[str, str]:
        """Subnet id -> its VPC, for subnets outside the endpoint's VPC; a failed read only leaves them unnamed."""
        unknown = [s for s in subnet_ids if s not in self._elsewhere]
        if unknown:
            try:
                for subnet in self._subnets_where("subnet-id", unknown):
                    self._elsewhere[subnet["SubnetId"]] = subnet["VpcId"]
            except (ClientError, BotoCoreError, KeyError, TypeError):
                pass  # the report then names the subnets rather than their VPC
        return {s: self._elsewhere[s] for s in subnet_ids if s in self._elsewhere}

    def _subnets_where(self, name: str, values: list[str]) -> list[dict[str, Any]]:
        pages = self._ec2.get_paginator("describe_subnets").paginate(Filters=[{"Name": name, "Values": values}])
        return [s for page in pages for s in page.get("Subnets", [])]

    def interfaces_holding(self, addresses: Sequence[str]) -> Read[InterfaceListing]:
        """The interfaces in the VPC holding these addresses, whatever their description."""
        try:
            found = [
                i for i in map(interface_from, self._interfaces_where("addresses.private-ip-address", addresses)) if i
            ]
        except (ClientError, BotoCoreError) as error:
            return _failed("DescribeNetworkInterfaces by address failed", error)
        return Read(InterfaceListing(self._vpc_id, tuple(i for i in found if i.ip in addresses)))

    def list_broker_endpoints(self) -> Read[EndpointListing]:
        """The Amazon MQ-managed interface VPC endpoints in the VPC, and their interfaces' addresses.

        The interfaces are asked for by id, through a filter rather than
        NetworkInterfaceIds: an id deleted in between then just does not come
        back, instead of failing the whole call (InvalidNetworkInterfaceID.NotFound).
        Their descriptions and types vary (`VPC Endpoint Interface vpce-...` or
        with a colon; `interface` or `vpc_endpoint`, EC2 User Guide): the
        endpoint's NetworkInterfaceIds, not those, say which they are.
        """
        pages = self._ec2.get_paginator("describe_vpc_endpoints").paginate(
            Filters=[
                {"Name": "vpc-id", "Values": [self._vpc_id]},
                {"Name": "vpc-endpoint-type", "Values": [ENDPOINT_TYPE]},
                {"Name": f"tag:{MANAGED_TAG[0]}", "Values": [MANAGED_TAG[1]]},
            ],
            PaginationConfig={"PageSize": PAGE_SIZE},
        )
        try:
            described = [e for page in pages for e in page.get("VpcEndpoints", [])]
            ids = sorted({i for e in described for i in e.get("NetworkInterfaceIds") or []})
            interfaces = {i["NetworkInterfaceId"]: i for i in self._interfaces_where("network-interface-id", ids)}
        except (ClientError, BotoCoreError) as error:
            # All or nothing, as for the broker interfaces: a part would make the rest look free.
            return _failed("DescribeVpcEndpoints or its interfaces failed", error)
        found = [e for e in (endpoint_from(d, interfaces) for d in described) if e is not None]
        return Read(EndpointListing(self._vpc_id, tuple(sorted(found, key=_by_id))))

    def _interfaces_where(self, name: str, values: Sequence[str]) -> Iterator[dict[str, Any]]:
        """Every interface in the VPC whose `name` is one of the values, in filters of at most 200 values, every page.

        Always filtered on the VPC: other VPCs of the account reuse the same ranges.
        """
        for start in range(0, len(values), ADDRESSES_PER_FILTER):
            pages = self._ec2.get_paginator("describe_network_interfaces").paginate(
                Filters=[
                    {"Name": "vpc-id", "Values": [self._vpc_id]},
                    {"Name": name, "Values": list(values[start : start + ADDRESSES_PER_FILTER])},
                ],
                PaginationConfig={"PageSize": PAGE_SIZE},
            )
            for page in pages:
                yield from page.get("NetworkInterfaces", [])

    def list_broker_interfaces(self) -> Read[InterfaceListing]:
        pages = self._ec2.get_paginator("describe_network_interfaces").paginate(
            Filters=[
                {"Name": "vpc-id", "Values": [self._vpc_id]},
                {"Name": "description", "Values": [DESCRIPTION_FILTER]},
            ],
            PaginationConfig={"PageSize": PAGE_SIZE},
        )
        found: list[NetworkInterface] = []
        try:
            for page in pages:
                found.extend(i for i in map(interface_from, page.get("NetworkInterfaces", [])) if i is not None)
        except (ClientError, BotoCoreError) as error:
            # A listing cut off after some pages would make the rest look free: all or nothing.
            return _failed("DescribeNetworkInterfaces failed", error)
        return Read(InterfaceListing(self._vpc_id, tuple(found)))


def _failed(what: str, error: Exception, value: T | None = None) -> Read[T]:
    return Read.failed(f"{what}: {describe_error(error)}", cut_short=isinstance(error, DeadlineReached), value=value)


def _by_id(endpoint: BrokerEndpoint) -> str:
    return endpoint.endpoint_id
