"""The RabbitMQ option: AMQPS and console listeners fed by the brokers' VPC endpoints, never mixed with ActiveMQ's."""

from typing import Any

import pytest
import samstack
from test_template_network import ingress, listeners, target_groups
from test_template_reconciler import (
    RABBITMQ_TARGET_GROUPS,
    TARGET_GROUPS,
    enabled_target_group_arns,
    environment,
    statements,
)

RABBITMQ_PORTS = {"RabbitMqAmqpsTargetGroup": 5671, "RabbitMqConsoleTargetGroup": 443}


def egress(stack: samstack.Stack) -> list[dict[str, Any]]:
    return stack.properties("LoadBalancerSecurityGroup")["SecurityGroupEgress"]


def test_rabbitmq_is_off_by_default(default_stack: samstack.Stack) -> None:
    assert not set(RABBITMQ_TARGET_GROUPS) & set(default_stack.resources)
    assert environment(default_stack)["RABBITMQ_TARGET_GROUP_ARNS"] == ""
    assert "RabbitMqUrl" not in default_stack.outputs


def test_each_rabbitmq_group_takes_ip_targets_over_tls_and_checks_its_own_port(rabbitmq_stack: samstack.Stack) -> None:
    """RabbitMQ has no 8162: a check there would mark every endpoint unhealthy."""
    groups = target_groups(rabbitmq_stack)
    for name, port in RABBITMQ_PORTS.items():
        group = groups[name]
        assert (group["TargetType"], group["Protocol"], group["Port"], group["VpcId"]) == (
            "ip",
            "TLS",
            port,
            samstack.REQUIRED["VpcId"],
        )
        assert (group["HealthCheckProtocol"], group["HealthCheckPort"]) == ("TCP", str(port))
    assert {n: g["HealthCheckPort"] for n, g in groups.items() if not n.startswith("RabbitMq")} == dict.fromkeys(
        [g for g in TARGET_GROUPS if g in groups], "8162"
    ), "the ActiveMQ groups keep checking 8162"
    assert {listeners(rabbitmq_stack)[f"{n.removesuffix('TargetGroup')}Listener"]["Port"] for n in RABBITMQ_PORTS} == {
        5671,
        443,
    }


def test_clients_reach_amqps_from_their_ranges_and_operators_reach_the_console_from_theirs(
    rabbitmq_stack: samstack.Stack,
) -> None:
    sources = {(r["FromPort"], r["SourcePrefixListId"]) for r in ingress(rabbitmq_stack)}
    assert {(5671, "<ClientIpv4PrefixList>"), (5671, "<ClientIpv6PrefixList>"), (443, "<ConsolePrefixList>")} <= sources
    assert {p for p, source in sources if source == "<ConsolePrefixList>"} == {443, 8162}


def test_the_brokers_security_group_admits_the_load_balancer_on_amqps_and_the_console(
    rabbitmq_stack: samstack.Stack,
) -> None:
    """Amazon MQ gives a RabbitMQ broker's VPC endpoint the broker's security groups: the exported one guards it."""
    for logical_id, port in (("BrokerIngressRabbitMqAmqps", 5671), ("BrokerIngressRabbitMqConsole", 443)):
        rule = rabbitmq_stack.properties(logical_id)
        assert (rule["FromPort"], rule["ToPort"], rule["GroupId"], rule["SourceSecurityGroupId"]) == (
            port,
            port,
            "BrokerSecurityGroup.GroupId",
            "LoadBalancerSecurityGroup.GroupId",
        )
    assert {5671, 443} <= {
        r["FromPort"]
        for r in egress(rabbitmq_stack)
        if r["DestinationSecurityGroupId"] == "BrokerSecurityGroup.GroupId"
    }


