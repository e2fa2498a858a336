"""Optional pieces appear exactly when their parameters say so; wrong values fail before anything is created."""

import shlex
import tomllib

import pytest
import samstack

OPTIONAL = {  # parameters that turn it on -> resources that must then exist, and only then
    "amqp": (
        {"EnableAmqp": "true"},
        {
            "AmqpTargetGroup",
            "AmqpTargetGroupGreen",
            "AmqpListener",
            "AmqpStandbyListener",
            "BrokerIngressAmqp",
            "AmqpNoHealthyTargetAlarm",
        },
    ),
    "stomp": (
        {"EnableStomp": "true"},
        {
            "StompTargetGroup",
            "StompTargetGroupGreen",
            "StompListener",
            "StompStandbyListener",
            "BrokerIngressStomp",
            "StompNoHealthyTargetAlarm",
        },
    ),
    "mqtt": (
        {"EnableMqtt": "true"},
        {
            "MqttTargetGroup",
            "MqttTargetGroupGreen",
            "MqttListener",
            "MqttStandbyListener",
            "BrokerIngressMqtt",
            "MqttNoHealthyTargetAlarm",
        },
    ),
    "wss": (
        {"EnableWss": "true"},
        {
            "WssTargetGroup",
            "WssTargetGroupGreen",
            "WssListener",
            "WssStandbyListener",
            "BrokerIngressWss",
            "WssNoHealthyTargetAlarm",
        },
    ),
    "console": (
        {"EnableConsole": "true", "AllowedConsoleCidrs": "192.0.2.0/28"},
        {
            "ConsoleTargetGroup",
            "ConsoleTargetGroupGreen",
            "ConsoleListener",
            "ConsoleStandbyListener",
            "ConsolePrefixList",
            "ConsoleNoHealthyTargetAlarm",
        },
    ),
    "rabbitmq": (
        {"EnableRabbitMq": "true"},
        {
            "RabbitMqAmqpsTargetGroup",
            "RabbitMqAmqpsTargetGroupGreen",
            "RabbitMqAmqpsListener",
            "RabbitMqAmqpsStandbyListener",
            "BrokerIngressRabbitMqAmqps",
            "RabbitMqAmqpsNoHealthyTargetAlarm",
        },
    ),
    "rabbitmq-console": (
        {"EnableRabbitMq": "true", "EnableRabbitMqConsole": "true", "AllowedConsoleCidrs": "192.0.2.0/28"},
        {
            "RabbitMqAmqpsTargetGroup",
            "RabbitMqAmqpsTargetGroupGreen",
            "RabbitMqAmqpsListener",
            "RabbitMqAmqpsStandbyListener",
            "BrokerIngressRabbitMqAmqps",
            "RabbitMqAmqpsNoHealthyTargetAlarm",
            "RabbitMqConsoleTargetGroup",
            "RabbitMqConsoleTargetGroupGreen",
            "RabbitMqConsoleListener",
            "RabbitMqConsoleStandbyListener",
            "BrokerIngressRabbitMqConsole",
            "RabbitMqConsoleNoHealthyTargetAlarm",
            "ConsolePrefixList",
        },
    ),
    "access-logs": ({"EnableAccessLogs": "true"}, {"AccessLogsBucket", "AccessLogsBucketPolicy"}),
    "dual-stack": ({"IpAddressType": "dualstack"}, {"EndpointRecordIpv6"}),
    "demo-broker": (
        {
            "CreateDemoBroker": "true",
            "DemoBrokerSubnetIdA": "subnet-0c1d2e3f4a5b60718",
            "DemoBrokerSubnetIdB": "subnet-0d2e3f4a5b6c70819",
        },
        {"DemoBroker", "DemoBrokerSecret", "DemoBrokerLogsPolicy"},
    ),
    "alarm-email": ({"AlarmEmail": "mq-oncall@example.com"}, {"AlarmEmailSubscription"}),
}
DEMO_SUBNETS = OPTIONAL["demo-broker"][0]


@pytest.mark.parametrize("option", OPTIONAL)
def test_optional_pieces_appear_exactly_when_asked_for(default_stack: samstack.Stack, option: str) -> None:
    parameters, pieces = OPTIONAL[option]
    assert pieces.isdisjoint(default_stack.resources)
    with_option = samstack.deploy(**parameters)
    assert set(with_option.resources) - set(default_stack.resources) == pieces


def test_optional_target_groups_have_their_alarm_on_the_load_balancers_health_count(full_stack: samstack.Stack) -> None:
    for name in ["OpenWire", "Amqp", "Stomp", "Mqtt", "Wss", "Console"]:
        alarm = full_stack.properties(f"{name}NoHealthyTargetAlarm")
        assert (alarm["Namespace"], alarm["MetricName"]) == ("AWS/NetworkELB", "HealthyHostCount")
        assert alarm["Dimensions"] == [
            {"Name": "LoadBalancer", "Value": "LoadBalancer.LoadBalancerFullName"},
            {"Name": "TargetGroup", "Value": f"{name}TargetGroup.TargetGroupFullName"},
        ]
        assert (alarm["ComparisonOperator"], alarm["Threshold"], alarm["TreatMissingData"]) == (
            "LessThanThreshold",
            1,
            "breaching",
        )


