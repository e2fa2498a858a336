"""mq-endpoint cutover against the deployed stack: what clients would see at each step, and what survives a kill."""

from __future__ import annotations

import pytest

from emulator import Fault
from tests.e2e.endpoint import Endpoint
from tests.e2e.test_cli import Cli, Run, cli  # noqa: F401 - the fixture

OPENWIRE, CONSOLE = 61617, 8162
FAST = ("--yes", "--poll", "0.01", "--drain", "0", "--health-timeout", "2")


def served(endpoint: Endpoint, port: int = OPENWIRE) -> set[str]:
    """The brokers a new connection to this listener port may reach, by name."""
    ips = endpoint.aws.new_connection_targets()[port]
    return {b["name"] for b in endpoint.aws.brokers() if set(b["held"]) & ips}


def parameters(endpoint: Endpoint) -> dict[str, str]:
    described = endpoint.aws.client("cloudformation").describe_stacks(StackName=endpoint.stack.name)["Stacks"][0]
    return {p["ParameterKey"]: p.get("ParameterValue", "") for p in described["Parameters"]}


def in_groups(endpoint: Endpoint, name: str) -> bool:
    """Whether any of the stack's groups, live or standby, holds the broker's addresses."""
    ips = set(endpoint.aws.broker_ips(endpoint.world.brokers[name]))
    return any(set(endpoint.aws.target_states(arn)) & ips for arn in endpoint.stack.target_group_arns)


def cutover(cli: Cli, endpoint: Endpoint, *argv: str) -> Run:
    return cli("cutover", "--stack", endpoint.stack.name, *FAST, *argv)


@pytest.fixture
def new_broker(endpoint: Endpoint) -> str:
    """orders' replacement: RUNNING in the endpoint's VPC, not in scope yet; the first sweep has run."""
    endpoint.sweep()
    return endpoint.world.add_broker("orders-4", in_scope=False)


def test_a_cutover_moves_new_connections_from_orders_to_its_replacement_and_orders_leaves(
    endpoint: Endpoint, cli: Cli, new_broker: str
) -> None:
    assert served(endpoint) == {"orders", "payments"}

    run = cutover(cli, endpoint, "--to", "orders-4", "--from", "orders")

    assert run.code == 0, run.out + run.err
    for port in (OPENWIRE, CONSOLE):
        assert served(endpoint, port) == {"orders-4", "payments"}
    assert parameters(endpoint)["LiveTargetGroupSet"] == "green"
    assert (parameters(endpoint)["StandbyBrokerIds"], parameters(endpoint)["LiveOnlyBrokerIds"]) == ("", "")
    assert not in_groups(endpoint, "orders"), "the old broker is in no group, live or standby"
    assert endpoint.aws.client("mq").describe_broker(BrokerId=endpoint.world.brokers["orders"])["Tags"] == {}
    assert endpoint.sweep().report["status"] == "ok" and served(endpoint) == {"orders-4", "payments"}, "a sweep keeps it"
