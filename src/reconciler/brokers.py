"""Amazon MQ brokers as a run knows them: ids, scope, addresses, and what DescribeBroker said."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any, TypeGuard

BROKER_ID_PATTERN = re.compile(r"^b-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

# States in which the instances reported are the broker's instances, for good.
SETTLED_STATES = frozenset({"RUNNING", "CRITICAL_ACTION_REQUIRED", "REPLICA"})
# States after which the broker will never serve again.
GONE_STATES = frozenset({"DELETION_IN_PROGRESS", "CREATION_FAILED"})
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


class AddressSource(str, Enum):
    """Where a broker's addresses came from in this run."""

    INTERFACES = "interfaces"  # EC2: the broker's Amazon MQ network interfaces
    DESCRIBE_BROKER = "DescribeBroker"  # Amazon MQ, where EC2 could not answer
    VPC_ENDPOINT = "vpcEndpoint"  # EC2: the interfaces of the VPC endpoint tagged with the broker's id
    VPC_ENDPOINT_BY_DNS = "vpcEndpointByDns"  # EC2 too, the endpoint found through the broker's hostname


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
    addresses: tuple[Address, ...] = ()
    source: AddressSource | None = None
    name: str | None = None
    state: str | None = None
    # Why the addresses come from where they do, or why the broker is unresolved or gone.
    reason: str = ""
    # None when this run could not tell (an unreadable broker).
    engine: Engine | None = None
    refused: tuple[RefusedAddress, ...] = ()

    @property
    def ips(self) -> frozenset[str]:
        return frozenset(address.ip for address in self.addresses)


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
class Described:
    """What one DescribeBroker call said about a broker, or why it said nothing."""

    broker_id: str
    answer: Mapping[str, Any] | None = None
    # NotFoundException (HTTP 404): the broker does not exist (CONTEXT.md, Amazon MQ).
    missing: bool = False
    failure: str = ""


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


def departure(described: Described, scope: Scope) -> str | None:
    """Why DescribeBroker says the broker no longer belongs to the endpoint, or None if it does."""
    if described.missing:
        return "does not exist (DescribeBroker: NotFoundException)"
    answer = described.answer or {}
    state = answer.get("BrokerState")
    if state in GONE_STATES:
        return f"is {state}"
    if not scope.admits(described.broker_id, answer.get("Tags") or {}):
        return "is not in scope"
    return None


def finding_from_description(described: Described, scope: Scope, why: str) -> BrokerFinding:
    """Read a DescribeBroker answer as the broker's addresses, where EC2 could not give them.

    `why` says why DescribeBroker was asked; it leads the finding's reason.
    """
    broker_id = described.broker_id
    if described.failure:
        return unresolved(broker_id, f"{why}; DescribeBroker failed: {described.failure}")
    answer = described.answer or {}
    name, state = answer.get("BrokerName"), answer.get("BrokerState")
    left = departure(described, scope)
    if left:
        return gone(broker_id, f"broker {left}", name=name, state=state)
    engine = Engine.of(answer.get("EngineType", "ACTIVEMQ"))
    if engine is Engine.RABBITMQ:
        return _rabbitmq_without_endpoint(described, why)
    if engine is None:
        return gone(broker_id, f"engine {answer.get('EngineType')} is not one this endpoint serves", name=name, state=state)

    instances = answer.get("BrokerInstances") or []
    # An instance without a readable IPv4 address counts as one without an address: the broker stays unresolved.
    addresses = tuple(Address(ip) for ip in (i.get("IpAddress") for i in instances) if _is_ipv4(ip))
    expected = INSTANCES_PER_MODE.get(answer.get("DeploymentMode", ""), len(instances))
    source = AddressSource.DESCRIBE_BROKER
    if state in SETTLED_STATES and instances and len(addresses) == len(instances) >= expected:
        return BrokerFinding(broker_id, Knowledge.SETTLED, addresses, source, name, state, f"{why}; DescribeBroker reports them", engine)
    changing = f"broker is {state}" if state not in SETTLED_STATES else "not every instance has an address yet"
    return BrokerFinding(broker_id, Knowledge.UNRESOLVED, addresses, source, name, state, f"{why}; {changing}", engine)


def _rabbitmq_without_endpoint(described: Described, why: str) -> BrokerFinding:
    """A RabbitMQ broker in scope whose VPC endpoint this run did not find: unresolved, unless it can never be served.

    DescribeBroker gives a RabbitMQ broker no IpAddress (botocore mq model,
    BrokerInstance.IpAddress): its addresses are its VPC endpoint's, which only
    EC2 shows. A publicly accessible one has no endpoint in the customer's VPC
    (CreateBrokerRequest.SubnetIds) and public addresses, which IP targets refuse.
    """
    answer = described.answer or {}
    name, state = answer.get("BrokerName"), answer.get("BrokerState")
    if answer.get("PubliclyAccessible"):
        return gone(described.broker_id, "publicly accessible RabbitMQ broker: it has no VPC endpoint in the VPC, and IP "
                    "targets cannot be public addresses", name=name, state=state, engine=Engine.RABBITMQ)
    return unresolved(described.broker_id, f"{why}; a RabbitMQ broker, and this run found no VPC endpoint of its in the VPC",
                      name=name, state=state, engine=Engine.RABBITMQ)


def _is_ipv4(value: object) -> bool:
    try:
        return isinstance(value, str) and isinstance(ipaddress.ip_address(value), ipaddress.IPv4Address)
    except ValueError:
        return False
