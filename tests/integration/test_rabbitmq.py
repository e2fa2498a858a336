"""RabbitMQ brokers through the real handler: their VPC endpoint's addresses fill the AMQPS and console groups, only
those.

A RabbitMQ broker has no instance address; Amazon MQ reaches it through one
interface VPC endpoint in the VPC, tagged AMQManaged=true and (likely)
Broker=<id>, one interface per broker subnet. Without the Broker tag its
hostname ties it to the endpoint, and only EC2 confirms each resolved address.
"""

from __future__ import annotations

from typing import Any

import pytest

from emulator import EmulatedAws, events
from emulator.api_calls import recording_api_calls
from reconciler.core.settings import Settings
from reconciler.core.triggers import Trigger, TriggerKind
from tests.endpoint import Endpoint
from tests.integration.conftest import REGION, SCOPE_TAG

RABBITMQ_GROUPS = ("amqps", "rabbitmq-console")
ACTIVEMQ_GROUPS = ("openwire", "console")


def rabbit(aws: EmulatedAws, name: str, **options: Any) -> str:
    return aws.create_broker(name, engine="RABBITMQ", tags=SCOPE_TAG, **options)


def broker_report(report: dict[str, Any], broker_id: str) -> dict[str, Any]:
    return {b["brokerId"]: b for b in report["brokers"]}[broker_id]


def group_report(report: dict[str, Any], name: str) -> dict[str, Any]:
    return {g["name"]: g for g in report["targetGroups"]}[name]


def resource_endpoint_ips(aws: EmulatedAws, endpoint_id: str) -> list[str]:
    ec2 = aws.client("ec2")
    (endpoint,) = ec2.describe_vpc_endpoints(VpcEndpointIds=[endpoint_id])["VpcEndpoints"]
    assert endpoint["VpcEndpointType"] == "Resource"
    enis = ec2.describe_network_interfaces(NetworkInterfaceIds=endpoint["NetworkInterfaceIds"])["NetworkInterfaces"]
    return [eni["PrivateIpAddress"] for eni in enis]


def test_a_single_instance_broker_fills_the_rabbitmq_groups_with_its_endpoint_address(mixed_endpoint: Endpoint) -> None:
    aws = mixed_endpoint.aws
    broker = rabbit(aws, "events")
    (address,) = aws.endpoint_ips(broker)

    report = mixed_endpoint.sweep().report

    assert {name: mixed_endpoint.targets(name) for name in RABBITMQ_GROUPS} == {
        name: {address: "healthy"} for name in RABBITMQ_GROUPS
    }
    assert all(mixed_endpoint.targets(name) == {} for name in ACTIVEMQ_GROUPS), "no ActiveMQ listener may lead to it"
    assert report["status"] == "ok"
    found = broker_report(report, broker)
    assert (found["engine"], found["knowledge"], found["addressSource"]) == ("RABBITMQ", "settled", "vpcEndpoint")
    assert found["addresses"] == [
        {"ip": address, "zone": f"{REGION}a", "interfaceId": aws.broker_endpoint(broker)["NetworkInterfaceIds"][0]}
    ]
    assert (
        group_report(report, "amqps")["engine"] == "RABBITMQ"
        and group_report(report, "openwire")["engine"] == "ACTIVEMQ"
    )
    assert mixed_endpoint.sweep().report["brokers"][0]["healthyInstances"] == 1


def test_a_three_node_cluster_fills_the_group_with_one_address_per_zone(mixed_endpoint: Endpoint) -> None:
    aws = mixed_endpoint.aws
    aws.add_private_subnet()
    cluster = rabbit(aws, "telemetry", deployment_mode="CLUSTER_MULTI_AZ", subnet_ids=aws.private_subnets)

    report = mixed_endpoint.sweep().report

    assert (
        set(mixed_endpoint.targets("amqps")) == set(aws.endpoint_ips(cluster)) and len(aws.endpoint_ips(cluster)) == 3
    )
    assert sorted(a["zone"] for a in broker_report(report, cluster)["addresses"]) == [f"{REGION}{z}" for z in "abc"]
    settled = mixed_endpoint.sweep()
    assert settled.metric("HealthyTargets", TargetGroup="amqps") == 3
    assert settled.metric("BrokersWithoutHealthyInstance") == 0


