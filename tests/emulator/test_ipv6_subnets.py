"""IPv6-only and dual-stack subnets in the VPC, as DescribeSubnets returns them."""

import ipaddress
from typing import Any

from emulator import EmulatedAws


def _subnets(aws: EmulatedAws) -> dict[str, dict[str, Any]]:
    described = aws.client("ec2").describe_subnets(Filters=[{"Name": "vpc-id", "Values": [aws.vpc_id]}])["Subnets"]
    return {s["SubnetId"]: s for s in described}


def _vpc_ipv6_block(aws: EmulatedAws) -> ipaddress.IPv6Network:
    (vpc,) = aws.client("ec2").describe_vpcs(VpcIds=[aws.vpc_id])["Vpcs"]
    (association,) = vpc["Ipv6CidrBlockAssociationSet"]
    return ipaddress.IPv6Network(association["Ipv6CidrBlock"])


def test_an_ipv6_only_subnet_has_no_cidrblock_and_one_associated_ipv6_range_of_the_vpc(aws: EmulatedAws) -> None:
    subnet_id = aws.add_ipv6_subnet()

    subnet = _subnets(aws)[subnet_id]
    assert "CidrBlock" not in subnet
    assert subnet["Ipv6Native"] is True
    (association,) = subnet["Ipv6CidrBlockAssociationSet"]
    assert association["Ipv6CidrBlockState"] == {"State": "associated"}
    assert ipaddress.IPv6Network(association["Ipv6CidrBlock"]).subnet_of(_vpc_ipv6_block(aws))
    assert all("CidrBlock" in s for i, s in _subnets(aws).items() if i != subnet_id), "the other subnets are unchanged"


def test_a_dual_stack_subnet_has_both_ranges(aws: EmulatedAws) -> None:
    ipv6_only = aws.add_ipv6_subnet()
    subnet_id = aws.add_ipv6_subnet(dual_stack=True)

    subnet = _subnets(aws)[subnet_id]
    assert ipaddress.IPv4Network(subnet["CidrBlock"]).subnet_of(ipaddress.IPv4Network("10.0.0.0/16"))
    assert subnet["Ipv6Native"] is False
    (association,) = subnet["Ipv6CidrBlockAssociationSet"]
    (other,) = _subnets(aws)[ipv6_only]["Ipv6CidrBlockAssociationSet"]
    assert association["Ipv6CidrBlock"] != other["Ipv6CidrBlock"]


def test_brokers_interfaces_and_targets_work_beside_an_ipv6_only_subnet(aws: EmulatedAws) -> None:
    aws.add_ipv6_subnet()
    broker_id = aws.create_broker("orders", deployment_mode="SINGLE_INSTANCE")
    aws.create_interface("10.0.2.77", description="Primary network interface")
    arn = aws.create_target_groups({"openwire": 61617})["openwire"]

    aws.client("elbv2").register_targets(
        TargetGroupArn=arn, Targets=[{"Id": ip, "Port": 61617} for ip in aws.broker_ips(broker_id)]
    )

    assert aws.target_states(arn) == {aws.broker_ips(broker_id)[0]: "healthy"}
