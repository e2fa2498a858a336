"""The reconciler function: its configuration, its permissions, what watches it."""

import fnmatch
from typing import Any

import pytest
import samstack
from samstack import ALL_PROTOCOLS

# Each group has a green twin (docs/cutover.md); the function lists the blue set, then the green one.
BLUE_TARGET_GROUPS = [
    "OpenWireTargetGroup",
    "AmqpTargetGroup",
    "StompTargetGroup",
    "MqttTargetGroup",
    "WssTargetGroup",
    "ConsoleTargetGroup",
]
TARGET_GROUPS = BLUE_TARGET_GROUPS + [f"{name}Green" for name in BLUE_TARGET_GROUPS]
BLUE_RABBITMQ_TARGET_GROUPS = ["RabbitMqAmqpsTargetGroup", "RabbitMqConsoleTargetGroup"]
RABBITMQ_TARGET_GROUPS = BLUE_RABBITMQ_TARGET_GROUPS + [f"{name}Green" for name in BLUE_RABBITMQ_TARGET_GROUPS]
# The actions the reconciler makes (docs/contract.md, issue 3), plus SAM's dead-letter queue write.
ALLOWED_ACTIONS = {
    "mq:DescribeBroker",
    "tag:GetResources",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeVpcEndpoints",
    "ec2:DescribeSubnets",
    "elasticloadbalancing:DescribeTargetGroups",
    "elasticloadbalancing:DescribeTags",
    "elasticloadbalancing:DescribeTargetHealth",
    "elasticloadbalancing:RegisterTargets",
    "elasticloadbalancing:DeregisterTargets",
    "sqs:SendMessage",
}
# Actions IAM cannot scope to a resource: the only ones allowed on "*".
UNSCOPABLE = {
    "tag:GetResources",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeVpcEndpoints",
    "ec2:DescribeSubnets",
    "elasticloadbalancing:DescribeTargetGroups",
    "elasticloadbalancing:DescribeTargetHealth",
    "elasticloadbalancing:DescribeTags",
}
MUTATING = {"elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"}
EMITTED_METRICS = {  # what the reconciler publishes, by dimension set beyond `service`
    (): {
        "ReconcileFailures",
        "BrokersUnresolved",
        "BrokersWithoutHealthyInstance",
        "ReconcileDuration",
        "TargetsRegistered",
        "TargetsDeregistered",
        "BrokersFromDescribeBroker",
        "InterfaceListingFailures",
        "ReconcileIncomplete",
        "TargetsRefused",
        "BrokerInstancesInUnservedZones",
        "TargetGroupsOwnedElsewhere",
    },
    ("TargetGroup",): {
        "HealthyTargets",
        "UnhealthyTargets",
        "RegisteredTargets",
        "DesiredTargets",
        "TargetsRegistered",
        "TargetsDeregistered",
        "ChangesWithheld",
    },
    ("BrokerId",): {"HealthyInstances"},
}


def environment(stack: samstack.Stack) -> dict[str, str]:
    return stack.properties("ReconcilerFunction")["Environment"]["Variables"]


def enabled_target_group_arns(stack: samstack.Stack, groups: list[str] = TARGET_GROUPS) -> list[str]:
    """The ARNs of the ActiveMQ groups the stack has (or of `groups`), in the template's order."""
    present = stack.of_type("AWS::ElasticLoadBalancingV2::TargetGroup")
    return [stack.ref(tg) for tg in groups if tg in present]


def statements(stack: samstack.Stack) -> list[dict[str, Any]]:
    role = stack.properties("ReconcilerFunctionRole")
    return [s for policy in role["Policies"] for s in policy["PolicyDocument"]["Statement"]]


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


@pytest.mark.parametrize(
    ("parameters", "groups"),
    [
        ({}, ["OpenWireTargetGroup", "OpenWireTargetGroupGreen"]),
        (
            {"EnableMqtt": "true"},
            ["OpenWireTargetGroup", "MqttTargetGroup", "OpenWireTargetGroupGreen", "MqttTargetGroupGreen"],
        ),
        (
            {"EnableConsole": "true", "AllowedConsoleCidrs": "192.0.2.0/28"},
            ["OpenWireTargetGroup", "ConsoleTargetGroup", "OpenWireTargetGroupGreen", "ConsoleTargetGroupGreen"],
        ),
        (ALL_PROTOCOLS, TARGET_GROUPS),
    ],
    ids=["openwire-only", "mqtt", "console", "all"],
)
def test_function_environment_names_exactly_the_enabled_target_groups(
    parameters: dict[str, str], groups: list[str]
) -> None:
    stack = samstack.deploy(**parameters)
    listed = environment(stack)["TARGET_GROUP_ARNS"].split(",")
    assert "" not in listed
    assert listed == [stack.ref(tg) for tg in groups] == enabled_target_group_arns(stack)


