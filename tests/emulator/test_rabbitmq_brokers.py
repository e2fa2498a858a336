"""Amazon MQ for RabbitMQ as AWS shows it: no instance address, one VPC
endpoint in the VPC, a hostname that resolves to it."""

import ipaddress
import socket
from typing import Any

import pytest

from emulator import EmulatedAws

MANAGED = [{"Name": "tag:AMQManaged", "Values": ["true"]}]


def _endpoints(aws: EmulatedAws, *filters: dict[str, Any], **paging: Any) -> list[dict[str, Any]]:
    """What the reconciler asks EC2 for: the Amazon MQ-managed interface endpoints of the VPC."""
    asked = [
        {"Name": "vpc-id", "Values": [aws.vpc_id]},
        {"Name": "vpc-endpoint-type", "Values": ["Interface"]},
        *MANAGED,
        *filters,
    ]
    return list(aws.client("ec2").describe_vpc_endpoints(Filters=asked, **paging)["VpcEndpoints"])


def _interfaces(aws: EmulatedAws, endpoint: dict[str, Any]) -> list[dict[str, Any]]:
    ids = endpoint["NetworkInterfaceIds"]
    found = aws.client("ec2").describe_network_interfaces(NetworkInterfaceIds=ids)["NetworkInterfaces"]
    return sorted(found, key=lambda eni: ids.index(eni["NetworkInterfaceId"]))


def _in(ip: str, cidr: str) -> bool:
    return ipaddress.ip_address(ip) in ipaddress.ip_network(cidr)


def test_describe_broker_shows_no_instance_address_only_the_hostname(aws: EmulatedAws) -> None:
    broker_id = aws.create_broker("events", engine="RABBITMQ")

    described = aws.client("mq").describe_broker(BrokerId=broker_id)

    host = f"{broker_id}.mq.{aws.region}.amazonaws.com"
    assert (described["EngineType"], described["DeploymentMode"]) == ("RABBITMQ", "SINGLE_INSTANCE")
    assert described["BrokerInstances"] == [{"ConsoleURL": f"https://{host}", "Endpoints": [f"amqps://{host}:5671"]}]
    assert aws.broker_ips(broker_id) == [] and aws.resolver.hostname(broker_id) == host


def test_its_endpoint_is_an_amazon_mq_interface_endpoint_with_an_interface_per_subnet_as_ec2_describes_them(
    aws: EmulatedAws,
) -> None:
    broker_id = aws.create_broker("events", engine="RABBITMQ")

    (endpoint,) = _endpoints(aws)
    enis = _interfaces(aws, endpoint)

    assert endpoint == aws.broker_endpoint(broker_id)
    assert {t["Key"]: t["Value"] for t in endpoint["Tags"]} == {"AMQManaged": "true", "Broker": broker_id}
    assert (endpoint["State"], endpoint["SubnetIds"], endpoint["VpcId"]) == (
        "available",
        aws.private_subnets[:1],
        aws.vpc_id,
    )
    (eni,) = enis
    assert eni["Description"] == f"VPC Endpoint Interface {endpoint['VpcEndpointId']}"
    assert (eni["InterfaceType"], eni["RequesterManaged"], eni["Status"]) == ("vpc_endpoint", True, "in-use")
    assert [eni["PrivateIpAddress"]] == aws.endpoint_ips(broker_id) and _in(
        eni["PrivateIpAddress"], aws.vpc.private_subnets[0].cidr
    )


def test_a_cluster_has_one_interface_per_subnet_in_up_to_three_zones(aws: EmulatedAws) -> None:
    aws.add_private_subnet()
    cluster = aws.create_broker("telemetry", engine="RABBITMQ", deployment_mode="CLUSTER_MULTI_AZ")
    pair = aws.create_broker(
        "pair", engine="RABBITMQ", deployment_mode="CLUSTER_MULTI_AZ", subnet_ids=aws.private_subnets[:2]
    )

    enis = _interfaces(aws, aws.broker_endpoint(cluster) or {})

    assert [e["AvailabilityZone"] for e in enis] == [f"{aws.region}{z}" for z in "abc"]
    assert [e["SubnetId"] for e in enis] == aws.private_subnets
    assert len(aws.endpoint_ips(pair)) == 2 and not set(aws.endpoint_ips(pair)) & set(aws.endpoint_ips(cluster))
    with pytest.raises(ValueError, match="1 to 3 subnets"):
        aws.create_broker(
            "four",
            engine="RABBITMQ",
            deployment_mode="CLUSTER_MULTI_AZ",
            subnet_ids=[*aws.private_subnets, aws.public_subnets[0]],
        )
    with pytest.raises(ValueError, match="one subnet"):
        aws.create_broker("two", engine="RABBITMQ", subnet_ids=aws.private_subnets[:2])


