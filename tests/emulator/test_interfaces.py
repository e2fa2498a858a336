"""Broker addresses as EC2 shows them: one network interface per instance, addresses that move and come back, pages."""

from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from emulator import AddressInUse, EmulatedAws
from emulator.mq_brokers import INTERFACE_DESCRIPTION


def _mq_filters(aws: EmulatedAws) -> list[dict[str, Any]]:
    """What the reconciler asks EC2 for."""
    return [
        {"Name": "description", "Values": ["Amazon MQ network interface for broker *"]},
        {"Name": "vpc-id", "Values": [aws.vpc_id]},
    ]


def _pages(aws: EmulatedAws, page_size: int = 1000) -> list[list[dict[str, Any]]]:
    paginator = aws.client("ec2").get_paginator("describe_network_interfaces")
    pages = paginator.paginate(Filters=_mq_filters(aws), PaginationConfig={"PageSize": page_size})
    return [page["NetworkInterfaces"] for page in pages]


def _broker_addresses(aws: EmulatedAws) -> dict[str, str]:
    """Private IP -> description of every broker interface DescribeNetworkInterfaces lists in the VPC."""
    return {eni["PrivateIpAddress"]: eni["Description"] for page in _pages(aws) for eni in page}


def _held_by(broker_id: str) -> str:
    return f"Amazon MQ network interface for broker {broker_id}"


def _error(raised: pytest.ExceptionInfo[ClientError]) -> tuple[str, int]:
    return raised.value.response["Error"]["Code"], raised.value.response["ResponseMetadata"]["HTTPStatusCode"]


# --- one interface per broker instance --------------------------------------------------


def test_each_instance_holds_an_interface_in_its_subnet_described_as_amazon_mq_describes_it(aws: EmulatedAws) -> None:
    broker_id = aws.create_broker("orders")
    single_id = aws.create_broker("audit", deployment_mode="SINGLE_INSTANCE")
    (single,) = aws.broker_ips(single_id)

    enis = aws.broker_interfaces(broker_id)

    assert [e["PrivateIpAddress"] for e in enis] == aws.broker_ips(broker_id), (
        "active first, as DescribeBroker lists them"
    )
    assert [e["SubnetId"] for e in enis] == aws.private_subnets
    assert [e["AvailabilityZone"] for e in enis] == [s.az for s in aws.vpc.private_subnets]
    assert {e["Description"] for e in enis} == {_held_by(broker_id)}
    assert {(e["VpcId"], e["Status"], e["InterfaceType"]) for e in enis} == {(aws.vpc_id, "in-use", "interface")}
    assert [a["PrivateIpAddress"] for e in enis for a in e["PrivateIpAddresses"]] == aws.broker_ips(broker_id)
    assert _broker_addresses(aws) == {
        **{ip: _held_by(broker_id) for ip in aws.broker_ips(broker_id)},
        single: _held_by(single_id),
    }


def test_the_filters_leave_out_other_interfaces_and_other_vpcs(aws: EmulatedAws) -> None:
    broker_id = aws.create_broker("orders")
    aws.create_interface("10.0.1.200", description="Primary network interface")
    ec2 = aws.client("ec2")
    other_vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    other_subnet = ec2.create_subnet(VpcId=other_vpc, CidrBlock="10.1.1.0/24")["Subnet"]["SubnetId"]
    ec2.create_network_interface(
        SubnetId=other_subnet, PrivateIpAddress="10.1.1.10", Description=_held_by("b-elsewhere")
    )

    assert _broker_addresses(aws) == {ip: _held_by(broker_id) for ip in aws.broker_ips(broker_id)}


def test_a_rebooting_broker_keeps_its_interfaces_while_describe_broker_shows_no_ip(aws: EmulatedAws) -> None:
    broker_id = aws.create_broker("orders")
    before = aws.broker_interfaces(broker_id)

    aws.set_broker_state(broker_id, "REBOOT_IN_PROGRESS", ips=[])

    assert aws.client("mq").describe_broker(BrokerId=broker_id)["BrokerInstances"] == []
    assert aws.broker_interfaces(broker_id) == before
    aws.set_broker_state(broker_id, "RUNNING")
    assert aws.broker_interfaces(broker_id) == before


def test_a_move_deletes_the_old_interfaces_and_new_ones_hold_the_new_ips(aws: EmulatedAws) -> None:
    broker_id = aws.create_broker("orders")
    old_ids = [e["NetworkInterfaceId"] for e in aws.broker_interfaces(broker_id)]

    new_ips = aws.change_broker_ips(broker_id)

    assert [e["PrivateIpAddress"] for e in aws.broker_interfaces(broker_id)] == new_ips
    assert _broker_addresses(aws) == {ip: _held_by(broker_id) for ip in new_ips}
    with pytest.raises(ClientError) as raised:
        aws.client("ec2").describe_network_interfaces(NetworkInterfaceIds=old_ids[:1])
    assert _error(raised)[0] == "InvalidNetworkInterfaceID.NotFound"


