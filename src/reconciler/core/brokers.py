"""Amazon MQ brokers as a run knows them: ids, scope, addresses, and what DescribeBroker said."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any, TypeGuard
from urllib.parse import urlsplit

BROKER_ID_PATTERN = re.compile(r"^b-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

# States in which the instances reported are the broker's instances, for good.
SETTLED_STATES = frozenset({"RUNNING", "CRITICAL_ACTION_REQUIRED", "REPLICA"})
INSTANCES_PER_MODE = {"SINGLE_INSTANCE": 1, "ACTIVE_STANDBY_MULTI_AZ": 2}


class Engine(str, Enum):
    """A broker's engine: it decides where its addresses come from and which target groups serve it."""

    ACTIVEMQ = "ACTIVEMQ"  # one network interface per instance, in the customer's subnets
    RABBITMQ = "RABBITMQ"  # behind an AWS-run load balancer, reached through one VPC endpoint

    @classmethod
    def of(cls, value: object) -> Engine | None:
        """DescribeBroker's EngineType (`ActiveMQ`, `RabbitMQ`, in any case) as an Engine; None if unknown."""
        return next((engine for engine in cls if str(value).upper() == engine.value), None)


class Knowledge(str, Enum):
    """How far a run may trust what it learned about a broker."""

    SETTLED = "settled"  # in scope, and its addresses are exactly those found
    UNRESOLVED = "unresolved"  # its scope or its addresses could not be established in this run
    GONE = "gone"  # confirmed deleted, dying, out of scope or not servable: it owns nothing here
    # In scope, but its subnets are in another VPC: never served here, and it blocks nothing.
    OUTSIDE = "outsideVpc"


class AddressSource(str, Enum):
    """Where a broker's addresses came from in this run."""

    # Amazon MQ's instance addresses, each held by an interface of EC2's in the broker's subnets of the VPC.
    INTERFACES = "interfaces"
    # The same agreement, the interface found by address: its description is not Amazon MQ's usual one.
    DESCRIBE_BROKER = "DescribeBroker"
    # A RabbitMQ broker: the interfaces of its VPC endpoint, tied to it by its hostname and its subnets.
    VPC_ENDPOINT = "vpcEndpoint"


@dataclass(frozen=True, order=True)
class Address:
    """One private address of a broker instance, and where it lives."""

    ip: str
    zone: str | None = None
    interface_id: str | None = None


@dataclass(frozen=True, order=True)
class RefusedAddress:
    """An address the broker's hostname resolved to that EC2 does not show as its VPC endpoint's: never registered."""

    ip: str
    reason: str


@dataclass(frozen=True)
class BrokerFinding:
    broker_id: str
    knowledge: Knowledge
    # Confirmed: Amazon MQ's word and EC2's agree (docs/safety.md, "Registering"). Only these are registered.
    addresses: tuple[Address, ...] = ()
    source: AddressSource | None = None
    name: str | None = None
    state: str | None = None
    # Why the addresses come from where they do, or why the broker is unresolved, gone or outside.
    reason: str = ""
    # None when this run could not tell (an unreadable broker).
    engine: Engine | None = None
    # Addresses offered as the broker's that the evidence refused: a forged interface, a wrong DNS answer.
    refused: tuple[RefusedAddress, ...] = ()
    # Addresses the broker may have, unconfirmed (Amazon MQ's word without EC2's, or EC2's without Amazon
    # MQ's): never registered, never removed.
    claimed: frozenset[str] = frozenset()
    # The VPC it is in, when that is not the endpoint's (Knowledge.OUTSIDE) and could be read.
    vpc_id: str | None = None

    @property
    def ips(self) -> frozenset[str]:
        return frozenset(address.ip for address in self.addresses)

    @property
    def served(self) -> bool:
        """Whether the endpoint serves it in this run: in scope, in the VPC, not gone."""
        return self.knowledge in (Knowledge.SETTLED, Knowledge.UNRESOLVED)