@pytest.mark.parametrize(
    "parameters",
    [
        {},
        ALL_PROTOCOLS,
        {"EnableStomp": "true", "EnableWss": "true"},
        samstack.WITH_RABBITMQ,
        {"EnableRabbitMq": "true"},
    ],
    ids=["openwire-only", "all", "stomp-wss", "rabbitmq-and-console", "rabbitmq"],
)
def test_register_and_deregister_are_allowed_on_exactly_the_stacks_target_groups(parameters: dict[str, str]) -> None:
    stack = samstack.deploy(**parameters)
    for action in MUTATING:
        resources = [
            r
            for s in statements(stack)
            if s["Effect"] == "Allow" and action in as_list(s["Action"])
            for r in as_list(s["Resource"])
        ]
        assert sorted(resources) == sorted(enabled_target_group_arns(stack, TARGET_GROUPS + RABBITMQ_TARGET_GROUPS)), (
            action
        )


def test_the_role_allows_nothing_but_what_the_reconciler_calls(stack: samstack.Stack) -> None:
    allowed = [s for s in statements(stack) if s["Effect"] == "Allow"]
    actions = {a for s in allowed for a in as_list(s["Action"])}
    assert actions <= ALLOWED_ACTIONS
    assert not any("*" in a for a in actions)
    for s in allowed:
        if "*" in as_list(s["Resource"]):
            assert set(as_list(s["Action"])) <= UNSCOPABLE, s
    describe_broker = [
        r for s in allowed if "mq:DescribeBroker" in as_list(s["Action"]) for r in as_list(s["Resource"])
    ]
    assert describe_broker == [f"arn:aws:mq:{samstack.REGION}:{samstack.ACCOUNT}:broker:*"]
    managed = stack.properties("ReconcilerFunctionRole")["ManagedPolicyArns"]
    assert sorted(managed) == [
        "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess",
        "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
    ]


def test_one_run_at_a_time(stack: samstack.Stack) -> None:
    assert stack.properties("ReconcilerFunction")["ReservedConcurrentExecutions"] == 1


def test_runtime_handler_and_tracing(default_stack: samstack.Stack) -> None:
    function = default_stack.properties("ReconcilerFunction")
    assert function["Runtime"] == "python3.13"
    assert function["Handler"] == "reconciler.shell.handler.lambda_handler"
    assert (samstack.ROOT / "src/reconciler/shell/handler.py").is_file()
    assert function["TracingConfig"] == {"Mode": "Active"}
    assert function["LoggingConfig"] == {"LogGroup": "<ReconcilerLogGroup>"}
    assert "RetentionInDays" in default_stack.properties("ReconcilerLogGroup")


def pins(path: str) -> dict[str, str]:
    """name -> pinned version of a requirements file (comments and blank lines skipped)."""
    lines = [line.split("#")[0].strip() for line in (samstack.ROOT / path).read_text().splitlines()]
    return dict(line.split("==") for line in lines if line)


def test_the_package_carries_exactly_the_powertools_the_tests_run_and_no_layer(default_stack: samstack.Stack) -> None:
    """No layer: its SSM parameter is missing in some regions and its version can drift (template.yaml)."""
    from importlib.metadata import version

    function = default_stack.properties("ReconcilerFunction")
    assert "Layers" not in function
    # `sam build` installs requirements.txt found in CodeUri, the function's code directory.
    assert samstack.sam_template()["Resources"]["ReconcilerFunction"]["Properties"]["CodeUri"] == "src/"
    packaged = pins("src/requirements.txt")
    assert packaged == {"aws-lambda-powertools": pins("requirements-dev.txt")["aws-lambda-powertools"]}
    assert version("aws-lambda-powertools") == packaged["aws-lambda-powertools"], "the tests run the packaged version"


def test_sam_build_installs_the_pins_and_compiles_the_package_for_the_runtime() -> None:
    """src/Makefile is what `sam build` runs for the function (BuildMethod makefile, target build-<LogicalId>)."""
    assert samstack.sam_template()["Resources"]["ReconcilerFunction"]["Metadata"]["BuildMethod"] == "makefile"
    makefile = (samstack.ROOT / "src/Makefile").read_text()
    assert "\nbuild-ReconcilerFunction:\n" in makefile
    assert "-m pip install" in makefile and '--requirement requirements.txt --target "$(ARTIFACTS_DIR)"' in makefile
    assert '-m compileall -q --invalidation-mode unchecked-hash "$(ARTIFACTS_DIR)"' in makefile
    assert "PYTHON313 ?= python3.13" in makefile, "bytecode for the function's runtime, python3.13"