def test_the_function_learns_which_groups_serve_rabbitmq_and_may_change_only_those_and_the_activemq_ones(
    rabbitmq_stack: samstack.Stack,
) -> None:
    from reconciler.core.brokers import Engine
    from reconciler.core.settings import Settings

    env = environment(rabbitmq_stack)
    rabbitmq = enabled_target_group_arns(rabbitmq_stack, RABBITMQ_TARGET_GROUPS)
    assert env["RABBITMQ_TARGET_GROUP_ARNS"].split(",") == rabbitmq and len(rabbitmq) == 4  # blue and green
    assert not set(rabbitmq) & set(env["TARGET_GROUP_ARNS"].split(","))
    settings = Settings.from_environ({**env, "AWS_REGION": samstack.REGION})
    assert {settings.engine_of(arn) for arn in rabbitmq} == {Engine.RABBITMQ}
    (sid,) = [
        s["Sid"]
        for s in statements(rabbitmq_stack)
        if set(s["Resource"] if isinstance(s["Resource"], list) else []) == set(rabbitmq)
    ]
    assert sid == "ChangeOnlyThisStacksRabbitMqTargetGroups"


def test_vpc_endpoints_are_read_on_any_resource_as_iam_allows_no_narrower(rabbitmq_stack: samstack.Stack) -> None:
    (statement,) = [s for s in statements(rabbitmq_stack) if "ec2:DescribeVpcEndpoints" in s["Action"]]
    assert statement["Resource"] == "*" and statement["Effect"] == "Allow"


def test_outputs_give_rabbitmq_clients_their_url(rabbitmq_stack: samstack.Stack) -> None:
    outputs = rabbitmq_stack.outputs
    assert outputs["RabbitMqUrl"] == "amqps://mq.example.com:5671"
    assert outputs["RabbitMqConsoleUrl"] == "https://mq.example.com"
    assert outputs["RabbitMqAmqpsTargetGroupArn"] == rabbitmq_stack.ref("RabbitMqAmqpsTargetGroup")
    assert outputs["FailoverUrl"] == "failover:(ssl://mq.example.com:61617)", "ActiveMQ clients keep theirs"


def test_every_rabbitmq_group_alarms_when_no_endpoint_is_healthy(rabbitmq_stack: samstack.Stack) -> None:
    for name in RABBITMQ_TARGET_GROUPS[:2]:  # the live (blue) set's; test_template_cutover.py: they follow it
        alarm = rabbitmq_stack.properties(f"{name.removesuffix('TargetGroup')}NoHealthyTargetAlarm")
        assert alarm["MetricName"] == "HealthyHostCount"
        assert {"Name": "TargetGroup", "Value": f"{name}.TargetGroupFullName"} in alarm["Dimensions"]


@pytest.mark.parametrize(
    ("parameters", "message"),
    [
        ({"EnableRabbitMq": "true", "EnableAmqp": "true"}, "both need port 5671"),
        ({"EnableRabbitMqConsole": "true", "AllowedConsoleCidrs": "192.0.2.0/28"}, "needs EnableRabbitMq"),
        (
            {"EnableRabbitMq": "true", "EnableRabbitMqConsole": "true"},
            "EnableRabbitMqConsole needs AllowedConsoleCidrs",
        ),
    ],
    ids=["activemq-amqp-and-rabbitmq-amqps", "console-without-rabbitmq", "console-without-cidrs"],
)
def test_what_can_never_work_is_refused_before_anything_is_created(parameters: dict[str, str], message: str) -> None:
    with pytest.raises(samstack.DeployError, match=message):
        samstack.deploy(**parameters)


def test_the_rabbitmq_console_alone_opens_only_its_port_to_the_console_ranges() -> None:
    stack = samstack.deploy(EnableRabbitMq="true", EnableRabbitMqConsole="true", AllowedConsoleCidrs="192.0.2.0/28")
    assert {r["FromPort"] for r in ingress(stack) if r["SourcePrefixListId"] == "<ConsolePrefixList>"} == {443}
    assert "ConsoleListener" not in stack.resources, "the ActiveMQ console stays off"
