"""The endpoint itself: load balancer, listeners, target groups, who may connect."""

from typing import Any

import pytest
import samstack

# Protocol name in the template, its port (docs/sources.md).
PORTS = {"OpenWire": 61617, "Amqp": 5671, "Stomp": 61614, "Mqtt": 8883, "Wss": 61619, "Console": 8162}
RABBITMQ_PORTS = {"RabbitMqAmqps": 5671, "RabbitMqConsole": 443}
CONSOLE_PORTS = {PORTS["Console"], RABBITMQ_PORTS["RabbitMqConsole"]}
HEALTH_CHECK_PORT = "8162"
CLIENT_PREFIX_LISTS = {"<ClientIpv4PrefixList>", "<ClientIpv6PrefixList>"}


def listeners(stack: samstack.Stack) -> dict[str, dict[str, Any]]:
    return {k: v["Properties"] for k, v in stack.of_type("AWS::ElasticLoadBalancingV2::Listener").items()}


def target_groups(stack: samstack.Stack) -> dict[str, dict[str, Any]]:
    return {k: v["Properties"] for k, v in stack.of_type("AWS::ElasticLoadBalancingV2::TargetGroup").items()}


def lb_attributes(stack: samstack.Stack) -> dict[str, str]:
    return {a["Key"]: a["Value"] for a in stack.properties("LoadBalancer")["LoadBalancerAttributes"]}


def ingress(stack: samstack.Stack) -> list[dict[str, Any]]:
    return stack.properties("LoadBalancerSecurityGroup")["SecurityGroupIngress"]


def test_each_protocol_has_an_ip_target_group_on_its_port_health_checked_on_8162(full_stack: samstack.Stack) -> None:
    groups = target_groups(full_stack)
    assert {name.removesuffix("Green").removesuffix("TargetGroup") for name in groups} == set(PORTS)
    assert len(groups) == 2 * len(PORTS), "a blue and a green group per protocol"
    for name, tg in groups.items():
        assert tg["Port"] == PORTS[name.removesuffix("Green").removesuffix("TargetGroup")]
        assert (tg["TargetType"], tg["Protocol"], tg["VpcId"]) == ("ip", "TLS", samstack.REQUIRED["VpcId"])
        assert (tg["HealthCheckProtocol"], tg["HealthCheckPort"]) == ("TCP", HEALTH_CHECK_PORT)


def test_health_check_defaults_see_a_failover_in_about_20_seconds(default_stack: samstack.Stack) -> None:
    tg = target_groups(default_stack)["OpenWireTargetGroup"]
    assert int(tg["HealthCheckIntervalSeconds"]) == 10
    assert (int(tg["HealthyThresholdCount"]), int(tg["UnhealthyThresholdCount"])) == (2, 2)
    assert int(tg["HealthCheckTimeoutSeconds"]) < int(tg["HealthCheckIntervalSeconds"])


def test_health_check_and_deregistration_delay_follow_the_parameters() -> None:
    stack = samstack.deploy(
        HealthCheckIntervalSeconds="30",
        HealthCheckTimeoutSeconds="10",
        HealthyThresholdCount="3",
        UnhealthyThresholdCount="4",
        DeregistrationDelaySeconds="0",
        **samstack.ALL_PROTOCOLS,
    )
    for tg in target_groups(stack).values():
        assert [
            tg[k]
            for k in (
                "HealthCheckIntervalSeconds",
                "HealthCheckTimeoutSeconds",
                "HealthyThresholdCount",
                "UnhealthyThresholdCount",
            )
        ] == ["30", "10", "3", "4"]
        attributes = {a["Key"]: a["Value"] for a in tg["TargetGroupAttributes"]}
        assert attributes["deregistration_delay.timeout_seconds"] == "0"


@pytest.mark.parametrize("interval", ["4", "301"])
def test_health_check_interval_outside_the_nlb_range_is_refused(interval: str) -> None:
    with pytest.raises(samstack.DeployError, match="HealthCheckIntervalSeconds"):
        samstack.deploy(HealthCheckIntervalSeconds=interval)


