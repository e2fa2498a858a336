"""Other VPCs of the account on the same ranges: addresses are unique within a VPC only."""

from typing import Any

import pytest

from emulator import AddressInUse, EmulatedAws
from emulator.mq_brokers import INTERFACE_DESCRIPTION


def _by_address(aws: EmulatedAws, ip: str, *filters: dict[str, Any]) -> list[tuple[str, str]]:
    """(VpcId, Description) of every interface DescribeNetworkInterfaces lists on this address."""
    described = aws.client("ec2").describe_network_interfaces(
        Filters=[{"Name": "addresses.private-ip-address", "Values": [ip]}, *filters]
    )["NetworkInterfaces"]
    return sorted((eni["VpcId"], eni["Description"]) for eni in described)


def _subnet_ranges(aws: EmulatedAws, vpc_id: str) -> list[str]:
    subnets = aws.client("ec2").describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]
    return sorted(s["CidrBlock"] for s in subnets)


def test_another_vpc_has_the_same_ranges_and_ids_of_its_own(aws: EmulatedAws) -> None:
    other = aws.create_other_vpc()

    (described,) = aws.client("ec2").describe_vpcs(VpcIds=[other.id])["Vpcs"]
    (main,) = aws.client("ec2").describe_vpcs(VpcIds=[aws.vpc_id])["Vpcs"]
    assert described["CidrBlock"] == main["CidrBlock"]
    assert _subnet_ranges(aws, other.id) == _subnet_ranges(aws, aws.vpc_id)
    assert not {s.id for s in other.private_subnets} & set(aws.private_subnets)


def test_a_broker_in_another_vpc_holds_its_interfaces_there_on_addresses_the_main_vpc_uses(aws: EmulatedAws) -> None:
    here = aws.create_broker("orders")
    other = aws.create_other_vpc()
    there = aws.create_broker("orders-elsewhere", subnet_ids=[s.id for s in other.private_subnets])
    shared = aws.change_broker_ips(there, aws.broker_ips(here))

    assert {eni["VpcId"] for eni in aws.broker_interfaces(there)} == {other.id}
    assert _by_address(aws, shared[0]) == sorted(
        [
            (aws.vpc_id, INTERFACE_DESCRIPTION.format(broker_id=here)),
            (other.id, INTERFACE_DESCRIPTION.format(broker_id=there)),
        ]
    ), "a lookup by address alone spans the account's VPCs"
    assert _by_address(aws, shared[0], {"Name": "vpc-id", "Values": [aws.vpc_id]}) == [
        (aws.vpc_id, INTERFACE_DESCRIPTION.format(broker_id=here))
    ]


def test_anyone_can_hold_in_another_vpc_an_address_the_main_vpc_uses_but_not_twice_in_one_vpc(aws: EmulatedAws) -> None:
    here = aws.create_broker("orders")
    (active, _) = aws.broker_ips(here)
    other = aws.create_other_vpc()

    eni_id = aws.create_interface(
        active, subnet_id=other.private_subnets[0].id, description="Primary network interface"
    )

    (described,) = aws.client("ec2").describe_network_interfaces(NetworkInterfaceIds=[eni_id])["NetworkInterfaces"]
    assert (described["VpcId"], described["PrivateIpAddress"]) == (other.id, active)
    with pytest.raises(AddressInUse):
        aws.create_interface(active, subnet_id=other.private_subnets[0].id)
    with pytest.raises(AddressInUse):
        aws.create_interface(active)


def test_a_target_on_an_address_only_another_vpcs_broker_has_fails_its_health_check(aws: EmulatedAws) -> None:
    other = aws.create_other_vpc()
    there = aws.create_broker("elsewhere", deployment_mode="SINGLE_INSTANCE", subnet_ids=[other.private_subnets[0].id])
    here = aws.create_broker("orders", deployment_mode="SINGLE_INSTANCE")
    arn = aws.create_target_groups({"openwire": 61617})["openwire"]
    targets = [*aws.broker_ips(there), *aws.broker_ips(here)]
    aws.client("elbv2").register_targets(TargetGroupArn=arn, Targets=[{"Id": ip, "Port": 61617} for ip in targets])

    assert aws.target_states(arn) == {aws.broker_ips(there)[0]: "unhealthy", aws.broker_ips(here)[0]: "healthy"}
