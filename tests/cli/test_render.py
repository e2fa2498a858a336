"""What mq-endpoint shows of a report: each group by protocol and port, with only the brokers of its engine."""

from __future__ import annotations

import io
from typing import Any

from rich.console import Console

from mq_endpoint.names import group_label
from mq_endpoint.render import status_tables


def broker(broker_id: str, name: str, engine: str, ip: str) -> dict[str, Any]:
    return {
        "brokerId": broker_id,
        "name": name,
        "knowledge": "settled",
        "engine": engine,
        "addresses": [{"ip": ip, "zone": "eu-west-1a", "interfaceId": "eni-1"}],
    }


def group(name: str, port: int, engine: str, ip: str) -> dict[str, Any]:
    return {
        "name": name,
        "port": port,
        "engine": engine,
        "registered": [],
        "deregistered": [],
        "withheld": [],
        "kept": [f"{ip}:{port}"],
        "targets": [{"target": f"{ip}:{port}", "state": "healthy", "reason": None, "brokerId": None}],
        "errors": [],
    }


def rendered(document: dict[str, Any]) -> list[str]:
    out = io.StringIO()
    console = Console(file=out, width=200)
    for table in status_tables(document):
        console.print(table)
    return out.getvalue().splitlines()


def test_a_group_lists_only_the_brokers_of_its_engine() -> None:
    document = {
        "brokers": [broker("b-1", "orders", "ACTIVEMQ", "10.0.1.10"), broker("b-2", "events", "RABBITMQ", "10.0.1.20")],
        "targetGroups": [
            group("gen-OpenWire", 61617, "ACTIVEMQ", "10.0.1.10"),
            group("gen-Amqps", 5671, "RABBITMQ", "10.0.1.20"),
        ],
    }
    lines = rendered(document)
    openwire = lines[: next(i for i, line in enumerate(lines) if line.startswith("RabbitMQ AMQPS 5671"))]
    rabbitmq = lines[len(openwire) :]
    assert any("orders" in line and "yes" in line for line in openwire) and not any(
        "events" in line for line in openwire
    )
    assert any("events" in line and "yes" in line for line in rabbitmq) and not any(
        "orders" in line for line in rabbitmq
    )


def test_a_group_leaves_out_the_brokers_of_the_other_target_group_set() -> None:
    """In a cutover the live and standby groups serve different brokers of one engine (docs/cutover.md)."""
    document = {
        "brokers": [
            broker("b-1", "orders", "ACTIVEMQ", "10.0.1.10"),
            broker("b-2", "orders-4", "ACTIVEMQ", "10.0.1.20"),
        ],
        "targetGroups": [group("live", 61617, "ACTIVEMQ", "10.0.1.10")],
    }
    lines = rendered(document)
    assert any("orders" in line and "yes" in line for line in lines) and not any("orders-4" in line for line in lines)


def test_groups_are_named_by_protocol_and_port_for_their_engine() -> None:
    assert group_label(5671) == "AMQP 5671"
    assert group_label(5671, "RABBITMQ") == "RabbitMQ AMQPS 5671"
    assert group_label(443, "RABBITMQ") == "RabbitMQ console 443"
    assert group_label(61617, "ACTIVEMQ") == "OpenWire 61617"


def test_a_broker_whose_engine_is_unknown_shows_in_every_group_as_unresolved() -> None:
    """Its DescribeBroker failed: the operator must see it wherever it might belong."""
    unread = {
        "brokerId": "b-3",
        "name": "audit",
        "knowledge": "unresolved",
        "engine": None,
        "addresses": [],
        "reason": "DescribeBroker failed: ThrottlingException",
    }
    document = {
        "brokers": [broker("b-1", "orders", "ACTIVEMQ", "10.0.1.10"), unread],
        "targetGroups": [
            group("gen-OpenWire", 61617, "ACTIVEMQ", "10.0.1.10"),
            group("gen-Amqps", 5671, "RABBITMQ", "10.0.1.20"),
        ],
    }
    rows = [line for line in rendered(document) if "audit" in line]
    assert len(rows) == 2 and all("unresolved: DescribeBroker failed" in row for row in rows)
