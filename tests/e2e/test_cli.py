"""The operator's command, mq-endpoint, against the deployed stack in the emulator, over HTTP: what an operator sees."""

import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from emulator import EmulatedAws, Fault, events, faults
from mq_endpoint.main import main
from tests.e2e.endpoint import REGION, Endpoint


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


Cli = Callable[..., Run]


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Cli:
    """mq-endpoint's main(argv), in this process: its exit code and what it printed.

    Piped output is as wide as COLUMNS says; pytest's own runs (xdist workers
    among them) may set it to 80, which would wrap the lines these tests read.
    """
    monkeypatch.delenv("COLUMNS", raising=False)

    def run(*argv: str) -> Run:
        capsys.readouterr()
        code = main(list(argv))
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


def _lines_with(text: str, *parts: str) -> list[str]:
    return [line for line in text.splitlines() if all(part in line for part in parts)]


def _section(text: str, heading: str) -> str:
    """The lines under a target group's heading (`OpenWire 61617`), up to the next heading."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(heading))
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith(("OpenWire", "console"))), len(lines))
    return "\n".join(lines[start + 1 : end])


def test_status_shows_each_group_by_protocol_with_brokers_addresses_zones_health_and_what_is_not_current(
    endpoint: Endpoint, cli: Cli
) -> None:
    endpoint.sweep()
    orders = endpoint.world.brokers["orders"]
    active, standby = endpoint.aws.broker_interfaces(orders)

    run = cli("status", "--stack", endpoint.stack.name)

    assert run.code == 0, run.err
    headings = [line.split()[:2] for line in run.out.splitlines() if line.startswith(("OpenWire", "console"))]
    # The live (blue) set, then the green one, empty while no cutover is under way (docs/cutover.md).
    assert headings == [["OpenWire", "61617"], ["console", "8162"]] * 2
    for heading in ("OpenWire 61617", "console 8162"):
        group = _section(run.out, heading)
        # The broker's name on its first row, its id under it.
        assert _lines_with(group, active["PrivateIpAddress"])[0].split() == [
            "orders", active["PrivateIpAddress"], active["AvailabilityZone"], "healthy", "yes"]
        assert _lines_with(group, standby["PrivateIpAddress"])[0].split() == [
            orders, standby["PrivateIpAddress"], standby["AvailabilityZone"], "unhealthy", "yes"]
        assert endpoint.world.brokers["payments"] in group

    old = endpoint.aws.broker_ips(orders)
    new = endpoint.aws.change_broker_ips(orders)
    moved = cli("status", "--stack", endpoint.stack.name)

    assert moved.code == 0, "status reports; only plan's exit code says changes are pending"
    assert [line.split()[-4:] for ip in new for line in _lines_with(moved.out, ip)] == [["-", "no:", "to", "register"]] * 4
    assert all(line.endswith("no: to deregister") for ip in old for line in _lines_with(moved.out, ip))


def test_plan_exits_0_with_nothing_to_do_and_2_with_each_change_and_its_evidence(endpoint: Endpoint, cli: Cli) -> None:
    endpoint.sweep()
    assert cli("plan", "--stack", endpoint.stack.name).code == 0

    orders = endpoint.world.brokers["orders"]
    old = endpoint.aws.broker_ips(orders)
    new = endpoint.aws.change_broker_ips(orders)
    before = endpoint.registered()
    run = cli("plan", "--stack", endpoint.stack.name)

    assert run.code == 2
    assert "Plan: 4 to register, 4 to deregister, 0 left in place" in run.out
    for heading in ("OpenWire 61617", "console 8162"):
        group = _section(run.out, heading)
        for ip in new:
            assert len(_lines_with(group, "+ register", ip, "orders", "its interface eni-")) == 1
        for ip in old:
            assert len(_lines_with(group, "- deregister", ip, "no network interface holds this address")) == 1
    assert endpoint.registered() == before, "plan changes nothing"


def test_plan_says_what_stays_and_why(endpoint: Endpoint, cli: Cli) -> None:
    endpoint.sweep()
    orders = endpoint.world.brokers["orders"]
    (old, _) = endpoint.aws.broker_ips(orders)
    endpoint.aws.change_broker_ips(orders)
    endpoint.aws.create_interface(old, description="an EC2 instance took the address")

    run = cli("plan", "--stack", endpoint.stack.name)

    assert run.code == 2
    assert "left in place" in run.out
    kept = _lines_with(_section(run.out, "OpenWire 61617"), "= stays", old)
    assert len(kept) == 1 and "an EC2 instance took the address" in kept[0]


def test_plan_exits_1_when_a_read_is_denied_and_names_the_permission(endpoint: Endpoint, cli: Cli) -> None:
    endpoint.sweep()
    endpoint.aws.inject_fault(Fault("ec2", "DescribeNetworkInterfaces", "UnauthorizedOperation", 403,
                                    "You are not authorized to perform this operation."))

    run = cli("plan", "--stack", endpoint.stack.name)

    assert run.code == 1
    assert "access denied: ec2:DescribeNetworkInterfaces was refused (UnauthorizedOperation" in run.out


def test_denied_credentials_say_which_call_was_refused(empty_account: EmulatedAws, cli: Cli) -> None:
    empty_account.inject_fault(faults.access_denied("cloudformation", "DescribeStacks"))

    run = cli("status", "--stack", "mq-endpoint")

    assert run.code == 1
    assert "access denied: cloudformation:DescribeStacks was refused (AccessDeniedException" in run.err
    assert run.out == ""


def test_a_missing_stack_is_named_with_its_region(empty_account: EmulatedAws, cli: Cli) -> None:
    run = cli("plan", "--stack", "no-such-stack")

    assert run.code == 1
    assert f"no stack no-such-stack in {REGION}: check --stack and --region" in run.err
    assert "no stack no-such-stack in us-east-1" in cli("plan", "--stack", "no-such-stack", "--region", "us-east-1").err


def test_no_credentials_and_an_unknown_profile_are_errors_saying_what_to_do(
    empty_account: EmulatedAws, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert "profile (nope) could not be found" in cli("status", "--stack", "mq-endpoint", "--profile", "nope").err

    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # no instance role either: nothing leaves this machine
    run = cli("status", "--stack", "mq-endpoint")

    assert run.code == 1
    assert "no AWS credentials for cloudformation:DescribeStacks" in run.err


def test_json_is_the_functions_report_with_each_targets_health(endpoint: Endpoint, cli: Cli) -> None:
    endpoint.sweep()
    orders = endpoint.world.brokers["orders"]
    new = endpoint.aws.change_broker_ips(orders)

    run = cli("plan", "--stack", endpoint.stack.name, "--json")

    assert run.code == 2
    document = json.loads(run.out)
    assert document["stack"]["name"] == endpoint.stack.name
    assert document["dryRun"] is True and document["pendingChanges"] == 8
    openwire = document["targetGroups"][0]
    assert openwire["port"] == 61617
    assert sorted(openwire["registered"]) == sorted(f"{ip}:61617" for ip in new)
    assert {t["state"] for t in openwire["targets"]} == {"healthy", "unhealthy"}
    assert {b["name"] for b in document["brokers"]} == {"orders", "payments"}


def test_resync_invokes_the_function_and_prints_what_it_changed(endpoint: Endpoint, cli: Cli) -> None:
    endpoint.sweep()
    orders = endpoint.world.brokers["orders"]
    new = endpoint.aws.change_broker_ips(orders)

    run = cli("resync", "--stack", endpoint.stack.name)

    assert run.code == 0, run.err
    assert f"Resync of stack {endpoint.stack.name} by {endpoint.stack.function_name}: ok" in run.out
    assert len(_lines_with(_section(run.out, "OpenWire 61617"), "+ registered", new[0], "orders")) == 1
    assert all(set(new) <= ips for ips in endpoint.registered())
    assert cli("plan", "--stack", endpoint.stack.name).code == 0


def test_resync_dry_run_and_named_brokers_reach_the_function(
    endpoint: Endpoint, cli: Cli, capsys: pytest.CaptureFixture[str]
) -> None:
    endpoint.sweep()
    orders = endpoint.world.brokers["orders"]
    endpoint.aws.change_broker_ips(orders)
    before = endpoint.registered()

    run = cli("resync", "--stack", endpoint.stack.name, "--dry-run", "--broker", orders, "--json")

    report = json.loads(run.out)
    assert run.code == 0
    assert report["dryRun"] is True and report["trigger"]["brokerIds"] == [orders]
    assert endpoint.registered() == before
    with pytest.raises(SystemExit) as exited:
        cli("resync", "--stack", endpoint.stack.name, "--broker", "orders")
    assert exited.value.code == 2
    assert "'orders' is not a broker id (b-<uuid>)" in capsys.readouterr().err


def test_resync_retries_the_429_of_reserved_concurrency(endpoint: Endpoint, cli: Cli) -> None:
    busy = endpoint.aws.inject_fault(
        Fault("lambda", "Invoke", "TooManyRequestsException", 429, "Rate Exceeded.", times=2)
    )

    run = cli("resync", "--stack", endpoint.stack.name)

    assert run.code == 0
    assert busy.hits == 2
    assert run.err.count("is busy with another run (429 TooManyRequestsException") == 2
    assert "ok in" in run.out


def test_resync_waits_for_a_run_in_progress_and_gives_up_after_wait(endpoint: Endpoint, cli: Cli) -> None:
    slow = endpoint.aws.inject_fault(faults.slow("elbv2", "DescribeTargetHealth", seconds=0.3, times=2))
    lam = endpoint.aws.client("lambda")
    sweep = threading.Thread(target=lam.invoke, kwargs={"FunctionName": endpoint.stack.function_name,
                                                        "Payload": json.dumps(events.scheduled(REGION))})
    sweep.start()
    while slow.seen == 0:  # the sweep holds the function's one concurrent execution
        threading.Event().wait(0.01)

    run = cli("resync", "--stack", endpoint.stack.name)
    sweep.join()

    assert run.code == 0
    assert "is busy with another run (429" in run.err, "the function really was busy: the emulator answered 429"

    endpoint.aws.inject_fault(Fault("lambda", "Invoke", "TooManyRequestsException", 429, "Rate Exceeded."))
    gave_up = cli("resync", "--stack", endpoint.stack.name, "--wait", "0.5")
    assert gave_up.code == 1
    assert "the function stayed busy for 0.5 s" in gave_up.err


def test_the_installed_command_plans_resyncs_and_plans_again(endpoint: Endpoint) -> None:
    """As docs/demo.md shows it: a broker moves, plan exits 2, resync, plan exits 0."""
    command = shutil.which("mq-endpoint", path=str(Path(sys.executable).parent))
    assert command, "mq-endpoint is not installed in the venv: run make venv"
    endpoint.sweep()
    endpoint.aws.change_broker_ips(endpoint.world.brokers["orders"])

    def run(*argv: str) -> subprocess.CompletedProcess[str]:
        environment = {name: value for name, value in os.environ.items() if name != "COLUMNS"}
        return subprocess.run([command, *argv, "--stack", endpoint.stack.name], env=environment,
                              capture_output=True, text=True, timeout=60)

    planned = run("plan")
    assert planned.returncode == 2, planned.stderr
    assert "Plan: 4 to register, 4 to deregister" in planned.stdout
    resynced = run("resync")
    assert resynced.returncode == 0, resynced.stderr
    assert "+ registered" in resynced.stdout
    assert run("plan").returncode == 0
