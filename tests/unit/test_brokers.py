"""Reading DescribeBroker answers as evidence."""

from __future__ import annotations

from typing import Any

import pytest

from reconciler.brokers import Knowledge, Scope, broker_id_from_arn, finding_from_description

BROKER = "b-1a2b3c4d-1111-4222-8333-444455556666"
SCOPE = Scope(tag=("mq-static-endpoint", "prod"))


def described(state: str = "RUNNING", ips: tuple[str | None, ...] = ("10.0.1.5", "10.0.2.7"), **extra: Any) -> dict[str, Any]:
    return {
        "BrokerId": BROKER,
        "BrokerState": state,
        "DeploymentMode": "ACTIVE_STANDBY_MULTI_AZ",
        "EngineType": "ActiveMQ",
        "Tags": {"mq-static-endpoint": "prod"},
        "BrokerInstances": [{"IpAddress": ip} if ip else {} for ip in ips],
        **extra,
    }


def test_a_running_broker_with_every_ip_is_settled() -> None:
    finding = finding_from_description(described(), SCOPE)
    assert finding.knowledge is Knowledge.SETTLED and finding.ips == {"10.0.1.5", "10.0.2.7"}
    assert finding.instance_ips == ("10.0.1.5", "10.0.2.7")


@pytest.mark.parametrize("state", ["REBOOT_IN_PROGRESS", "CREATION_IN_PROGRESS", "SOME_FUTURE_STATE"])
def test_a_changing_broker_is_unresolved_but_keeps_what_it_reports(state: str) -> None:
    finding = finding_from_description(described(state, ("10.0.1.5",)), SCOPE)
    assert finding.knowledge is Knowledge.UNRESOLVED and finding.ips == {"10.0.1.5"} and state in finding.reason


def test_a_running_broker_missing_an_instance_ip_is_unresolved() -> None:
    assert finding_from_description(described(ips=("10.0.1.5", None)), SCOPE).knowledge is Knowledge.UNRESOLVED
    assert finding_from_description(described(ips=("10.0.1.5",)), SCOPE).knowledge is Knowledge.UNRESOLVED


@pytest.mark.parametrize("state", ["DELETION_IN_PROGRESS", "CREATION_FAILED"])
def test_a_dying_broker_is_gone(state: str) -> None:
    assert finding_from_description(described(state), SCOPE).knowledge is Knowledge.GONE


def test_a_broker_without_the_tag_or_id_is_out_of_scope() -> None:
    finding = finding_from_description(described(Tags={}), SCOPE)
    assert finding.knowledge is Knowledge.GONE and "not in scope" in finding.reason
    assert finding_from_description(described(Tags={}), Scope(broker_ids=frozenset({BROKER}))).knowledge is Knowledge.SETTLED


def test_a_rabbitmq_broker_is_never_registered() -> None:
    finding = finding_from_description(described(EngineType="RabbitMQ", ips=()), SCOPE)
    assert finding.knowledge is Knowledge.GONE and "RabbitMQ" in finding.reason


def test_broker_ids_come_from_broker_arns_only() -> None:
    assert broker_id_from_arn(f"arn:aws:mq:eu-west-1:123456789012:broker:orders:{BROKER}") == BROKER
    assert broker_id_from_arn("arn:aws:mq:eu-west-1:123456789012:configuration:c-1234") is None
    assert broker_id_from_arn("not an arn") is None
