"""Configuration: every bad variable is named in the error."""

from __future__ import annotations

import pytest

from reconciler.core.settings import ConfigurationError, Settings

TG = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/mq-openwire/0123456789abcdef"
BROKER = "b-1a2b3c4d-1111-4222-8333-444455556666"
VPC = "vpc-0a1b2c3d4e5f60718"
AMQPS = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/mq-amqps/fedcba9876543210"
GOOD = {"AWS_REGION": "eu-west-1", "TARGET_GROUP_ARNS": TG, "BROKER_TAG": "mq-static-endpoint=prod", "VPC_ID": VPC}


def test_a_minimal_environment_gives_safe_defaults() -> None:
    settings = Settings.from_environ(GOOD)
    assert settings.target_group_arns == (TG,) and settings.vpc_id == VPC
    assert settings.scope.tag == ("mq-static-endpoint", "prod") and settings.scope.broker_ids == frozenset()
    assert (
        settings.dry_run is False and settings.describe_rate == 10 and settings.metrics_namespace == "MqStaticEndpoint"
    )


def test_ids_and_tag_together_widen_the_scope() -> None:
    settings = Settings.from_environ({**GOOD, "BROKER_IDS": f" {BROKER} ,", "DRY_RUN": "TRUE"})
    assert settings.scope.broker_ids == {BROKER} and settings.scope.tag is not None and settings.dry_run


@pytest.mark.parametrize(
    ("change", "variable"),
    [
        ({"TARGET_GROUP_ARNS": ""}, "TARGET_GROUP_ARNS"),
        (
            {
                "TARGET_GROUP_ARNS": (
                    "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/net/x/0123456789abcdef"
                )
            },
            "TARGET_GROUP_ARNS",
        ),
        ({"TARGET_GROUP_ARNS": f"{TG},{TG}"}, "TARGET_GROUP_ARNS"),
        ({"BROKER_TAG": ""}, "BROKER_IDS"),
        ({"BROKER_TAG": "no-equals-sign"}, "BROKER_TAG"),
        ({"BROKER_IDS": "my-broker"}, "BROKER_IDS"),
        ({"DRY_RUN": "yes"}, "DRY_RUN"),
        ({"MQ_DESCRIBE_RATE": "fast"}, "MQ_DESCRIBE_RATE"),
        ({"MQ_DESCRIBE_BURST": "0"}, "MQ_DESCRIBE_BURST"),
        ({"POWERTOOLS_METRICS_NAMESPACE": "AWS/MQ"}, "POWERTOOLS_METRICS_NAMESPACE"),
        ({"AWS_REGION": ""}, "AWS_REGION"),
        ({"VPC_ID": ""}, "VPC_ID"),
        ({"VPC_ID": "subnet-0a1b2c3d"}, "VPC_ID"),
        ({"RABBITMQ_TARGET_GROUP_ARNS": "amqps"}, "RABBITMQ_TARGET_GROUP_ARNS"),
        ({"RABBITMQ_TARGET_GROUP_ARNS": TG}, "RABBITMQ_TARGET_GROUP_ARNS"),
        ({"RABBITMQ_TARGET_GROUP_ARNS": f"{AMQPS},{AMQPS}"}, "RABBITMQ_TARGET_GROUP_ARNS"),
    ],
)
def test_a_bad_variable_is_named(change: dict[str, str], variable: str) -> None:
    with pytest.raises(ConfigurationError) as raised:
        Settings.from_environ({**GOOD, **change})
    assert raised.value.variable == variable and str(raised.value).startswith(f"{variable}: ")


def test_rabbitmq_groups_are_named_apart_and_serve_rabbitmq_brokers_only() -> None:
    from reconciler.core.brokers import Engine

    settings = Settings.from_environ({**GOOD, "RABBITMQ_TARGET_GROUP_ARNS": f" {AMQPS} ,"})
    assert settings.all_target_group_arns == (TG, AMQPS)
    assert (settings.engine_of(TG), settings.engine_of(AMQPS)) == (Engine.ACTIVEMQ, Engine.RABBITMQ)
    assert Settings.from_environ(GOOD).rabbitmq_target_group_arns == ()
    only_rabbitmq = Settings.from_environ({**GOOD, "TARGET_GROUP_ARNS": "", "RABBITMQ_TARGET_GROUP_ARNS": AMQPS})
    assert only_rabbitmq.all_target_group_arns == (AMQPS,)
