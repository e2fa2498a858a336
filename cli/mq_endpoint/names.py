"""How mq-endpoint names things: brokers by name and id, target groups by protocol and port, targets by address."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# template.yaml's listeners: each protocol has its own port.
PROTOCOLS = {61617: "OpenWire", 5671: "AMQP", 61614: "STOMP", 8883: "MQTT", 61619: "WSS", 8162: "console"}
# A RabbitMQ group's port says another protocol: AMQP 0-9-1 over TLS, and the management console.
RABBITMQ_PROTOCOLS = {5671: "RabbitMQ AMQPS", 443: "RabbitMQ console"}


def group_label(port: int | None, engine: str | None = None) -> str:
    """A target group as operators know it: its protocol and port, not its generated name."""
    protocols = RABBITMQ_PROTOCOLS if engine == "RABBITMQ" else PROTOCOLS
    return f"{protocols.get(port or 0, 'port')} {port}" if port else "target group"


def label_of(group: Mapping[str, Any]) -> str:
    """A group of the report by its label; a group of the standby set (docs/cutover.md) says so."""
    label = group_label(group.get("port"), group.get("engine"))
    return f"{label} (standby set)" if group.get("standby") else label


def ip_of(target: str) -> str:
    """`10.0.1.31:61617` -> `10.0.1.31`."""
    return target.rsplit(":", 1)[0]


@dataclass(frozen=True)
class Names:
    """Broker ids -> names, as the report's brokers carry them (the tagging API's ARNs hold the names)."""

    names: Mapping[str, str | None]

    @classmethod
    def of(cls, report: Mapping[str, Any]) -> Names:
        return cls({b["brokerId"]: b.get("name") for b in report.get("brokers", [])})

    def short(self, broker_id: str | None) -> str:
        """`orders`: the name where there is one (status shows the ids), else the id."""
        if broker_id is None:
            return "-"
        return self.names.get(broker_id) or broker_id


def brokers_by_address(report: Mapping[str, Any]) -> dict[str, str]:
    """ip -> the name (else the id) of the broker in scope that has it, in this report."""
    return {
        a["ip"]: b.get("name") or b["brokerId"]
        for b in report.get("brokers", [])
        if b.get("knowledge") != "gone"
        for a in b.get("addresses", [])
    }
