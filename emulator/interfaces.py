"""Emulator support for EC2 network interfaces: addresses held in a VPC, and DescribeNetworkInterfaces paged as AWS
pages it.

Amazon MQ holds each ActiveMQ broker instance's address on an elastic network
interface in the customer's subnet (docs/sources.md, "Amazon MQ"),
so that is where the reconciler reads broker addresses. moto 5.2.1 models the
interfaces and their filters (`description` with fnmatch wildcards, `vpc-id`),
but not two things the reconciler meets on AWS:

- An address is held by one interface at a time. moto lets a second
  interface take an address in use; AWS refuses it (InvalidIPAddress.InUse).
  The emulator's allocations and moves rely on this, and free addresses are
  those no interface of the VPC holds.
- DescribeNetworkInterfaces pages: MaxResults 5..1000 and an opaque NextToken,
  MaxResults refused together with NetworkInterfaceIds. moto ignores both and
  returns everything, which would hide a reconciler that reads only page one.
  Without MaxResults (or NextToken) moto's answer stands: AWS, too, returns a
  small result whole. DescribeVpcEndpoints pages the same way (MaxResults
  above 1,000 returns 1,000, EC2 API reference), and moto ignores it too.

Interfaces are created on moto's EC2 backend directly: the benchmark builds
hundreds, and what DescribeNetworkInterfaces renders is the same object the
CreateNetworkInterface call would have made.
"""

import base64
import binascii
import ipaddress
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from moto.core.responses import ActionResult
from moto.ec2.exceptions import EC2ClientError, InvalidParameterCombination
from moto.ec2.models import EC2Backend
from moto.ec2.models.elastic_network_interfaces import NetworkInterface, NetworkInterfaceBackend
from moto.ec2.models.subnets import Subnet

from . import listing_lag

# DescribeNetworkInterfaces' MaxResults bounds (EC2 API reference; botocore's model says the same).
MIN_RESULTS, MAX_RESULTS = 5, 1000


class AddressInUse(ValueError):
    """An address the caller wanted is held by a network interface or a broker already."""


def addresses(ec2: NetworkInterfaceBackend, vpc_id: str) -> dict[str, NetworkInterface]:
    """Every private address held in the VPC (primary and secondary) -> the interface holding it."""
    held: dict[str, NetworkInterface] = {}
    for eni in list(ec2.enis.values()):
        if eni.subnet.vpc_id == vpc_id:
            for address in eni.private_ip_addresses:
                held[address["PrivateIpAddress"]] = eni
    return held


def subnet_ranges(subnet: Subnet) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """The subnet's IPv4 range, if it has one (an IPv6-only subnet has none), and its IPv6 ranges."""
    ipv4 = [ipaddress.ip_network(subnet.cidr_block)] if subnet.cidr_block else []
    ipv6 = [ipaddress.ip_network(a["ipv6CidrBlock"]) for a in subnet.ipv6_cidr_block_association_set]
    return [*ipv4, *ipv6]


def subnet_holding(ec2: EC2Backend, ip: str, subnet_ids: list[str]) -> Subnet:
    """The first of these subnets whose range holds the address."""
    address = ipaddress.ip_address(ip)
    for subnet_id in subnet_ids:
        subnet = ec2.get_subnet(subnet_id)
        if any(address in network for network in subnet_ranges(subnet)):
            return subnet
    raise ValueError(f"{ip} is in none of the subnets {subnet_ids}")


def vpc_subnet_ids(ec2: EC2Backend, vpc_id: str) -> list[str]:
    return [s.id for s in ec2.describe_subnets(filters={"vpc-id": [vpc_id]})]


def create(ec2: EC2Backend, subnet: Subnet, ip: str, description: str, status: str | None = None) -> NetworkInterface:
    """An interface holding `ip` in `subnet`, as CreateNetworkInterface
    makes it; `status` overrides moto's "available"."""
    eni = ec2.create_network_interface(subnet, ip, description=description)
    if status:
        eni.status = status
    return eni


@dataclass(frozen=True)
class ForeignInstance:
    """An instance of another account an interface is attached to: all moto reads of it (Attachment, filters)."""

    id: str
    owner_id: str
    security_groups: tuple[str, ...] = ()