def test_environment_passes_the_reconcilers_own_validation(stack: samstack.Stack) -> None:
    from reconciler.core.settings import Settings

    env = environment(stack)
    settings = Settings.from_environ({**env, "AWS_REGION": samstack.REGION})
    assert list(settings.target_group_arns) == enabled_target_group_arns(stack)
    assert list(settings.rabbitmq_target_group_arns) == enabled_target_group_arns(stack, RABBITMQ_TARGET_GROUPS)
    assert settings.dry_run is False
    assert settings.metrics_namespace == "MqStaticEndpoint"
    assert env["AWS_RETRY_MODE"] == "standard"
    assert env["POWERTOOLS_SERVICE_NAME"] == samstack.STACK_NAME
    assert env["POWERTOOLS_LOG_LEVEL"] == "INFO"
    assert (env["MQ_DESCRIBE_RATE"], env["MQ_DESCRIBE_BURST"]) == ("10", "5")


def test_parameters_reach_the_environment() -> None:
    env = environment(
        samstack.deploy(
            BrokerTag="team=payments",
            BrokerIds="b-3f2c8e1a-9d47-4b6e-a1c5-7e2d9f0b4a61",
            DryRun="true",
            MqDescribeRate="4",
            MqDescribeBurst="8",
            MetricsNamespace="Payments/Mq",
            LogLevel="DEBUG",
        )
    )
    assert env["BROKER_TAG"] == "team=payments"
    assert env["BROKER_IDS"] == "b-3f2c8e1a-9d47-4b6e-a1c5-7e2d9f0b4a61"
    assert (env["DRY_RUN"], env["MQ_DESCRIBE_RATE"], env["MQ_DESCRIBE_BURST"]) == ("true", "4", "8")
    assert (env["POWERTOOLS_METRICS_NAMESPACE"], env["POWERTOOLS_LOG_LEVEL"]) == ("Payments/Mq", "DEBUG")


@pytest.mark.parametrize("namespace", ["MqStaticEndpoint", "Payments/Mq"])
def test_alarms_watch_metrics_the_reconciler_emits_where_it_emits_them(namespace: str) -> None:
    stack = samstack.deploy(MetricsNamespace=namespace)
    env = environment(stack)
    custom = [
        a["Properties"]
        for a in stack.of_type("AWS::CloudWatch::Alarm").values()
        if a["Properties"]["Namespace"] == env["POWERTOOLS_METRICS_NAMESPACE"]
    ]
    assert {a["MetricName"] for a in custom} == {
        "BrokersWithoutHealthyInstance",
        "ReconcileFailures",
        "ReconcileIncomplete",
        "BrokerInstancesInUnservedZones",
    }
    for alarm in custom:
        assert alarm["Dimensions"] == [{"Name": "service", "Value": env["POWERTOOLS_SERVICE_NAME"]}]
        assert alarm["MetricName"] in EMITTED_METRICS[()]
        assert (alarm["ComparisonOperator"], alarm["Threshold"]) == ("GreaterThanThreshold", 0)


@pytest.mark.parametrize("namespace", ["AWS/MQ", "aws/Custom", ":Leading", "", "x" * 256, 'Bad"Quote'])
def test_metrics_namespace_refuses_reserved_and_malformed_names(namespace: str) -> None:
    with pytest.raises(samstack.DeployError, match="MetricsNamespace"):
        samstack.deploy(MetricsNamespace=namespace)


def test_dead_letter_queue_alarm_watches_the_queue(default_stack: samstack.Stack) -> None:
    alarm = default_stack.properties("DeadLetterQueueAlarm")
    assert (alarm["Namespace"], alarm["MetricName"]) == ("AWS/SQS", "ApproximateNumberOfMessagesVisible")
    assert alarm["Dimensions"] == [{"Name": "QueueName", "Value": "DeadLetterQueue.QueueName"}]


def test_dashboard_is_valid_json_and_shows_the_reconcilers_metrics(stack: samstack.Stack) -> None:
    import json

    body = json.loads(stack.properties("Dashboard")["DashboardBody"])
    text = json.dumps(body)
    namespace = environment(stack)["POWERTOOLS_METRICS_NAMESPACE"]
    for metrics in EMITTED_METRICS.values():
        for metric in metrics:
            assert metric in text, f"{metric} is not on the dashboard"
    assert namespace in text and "LoadBalancer.LoadBalancerFullName" in text
    assert any(fnmatch.fnmatch(w.get("properties", {}).get("title", ""), "Healthy targets*") for w in body["widgets"])


def test_every_target_group_is_tagged_with_the_stack_that_owns_it() -> None:
    stack = samstack.deploy(**ALL_PROTOCOLS)
    from reconciler.adapters.elb import OWNER_TAG

    for logical_id in TARGET_GROUPS:
        assert {"Key": OWNER_TAG, "Value": samstack.STACK_NAME} in stack.properties(logical_id)["Tags"], logical_id
    assert environment(stack)["STACK_NAME"] == samstack.STACK_NAME


def test_per_broker_metrics_are_opt_in() -> None:
    assert environment(samstack.deploy())["BROKER_METRICS"] == "false"
    assert environment(samstack.deploy(PublishBrokerMetrics="true"))["BROKER_METRICS"] == "true"