def test_every_alarm_notifies_the_encrypted_topic_when_there_is_one(stack: samstack.Stack) -> None:
    topic = stack.properties("AlarmTopic")
    assert topic["KmsMasterKeyId"] == "<AlarmTopicKey>"
    assert stack.properties("AlarmTopicKey")["EnableKeyRotation"] is True
    for alarm in stack.of_type("AWS::CloudWatch::Alarm").values():
        assert alarm["Properties"]["AlarmActions"] == ["<AlarmTopic>"]
        assert alarm["Properties"]["OKActions"] == ["<AlarmTopic>"]


def test_without_a_topic_alarms_still_exist_but_notify_nobody() -> None:
    stack = samstack.deploy(CreateAlarmTopic="false", AlarmEmail="mq-oncall@example.com")
    assert not stack.of_type("AWS::SNS::Topic") and not stack.of_type("AWS::SNS::Subscription")
    alarms = stack.of_type("AWS::CloudWatch::Alarm").values()
    assert len(alarms) == 6
    assert all(a["Properties"]["AlarmActions"] == [] for a in alarms)


def test_alarm_email_is_subscribed_to_the_topic(full_stack: samstack.Stack) -> None:
    subscription = full_stack.properties("AlarmEmailSubscription")
    assert subscription == {"TopicArn": "<AlarmTopic>", "Protocol": "email", "Endpoint": "mq-oncall@example.com"}


def test_demo_broker_is_private_active_standby_tagged_into_scope_and_uses_a_generated_secret(
    full_stack: samstack.Stack,
) -> None:
    broker = full_stack.properties("DemoBroker")
    assert (broker["EngineType"], broker["DeploymentMode"]) == ("ACTIVEMQ", "ACTIVE_STANDBY_MULTI_AZ")
    assert broker["PubliclyAccessible"] is False
    assert broker["SubnetIds"] == [DEMO_SUBNETS["DemoBrokerSubnetIdA"], DEMO_SUBNETS["DemoBrokerSubnetIdB"]]
    assert broker["SecurityGroups"] == ["BrokerSecurityGroup.GroupId"]
    key, value = full_stack.parameters["BrokerTag"].split("=", 1)
    assert broker["Tags"] == [{"Key": key, "Value": value}]
    (user,) = broker["Users"]
    assert user["Password"] == "{{resolve:secretsmanager:<DemoBrokerSecret>:SecretString:password}}"
    generated = full_stack.properties("DemoBrokerSecret")["GenerateSecretString"]
    assert generated["GenerateStringKey"] == "password"
    assert set(",:=") <= set(generated["ExcludeCharacters"]), "ActiveMQ refuses these in passwords"
    assert not [p for p in samstack.sam_template()["Parameters"] if "password" in p.lower()]


@pytest.mark.parametrize(
    ("parameters", "message"),
    [
        ({"CreateDemoBroker": "true"}, "DemoBrokerSubnetIdA and DemoBrokerSubnetIdB"),
        ({**DEMO_SUBNETS, "DemoBrokerSubnetIdB": DEMO_SUBNETS["DemoBrokerSubnetIdA"]}, "must differ"),
        ({**DEMO_SUBNETS, "BrokerTag": "", "BrokerIds": "b-3f2c8e1a-9d47-4b6e-a1c5-7e2d9f0b4a61"}, "BrokerTag"),
        ({"BrokerTag": "", "BrokerIds": ""}, "Set BrokerTag, BrokerIds or both"),
    ],
    ids=["demo-without-subnets", "demo-same-subnet", "demo-without-tag", "no-scope"],
)
def test_inconsistent_parameters_fail_with_a_message_that_says_what_to_do(
    parameters: dict[str, str], message: str
) -> None:
    with pytest.raises(samstack.DeployError, match=message):
        samstack.deploy(**parameters)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("EndpointName", "mq.example.com."),
        ("EndpointName", "MQ.Example.com"),
        ("EndpointName", "localhost"),
        ("CertificateArn", "arn:aws:iam::123456789012:server-certificate/mq"),
        ("BrokerIds", "b-123456"),
        ("BrokerIds", "b-3f2c8e1a-9d47-4b6e-a1c5-7e2d9f0b4a61, b-8a61d2f4-5c3b-4e9a-b7d0-2f1e6c9a3b85"),
        ("BrokerTag", "no-equals-sign"),
        ("SweepSchedule", "rate(1 minutes)"),
        ("SweepSchedule", "rate(0 minutes)"),
        ("SweepSchedule", "cron(* * * * ? *)"),
        ("MqDescribeRate", "16"),
        ("MqDescribeRate", "0"),
        ("TlsPolicy", "ELBSecurityPolicy-2016-08"),
        ("LoadBalancerScheme", "public"),
        ("DryRun", "yes"),
        ("AlarmEmail", "not-an-address"),
        ("DemoBrokerSubnetIdA", "subnet-xyz"),
    ],
)
def test_wrong_values_fail_at_deploy_time_naming_the_parameter(name: str, value: str) -> None:
    with pytest.raises(samstack.DeployError, match=name):
        samstack.deploy(**{name: value})


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("BrokerTag", "mq-static-endpoint=prod"),
        ("BrokerTag", "team=payments and billing"),
        ("BrokerTag", "scope="),
        ("BrokerIds", "b-3f2c8e1a-9d47-4b6e-a1c5-7e2d9f0b4a61,b-8a61d2f4-5c3b-4e9a-b7d0-2f1e6c9a3b85"),
        ("SweepSchedule", "rate(5 minutes)"),
        ("SweepSchedule", "rate(1 day)"),
        ("EndpointName", "mq.eu-west-1.prod.example.co.uk"),
    ],
)
def test_sensible_values_are_accepted(name: str, value: str) -> None:
    samstack.deploy(**{name: value})


