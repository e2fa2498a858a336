"""Reading DescribeBroker answers as evidence."""

from __future__ import annotations

from typing import Any

import pytest

from reconciler.brokers import (
    AddressSource,
    Described,
    Engine,
    Knowledge,
    Scope,
    broker_id_from_arn,
    broker_name_from_arn,
    finding_from_description,
)

BROKER = "b-1a2b3c4d-1111-4222-8333-444455556666"
SCOPE = Scope(tag=("mq-static-endpoint", "prod"))


WHY = "no Amazon MQ network interface found in vpc-0a1b2c3d"


def described(state: str = "RUNNING", ips: tuple[str | None, ...] = ("10.0.1.5", "10.0.2.7"), **extra: Any) -> Described:
    return Described(BROKER, answer={
        "BrokerId": BROKER,
        "BrokerName": "orders",
        "BrokerState": state,
        "DeploymentMode": "ACTIVE_STANDBY_MULTI_AZ",
        "EngineType": "ActiveMQ",
        "Tags": {"mq-static-endpoint": "prod"},
        "BrokerInstances": [{"IpAddress": ip} if ip else {} for ip in ips],
        **extra,
    })


def read(answer: Described, scope: Scope = SCOPE):  # type: ignore[no-untyped-def]
    return finding_from_description(answer, scope, WHY)


def test_a_running_broker_with_every_ip_is_settled_and_says_why_describe_broker_was_asked() -> None:
    finding = read(described())
    assert finding.knowledge is Knowledge.SETTLED and finding.ips == {"10.0.1.5", "10.0.2.7"}
    assert finding.source is AddressSource.DESCRIBE_BROKER and finding.name == "orders"
    assert finding.reason.startswith(WHY)


@pytest.mark.parametrize("state", ["REBOOT_IN_PROGRESS", "CREATION_IN_PROGRESS", "SOME_FUTURE_STATE"])
def test_a_changing_broker_is_unresolved_but_keeps_what_it_reports(state: str) -> None:
    finding = read(described(state, ("10.0.1.5",)))
    assert finding.knowledge is Knowledge.UNRESOLVED and finding.ips == {"10.0.1.5"} and state in finding.reason


def test_a_running_broker_missing_an_instance_ip_is_unresolved() -> None:
    assert read(described(ips=("10.0.1.5", None))).knowledge is Knowledge.UNRESOLVED
    assert read(described(ips=("10.0.1.5",))).knowledge is Knowledge.UNRESOLVED


@pytest.mark.parametrize("state", ["DELETION_IN_PROGRESS", "CREATION_FAILED"])
def test_a_dying_broker_is_gone(state: str) -> None:
    assert read(described(state)).knowledge is Knowledge.GONE


def test_a_broker_without_the_tag_or_id_is_out_of_scope() -> None:
    finding = read(described(Tags={}))
    assert finding.knowledge is Knowledge.GONE and "not in scope" in finding.reason
    assert read(described(Tags={}), Scope(broker_ids=frozenset({BROKER}))).knowledge is Knowledge.SETTLED


def test_a_deleted_broker_is_gone_and_one_that_could_not_be_read_is_unresolved() -> None:
    assert read(Described(BROKER, missing=True)).knowledge is Knowledge.GONE
    failed = read(Described(BROKER, failure="ThrottlingException: Rate exceeded"))
    assert failed.knowledge is Knowledge.UNRESOLVED and "ThrottlingException" in failed.reason


def test_a_rabbitmq_broker_gets_no_address_from_describe_broker_and_is_unresolved_until_ec2_shows_its_endpoint() -> None:
    finding = read(described(EngineType="RabbitMQ", ips=(), DeploymentMode="CLUSTER_MULTI_AZ"))
    assert finding.knowledge is Knowledge.UNRESOLVED and finding.engine is Engine.RABBITMQ and finding.ips == frozenset()
    assert "no VPC endpoint" in finding.reason


def test_a_publicly_accessible_rabbitmq_broker_can_never_be_served() -> None:
    finding = read(described(EngineType="RabbitMQ", ips=(), PubliclyAccessible=True))
    assert finding.knowledge is Knowledge.GONE and "publicly accessible" in finding.reason


def test_an_engine_we_do_not_know_is_not_served() -> None:
    finding = read(described(EngineType="Kafka"))
    assert finding.knowledge is Knowledge.GONE and "Kafka" in finding.reason


def test_engines_are_read_in_any_case() -> None:
    assert [Engine.of(v) for v in ("ActiveMQ", "ACTIVEMQ", "RabbitMQ", "rabbitmq", None)] == [
        Engine.ACTIVEMQ, Engine.ACTIVEMQ, Engine.RABBITMQ, Engine.RABBITMQ, None]
    assert read(described()).engine is Engine.ACTIVEMQ


def test_broker_ids_come_from_broker_arns_only() -> None:
    assert broker_id_from_arn(f"arn:aws:mq:eu-west-1:123456789012:broker:orders:{BROKER}") == BROKER
    assert broker_id_from_arn("arn:aws:mq:eu-west-1:123456789012:configuration:c-1234") is None
    assert broker_id_from_arn("not an arn") is None


def test_broker_names_come_from_broker_arns() -> None:
    assert broker_name_from_arn(f"arn:aws:mq:eu-west-1:123456789012:broker:orders:{BROKER}") == "orders"
    assert broker_name_from_arn("arn:aws:mq:eu-west-1:123456789012:configuration:c-1234") is None