def test_an_endpoint_may_lack_the_broker_tag_and_a_public_broker_has_none(aws: EmulatedAws) -> None:
    untagged = aws.create_broker("events", engine="RABBITMQ", endpoint_tagged=False)
    public = aws.create_broker("open", engine="RABBITMQ", publicly_accessible=True)

    assert [t["Key"] for t in (aws.broker_endpoint(untagged) or {})["Tags"]] == ["AMQManaged"]
    assert (
        aws.broker_endpoint(public) is None and aws.client("mq").describe_broker(BrokerId=public)["PubliclyAccessible"]
    )
    assert len(_endpoints(aws)) == 1


def test_the_hostname_resolves_to_the_endpoint_and_other_aws_names_never_reach_a_real_resolver(
    aws: EmulatedAws,
) -> None:
    aws.add_private_subnet()
    cluster = aws.create_broker("telemetry", engine="RABBITMQ", deployment_mode="CLUSTER_MULTI_AZ")
    host = aws.resolver.hostname(cluster)

    assert aws.resolver(host) == aws.endpoint_ips(cluster)
    assert [a[4] for a in socket.getaddrinfo(host, 5671, type=socket.SOCK_STREAM)] == [
        (ip, 5671) for ip in aws.endpoint_ips(cluster)
    ]
    for unknown in (
        "b-00000000-0000-4000-8000-000000000000.mq.eu-west-1.amazonaws.com",
        "sts.amazonaws.com",
        "x.on.aws",
    ):
        with pytest.raises(socket.gaierror):
            socket.getaddrinfo(unknown, 443)
    assert socket.getaddrinfo("127.0.0.1", 80)[0][4][0] == "127.0.0.1", "other names are the system's"


def test_a_name_can_fail_or_answer_anything_until_restored(aws: EmulatedAws) -> None:
    broker_id = aws.create_broker("events", engine="RABBITMQ")
    host = aws.resolver.hostname(broker_id)

    aws.resolver.fail(host)
    with pytest.raises(socket.gaierror) as failed:
        socket.getaddrinfo(host, 5671)
    assert failed.value.errno == socket.EAI_AGAIN
    aws.resolver.answer(host, ["10.0.1.77"])
    assert aws.resolver(host) == ["10.0.1.77"]
    aws.resolver.restore(host)
    assert aws.resolver(host) == aws.endpoint_ips(broker_id)


@pytest.mark.parametrize("recreate", [False, True], ids=["interfaces-replaced", "endpoint-recreated"])
def test_the_endpoints_addresses_change_and_dns_follows(aws: EmulatedAws, recreate: bool) -> None:
    broker_id = aws.create_broker("events", engine="RABBITMQ", endpoint_tagged=False)
    before = aws.broker_endpoint(broker_id) or {}
    old = aws.endpoint_ips(broker_id)

    new = aws.change_endpoint_ips(broker_id, recreate=recreate)

    after = aws.broker_endpoint(broker_id) or {}
    assert new == aws.endpoint_ips(broker_id) == aws.resolver(aws.resolver.hostname(broker_id)) and not set(new) & set(
        old
    )
    assert (after["VpcEndpointId"] != before["VpcEndpointId"]) is recreate
    assert [t["Key"] for t in after["Tags"]] == ["AMQManaged"], "tagged as before"
    assert not set(before["NetworkInterfaceIds"]) & {
        e["NetworkInterfaceId"] for e in aws.client("ec2").describe_network_interfaces()["NetworkInterfaces"]
    }
    states = {e["VpcEndpointId"]: e["State"] for e in aws.client("ec2").describe_vpc_endpoints()["VpcEndpoints"]}
    assert states[before["VpcEndpointId"]] == ("deleted" if recreate else "available")
    aws.change_endpoint_ips(broker_id, ips=old)  # the old addresses are free again: EC2 may hand them back
    assert aws.endpoint_ips(broker_id) == old


