"""Amazon MQ's answers as the run reads them: DescribeBroker's fields, scope, ARNs."""

from __future__ import annotations

from typing import Any

from reconciler.core.brokers import (
    BrokerDescription,
    Engine,
    Scope,
    broker_id_from_arn,
    broker_name_from_arn,
)
from reconciler.core.evidence import departure

BROKER = "b-aaaaaaaa-0000-4000-8000-000000000001"
SCOPE = Scope(tag=("mq-static-endpoint", "prod"))


def described(
    state: str = "RUNNING", ips: tuple[str | None, ...] = ("10.0.1.5", "10.0.2.7"), **extra: Any
) -> BrokerDescription:
    return BrokerDescription(
        BROKER,
        answer={
            "BrokerState": state,
            "DeploymentMode": "ACTIVE_STANDBY_MULTI_AZ",
            "EngineType": "ActiveMQ",
            "BrokerInstances": [{"IpAddress": ip} if ip else {} for ip in ips],
            "SubnetIds": ["subnet-a", "subnet-b"],
            "Tags": {"mq-static-endpoint": "prod"},
            **extra,
        },
    )


def test_instance_addresses_keep_their_order_and_a_missing_or_non_ipv4_one_is_none() -> None:
    assert described(ips=("10.0.1.5", None)).instance_ips == ("10.0.1.5", None)
    assert described(ips=("fe80::1", "10.0.2.7")).instance_ips == (None, "10.0.2.7")
    assert described().instance_count == 2 and described(DeploymentMode="SINGLE_INSTANCE").instance_count == 1


def test_an_answer_of_an_unexpected_shape_reads_as_empty_rather_than_raising() -> None:
    odd = BrokerDescription(BROKER, answer={"BrokerInstances": "nope", "SubnetIds": None, "EngineType": 7})
    assert (odd.instance_ips, odd.subnet_ids, odd.engine, odd.state) == ((), frozenset(), None, None)


def test_departure_says_why_a_broker_left_and_none_for_one_in_scope() -> None:
    assert departure(described(), SCOPE) is None
    assert departure(described(Tags={}), SCOPE) == "is not in scope"
    assert departure(described("CREATION_FAILED"), SCOPE) == "is CREATION_FAILED"
    assert (
        departure(BrokerDescription(BROKER, missing=True), SCOPE)
        == "does not exist (DescribeBroker: NotFoundException)"
    )


def test_engines_are_read_in_any_case() -> None:
    assert (
        Engine.of("rabbitmq") is Engine.RABBITMQ
        and Engine.of("ActiveMQ") is Engine.ACTIVEMQ
        and Engine.of("IBM MQ") is None
    )


def test_broker_ids_come_from_broker_arns_only() -> None:
    assert broker_id_from_arn(f"arn:aws:mq:eu-west-1:123456789012:broker:orders:{BROKER}") == BROKER
    assert broker_id_from_arn("arn:aws:mq:eu-west-1:123456789012:configuration:c-1234") is None
    assert broker_id_from_arn("not an arn") is None


def test_broker_names_come_from_broker_arns() -> None:
    assert broker_name_from_arn(f"arn:aws:mq:eu-west-1:123456789012:broker:orders:{BROKER}") == "orders"
    assert broker_name_from_arn("arn:aws:mq:eu-west-1:123456789012:configuration:c-1234") is None
