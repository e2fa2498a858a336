"""Amazon MQ as AWS shows it: realistic ids, IPs from the broker's subnets, states that change."""

import ipaddress
import re

import pytest
from botocore.exceptions import ClientError

from emulator import EmulatedAws

BROKER_ID = re.compile(r"^b-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def _in(ip: str, cidr: str) -> bool:
    return ipaddress.ip_address(ip) in ipaddress.ip_network(cidr)


def test_active_standby_broker_has_a_real_id_and_one_ip_per_private_subnet(aws: EmulatedAws) -> None:
    broker_id = aws.create_broker("orders", tags={"team": "payments"})

    described = aws.client("mq").describe_broker(BrokerId=broker_id)

    assert BROKER_ID.match(broker_id)
    assert described["BrokerArn"].endswith(f":broker:orders:{broker_id}")
    assert described["BrokerState"] == "RUNNING"
    assert described["Tags"] == {"team": "payments"}
    ips = [i["IpAddress"] for i in described["BrokerInstances"]]
    assert ips == aws.broker_ips(broker_id)
    assert [_in(ip, s.cidr) for ip, s in zip(ips, aws.vpc.private_subnets)] == [True, True]


def test_single_instance_broker_has_one_ip(aws: EmulatedAws) -> None:
    broker_id = aws.create_broker("audit", deployment_mode="SINGLE_INSTANCE")

    assert len(aws.broker_ips(broker_id)) == 1
    assert _in(aws.broker_ips(broker_id)[0], aws.vpc.private_subnets[0].cidr)


def test_brokers_never_share_an_ip(aws: EmulatedAws) -> None:
    ips = [ip for n in range(6) for ip in aws.broker_ips(aws.create_broker(f"b{n}"))]

    assert len(ips) == len(set(ips)) == 12


def test_changed_ips_are_new_and_in_the_same_subnets(aws: EmulatedAws) -> None:
    broker_id = aws.create_broker("orders")
    other_ips = aws.broker_ips(aws.create_broker("billing"))
    old_ips = aws.broker_ips(broker_id)

    new_ips = aws.change_broker_ips(broker_id)

    described = aws.client("mq").describe_broker(BrokerId=broker_id)
    assert [i["IpAddress"] for i in described["BrokerInstances"]] == new_ips
    assert not set(new_ips) & (set(old_ips) | set(other_ips))
    assert [_in(ip, s.cidr) for ip, s in zip(new_ips, aws.vpc.private_subnets)] == [True, True]


def test_a_rebooting_broker_reports_no_ips_then_comes_back_with_its_own(aws: EmulatedAws) -> None:
    broker_id = aws.create_broker("orders")
    ips = aws.broker_ips(broker_id)
    mq = aws.client("mq")

    aws.set_broker_state(broker_id, "REBOOT_IN_PROGRESS", ips=[])
    rebooting = mq.describe_broker(BrokerId=broker_id)
    aws.set_broker_state(broker_id, "RUNNING")
    running = mq.describe_broker(BrokerId=broker_id)

    assert (rebooting["BrokerState"], rebooting["BrokerInstances"]) == ("REBOOT_IN_PROGRESS", [])
    assert running["BrokerState"] == "RUNNING"
    assert [i["IpAddress"] for i in running["BrokerInstances"]] == ips


def test_a_transitional_state_can_keep_reporting_ips(aws: EmulatedAws) -> None:
    broker_id = aws.create_broker("orders")

    aws.set_broker_state(broker_id, "CRITICAL_ACTION_REQUIRED")

    summary = aws.client("mq").list_brokers()["BrokerSummaries"][0]
    assert summary["BrokerState"] == "CRITICAL_ACTION_REQUIRED"
    assert len(aws.broker_ips(broker_id)) == 2


def test_deleted_broker_is_not_found_with_404(aws: EmulatedAws) -> None:
    broker_id = aws.create_broker("orders")

    aws.delete_broker(broker_id)

    with pytest.raises(ClientError) as raised:
        aws.client("mq").describe_broker(BrokerId=broker_id)
    assert raised.value.response["Error"]["Code"] == "NotFoundException"
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