def test_new_ips_in_a_state_change_move_only_the_instances_that_moved(aws: EmulatedAws) -> None:
    broker_id = aws.create_broker("orders")
    active, standby = aws.broker_interfaces(broker_id)
    elsewhere = aws.free_address_in_subnet_of(active["PrivateIpAddress"])

    aws.set_broker_state(broker_id, "RUNNING", ips=[elsewhere, standby["PrivateIpAddress"]])

    moved, kept = aws.broker_interfaces(broker_id)
    assert (moved["PrivateIpAddress"], moved["SubnetId"]) == (elsewhere, active["SubnetId"])
    assert kept == standby


def test_a_deleted_broker_leaves_no_interface_but_one_being_deleted_still_holds_its_own(aws: EmulatedAws) -> None:
    deleting, deleted = aws.create_broker("orders"), aws.create_broker("billing")
    held = aws.broker_ips(deleting)

    aws.set_broker_state(deleting, "DELETION_IN_PROGRESS", ips=[])
    aws.client("mq").delete_broker(BrokerId=deleted)

    assert _broker_addresses(aws) == {ip: _held_by(deleting) for ip in held}
    aws.delete_broker(deleting)
    assert _broker_addresses(aws) == {}


# --- interfaces that are not as expected ------------------------------------------------------


def test_a_broker_without_interfaces_shows_its_ips_only_in_describe_broker(aws: EmulatedAws) -> None:
    broker_id = aws.create_broker("orders", interface_description=None)

    described = aws.client("mq").describe_broker(BrokerId=broker_id)

    assert [i["IpAddress"] for i in described["BrokerInstances"]] == aws.broker_ips(broker_id) != []
    assert aws.broker_interfaces(broker_id) == []
    assert _broker_addresses(aws) == {}


def test_interfaces_can_be_described_otherwise_created_late_or_removed(aws: EmulatedAws) -> None:
    renamed = aws.create_broker("orders", interface_description="Amazon MQ ENI of {broker_id}")
    late = aws.create_broker("billing", interface_description=None)
    removed = aws.create_broker("audit")

    assert {e["Description"] for e in aws.broker_interfaces(renamed)} == {f"Amazon MQ ENI of {renamed}"}
    assert set(_broker_addresses(aws).values()) == {_held_by(removed)}

    aws.describe_interfaces_as(renamed, INTERFACE_DESCRIPTION)
    aws.describe_interfaces_as(late, INTERFACE_DESCRIPTION)
    aws.describe_interfaces_as(removed, None)

    assert _broker_addresses(aws) == {ip: _held_by(b) for b in (renamed, late) for ip in aws.broker_ips(b)}
    assert aws.broker_interfaces(removed) == []
    assert len(aws.broker_ips(removed)) == 2, "DescribeBroker still shows its IPs"


# --- addresses handed out again ---------------------------------------------------------------


def _register(aws: EmulatedAws, arn: str, ips: list[str]) -> None:
    aws.client("elbv2").register_targets(TargetGroupArn=arn, Targets=[{"Id": ip} for ip in ips])


def test_an_address_one_broker_freed_can_go_to_another_whose_active_then_answers_there(aws: EmulatedAws) -> None:
    orders, payments = aws.create_broker("orders"), aws.create_broker("payments")
    freed = aws.broker_ips(orders)[0]
    payments_active, payments_standby = aws.broker_ips(payments)
    arn = aws.create_target_groups({"openwire": 61617})["openwire"]
    _register(aws, arn, [freed, payments_active, payments_standby])

    aws.change_broker_ips(orders)
    aws.change_broker_ips(payments, ips=[freed, payments_standby])

    assert _broker_addresses(aws)[freed] == _held_by(payments)
    assert aws.client("mq").describe_broker(BrokerId=payments)["BrokerInstances"][0]["IpAddress"] == freed
    assert aws.target_states(arn) == {freed: "healthy", payments_active: "unhealthy", payments_standby: "unhealthy"}


def test_an_address_in_use_cannot_be_taken_and_nothing_moves(aws: EmulatedAws) -> None:
    orders, payments = aws.create_broker("orders"), aws.create_broker("payments")
    instance = aws.create_interface("10.0.1.200")
    before = aws.broker_interfaces(payments)

    with pytest.raises(AddressInUse, match=orders):
        aws.change_broker_ips(payments, ips=[aws.broker_ips(orders)[0], aws.broker_ips(payments)[1]])
    with pytest.raises(AddressInUse, match=instance):
        aws.set_broker_state(payments, "RUNNING", ips=["10.0.1.200", aws.broker_ips(payments)[1]])
    with pytest.raises(AddressInUse):
        aws.create_interface(aws.broker_ips(orders)[1])

    assert aws.broker_interfaces(payments) == before
    assert [e["PrivateIpAddress"] for e in before] == aws.broker_ips(payments)


