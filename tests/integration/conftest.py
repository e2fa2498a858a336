"""The product deployed into an in-process moto: two target groups (four with RabbitMQ's) and the function."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from moto import mock_aws

from emulator import EmulatedAws
from emulator.lambda_runtime import LambdaRuntime
from tests.endpoint import Endpoint

REGION = "eu-west-1"
SCOPE_TAG = {"mq-static-endpoint": "test"}
FUNCTION_ARN = f"arn:aws:lambda:{REGION}:123456789012:function:mq-static-endpoint-reconciler"
PORTS = {"openwire": 61617, "console": 8162}
# RabbitMQ's groups, each health-checked on its own port (template.yaml: there is no 8162 to check).
RABBITMQ_PORTS = {"amqps": 5671, "rabbitmq-console": 443}


def endpoint_on_new_groups(aws: EmulatedAws, runtime: LambdaRuntime, *, rabbitmq: bool = False) -> Endpoint:
    """What a user deployed: target groups (RabbitMQ's too, if asked), and the reconciler serving them."""
    groups = aws.create_target_groups(PORTS)
    rabbitmq_groups: dict[str, str] = {}
    for name, port in RABBITMQ_PORTS.items() if rabbitmq else ():
        rabbitmq_groups.update(aws.create_target_groups({name: port}, health_check_port=port))
    environment = {
        "TARGET_GROUP_ARNS": ",".join(groups.values()),
        "RABBITMQ_TARGET_GROUP_ARNS": ",".join(rabbitmq_groups.values()),
        "BROKER_TAG": "mq-static-endpoint=test",
        "VPC_ID": aws.vpc_id,
        "POWERTOOLS_SERVICE_NAME": "mq-static-endpoint",
    }
    return Endpoint(aws, runtime, {**groups, **rabbitmq_groups}, environment)


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
        yield endpoint_on_new_groups(aws, runtime)


@pytest.fixture
def mixed_endpoint(aws: EmulatedAws) -> Iterator[Endpoint]:
    """The endpoint with RabbitMQ's AMQPS and management console groups beside the ActiveMQ ones."""
    with LambdaRuntime("mq-static-endpoint-reconciler", FUNCTION_ARN) as runtime:
        yield endpoint_on_new_groups(aws, runtime, rabbitmq=True)


@pytest.fixture
def two_brokers(aws: EmulatedAws) -> tuple[str, str]:
    return (
        aws.create_broker("orders", tags=SCOPE_TAG),
        aws.create_broker("payments", tags=SCOPE_TAG),
    )