def attach_to_foreign_instance(eni: NetworkInterface, owner_id: str) -> None:
    """Attach the interface to an instance `owner_id` owns, as a service attaches the interfaces it created in the
    account.

    DescribeNetworkInterfaces then shows Status in-use and an Attachment
    (attached, with that InstanceOwnerId); DescribeInstances does not show
    the instance, which is not the account's.
    """
    # moto 5.2.1 types `instance` as its own Instance; all it reads of one, ForeignInstance has.
    eni.instance = ForeignInstance(f"i-{eni.id.removeprefix('eni-')[:17]}", owner_id)  # type: ignore[assignment]
    eni.attachment_id = f"eni-attach-{eni.id.removeprefix('eni-')[:17]}"
    eni.attach_time = datetime.now(UTC)
    eni.status = "in-use"


def detach(eni: NetworkInterface) -> None:
    """The interface is no longer attached to anything: "available", no Attachment."""
    eni.instance = None
    eni.attachment_id = None
    eni.attach_time = None
    eni.status = "available"


def delete(ec2: EC2Backend, eni_id: str) -> None:
    """Delete the interface if it still exists (a test may have deleted it through the API)."""
    eni = ec2.enis.pop(eni_id, None)
    if eni is not None:
        listing_lag.deleted(ec2, eni)


# --- paging ---------------------------------------------------------------------------------


def _encode(item_id: str) -> str:
    return base64.urlsafe_b64encode(f"after:{item_id}".encode()).decode()


def _decode(token: str) -> str:
    try:
        kind, _, item_id = base64.urlsafe_b64decode(token.encode()).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        kind, item_id = "", ""
    if kind != "after" or not item_id:
        raise EC2ClientError("InvalidPaginationToken", f"Invalid pagination token: {token}")
    return item_id


# (the response object, the ids asked for, the filters) -> every matching item
_Lister = Callable[[Any, list[str], dict[str, Any]], list[Any]]


@dataclass(frozen=True)
class Paging:
    """How AWS pages one Describe call.

    ids_refused_as: how AWS names the ids parameter when it refuses it with MaxResults; None: it does not.
    clip: MaxResults above the maximum gets the maximum instead of an error.
    """

    list_all: _Lister
    ids_param: str
    result_key: str
    ids_refused_as: str | None
    clip: bool
    min_results: int = MIN_RESULTS

    def page(self, response: Any) -> ActionResult | None:
        """The page AWS answers the request with; None when it asks for no page (no MaxResults, no NextToken)."""
        max_results = response._get_int_param("MaxResults")
        token = response._get_param("NextToken")
        if max_results is None and not token:
            return None
        ids = response._get_param(self.ids_param, [])
        if max_results is not None and ids and self.ids_refused_as:
            raise InvalidParameterCombination(
                f"The parameter {self.ids_refused_as} cannot be used with the parameter maxResults"
            )
        if max_results is not None and self.clip:
            max_results = min(max_results, MAX_RESULTS)
        if max_results is not None and not self.min_results <= max_results <= MAX_RESULTS:
            raise EC2ClientError(
                "InvalidParameterValue",
                f"Value ( {max_results} ) for parameter maxResults is invalid. "
                f"Expecting a value between {self.min_results} and {MAX_RESULTS}.",
            )
        response.error_on_dryrun()
        # Ordered by id, and a token naming the last id served, so that an
        # item deleted between two pages shifts nothing.
        items = sorted(self.list_all(response, ids, response._filters_from_querystring()), key=lambda item: item.id)
        if token:
            after = _decode(token)
            items = [item for item in items if item.id > after]
        page = items[: max_results or len(items)]
        more = len(items) > len(page)
        return ActionResult({self.result_key: page, "NextToken": _encode(page[-1].id) if more else None})


NETWORK_INTERFACES = Paging(
    lambda response, ids, filters: response.ec2_backend.get_all_network_interfaces(ids, filters),
    "NetworkInterfaceIds",
    "NetworkInterfaces",
    ids_refused_as="networkInterfaceIdSet",
    clip=False,
)
VPC_ENDPOINTS = Paging(
    lambda response, ids, filters: response.ec2_backend.describe_vpc_endpoints(vpc_end_point_ids=ids, filters=filters),
    "VpcEndpointIds",
    "VpcEndpoints",
    ids_refused_as=None,
    clip=True,
    min_results=1,
)