@dataclass(frozen=True)
class Scope:
    """Which brokers the endpoint serves: listed ids and/or a tag."""

    broker_ids: frozenset[str] = frozenset()
    tag: tuple[str, str] | None = None

    def admits(self, broker_id: str, tags: Mapping[str, str]) -> bool:
        if broker_id in self.broker_ids:
            return True
        return self.tag is not None and tags.get(self.tag[0]) == self.tag[1]


@dataclass(frozen=True)
class BrokerDescription:
    """What one DescribeBroker call said about a broker, or why it said nothing."""

    broker_id: str
    answer: Mapping[str, Any] | None = None
    # NotFoundException (HTTP 404): the broker does not exist (docs/sources.md, Amazon MQ).
    missing: bool = False
    problem: str = ""

    @property
    def name(self) -> str | None:
        return _text((self.answer or {}).get("BrokerName"))

    @property
    def state(self) -> str | None:
        return _text((self.answer or {}).get("BrokerState"))

    @property
    def engine(self) -> Engine | None:
        return Engine.of((self.answer or {}).get("EngineType"))

    @property
    def subnet_ids(self) -> frozenset[str]:
        subnets = (self.answer or {}).get("SubnetIds")
        return frozenset(s for s in subnets if isinstance(s, str)) if isinstance(subnets, list) else frozenset()

    @property
    def instance_ips(self) -> tuple[str | None, ...]:
        """Each instance's IPv4 address, None where it has none (yet), in Amazon MQ's order."""
        instances = (self.answer or {}).get("BrokerInstances")
        if not isinstance(instances, list):
            return ()
        return tuple(
            ip if _is_ipv4(ip := i.get("IpAddress") if isinstance(i, Mapping) else None) else None for i in instances
        )

    @property
    def instance_count(self) -> int:
        """How many instances the broker has: its deployment mode's number, or as many as it lists."""
        mode = (self.answer or {}).get("DeploymentMode")
        return INSTANCES_PER_MODE.get(mode, len(self.instance_ips)) if isinstance(mode, str) else len(self.instance_ips)

    @property
    def settled(self) -> bool:
        return self.state in SETTLED_STATES

    @property
    def hostname(self) -> str | None:
        """The host of the first endpoint URL DescribeBroker gives (`amqps://b-<id>.mq.<region>.amazonaws.com:5671`)."""
        for instance in (self.answer or {}).get("BrokerInstances") or []:
            for url in (instance.get("Endpoints") or []) if isinstance(instance, Mapping) else []:
                host = urlsplit(str(url)).hostname
                if host:
                    return host
        return None

    @property
    def publicly_accessible(self) -> bool:
        return (self.answer or {}).get("PubliclyAccessible") is True


def is_broker_id(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and BROKER_ID_PATTERN.fullmatch(value) is not None


def broker_id_from_arn(arn: str) -> str | None:
    """`arn:aws:mq:<region>:<account>:broker:<name>:<id>` -> `<id>`."""
    parts = arn.split(":")
    if len(parts) >= 8 and parts[2] == "mq" and parts[5] == "broker" and is_broker_id(parts[-1]):
        return parts[-1]
    return None


def broker_name_from_arn(arn: str) -> str | None:
    """`arn:aws:mq:<region>:<account>:broker:<name>:<id>` -> `<name>` (broker names contain no colon)."""
    parts = arn.split(":")
    return parts[6] if broker_id_from_arn(arn) and len(parts) == 8 else None


def unresolved(
    broker_id: str, reason: str, *, name: str | None = None, state: str | None = None, engine: Engine | None = None
) -> BrokerFinding:
    return BrokerFinding(broker_id, Knowledge.UNRESOLVED, name=name, state=state, reason=reason, engine=engine)


def gone(
    broker_id: str, reason: str, *, name: str | None = None, state: str | None = None, engine: Engine | None = None
) -> BrokerFinding:
    return BrokerFinding(broker_id, Knowledge.GONE, name=name, state=state, reason=reason, engine=engine)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _is_ipv4(value: object) -> bool:
    try:
        return isinstance(value, str) and isinstance(ipaddress.ip_address(value), ipaddress.IPv4Address)
    except ValueError:
        return False
