"""The EC2 adapter: every lookup is filtered on the endpoint's VPC, every listing is read to its last page or not at
all, and a failed read never looks like an empty one."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.stub import Stubber

from reconciler.adapters.deadline import Deadline
from reconciler.adapters.ec2 import BrokerNetwork
from reconciler.core.interfaces import DESCRIPTION_FILTER
from tests.unit.adapters.aws import VPC, aws_clients, deadline_falls_on, stubbed

BROKER = "b-1234abcd-56ef-78ab-90cd-ef1234567890"
IN_THE_VPC = {"Name": "vpc-id", "Values": [VPC]}
BROKER_INTERFACES = [IN_THE_VPC, {"Name": "description", "Values": [DESCRIPTION_FILTER]}]
MANAGED_ENDPOINTS = [
    IN_THE_VPC,
    {"Name": "vpc-endpoint-type", "Values": ["Interface"]},
    {"Name": "tag:AMQManaged", "Values": ["true"]},
]


@pytest.fixture
def ec2() -> Iterator[tuple[Any, Stubber]]:
    client = aws_clients().ec2
    with stubbed(client) as stubber:
        yield client, stubber


def interface(ip: str, *, eni: str | None = None, broker: str = BROKER) -> dict[str, Any]:
    return {
        "NetworkInterfaceId": eni or f"eni-{ip.replace('.', '')}",
        "PrivateIpAddress": ip,
        "Description": f"Amazon MQ network interface for broker {broker}",
        "SubnetId": "subnet-a",
        "AvailabilityZone": "eu-west-1a",
        "Status": "in-use",
        "VpcId": VPC,
    }


def test_broker_interfaces_are_listed_in_the_vpc_only_and_to_the_last_page(ec2: tuple[Any, Stubber]) -> None:
    client, stub = ec2
    first = {"Filters": BROKER_INTERFACES, "MaxResults": 1000}
    stub.add_response(
        "describe_network_interfaces", {"NetworkInterfaces": [interface("10.0.1.10")], "NextToken": "2"}, first
    )
    stub.add_response(
        "describe_network_interfaces", {"NetworkInterfaces": [interface("10.0.2.10")]}, {**first, "NextToken": "2"}
    )

    listed = BrokerNetwork(client, VPC).list_broker_interfaces()

    assert listed.problem is None and listed.value is not None
    assert [i.ip for i in listed.value.named_for(BROKER)] == ["10.0.1.10", "10.0.2.10"]


@pytest.mark.parametrize("cut_short", [False, True], ids=["failed", "deadline"])
def test_a_listing_that_stops_on_its_second_page_gives_no_part_of_it(ec2: tuple[Any, Stubber], cut_short: bool) -> None:
    """A part would make the brokers on the pages not read look free of their addresses."""
    client, stub = ec2
    stub.add_response("describe_network_interfaces", {"NetworkInterfaces": [interface("10.0.1.10")], "NextToken": "2"})
    if cut_short:
        deadline_falls_on(client, call=2)
    else:
        stub.add_client_error("describe_network_interfaces", "RequestLimitExceeded", "slow down", 503)

    listed = BrokerNetwork(client, VPC).list_broker_interfaces()

    assert listed.value is None
    assert listed.cut_short is cut_short
    assert listed.problem and ("DeadlineReached" if cut_short else "RequestLimitExceeded") in listed.problem


def test_lookups_by_address_are_filtered_on_the_vpc_in_filters_of_at_most_200_addresses(
    ec2: tuple[Any, Stubber],
) -> None:
    client, stub = ec2
    addresses = [f"10.0.{n // 250}.{n % 250 + 1}" for n in range(450)]
    for chunk in (addresses[:200], addresses[200:400], addresses[400:]):
        filters = [IN_THE_VPC, {"Name": "addresses.private-ip-address", "Values": chunk}]
        # The filter matches secondary addresses too: 10.9.9.9 holds one of ours as a secondary address.
        answer = [interface(chunk[0], broker="b-forged"), interface("10.9.9.9")]
        stub.add_response(
            "describe_network_interfaces", {"NetworkInterfaces": answer}, {"Filters": filters, "MaxResults": 1000}
        )

    holders = BrokerNetwork(client, VPC).interfaces_holding(addresses)

    assert holders.problem is None and holders.value is not None
    assert [i.ip for i in holders.value.interfaces] == [addresses[0], addresses[200], addresses[400]]
    assert holders.value.holder_of("10.9.9.9") is None


def test_a_lookup_by_address_that_fails_on_a_later_filter_answers_nothing(ec2: tuple[Any, Stubber]) -> None:
    client, stub = ec2
    addresses = [f"10.0.1.{n}" for n in range(1, 251)]
    stub.add_response("describe_network_interfaces", {"NetworkInterfaces": [interface("10.0.1.1")]})
    stub.add_client_error("describe_network_interfaces", "UnauthorizedOperation", "no", 403)

    holders = BrokerNetwork(client, VPC).interfaces_holding(addresses)

    assert holders.value is None and holders.problem and "UnauthorizedOperation" in holders.problem


def endpoint(endpoint_id: str, *interface_ids: str, broker: str = BROKER) -> dict[str, Any]:
    return {
        "VpcEndpointId": endpoint_id,
        "VpcEndpointType": "Interface",
        "VpcId": VPC,
        "State": "available",
        "NetworkInterfaceIds": list(interface_ids),
        "SubnetIds": ["subnet-a"],
        "Tags": [{"Key": "AMQManaged", "Value": "true"}, {"Key": "Broker", "Value": broker}],
    }


def test_broker_endpoints_are_listed_in_the_vpc_with_their_interfaces_looked_up_in_the_vpc(
    ec2: tuple[Any, Stubber],
) -> None:
    client, stub = ec2
    first = {"Filters": MANAGED_ENDPOINTS, "MaxResults": 1000}
    stub.add_response(
        "describe_vpc_endpoints", {"VpcEndpoints": [endpoint("vpce-b", "eni-3", "eni-1")], "NextToken": "2"}, first
    )
    stub.add_response(
        "describe_vpc_endpoints", {"VpcEndpoints": [endpoint("vpce-a", "eni-2")]}, {**first, "NextToken": "2"}
    )
    by_id = [IN_THE_VPC, {"Name": "network-interface-id", "Values": ["eni-1", "eni-2", "eni-3"]}]
    # eni-3 was deleted in between: it does not come back, and the call does not fail for it.
    found = [interface("10.0.1.20", eni="eni-1"), interface("10.0.1.30", eni="eni-2")]
    stub.add_response(
        "describe_network_interfaces", {"NetworkInterfaces": found}, {"Filters": by_id, "MaxResults": 1000}
    )

    listed = BrokerNetwork(client, VPC).list_broker_endpoints()

    assert listed.problem is None and listed.value is not None
    assert [e.endpoint_id for e in listed.value.endpoints] == ["vpce-a", "vpce-b"]
    endpoints = {e.endpoint_id: e for e in listed.value.endpoints}
    assert [a.ip for a in endpoints["vpce-b"].addresses] == ["10.0.1.20"]
    assert endpoints["vpce-b"].unlisted_interfaces == 1


def test_endpoints_whose_interfaces_cannot_be_read_are_not_listed_at_all(ec2: tuple[Any, Stubber]) -> None:
    client, stub = ec2
    stub.add_response("describe_vpc_endpoints", {"VpcEndpoints": [endpoint("vpce-a", "eni-1")]})
    stub.add_client_error("describe_network_interfaces", "InternalError", "oops", 500)

    listed = BrokerNetwork(client, VPC).list_broker_endpoints()

    assert listed.value is None and listed.problem and "InternalError" in listed.problem


def subnets(*ids: str, vpc: str = VPC) -> dict[str, Any]:
    return {"Subnets": [{"SubnetId": s, "VpcId": vpc} for s in ids]}


def test_the_vpcs_subnets_are_read_again_only_for_a_new_one_and_a_failed_read_keeps_the_last(
    ec2: tuple[Any, Stubber],
) -> None:
    client, stub = ec2
    network = BrokerNetwork(client, VPC)
    stub.add_response("describe_subnets", subnets("subnet-a", "subnet-b"), {"Filters": [IN_THE_VPC]})
    assert network.vpc_subnets({"subnet-a"}) == network.vpc_subnets({"subnet-b"})  # the second is not read again
    stub.add_client_error("describe_subnets", "RequestLimitExceeded", "slow down", 503)

    again = network.vpc_subnets({"subnet-a", "subnet-new"})

    assert again.value == frozenset({"subnet-a", "subnet-b"})
    assert again.problem and "RequestLimitExceeded" in again.problem and not again.cut_short


def test_subnets_outside_the_vpc_are_named_by_their_vpc_once_or_left_unnamed(ec2: tuple[Any, Stubber]) -> None:
    client, stub = ec2
    network = BrokerNetwork(client, VPC)
    both = {"Filters": [{"Name": "subnet-id", "Values": ["subnet-x", "subnet-y"]}]}
    stub.add_response("describe_subnets", subnets("subnet-x", vpc="vpc-other"), both)
    assert network.vpcs_of(["subnet-x", "subnet-y"]) == {"subnet-x": "vpc-other"}
    # subnet-x is known now: only subnet-y is asked about, and its failure leaves it unnamed.
    only_y = {"Filters": [{"Name": "subnet-id", "Values": ["subnet-y"]}]}
    stub.add_client_error("describe_subnets", "InternalError", "oops", 500, expected_params=only_y)

    assert network.vpcs_of(["subnet-x", "subnet-y"]) == {"subnet-x": "vpc-other"}


def test_an_attached_deadline_stops_the_listing_before_it_is_sent() -> None:
    """The real hook, with no Stubber: the request is created, refused, and never leaves (aws_clients refuses that)."""
    client = aws_clients().ec2
    deadline = Deadline()
    deadline.attach(client)
    deadline.arm(lambda: 5_000)

    listed = BrokerNetwork(client, VPC).list_broker_interfaces()

    assert listed.value is None and listed.cut_short and deadline.reached