def test_deleting_the_broker_deletes_its_endpoints_and_frees_their_addresses(aws: EmulatedAws) -> None:
    broker_id = aws.create_broker("events", engine="RABBITMQ")
    (ip,) = aws.endpoint_ips(broker_id)
    resource = aws.add_resource_endpoint(broker_id)
    host = aws.resolver.hostname(broker_id)

    aws.client("mq").delete_broker(BrokerId=broker_id)

    assert {e["State"] for e in aws.client("ec2").describe_vpc_endpoints()["VpcEndpoints"]} == {"deleted"}
    assert aws.client("ec2").describe_network_interfaces()["NetworkInterfaces"] == []
    with pytest.raises(socket.gaierror):
        aws.resolver(host)
    assert aws.create_interface(ip) and resource


def test_private_networking_adds_a_resource_endpoint_the_interface_filter_leaves_out(aws: EmulatedAws) -> None:
    broker_id = aws.create_broker("events", engine="RABBITMQ")

    resource_id = aws.add_resource_endpoint(broker_id)

    (resource,) = aws.client("ec2").describe_vpc_endpoints(VpcEndpointIds=[resource_id])["VpcEndpoints"]
    assert resource["VpcEndpointType"] == "Resource" and resource["ResourceConfigurationArn"].startswith(
        "arn:aws:vpc-lattice:"
    )
    assert {t["Key"]: t["Value"] for t in resource["Tags"]} == {"AMQManaged": "true", "Broker": broker_id}
    (eni,) = _interfaces(aws, resource)
    assert eni["PrivateIpAddress"] not in aws.endpoint_ips(broker_id)
    assert [e["VpcEndpointId"] for e in _endpoints(aws)] == [(aws.broker_endpoint(broker_id) or {})["VpcEndpointId"]]


def test_describe_vpc_endpoints_pages(aws: EmulatedAws) -> None:
    brokers = [aws.create_broker(f"r{n}", engine="RABBITMQ") for n in range(3)]
    pages = (
        aws.client("ec2")
        .get_paginator("describe_vpc_endpoints")
        .paginate(Filters=MANAGED, PaginationConfig={"PageSize": 1})
    )

    listed = [[e["VpcEndpointId"] for e in page["VpcEndpoints"]] for page in pages]

    assert [len(page) for page in listed] == [1, 1, 1]
    assert sorted(i for page in listed for i in page) == sorted(
        (aws.broker_endpoint(b) or {})["VpcEndpointId"] for b in brokers
    )
    assert len(_endpoints(aws, MaxResults=5000)) == 3, "above 1,000 AWS returns 1,000"


def test_every_endpoint_address_answers_health_checks_while_the_broker_runs(aws: EmulatedAws) -> None:
    aws.add_private_subnet()
    cluster = aws.create_broker("telemetry", engine="RABBITMQ", deployment_mode="CLUSTER_MULTI_AZ")
    arn = aws.create_target_groups({"amqps": 5671}, health_check_port=5671)["amqps"]
    aws.client("elbv2").register_targets(TargetGroupArn=arn, Targets=[{"Id": ip} for ip in aws.endpoint_ips(cluster)])

    assert aws.target_states(arn) == dict.fromkeys(aws.endpoint_ips(cluster), "healthy")
    aws.set_broker_state(cluster, "REBOOT_IN_PROGRESS")
    assert set(aws.target_states(arn).values()) == {"unhealthy"}


def test_rabbitmq_brokers_have_no_instance_addresses_to_move(aws: EmulatedAws) -> None:
    broker_id = aws.create_broker("events", engine="RABBITMQ")
    with pytest.raises(ValueError, match="change_endpoint_ips"):
        aws.change_broker_ips(broker_id)
    with pytest.raises(ValueError, match="no instance IP"):
        aws.set_broker_state(broker_id, "RUNNING", ips=["10.0.1.50"])