def test_outputs_give_clients_and_operators_what_they_need(
    default_stack: samstack.Stack, full_stack: samstack.Stack
) -> None:
    outputs = default_stack.outputs
    assert outputs["EndpointName"] == "mq.example.com"
    assert outputs["FailoverUrl"] == "failover:(ssl://mq.example.com:61617)"
    assert outputs["ReconcilerFunctionName"] == "<ReconcilerFunction>"
    assert outputs["BrokerSecurityGroupId"] == "BrokerSecurityGroup.GroupId"
    assert '--event \'{"action":"resync"}\'' in outputs["ResyncCommand"]
    assert {k for k in outputs if k.endswith("TargetGroupArn")} == {"OpenWireTargetGroupArn"}
    assert {k for k in full_stack.outputs if k.endswith("TargetGroupArn")} == {
        f"{p}TargetGroupArn" for p in ["OpenWire", "Amqp", "Stomp", "Mqtt", "Wss", "Console"]
    }
    assert full_stack.outputs["AmqpTargetGroupArn"] == full_stack.ref("AmqpTargetGroup")
    export = samstack.sam_template()["Outputs"]["BrokerSecurityGroupId"]["Export"]
    assert default_stack.resolve(export) == {"Name": f"{samstack.STACK_NAME}-BrokerSecurityGroupId"}


def test_every_parameter_has_a_group_a_label_and_a_description() -> None:
    template = samstack.sam_template()
    interface = template["Metadata"]["AWS::CloudFormation::Interface"]
    grouped = [p for group in interface["ParameterGroups"] for p in group["Parameters"]]
    assert sorted(grouped) == sorted(template["Parameters"]), "each parameter in exactly one group"
    assert set(interface["ParameterLabels"]) == set(template["Parameters"])
    assert all(spec.get("Description") for spec in template["Parameters"].values())


def test_a_first_deploy_fills_in_one_group_the_parameters_no_default_could_serve() -> None:
    template = samstack.sam_template()
    first, *_ = template["Metadata"]["AWS::CloudFormation::Interface"]["ParameterGroups"]
    without_default = {name for name, spec in template["Parameters"].items() if "Default" not in spec}
    assert set(first["Parameters"]) == without_default == set(samstack.REQUIRED)
    assert samstack.deploy().resources, "the required values alone deploy"


def samconfig_overrides(environment: str) -> dict[str, str]:
    """parameter_overrides read the way SAM CLI reads them: shell-like words, Key=Value."""
    config = tomllib.loads((samstack.ROOT / "samconfig.toml").read_text())
    overrides = config[environment]["deploy"]["parameters"]["parameter_overrides"]
    return dict(word.split("=", 1) for word in shlex.split(" ".join(overrides)))


@pytest.mark.parametrize("environment", ["default", "prod"])
def test_samconfig_environments_deploy(environment: str) -> None:
    stack = samstack.deploy(**samconfig_overrides(environment))
    assert stack.properties("ReconcilerFunction")["ReservedConcurrentExecutions"] == 1


def test_prod_environment_protects_the_endpoint_and_pages_someone() -> None:
    stack = samstack.deploy(**samconfig_overrides("prod"))
    attributes = {a["Key"]: a["Value"] for a in stack.properties("LoadBalancer")["LoadBalancerAttributes"]}
    assert attributes["deletion_protection.enabled"] == "true"
    assert attributes["access_logs.s3.enabled"] == "true"
    assert stack.of_type("AWS::SNS::Subscription")
    config = tomllib.loads((samstack.ROOT / "samconfig.toml").read_text())
    assert (
        config["prod"]["global"]["parameters"]["stack_name"] != config["default"]["global"]["parameters"]["stack_name"]
    )
