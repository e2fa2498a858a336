"""Stacks translated from template.yaml, shared by the template tests."""

import pytest
import samstack


@pytest.fixture(scope="session")
def default_stack() -> samstack.Stack:
    """The stack `sam deploy --guided` makes when only the required values are given."""
    return samstack.deploy()


@pytest.fixture(scope="session")
def full_stack() -> samstack.Stack:
    """Every optional listener, dual stack, access logs, a demo broker and an alarm e-mail."""
    return samstack.deploy(
        **samstack.ALL_PROTOCOLS,
        IpAddressType="dualstack",
        AllowedClientIpv6Cidrs="2001:db8::/32",
        EnableAccessLogs="true",
        DeletionProtection="true",
        CreateDemoBroker="true",
        DemoBrokerSubnetIdA="subnet-0c1d2e3f4a5b60718",
        DemoBrokerSubnetIdB="subnet-0d2e3f4a5b6c70819",
        AlarmEmail="mq-oncall@example.com",
        CertificateArn="arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
    )


@pytest.fixture(scope="session")
def rabbitmq_stack() -> samstack.Stack:
    """RabbitMQ's AMQPS and management console beside every ActiveMQ listener that can share the load balancer."""
    return samstack.deploy(**samstack.WITH_RABBITMQ, IpAddressType="dualstack", AllowedClientIpv6Cidrs="2001:db8::/32")


@pytest.fixture(params=["default_stack", "full_stack", "rabbitmq_stack"])
def stack(request: pytest.FixtureRequest) -> samstack.Stack:
    """Each test that takes `stack` runs on both ends of the optional range, and with RabbitMQ's listeners."""
    return request.getfixturevalue(request.param)
