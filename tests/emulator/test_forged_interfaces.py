"""A broker's interfaces as Amazon MQ attaches them, a user's with any
description, and leftovers of a deleted broker."""

from typing import Any

import pytest
from botocore.exceptions import ClientError

from emulator import AddressInUse, EmulatedAws
from emulator.mq_brokers import INTERFACE_DESCRIPTION, SERVICE_ACCOUNT_ID


def _described_as_broker(aws: EmulatedAws, *filters: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Private IP -> interface, for what the reconciler's description filter lists in the VPC."""
    described = aws.client("ec2").describe_network_interfaces(
        Filters=[
            {"Name": "description", "Values": ["Amazon MQ network interface for broker *"]},
            {"Name": "vpc-id", "Values": [aws.vpc_id]},
            *filters,
        ]
    )["NetworkInterfaces"]
    return {eni["PrivateIpAddress"]: eni for eni in described}


def test_a_brokers_interfaces_are_attached_to_instances_of_another_account(aws: EmulatedAws) -> None:
    broker_id = aws.create_broker("orders")

    for eni in aws.broker_interfaces(broker_id):
        assert (eni["Status"], eni["RequesterManaged"], eni["OwnerId"]) == ("in-use", False, aws.vpc.account_id)
        assert eni["Attachment"]["Status"] == "attached"
        assert eni["Attachment"]["InstanceOwnerId"] == SERVICE_ACCOUNT_ID != aws.vpc.account_id
    owned_by_the_service = _described_as_broker(
        aws, {"Name": "attachment.instance-owner-id", "Values": [SERVICE_ACCOUNT_ID]}
    )
    assert set(owned_by_the_service) == set(aws.broker_ips(broker_id))
    assert _described_as_broker(aws, {"Name": "attachment.instance-owner-id", "Values": [aws.vpc.account_id]}) == {}


def test_anyone_can_describe_an_interface_as_a_brokers_but_it_is_not_attached(aws: EmulatedAws) -> None:
    broker_id = aws.create_broker("orders")
    forged_ip = aws.free_address_in_subnet_of(aws.broker_ips(broker_id)[0])

    aws.create_interface(forged_ip, description=INTERFACE_DESCRIPTION.format(broker_id=broker_id))

    forged = _described_as_broker(aws)[forged_ip]
    assert forged["Description"] == INTERFACE_DESCRIPTION.format(broker_id=broker_id)
    assert forged["Status"] == "available" and "Attachment" not in forged
    assert forged_ip not in aws.broker_ips(broker_id), "Amazon MQ does not report it"


def test_a_deleted_broker_takes_its_interfaces_along_by_default(aws: EmulatedAws) -> None:
    broker_id = aws.create_broker("orders")

    assert aws.delete_broker(broker_id) == []

    assert _described_as_broker(aws) == {}


def test_a_deleted_brokers_interfaces_may_stay_behind_detached_holding_their_addresses(aws: EmulatedAws) -> None:
    broker_id = aws.create_broker("orders")
    ips = aws.broker_ips(broker_id)

    left = aws.delete_broker(broker_id, leave_interfaces=True)

    with pytest.raises(ClientError) as raised:
        aws.client("mq").describe_broker(BrokerId=broker_id)
    assert raised.value.response["Error"]["Code"] == "NotFoundException"
    listed = _described_as_broker(aws)
    assert set(listed) == set(ips)
    assert {(eni["Status"], "Attachment" in eni) for eni in listed.values()} == {("available", False)}
    assert {eni["Description"] for eni in listed.values()} == {INTERFACE_DESCRIPTION.format(broker_id=broker_id)}
    with pytest.raises(AddressInUse):
        aws.create_interface(ips[0])

    for eni_id in left:  # the cleanup script
        aws.client("ec2").delete_network_interface(NetworkInterfaceId=eni_id)
    assert _described_as_broker(aws) == {}
    aws.create_interface(ips[0])