@pytest.mark.parametrize("recreate", [False, True], ids=["interfaces-replaced", "endpoint-recreated"])
def test_when_the_endpoints_addresses_change_the_targets_follow(mixed_endpoint: Endpoint, recreate: bool) -> None:
    aws = mixed_endpoint.aws
    aws.add_private_subnet()
    cluster = rabbit(aws, "telemetry", deployment_mode="CLUSTER_MULTI_AZ", subnet_ids=aws.private_subnets)
    mixed_endpoint.sweep()
    old = set(aws.endpoint_ips(cluster))

    new = set(aws.change_endpoint_ips(cluster, recreate=recreate))
    mixed_endpoint.reboot_event(cluster)
    for name in RABBITMQ_GROUPS:
        assert set(mixed_endpoint.targets(name)) == new | old, "new ones at once; Amazon MQ has no word on old ones"
    report = mixed_endpoint.next_sweep().report

    for name in RABBITMQ_GROUPS:
        assert set(mixed_endpoint.targets(name)) == new
    removed = group_report(report, "amqps")["deregistered"]
    assert {d["target"] for d in removed} == {f"{ip}:5671" for ip in old}
    assert all("seen free in two listings" in d["evidence"] for d in removed)


def test_a_deleted_brokers_targets_go(mixed_endpoint: Endpoint, two_brokers: tuple[str, str]) -> None:
    aws = mixed_endpoint.aws
    broker, other = rabbit(aws, "events"), rabbit(aws, "audit")
    mixed_endpoint.sweep()

    aws.delete_broker(broker)
    report = mixed_endpoint.invoke(events.delete_broker(REGION, broker)).report
    mixed_endpoint.next_sweep()

    assert set(mixed_endpoint.targets("amqps")) == set(aws.endpoint_ips(other))
    assert len(mixed_endpoint.targets("openwire")) == 4, "the ActiveMQ brokers are not touched"
    assert broker_report(report, broker)["knowledge"] == "gone"


def test_a_broker_taken_out_of_scope_loses_its_targets_on_describe_brokers_word(mixed_endpoint: Endpoint) -> None:
    aws = mixed_endpoint.aws
    broker = rabbit(aws, "events")
    mixed_endpoint.sweep()

    aws.untag_broker(broker, list(SCOPE_TAG))
    report = mixed_endpoint.invoke(
        events.cloudtrail(REGION, "DeleteTags", {"resourceArn": aws.broker_arn(broker), "tagKeys": list(SCOPE_TAG)})
    ).report

    assert mixed_endpoint.targets("amqps") == {}, "its endpoint is still there: only DescribeBroker's word removed it"
    (removal,) = group_report(report, "amqps")["deregistered"]
    assert removal["evidence"] == f"held for {broker}, and that broker is not in scope"


def test_without_a_broker_tag_the_hostname_finds_the_endpoint_and_ec2_confirms_it(mixed_endpoint: Endpoint) -> None:
    aws = mixed_endpoint.aws
    broker = rabbit(aws, "events", endpoint_tagged=False)

    with recording_api_calls() as calls:
        report = mixed_endpoint.sweep().report

    assert set(mixed_endpoint.targets("amqps")) == set(aws.endpoint_ips(broker))
    found = broker_report(report, broker)
    assert (found["knowledge"], found["addressSource"]) == ("settled", "vpcEndpoint")
    assert aws.resolver.hostname(broker) in found["reason"]
    assert calls.count("mq", "DescribeBroker") == 1, "its engine and hostname come from DescribeBroker"


def test_a_dns_failure_removes_nothing(mixed_endpoint: Endpoint) -> None:
    aws = mixed_endpoint.aws
    broker = rabbit(aws, "events", endpoint_tagged=False)
    mixed_endpoint.sweep()
    before = mixed_endpoint.all_targets()

    aws.resolver.fail(aws.resolver.hostname(broker))
    mixed_endpoint.cold_start()  # a warm container remembers the endpoint it confirmed and asks DNS nothing
    invocation = mixed_endpoint.sweep()

    assert mixed_endpoint.all_targets() == before
    report = invocation.report
    assert report["status"] == "incomplete"
    assert broker_report(report, broker)["knowledge"] == "unresolved"
    assert any("could not be resolved" in error for error in report["errors"])
    (kept,) = group_report(report, "amqps")["withheld"]
    assert f"{broker} unresolved" in kept["reason"]
    assert invocation.metric("BrokersUnresolved") == 1


