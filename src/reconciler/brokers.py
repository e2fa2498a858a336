"""What one run knows about each broker, derived from DescribeBroker answers."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, TypeGuard

BROKER_ID_PATTERN = re.compile(r"^b-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

# States in which the instances reported are the broker's instances, for good.
SETTLED_STATES = frozenset({"RUNNING", "CRITICAL_ACTION_REQUIRED", "REPLICA"})
# States after which the broker will never serve again.
GONE_STATES = frozenset({"DELETION_IN_PROGRESS", "CREATION_FAILED"})
INSTANCES_PER_MODE = {"SINGLE_INSTANCE": 1, "ACTIVE_STANDBY_MULTI_AZ": 2}


class Knowledge(str, Enum):
    """How far a run may trust what it read about a broker."""

    SETTLED = "settled"  # its IPs are exactly those reported
    UNRESOLVED = "unresolved"  # could not be read, or is changing: it may own any IP
    GONE = "gone"  # deleted, failed, or out of scope: it owns nothing


@dataclass(frozen=True)
class BrokerFinding:
    broker_id: str
    knowledge: Knowledge
    ips: frozenset[str] = frozenset()
    state: str | None = None
    reason: str = ""
    instance_ips: tuple[str, ...] = field(default=(), compare=False)
    # False once DescribeBroker answers NotFound: nothing of it can answer anywhere.
    exists: bool = True

    def may_answer_at(self, ip: str) -> bool:
        """Whether this broker could itself be what answers at an address it was seen with."""
        return self.exists and (self.knowledge is not Knowledge.SETTLED or ip in self.ips)


@dataclass(frozen=True)
class Scope:
    """Which brokers the endpoint serves: listed ids and/or a tag."""

    broker_ids: frozenset[str] = frozenset()
    tag: tuple[str, str] | None = None

    def admits(self, broker_id: str, tags: Mapping[str, str]) -> bool:
        if broker_id in self.broker_ids:
            return True
        return self.tag is not None and tags.get(self.tag[0]) == self.tag[1]


def is_broker_id(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and BROKER_ID_PATTERN.fullmatch(value) is not None


def broker_id_from_arn(arn: str) -> str | None:
    """`arn:aws:mq:<region>:<account>:broker:<name>:<id>` -> `<id>`."""
    parts = arn.split(":")
    if len(parts) >= 8 and parts[2] == "mq" and parts[5] == "broker" and is_broker_id(parts[-1]):
        return parts[-1]
    return None


def unresolved(broker_id: str, reason: str, state: str | None = None) -> BrokerFinding:
    return BrokerFinding(broker_id, Knowledge.UNRESOLVED, state=state, reason=reason)


def gone(broker_id: str, reason: str, state: str | None = None, *, exists: bool = True) -> BrokerFinding:
    return BrokerFinding(broker_id, Knowledge.GONE, state=state, reason=reason, exists=exists)


def finding_from_description(description: Mapping[str, Any], scope: Scope) -> BrokerFinding:
    """Read one DescribeBroker answer as evidence about the broker's IPs."""
    broker_id = description["BrokerId"]
    state = description.get("BrokerState")
    if state in GONE_STATES:
        return gone(broker_id, f"broker is {state}", state)
    if not scope.admits(broker_id, description.get("Tags") or {}):
        return gone(broker_id, "broker is not in scope", state)
    if description.get("EngineType", "ACTIVEMQ").upper() != "ACTIVEMQ":
        return gone(broker_id, f"engine {description['EngineType']} has no instance IPs to register", state)

    instances = description.get("BrokerInstances") or []
    instance_ips = tuple(ip for ip in (i.get("IpAddress") for i in instances) if ip)
    expected = INSTANCES_PER_MODE.get(description.get("DeploymentMode", ""), len(instances))
    if state in SETTLED_STATES and instances and len(instance_ips) == len(instances) >= expected:
        return BrokerFinding(broker_id, Knowledge.SETTLED, frozenset(instance_ips), state, "", instance_ips)
    reason = f"broker is {state}" if state not in SETTLED_STATES else "not every instance has an IP yet"
    return BrokerFinding(broker_id, Knowledge.UNRESOLVED, frozenset(instance_ips), state, reason, instance_ips)
