"""The product deployed into an in-process moto: two target groups (four with RabbitMQ's) and the function."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from moto import mock_aws

from emulator import EmulatedAws, events
from emulator.lambda_runtime import Invocation, LambdaRuntime

REGION = "eu-west-1"
SCOPE_TAG = {"mq-static-endpoint": "test"}
FUNCTION_ARN = f"arn:aws:lambda:{REGION}:123456789012:function:mq-static-endpoint-reconciler"
PORTS = {"openwire": 61617, "console": 8162}
# RabbitMQ's groups, each health-checked on its own port (template.yaml: there is no 8162 to check).
RABBITMQ_PORTS = {"amqps": 5671, "rabbitmq-console": 443}


class Endpoint:
    """What a user deployed: target groups, and the reconciler serving them."""

    def __init__(self, aws: EmulatedAws, runtime: LambdaRuntime, *, rabbitmq: bool = False) -> None:
        self.aws = aws
        self.groups = aws.create_target_groups(PORTS)
        rabbitmq_groups: dict[str, str] = {}
        for name, port in RABBITMQ_PORTS.items() if rabbitmq else ():
            rabbitmq_groups.update(aws.create_target_groups({name: port}, health_check_port=port))
        self.groups.update(rabbitmq_groups)
        self._runtime = runtime
        self.environment: dict[str, str] = {
            "TARGET_GROUP_ARNS": ",".join(arn for name, arn in self.groups.items() if name in PORTS),
            "RABBITMQ_TARGET_GROUP_ARNS": ",".join(rabbitmq_groups.values()),
            "BROKER_TAG": "mq-static-endpoint=test",
            "VPC_ID": aws.vpc_id,
            "POWERTOOLS_SERVICE_NAME": "mq-static-endpoint",
        }
        self.cold_start()

    def cold_start(self, **changes: str) -> None:
        """A new container with the environment changed as given."""
        self.environment.update(changes)
        self._runtime.cold_start(self.environment)

    def invoke(self, event: Any) -> Invocation:
        return self._runtime.invoke(event)

    def let_time_pass(self, seconds: float) -> None:
        """The container's clock moves on, as between two scheduled sweeps."""
        self._runtime.let_time_pass(seconds)

    def next_sweep(self) -> Invocation:
        """The scheduled sweep a minute later: what looked free in the last run goes on this second reading."""
        self.let_time_pass(60)
        return self.sweep()

    def timeout(self, *, seconds: float) -> None:
        """The function's Timeout: each invocation's remaining time counts down from it."""
        self._runtime.timeout_seconds = seconds

    def sweep(self) -> Invocation:
        return self.invoke(events.scheduled(REGION))

    def resync(self, **payload: Any) -> Invocation:
        return self.invoke({"action": "resync", **payload})

    def reboot_event(self, broker_id: str) -> Invocation:
        return self.invoke(events.reboot_broker(REGION, broker_id))

    def targets(self, group: str = "openwire") -> dict[str, str]:
        """ip -> state of the group's targets, as DescribeTargetHealth reports them."""
        return self.aws.target_states(self.groups[group])

    def all_targets(self) -> dict[str, dict[str, str]]:
        return {name: self.targets(name) for name in self.groups}


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[EmulatedAws]:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        # A throttled call fails at once instead of being retried with backoff.
        "AWS_MAX_ATTEMPTS": "1",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws(), EmulatedAws(REGION, seed=11) as world:
        yield world


@pytest.fixture
def endpoint(aws: EmulatedAws) -> Iterator[Endpoint]:
    with LambdaRuntime("mq-static-endpoint-reconciler", FUNCTION_ARN) as runtime:
        yield Endpoint(aws, runtime)


@pytest.fixture
def mixed_endpoint(aws: EmulatedAws) -> Iterator[Endpoint]:
    """The endpoint with RabbitMQ's AMQPS and management console groups beside the ActiveMQ ones."""
    with LambdaRuntime("mq-static-endpoint-reconciler", FUNCTION_ARN) as runtime:
        yield Endpoint(aws, runtime, rabbitmq=True)


@pytest.fixture
def two_brokers(aws: EmulatedAws) -> tuple[str, str]:
    return (
        aws.create_broker("orders", tags=SCOPE_TAG),
        aws.create_broker("payments", tags=SCOPE_TAG),
    )