def test_an_address_that_resolves_but_is_not_an_endpoint_interface_is_refused_and_reported(
    mixed_endpoint: Endpoint,
) -> None:
    aws = mixed_endpoint.aws
    broker = rabbit(aws, "events", endpoint_tagged=False)
    (address,) = aws.endpoint_ips(broker)
    instance = aws.free_address_in_subnet_of(address)
    aws.create_interface(instance, description="Primary network interface")  # an EC2 instance in the VPC
    elsewhere = "10.1.1.10"  # not even in the VPC
    aws.resolver.answer(aws.resolver.hostname(broker), [address, instance, elsewhere])

    report = mixed_endpoint.sweep().report

    assert set(mixed_endpoint.targets("amqps")) == {address}, "never registered"
    refused = {r["ip"]: r["reason"] for r in broker_report(report, broker)["refusedAddresses"]}
    assert set(refused) == {instance, elsewhere}
    assert all("no interface of an Amazon MQ VPC endpoint" in reason for reason in refused.values())
    assert f"{broker}: {instance} refused: " + refused[instance] in report["errors"]
    assert report["status"] == "incomplete"


def test_a_hostname_resolving_to_no_endpoint_at_all_registers_nothing(mixed_endpoint: Endpoint) -> None:
    aws = mixed_endpoint.aws
    broker = rabbit(aws, "events", endpoint_tagged=False)
    aws.resolver.answer(aws.resolver.hostname(broker), ["10.0.1.77"])

    report = mixed_endpoint.sweep().report

    assert mixed_endpoint.all_targets() == {name: {} for name in (*ACTIVEMQ_GROUPS, *RABBITMQ_GROUPS)}
    assert broker_report(report, broker)["knowledge"] == "unresolved"


def test_a_resource_vpc_endpoint_is_never_taken_for_the_brokers(mixed_endpoint: Endpoint) -> None:
    """Private networking adds resource endpoints at reboot; the emulator tags them like the broker's own."""
    aws = mixed_endpoint.aws
    tagged, untagged = rabbit(aws, "events"), rabbit(aws, "audit", endpoint_tagged=False)
    resource = resource_endpoint_ips(aws, aws.add_resource_endpoint(tagged))
    sneaky = resource_endpoint_ips(aws, aws.add_resource_endpoint(untagged))
    # Suppose DNS named the resource endpoint too: EC2 still says it is no broker endpoint.
    aws.resolver.answer(aws.resolver.hostname(untagged), aws.endpoint_ips(untagged) + sneaky)

    report = mixed_endpoint.sweep().report

    assert set(mixed_endpoint.targets("amqps")) == set(aws.endpoint_ips(tagged)) | set(aws.endpoint_ips(untagged))
    assert not (set(resource) | set(sneaky)) & set(mixed_endpoint.targets("amqps"))
    assert {r["ip"] for r in broker_report(report, untagged)["refusedAddresses"]} == set(sneaky)
    assert report["vpcEndpointsListed"] == 2, "the two interface endpoints, not the resource ones"


def test_activemq_and_rabbitmq_brokers_side_by_side_each_fill_only_their_own_groups(
    mixed_endpoint: Endpoint, two_brokers: tuple[str, str]
) -> None:
    aws = mixed_endpoint.aws
    broker = rabbit(aws, "events")

    mixed_endpoint.sweep()

    activemq = {ip for b in two_brokers for ip in aws.broker_ips(b)}
    assert {name: set(mixed_endpoint.targets(name)) for name in (*ACTIVEMQ_GROUPS, *RABBITMQ_GROUPS)} == {
        "openwire": activemq,
        "console": activemq,
        "amqps": set(aws.endpoint_ips(broker)),
        "rabbitmq-console": set(aws.endpoint_ips(broker)),
    }
    with recording_api_calls() as calls:
        report = mixed_endpoint.sweep().report
    assert all(g["registered"] == [] and g["deregistered"] == [] for g in report["targetGroups"])
    assert (calls.count("ec2", "DescribeVpcEndpoints"), calls.count("ec2", "DescribeNetworkInterfaces")) == (1, 2)
    assert calls.count("mq", "DescribeBroker") == 0, "the Broker tag ties it: Amazon MQ is not asked"