def test_ec2_refuses_a_second_interface_on_an_address_in_use(aws: EmulatedAws) -> None:
    active = aws.broker_ips(aws.create_broker("orders"))[0]

    with pytest.raises(ClientError) as raised:
        aws.client("ec2").create_network_interface(SubnetId=aws.private_subnets[0], PrivateIpAddress=active)

    assert _error(raised) == ("InvalidIPAddress.InUse", 400)


def test_new_addresses_avoid_every_address_an_interface_holds(aws: EmulatedAws) -> None:
    ec2 = aws.client("ec2")
    small = ec2.create_subnet(VpcId=aws.vpc_id, CidrBlock="10.0.50.0/28", AvailabilityZone=f"{aws.region}a")["Subnet"][
        "SubnetId"
    ]
    usable = [f"10.0.50.{n}" for n in range(4, 15)]  # AWS reserves the first four and the last
    for ip in usable[1:]:
        ec2.create_network_interface(SubnetId=small, PrivateIpAddress=ip)

    (ip,) = aws.broker_ips(aws.create_broker("audit", deployment_mode="SINGLE_INSTANCE", subnet_ids=[small]))

    assert ip == usable[0]


def test_a_free_address_is_in_the_same_subnet_and_held_by_nothing(aws: EmulatedAws) -> None:
    active, standby = aws.broker_ips(aws.create_broker("orders"))

    free = aws.free_address_in_subnet_of(standby)

    assert free.rsplit(".", 1)[0] == standby.rsplit(".", 1)[0] and free not in (active, standby)
    assert aws.create_interface(free).startswith("eni-")


def test_a_move_onto_addresses_outside_the_brokers_subnets_is_refused(aws: EmulatedAws) -> None:
    broker_id = aws.create_broker("audit", deployment_mode="SINGLE_INSTANCE")

    with pytest.raises(ValueError, match="none of the subnets"):
        aws.change_broker_ips(broker_id, ips=["10.0.101.20"])  # a public subnet, not the broker's
    with pytest.raises(ValueError, match="1 instance"):
        aws.change_broker_ips(broker_id, ips=["10.0.1.20", "10.0.2.20"])


# --- DescribeNetworkInterfaces pages -------------------------------------------------------------


def test_pages_of_five_list_twelve_interfaces_once_each(aws: EmulatedAws) -> None:
    brokers = [aws.create_broker(f"b{n}") for n in range(6)]

    pages = _pages(aws, page_size=5)

    listed = [eni["PrivateIpAddress"] for page in pages for eni in page]
    assert [len(page) for page in pages] == [5, 5, 2]
    assert sorted(listed) == sorted(ip for b in brokers for ip in aws.broker_ips(b))


def test_the_token_goes_on_where_the_last_page_ended_even_if_an_interface_went_meanwhile(aws: EmulatedAws) -> None:
    brokers = [aws.create_broker(f"b{n}") for n in range(3)]
    ec2 = aws.client("ec2")

    first = ec2.describe_network_interfaces(Filters=_mq_filters(aws), MaxResults=5)
    aws.delete_broker(brokers[0])
    second = ec2.describe_network_interfaces(Filters=_mq_filters(aws), MaxResults=5, NextToken=first["NextToken"])

    remaining = {ip for b in brokers[1:] for ip in aws.broker_ips(b)}
    listed = [e["PrivateIpAddress"] for page in (first, second) for e in page["NetworkInterfaces"]]
    assert len(listed) == len(set(listed)) and remaining <= set(listed)
    assert "NextToken" not in second


def test_without_max_results_every_interface_comes_in_one_answer(aws: EmulatedAws) -> None:
    for n in range(6):
        aws.create_broker(f"b{n}")

    answer = aws.client("ec2").describe_network_interfaces(Filters=_mq_filters(aws))

    assert len(answer["NetworkInterfaces"]) == 12 and "NextToken" not in answer


def test_max_results_out_of_range_or_with_ids_is_refused_as_aws_refuses_it(aws: EmulatedAws) -> None:
    broker_id = aws.create_broker("orders")
    ids = [e["NetworkInterfaceId"] for e in aws.broker_interfaces(broker_id)]
    ec2 = aws.client("ec2")
    # botocore checks the minimum itself; a client that does not shows what EC2 answers.
    unchecked = boto3.session.Session().client("ec2", region_name=aws.region, config=Config(parameter_validation=False))

    calls = {
        "InvalidParameterValue": [
            lambda: ec2.describe_network_interfaces(MaxResults=1001),
            lambda: unchecked.describe_network_interfaces(MaxResults=4),
        ],
        "InvalidParameterCombination": [lambda: ec2.describe_network_interfaces(NetworkInterfaceIds=ids, MaxResults=5)],
        "InvalidPaginationToken": [lambda: ec2.describe_network_interfaces(MaxResults=5, NextToken="not-a-token")],
    }
    for code, attempts in calls.items():
        for attempt in attempts:
            with pytest.raises(ClientError) as raised:
                attempt()
            assert _error(raised) == (code, 400)