def test_listeners_are_tls_only_with_a_tls13_policy_and_forward_to_their_own_port(stack: samstack.Stack) -> None:
    groups = target_groups(stack)
    for name, listener in listeners(stack).items():
        assert listener["Protocol"] == "TLS", name
        assert listener["SslPolicy"].startswith("ELBSecurityPolicy-TLS13-"), name
        (action,) = listener["DefaultActions"]
        assert action["Type"] == "forward"
        (tg,) = [tg for logical_id, tg in groups.items() if stack.ref(logical_id) == action["TargetGroupArn"]]
        protocol = name.removesuffix("Listener").removesuffix("Standby")
        assert tg["Port"] == {**PORTS, **RABBITMQ_PORTS}[protocol]
        # A standby listener: 40000 + the last four digits of the client port.
        assert listener["Port"] == (40000 + tg["Port"] % 10000 if name.endswith("StandbyListener") else tg["Port"])


def test_default_tls_policy_is_explicit_not_cloudformations_2016_one(default_stack: samstack.Stack) -> None:
    assert listeners(default_stack)["OpenWireListener"]["SslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-Res-2021-06"
    for policy in samstack.sam_template()["Parameters"]["TlsPolicy"]["AllowedValues"]:
        assert policy.startswith("ELBSecurityPolicy-TLS13-")


def test_clients_reach_only_the_enabled_listener_ports_and_only_from_the_allowed_ranges(stack: samstack.Stack) -> None:
    rules = ingress(stack)
    listener_ports = {
        listener["Port"] for name, listener in listeners(stack).items() if not name.endswith("StandbyListener")
    }
    standby_ports = {
        listener["Port"] for name, listener in listeners(stack).items() if name.endswith("StandbyListener")
    }
    assert {r["FromPort"] for r in rules} == listener_ports
    assert standby_ports and not standby_ports & listener_ports, "nobody may reach a standby listener"
    for rule in rules:
        assert rule["FromPort"] == rule["ToPort"]
        assert set(rule) & {"CidrIp", "CidrIpv6", "SourceSecurityGroupId"} == set(), "no open or ad-hoc source"
        expected = {"<ConsolePrefixList>"} if rule["FromPort"] in CONSOLE_PORTS else CLIENT_PREFIX_LISTS
        assert rule["SourcePrefixListId"] in expected


def test_every_security_group_rule_says_what_it_is_for(stack: samstack.Stack) -> None:
    # The promise behind the CKV_AWS_23 suppression in the template.
    for group in stack.of_type("AWS::EC2::SecurityGroup").values():
        for rule in group["Properties"].get("SecurityGroupIngress", []) + group["Properties"].get(
            "SecurityGroupEgress", []
        ):
            assert rule.get("Description"), rule
    for rule in stack.of_type("AWS::EC2::SecurityGroupIngress").values():
        assert rule["Properties"].get("Description")


@pytest.mark.parametrize("stack_name", ["full_stack", "rabbitmq_stack"])
def test_a_brokers_ingress_rule_names_health_checks_only_where_its_port_is_health_checked(
    stack_name: str, request: pytest.FixtureRequest
) -> None:
    """ActiveMQ groups are checked on 8162 (a rule of its own); RabbitMQ groups on their own port (found by review:
    the loop had every protocol's rule claim its port's health checks)."""
    stack: samstack.Stack = request.getfixturevalue(stack_name)
    groups = target_groups(stack)
    rules = {
        name.removeprefix("BrokerIngress"): r["Properties"]
        for name, r in stack.of_type("AWS::EC2::SecurityGroupIngress").items()
        if name.startswith("BrokerIngress") and name != "BrokerIngressConsole"
    }
    assert "OpenWire" in rules
    for protocol, rule in rules.items():
        group = groups[f"{protocol}TargetGroup"]
        checked_here = int(group["HealthCheckPort"]) == int(group["Port"])
        assert ("health checks" in rule["Description"]) == checked_here, (protocol, rule["Description"])


def prefix_list_cidrs(stack: samstack.Stack, logical_id: str) -> list[str]:
    return [entry["Cidr"] for entry in stack.properties(logical_id).get("Entries", [])]


@pytest.mark.parametrize("count", [1, 3, 8])
def test_client_prefix_list_holds_exactly_the_given_ranges(count: int) -> None:
    cidrs = [f"198.51.{i}.0/24" for i in range(count)]
    stack = samstack.deploy(AllowedClientCidrs=",".join(cidrs))
    assert prefix_list_cidrs(stack, "ClientIpv4PrefixList") == cidrs
    assert prefix_list_cidrs(stack, "ClientIpv6PrefixList") == []


def test_ipv6_clients_are_admitted_only_from_their_ranges(full_stack: samstack.Stack) -> None:
    assert prefix_list_cidrs(full_stack, "ClientIpv6PrefixList") == ["2001:db8::/32"]
    assert full_stack.properties("ClientIpv6PrefixList")["AddressFamily"] == "IPv6"


@pytest.mark.parametrize(
    "cidrs",
    ["", "10.0.0.0/33", "10.0.0/8", "10.0.0.0/8, 10.1.0.0/16", ",".join(f"198.51.{i}.0/24" for i in range(9))],
    ids=["none", "bad-prefix", "bad-address", "space", "nine"],
)
def test_client_ranges_that_cannot_be_enforced_are_refused(cidrs: str) -> None:
    with pytest.raises(samstack.DeployError, match="AllowedClientCidrs"):
        samstack.deploy(AllowedClientCidrs=cidrs)


def test_prefix_lists_stay_within_the_security_group_rule_quota(full_stack: samstack.Stack) -> None:
    # A prefix list reference counts MaxEntries rules; a group allows 60 per address family.
    weight = {
        k.strip("<>"): v["Properties"]["MaxEntries"] for k, v in full_stack.of_type("AWS::EC2::PrefixList").items()
    }
    families = {
        k.strip("<>"): v["Properties"]["AddressFamily"] for k, v in full_stack.of_type("AWS::EC2::PrefixList").items()
    }
    used = {"IPv4": 0, "IPv6": 0}
    for rule in ingress(full_stack):
        name = rule["SourcePrefixListId"].strip("<>")
        used[families[name]] += weight[name]
    assert used["IPv4"] <= 60 and used["IPv6"] <= 60


def test_console_is_off_by_default(default_stack: samstack.Stack) -> None:
    assert "ConsoleListener" not in default_stack.resources
    assert "ConsolePrefixList" not in default_stack.resources
    assert PORTS["Console"] not in {r["FromPort"] for r in ingress(default_stack)}


def test_console_when_on_admits_only_its_own_ranges(full_stack: samstack.Stack) -> None:
    assert prefix_list_cidrs(full_stack, "ConsolePrefixList") == ["192.0.2.0/28"]
    (console_rule,) = [r for r in ingress(full_stack) if r["FromPort"] == PORTS["Console"]]
    assert console_rule["SourcePrefixListId"] == "<ConsolePrefixList>"


@pytest.mark.parametrize(
    ("cidrs", "message"),
    [
        ("", "EnableConsole needs AllowedConsoleCidrs"),
        ("0.0.0.0/0", "AllowedConsoleCidrs"),
        ("192.0.2.0/28,0.0.0.0/0", "AllowedConsoleCidrs"),
    ],
)
def test_console_is_never_open_to_everyone(cidrs: str, message: str) -> None:
    with pytest.raises(samstack.DeployError, match=message):
        samstack.deploy(EnableConsole="true", AllowedConsoleCidrs=cidrs)


def test_brokers_admit_the_load_balancer_on_exactly_the_ports_it_uses(stack: samstack.Stack) -> None:
    target_ports = {tg["Port"] for tg in target_groups(stack).values()} | {int(HEALTH_CHECK_PORT)}
    broker_ingress = [r["Properties"] for r in stack.of_type("AWS::EC2::SecurityGroupIngress").values()]
    assert {r["FromPort"] for r in broker_ingress} == target_ports
    for rule in broker_ingress:
        assert rule["GroupId"] == "BrokerSecurityGroup.GroupId"
        assert rule["SourceSecurityGroupId"] == "LoadBalancerSecurityGroup.GroupId"
    egress = stack.properties("LoadBalancerSecurityGroup")["SecurityGroupEgress"]
    assert {r["FromPort"] for r in egress} == target_ports
    assert {r["DestinationSecurityGroupId"] for r in egress} == {"BrokerSecurityGroup.GroupId"}


def test_load_balancer_is_a_network_one_with_its_security_group_and_cross_zone(stack: samstack.Stack) -> None:
    lb = stack.properties("LoadBalancer")
    assert lb["Type"] == "network"
    assert lb["SecurityGroups"] == ["LoadBalancerSecurityGroup.GroupId"]
    assert lb["Subnets"] == samstack.REQUIRED["LoadBalancerSubnetIds"].split(",")
    assert lb_attributes(stack)["load_balancing.cross_zone.enabled"] == "true"


@pytest.mark.parametrize("scheme", ["internet-facing", "internal"])
def test_scheme_is_the_parameter(scheme: str) -> None:
    # An internal endpoint names its certificate's public validation zone (test_template_certificate.py).
    stack = samstack.deploy(LoadBalancerScheme=scheme, CertificateValidationZoneId="Z0PUBLICZONE1234567")
    assert stack.properties("LoadBalancer")["Scheme"] == scheme


def test_deletion_protection_and_access_logs_are_off_by_default(default_stack: samstack.Stack) -> None:
    attributes = lb_attributes(default_stack)
    assert attributes["deletion_protection.enabled"] == "false"
    assert attributes["access_logs.s3.enabled"] == "false"
    assert "access_logs.s3.bucket" not in attributes
    assert not default_stack.of_type("AWS::S3::Bucket")


def test_access_logs_go_to_an_encrypted_private_bucket_this_stack_owns(full_stack: samstack.Stack) -> None:
    attributes = lb_attributes(full_stack)
    assert attributes["deletion_protection.enabled"] == "true"
    assert attributes["access_logs.s3.enabled"] == "true"
    assert attributes["access_logs.s3.bucket"] == "<AccessLogsBucket>"
    assert attributes["access_logs.s3.prefix"] == samstack.STACK_NAME
    bucket = full_stack.properties("AccessLogsBucket")
    (rule,) = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    statements = full_stack.properties("AccessLogsBucketPolicy")["PolicyDocument"]["Statement"]
    (write,) = [s for s in statements if s["Effect"] == "Allow" and s["Action"] == "s3:PutObject"]
    assert write["Principal"] == {"Service": "delivery.logs.amazonaws.com"}
    assert write["Resource"] == f"AccessLogsBucket.Arn/{samstack.STACK_NAME}/AWSLogs/{samstack.ACCOUNT}/*"


def test_dns_name_is_an_alias_to_the_load_balancer(default_stack: samstack.Stack, full_stack: samstack.Stack) -> None:
    records = default_stack.of_type("AWS::Route53::RecordSet")
    assert [r["Properties"]["Type"] for r in records.values()] == ["A"]
    (record,) = records.values()
    assert record["Properties"]["Name"] == samstack.REQUIRED["EndpointName"]
    assert record["Properties"]["HostedZoneId"] == samstack.REQUIRED["HostedZoneId"]
    assert record["Properties"]["AliasTarget"]["DNSName"] == "LoadBalancer.DNSName"
    assert sorted(r["Properties"]["Type"] for r in full_stack.of_type("AWS::Route53::RecordSet").values()) == [
        "A",
        "AAAA",
    ]
    assert full_stack.properties("LoadBalancer")["IpAddressType"] == "dualstack"


def test_ipv6_ranges_without_dual_stack_are_refused() -> None:
    with pytest.raises(samstack.DeployError, match="dualstack"):
        samstack.deploy(AllowedClientIpv6Cidrs="2001:db8::/32")