def test_a_steady_activemq_sweep_asks_nothing_about_vpc_endpoints(
    mixed_endpoint: Endpoint, two_brokers: tuple[str, str]
) -> None:
    mixed_endpoint.sweep()
    with recording_api_calls() as calls:
        report = mixed_endpoint.sweep().report
    assert calls.count("ec2", "DescribeVpcEndpoints") == 0 and report["vpcEndpointsListed"] is None


def test_an_address_ec2_moved_from_a_deleted_rabbitmq_endpoint_to_an_activemq_instance_changes_groups(
    mixed_endpoint: Endpoint, two_brokers: tuple[str, str]
) -> None:
    aws = mixed_endpoint.aws
    orders, _ = two_brokers
    broker = rabbit(aws, "events")
    mixed_endpoint.sweep()
    (freed,) = aws.endpoint_ips(broker)

    # While no run happens: the broker goes, and EC2 gives its address to orders' new active instance.
    aws.delete_broker(broker)
    aws.change_broker_ips(orders, ips=[freed, aws.free_address_in_subnet_of(aws.broker_ips(orders)[1])])
    report = mixed_endpoint.sweep().report

    assert freed in mixed_endpoint.targets("openwire")
    assert freed not in mixed_endpoint.targets("amqps"), "AMQPS clients must not reach an ActiveMQ broker"
    (removal,) = group_report(report, "amqps")["deregistered"]
    assert (
        removal["evidence"]
        == f"Amazon MQ and EC2 confirm it as {orders}'s (ACTIVEMQ), a broker this group does not serve"
    )


def test_a_publicly_accessible_broker_named_in_scope_is_reported_never_served(mixed_endpoint: Endpoint) -> None:
    aws = mixed_endpoint.aws
    public = aws.create_broker("open", engine="RABBITMQ", publicly_accessible=True)
    mixed_endpoint.cold_start(BROKER_IDS=public)

    report = mixed_endpoint.sweep().report

    assert mixed_endpoint.all_targets() == {name: {} for name in (*ACTIVEMQ_GROUPS, *RABBITMQ_GROUPS)}
    assert any(e.startswith(f"{public}: publicly accessible RabbitMQ broker") for e in report["errors"]), report[
        "errors"
    ]


def test_the_resolver_is_whatever_the_shell_passes_in(mixed_endpoint: Endpoint) -> None:
    """The reconciler built directly, with a resolver of the test's own: every RabbitMQ broker is looked up, for a
    Broker tag anyone may write is no evidence."""
    # Imported here, after the fixture's cold start: imported first outside the
    # function's captured stdout, Powertools would log elsewhere for the whole session.
    from reconciler.shell.handler import build_reconciler

    aws = mixed_endpoint.aws
    tagged = rabbit(aws, "events")
    untagged = rabbit(aws, "audit", endpoint_tagged=False)
    asked: list[str] = []

    def resolver(hostname: str) -> list[str]:
        asked.append(hostname)
        return aws.resolver(hostname)

    settings = Settings.from_environ({**mixed_endpoint.environment, "AWS_REGION": REGION})
    outcome = build_reconciler(settings, resolver=resolver).run(Trigger(TriggerKind.RESYNC, "resync"))

    assert sorted(asked) == sorted([aws.resolver.hostname(tagged), aws.resolver.hostname(untagged)])
    assert outcome.brokers[untagged].ips == frozenset(aws.endpoint_ips(untagged))
    assert set(mixed_endpoint.targets("amqps")) >= set(aws.endpoint_ips(untagged))


def test_a_stack_without_rabbitmq_groups_reports_a_rabbitmq_broker_in_scope_as_not_served_here(
    endpoint: Endpoint, two_brokers: tuple[str, str]
) -> None:
    """The ActiveMQ-only stack: a RabbitMQ broker tagged into its scope is
    not its business, and no VPC endpoint is listed."""
    events_broker = rabbit(endpoint.aws, "events")
    with recording_api_calls() as calls:
        report = endpoint.sweep().report
    assert report["status"] == "ok" and report["errors"] == []
    found = broker_report(report, events_broker)
    assert found["knowledge"] == "gone" and found["reason"] == "engine RABBITMQ: this stack has no target group for it"
    assert calls.count("ec2", "DescribeVpcEndpoints") == 0
    assert set(endpoint.targets()) == {ip for b in two_brokers for ip in endpoint.aws.broker_ips(b)}
