"""The function's configuration, read from its environment and validated at cold start.

Plain dataclasses rather than pydantic: importing pydantic costs about as much
cold start as the rest of our dependencies besides boto3 (docs/performance.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from reconciler.core.brokers import Engine, Scope, is_broker_id

TARGET_GROUP_ARN_PATTERN = re.compile(
    r"^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:targetgroup/[A-Za-z0-9-]{1,32}/[0-9a-f]{16}$"
)
VPC_ID_PATTERN = re.compile(r"^vpc-[0-9a-f]{8,17}$")
DEFAULT_NAMESPACE = "MqStaticEndpoint"


class ConfigurationError(ValueError):
    """A variable of the function's environment is missing or wrong."""

    def __init__(self, variable: str, problem: str) -> None:
        super().__init__(f"{variable}: {problem}")
        self.variable = variable


@dataclass(frozen=True)
class Settings:
    region: str
    # The groups serving ActiveMQ brokers (OpenWire, AMQP 1.0, STOMP, MQTT, WSS, console 8162).
    target_group_arns: tuple[str, ...]
    scope: Scope
    # The VPC of the brokers and the target groups: where their interfaces are listed.
    vpc_id: str
    dry_run: bool = False
    describe_rate: float = 10.0
    describe_burst: int = 5
    metrics_namespace: str = DEFAULT_NAMESPACE
    # The stack the function belongs to: it refuses to change a group tagged for another one.
    stack_name: str | None = None
    # One HealthyInstances metric per broker: useful, and 0.30 USD a month each.
    broker_metrics: bool = False
    # The groups serving RabbitMQ brokers (AMQPS 5671, management console 443).
    rabbitmq_target_group_arns: tuple[str, ...] = ()
    # A cutover (docs/cutover.md): the groups of the set no client listener forwards to, the brokers
    # only that set serves, and the brokers only the live set serves. During a cutover both sets serve
    # every other broker in scope, so a switch of the listeners changes what no group holds; without
    # one the standby set serves nobody.
    standby_target_group_arns: frozenset[str] = frozenset()
    standby_broker_ids: frozenset[str] = frozenset()
    live_only_broker_ids: frozenset[str] = frozenset()

    @property
    def all_target_group_arns(self) -> tuple[str, ...]:
        return self.target_group_arns + self.rabbitmq_target_group_arns

    @property
    def account_id(self) -> str:
        """The account the stack runs in: its target groups'."""
        return self.all_target_group_arns[0].split(":")[4]

    @property
    def engines_served(self) -> frozenset[Engine]:
        """The engines this stack has target groups for."""
        return frozenset(self.engine_of(arn) for arn in self.all_target_group_arns)

    def brokers_not_served_by(self, target_group_arn: str, in_scope: Iterable[str]) -> frozenset[str]:
        """The brokers of `in_scope` this group must not hold: the other set's
        own, or all of them in an idle standby group."""
        if target_group_arn not in self.standby_target_group_arns:
            return self.standby_broker_ids
        return self.live_only_broker_ids if self.standby_broker_ids else frozenset(in_scope)

    def engine_of(self, target_group_arn: str) -> Engine:
        """Whose addresses the group serves: a group is named in exactly one of the two variables."""
        return Engine.RABBITMQ if target_group_arn in self.rabbitmq_target_group_arns else Engine.ACTIVEMQ

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> Settings:
        broker_ids = _broker_ids(environ.get("BROKER_IDS", ""))
        tag = _tag(environ.get("BROKER_TAG", ""))
        if not broker_ids and tag is None:
            raise ConfigurationError(
                "BROKER_IDS", "set BROKER_IDS, BROKER_TAG or both to say which brokers are in scope"
            )
        region = environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION")
        if not region:
            raise ConfigurationError("AWS_REGION", "no region set")
        activemq = _target_group_arns("TARGET_GROUP_ARNS", environ.get("TARGET_GROUP_ARNS", ""))
        rabbitmq = _target_group_arns("RABBITMQ_TARGET_GROUP_ARNS", environ.get("RABBITMQ_TARGET_GROUP_ARNS", ""))
        if not activemq and not rabbitmq:
            raise ConfigurationError("TARGET_GROUP_ARNS", "no target group ARN given")
        if set(activemq) & set(rabbitmq):
            raise ConfigurationError(
                "RABBITMQ_TARGET_GROUP_ARNS", "a group is in TARGET_GROUP_ARNS too: each serves one engine's brokers"
            )
        standby_groups = frozenset(
            _target_group_arns("STANDBY_TARGET_GROUP_ARNS", environ.get("STANDBY_TARGET_GROUP_ARNS", ""))
        )
        if standby_groups - set(activemq + rabbitmq):
            raise ConfigurationError(
                "STANDBY_TARGET_GROUP_ARNS", "a group is in neither TARGET_GROUP_ARNS nor RABBITMQ_TARGET_GROUP_ARNS"
            )
        standby = _broker_ids(environ.get("STANDBY_BROKER_IDS", ""), "STANDBY_BROKER_IDS")
        live_only = _broker_ids(environ.get("LIVE_ONLY_BROKER_IDS", ""), "LIVE_ONLY_BROKER_IDS")
        _check_cutover(standby_groups, standby, live_only)
        return cls(
            region=region,
            target_group_arns=activemq,
            rabbitmq_target_group_arns=rabbitmq,
            # The standby brokers are read as brokers in scope: both sets' wants are cut from one scope.
            scope=Scope(broker_ids | standby, tag),
            standby_target_group_arns=standby_groups,
            standby_broker_ids=standby,
            live_only_broker_ids=live_only,
            vpc_id=_vpc_id(environ.get("VPC_ID", "")),
            dry_run=_boolean("DRY_RUN", environ.get("DRY_RUN", "false")),
            describe_rate=_positive("MQ_DESCRIBE_RATE", environ.get("MQ_DESCRIBE_RATE", "10"), float),
            describe_burst=int(_positive("MQ_DESCRIBE_BURST", environ.get("MQ_DESCRIBE_BURST", "5"), int)),
            metrics_namespace=_namespace(environ.get("POWERTOOLS_METRICS_NAMESPACE", DEFAULT_NAMESPACE)),
            stack_name=environ.get("STACK_NAME", "").strip() or None,
            broker_metrics=_boolean("BROKER_METRICS", environ.get("BROKER_METRICS", "false")),
        )


