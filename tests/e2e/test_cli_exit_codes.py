"""Exit codes a script can trust: plan's and resync's say the same things, and 0 only when nothing needs anyone."""

import json
import os

import pytest

from tests.e2e.endpoint import Cli, DeployedEndpoint, lines_with, section


def _unresolve(endpoint: DeployedEndpoint, name: str) -> str:
    """The broker's interfaces gone, and DescribeBroker without addresses (a reboot): nothing says where it is."""
    broker = endpoint.world.brokers[name]
    endpoint.aws.describe_interfaces_as(broker, None)
    endpoint.aws.set_broker_state(broker, "REBOOT_IN_PROGRESS", [])
    return broker


def test_plan_with_a_broker_unresolved_is_not_nothing_to_do(endpoint: DeployedEndpoint, cli: Cli) -> None:
    endpoint.sweep()
    _unresolve(endpoint, "orders")

    run = cli("plan", "--stack", endpoint.stack.name)

    assert run.code == 3, run.out
    assert "Nothing to do" not in run.out
    assert "Nothing pending, but not everything in scope is known" in run.out
    assert "problems" in run.out


def test_resync_exits_as_plan_does_for_what_the_run_left(endpoint: DeployedEndpoint, cli: Cli) -> None:
    endpoint.sweep()
    assert cli("resync", "--yes", "--stack", endpoint.stack.name).code == 0, "nothing left undone or unknown"

    endpoint.aws.change_broker_ips(endpoint.world.brokers["payments"])
    assert cli("resync", "--dry-run", "--stack", endpoint.stack.name).code == 2, "a dry run: changes pending"
    assert cli("resync", "--yes", "--stack", endpoint.stack.name).code == 3, "made them; the old ones wait: withheld"
    endpoint.let_time_pass(60)
    assert cli("resync", "--yes", "--stack", endpoint.stack.name).code == 0, "their second reading: nothing left"

    _unresolve(endpoint, "orders")
    unresolved = cli("resync", "--yes", "--stack", endpoint.stack.name)
    assert unresolved.code == 3, "the run could not know where orders is"
    assert "incomplete" in unresolved.out


def test_a_function_error_is_one_line_and_exit_1(
    endpoint: DeployedEndpoint, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    handler = endpoint.runtime._handler
    assert handler is not None

    def crash(event: object, context: object) -> None:
        raise RuntimeError("the container ran out of memory")

    monkeypatch.setattr(handler, "lambda_handler", crash)
    run = cli("resync", "--yes", "--stack", endpoint.stack.name)

    assert run.code == 1
    assert run.err == "mq-endpoint: the function failed (Unhandled): RuntimeError: the container ran out of memory\n"


def test_every_broker_option_takes_a_name_or_an_id(endpoint: DeployedEndpoint, cli: Cli) -> None:
    endpoint.sweep()
    orders = endpoint.world.brokers["orders"]

    for given in ("orders", orders):
        run = cli("resync", "--dry-run", "--broker", given, "--stack", endpoint.stack.name, "-o", "json")
        assert run.code == 0, run.err
        assert json.loads(run.out)["trigger"]["brokerIds"] == [orders]

    unknown = cli("resync", "--dry-run", "--broker", "billing", "--stack", endpoint.stack.name)
    assert unknown.code == 64
    assert unknown.err == "mq-endpoint: no broker named billing in eu-west-1: brokers there: orders, payments\n"


def test_a_removal_names_the_broker_that_had_the_address(endpoint: DeployedEndpoint, cli: Cli) -> None:
    endpoint.sweep()
    old = endpoint.aws.broker_ips(endpoint.world.brokers["orders"])
    endpoint.aws.change_broker_ips(endpoint.world.brokers["orders"])

    run = cli("plan", "--stack", endpoint.stack.name)

    # Removed now, or left until a second reading a minute later (a dry run remembers no earlier one).
    for ip in old:
        (row,) = lines_with(section(run.out, "OpenWire 61617"), ip)
        assert row.split()[3:5] == ["was", "orders"], row
    cli("resync", "--yes", "--stack", endpoint.stack.name)
    endpoint.let_time_pass(60)  # the old addresses' second reading
    resynced = cli("resync", "--yes", "--stack", endpoint.stack.name)
    assert lines_with(section(resynced.out, "console 8162"), "- deregistered", old[0])[0].split()[3:5] == [
        "was",
        "orders",
    ]


def test_aws_region_alone_names_the_region(
    endpoint: DeployedEndpoint, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    endpoint.sweep()
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    assert os.environ["AWS_REGION"] == "eu-west-1"

    run = cli("plan", "--stack", endpoint.stack.name)

    assert run.code == 0, run.err
