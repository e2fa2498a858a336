"""DescribeNetworkInterfaces lagging behind creations and deletions, as EC2's eventual consistency allows."""

from typing import Any

import pytest
from botocore.exceptions import ClientError

from emulator import EmulatedAws

BROKER_INTERFACES = "Amazon MQ network interface for broker *"


def _listed(aws: EmulatedAws, *filters: dict[str, Any]) -> dict[str, str]:
    """Private IP -> interface id of what a paged DescribeNetworkInterfaces lists with these filters."""
    pages = (
        aws.client("ec2")
        .get_paginator("describe_network_interfaces")
        .paginate(Filters=list(filters), PaginationConfig={"PageSize": 1000})
    )
    return {eni["PrivateIpAddress"]: eni["NetworkInterfaceId"] for page in pages for eni in page["NetworkInterfaces"]}


def _by_description(aws: EmulatedAws) -> dict[str, str]:
    return _listed(
        aws, {"Name": "description", "Values": [BROKER_INTERFACES]}, {"Name": "vpc-id", "Values": [aws.vpc_id]}
    )


def _by_address(aws: EmulatedAws, ip: str) -> dict[str, str]:
    return _listed(
        aws, {"Name": "addresses.private-ip-address", "Values": [ip]}, {"Name": "vpc-id", "Values": [aws.vpc_id]}
    )


def _by_id(aws: EmulatedAws, eni_id: str) -> list[str]:
    """The addresses DescribeNetworkInterfaces gives for this id; [] if it answers NotFound."""
    try:
        described = aws.client("ec2").describe_network_interfaces(NetworkInterfaceIds=[eni_id])["NetworkInterfaces"]
    except ClientError as error:
        assert error.response["Error"]["Code"] == "InvalidNetworkInterfaceID.NotFound"
        return []
    return [eni["PrivateIpAddress"] for eni in described]


def _appears_after(aws: EmulatedAws, eni_ids: list[str], most: int = 10) -> list[int]:
    """For each interface, how many listings went by before one listed it."""
    seen: dict[str, int] = {}
    for listing in range(most):
        listed = set(_listed(aws, {"Name": "vpc-id", "Values": [aws.vpc_id]}).values())
        seen.update({i: listing for i in eni_ids if i in listed and i not in seen})
    return [seen.get(i, most) for i in eni_ids]


def test_without_a_lag_the_listing_is_current(aws: EmulatedAws) -> None:
    broker_id = aws.create_broker("orders")
    old = aws.broker_ips(broker_id)
    new = aws.change_broker_ips(broker_id)

    assert set(_by_description(aws)) == set(new)
    assert _by_address(aws, old[0]) == {}


def test_a_lagging_listing_hides_new_interfaces_and_keeps_deleted_ones_in_every_form(aws: EmulatedAws) -> None:
    broker_id = aws.create_broker("orders")
    old = aws.broker_ips(broker_id)
    old_ids = [eni["NetworkInterfaceId"] for eni in aws.broker_interfaces(broker_id)]

    with aws.ec2_lag():
        new = aws.change_broker_ips(broker_id)
        # EC2 hands the freed address to someone else; the listing still shows the broker's old interface on it.
        reused = aws.create_interface(old[0], description="Primary network interface")

        assert aws.broker_ips(broker_id) == new, "DescribeBroker is current"
        assert _by_description(aws) == dict(zip(old, old_ids))
        assert _by_address(aws, old[0]) == {old[0]: old_ids[0]}
        assert _by_address(aws, new[0]) == {}
        assert _by_id(aws, old_ids[1]) == [old[1]]
        assert _by_id(aws, reused) == []

    new_ids = [eni["NetworkInterfaceId"] for eni in aws.broker_interfaces(broker_id)]
    assert _by_description(aws) == dict(zip(new, new_ids))
    assert _by_address(aws, old[0]) == {old[0]: reused}


def test_the_deleted_broker_interfaces_stay_listed_while_deletebroker_is_already_seen(aws: EmulatedAws) -> None:
    broker_id = aws.create_broker("orders")
    ips = aws.broker_ips(broker_id)
    aws.lag_interfaces(hide_new=False)

    aws.delete_broker(broker_id)
    created = aws.create_broker("payments")

    assert set(_by_description(aws)) == {*ips, *aws.broker_ips(created)}
    aws.ec2_catch_up()
    assert set(_by_description(aws)) == set(aws.broker_ips(created))


def test_a_lag_of_some_listings_ends_after_them(aws: EmulatedAws) -> None:
    aws.lag_interfaces(listings=2)
    eni_id = aws.create_interface("10.0.1.50")

    assert _appears_after(aws, [eni_id]) == [2]


def test_a_lag_of_some_seconds_ends_then(aws: EmulatedAws) -> None:
    now = [100.0]
    aws.lag_interfaces(seconds=30, clock=lambda: now[0])
    eni_id = aws.create_interface("10.0.1.50")

    assert _by_id(aws, eni_id) == []
    now[0] += 29
    assert _by_id(aws, eni_id) == []
    now[0] += 1
    assert _by_id(aws, eni_id) == ["10.0.1.50"]


@pytest.mark.parametrize("seed", [1, 2])
def test_a_seeded_random_lag_draws_each_interfaces_listings_and_repeats_with_its_seed(
    aws: EmulatedAws, seed: int
) -> None:
    draws = []
    for first in (10, 20):
        aws.lag_interfaces(listings=(0, 3), seed=seed)
        eni_ids = [aws.create_interface(f"10.0.1.{first + n}") for n in range(6)]
        draws.append(_appears_after(aws, eni_ids))
        aws.ec2_catch_up()

    assert draws[0] == draws[1], "the same seed, the same lags"
    assert set(draws[0]) <= {0, 1, 2, 3} and len(set(draws[0])) > 1