def _items(raw: str) -> list[str]:
    return [item.strip() for item in raw.split(",") if item.strip()]


def _target_group_arns(variable: str, raw: str) -> tuple[str, ...]:
    arns = _items(raw)
    for arn in arns:
        if not TARGET_GROUP_ARN_PATTERN.fullmatch(arn):
            raise ConfigurationError(variable, f"{arn!r} is not a target group ARN")
    if len(set(arns)) != len(arns):
        raise ConfigurationError(variable, "a target group is listed twice")
    return tuple(arns)


def _vpc_id(raw: str) -> str:
    vpc_id = raw.strip()
    if not VPC_ID_PATTERN.fullmatch(vpc_id):
        raise ConfigurationError("VPC_ID", f"{raw!r} is not a VPC id (vpc-...)")
    return vpc_id


def _broker_ids(raw: str, variable: str = "BROKER_IDS") -> frozenset[str]:
    ids = _items(raw)
    for broker_id in ids:
        if not is_broker_id(broker_id):
            raise ConfigurationError(variable, f"{broker_id!r} is not a broker id (b-<uuid>)")
    return frozenset(ids)


def _check_cutover(standby_groups: frozenset[str], standby: frozenset[str], live_only: frozenset[str]) -> None:
    """A cutover's brokers need a standby set, and no broker may be one set's own in both."""
    if standby and not standby_groups:
        raise ConfigurationError(
            "STANDBY_BROKER_IDS", "set, but STANDBY_TARGET_GROUP_ARNS names no group to serve them"
        )
    if live_only and not standby:
        raise ConfigurationError("LIVE_ONLY_BROKER_IDS", "set without STANDBY_BROKER_IDS: no broker replaces them")
    if standby & live_only:
        raise ConfigurationError(
            "LIVE_ONLY_BROKER_IDS", f"{', '.join(sorted(standby & live_only))} is in STANDBY_BROKER_IDS too"
        )


def _tag(raw: str) -> tuple[str, str] | None:
    if not raw.strip():
        return None
    key, separator, value = raw.strip().partition("=")
    if not separator or not key or len(key) > 128 or len(value) > 256:
        raise ConfigurationError("BROKER_TAG", f"{raw!r} is not key=value")
    return key, value


def _boolean(variable: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value not in ("true", "false"):
        raise ConfigurationError(variable, f"{raw!r} is neither true nor false")
    return value == "true"


def _positive(variable: str, raw: str, kind: type[float] | type[int]) -> float:
    try:
        value = kind(raw)
    except ValueError:
        raise ConfigurationError(variable, f"{raw!r} is not a number") from None
    if value <= 0:
        raise ConfigurationError(variable, f"{raw!r} must be greater than 0")
    return value


def _namespace(raw: str) -> str:
    if not raw or raw.startswith("AWS/"):
        raise ConfigurationError(
            "POWERTOOLS_METRICS_NAMESPACE", f"{raw!r}: a namespace may not be empty or start with AWS/"
        )
    return raw
