"""The operator's command, mq-endpoint, against the deployed stack in the emulator, over HTTP: what an operator sees."""

import json
import threading

import pytest

from emulator import EmulatedAws, Fault, events, faults
from tests.e2e.endpoint import REGION, Cli, DeployedEndpoint, lines_with, run_command, section


def test_status_shows_each_group_by_protocol_with_brokers_addresses_zones_health_and_what_is_not_current(
    endpoint: DeployedEndpoint, cli: Cli
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
        group = section(run.out, heading)
        # The broker's name on its first row, its id under it.
        assert lines_with(group, active["PrivateIpAddress"])[0].split() == [
            "orders",
            active["PrivateIpAddress"],
            active["AvailabilityZone"],
            "healthy",
            "yes",
        ]
        # Its partner healthy, the standby's failed health check is by design, and said so.
        assert lines_with(group, standby["PrivateIpAddress"])[0].split() == [
            orders,
            standby["PrivateIpAddress"],
            standby["AvailabilityZone"],
            "unhealthy",
            "(standby)",
            "yes",
        ]
        assert endpoint.world.brokers["payments"] in group

    old = endpoint.aws.broker_ips(orders)
    new = endpoint.aws.change_broker_ips(orders)
    moved = cli("status", "--stack", endpoint.stack.name)

    assert moved.code == 3, "orders' new addresses are not registered: no healthy target serves it"
    rows = [
        line.split()[-4:]
        for heading in ("OpenWire 61617", "console 8162")
        for ip in new
        for line in lines_with(section(moved.out, heading), ip)
    ]
    assert rows == [["-", "no:", "to", "register"]] * 4
    # The old addresses are no broker's now: not current, and who had them is said.
    stale = [line for ip in old for line in lines_with(moved.out, ip)]
    assert len(stale) == 4 and all(line.split()[:2] == ["was", "orders"] and " no: " in line for line in stale)


def test_plan_exits_0_with_nothing_to_do_and_2_with_each_change_and_its_evidence(
    endpoint: DeployedEndpoint, cli: Cli
) -> None:
    endpoint.sweep()
    assert cli("plan", "--stack", endpoint.stack.name).code == 0

    orders = endpoint.world.brokers["orders"]
    old = endpoint.aws.broker_ips(orders)
    new = endpoint.aws.change_broker_ips(orders)
    before = endpoint.registered()
    run = cli("plan", "--stack", endpoint.stack.name)

    assert run.code == 2
    assert "Plan: 4 to register, " in run.out
    for heading in ("OpenWire 61617", "console 8162"):
        group = section(run.out, heading)
        for ip in new:
            assert len(lines_with(group, "+ register", ip, "orders", "its interface eni-")) == 1
        for ip in old:
            # Removed now, or left until a second reading: either way with the broker that had it and why.
            (removal,) = lines_with(group, ip)
            assert removal.split()[:2] in (["-", "deregister"], ["=", "stays"]) and removal.split()[3:5] == [
                "was",
                "orders",
            ]
            assert len(removal.split("was orders", 1)[1].strip()) > 10
    assert endpoint.registered() == before, "plan changes nothing"


def test_plan_says_what_stays_and_why(endpoint: DeployedEndpoint, cli: Cli) -> None:
    endpoint.sweep()
    orders = endpoint.world.brokers["orders"]
    (old, _) = endpoint.aws.broker_ips(orders)
    endpoint.aws.change_broker_ips(orders)
    endpoint.aws.create_interface(old, description="an EC2 instance took the address")

    run = cli("plan", "--stack", endpoint.stack.name)

    assert run.code == 2
    assert "left in place" in run.out and "0 left in place" not in run.out
    kept = lines_with(section(run.out, "OpenWire 61617"), "= stays", old)
    assert len(kept) == 1 and len(kept[0].split("was orders", 1)[1].strip()) > 10, "why it stays"


def test_plan_exits_1_when_a_read_is_denied_and_names_the_permission(endpoint: DeployedEndpoint, cli: Cli) -> None:
    endpoint.sweep()
    endpoint.aws.inject_fault(
        Fault(
            "ec2",
            "DescribeNetworkInterfaces",
            "UnauthorizedOperation",
            403,
            "You are not authorized to perform this operation.",
        )
    )

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
    assert run.err == (
        f"mq-endpoint: no stack no-such-stack in {REGION}: "
        "no mq-static-endpoint stack is deployed there: check --region (or AWS_REGION)\n"
    )
    assert "no stack no-such-stack in us-east-1" in cli("plan", "--stack", "no-such-stack", "--region", "us-east-1").err


def test_a_wrong_stack_name_lists_this_projects_stacks_in_the_region(endpoint: DeployedEndpoint, cli: Cli) -> None:
    endpoint.aws.client("cloudformation").create_stack(
        StackName="someone-elses",
        TemplateBody=json.dumps(
            {"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}, "Outputs": {"Arn": {"Value": {"Ref": "Topic"}}}}
        ),
    )

    run = cli("status", "--stack", "mq-endpont")

    assert run.code == 1
    assert run.err == (
        f"mq-endpoint: no stack mq-endpont in {REGION}: mq-static-endpoint stacks there: "
        f"{endpoint.stack.name} (--stack NAME, or set MQ_ENDPOINT_STACK)\n"
    )


def test_a_stack_without_the_endpoints_outputs_is_named_as_not_one_of_this_version(
    endpoint: DeployedEndpoint, cli: Cli
) -> None:
    # The target groups are read from the stack's outputs (template.yaml), never from logical ids.
    endpoint.aws.client("cloudformation").create_stack(
        StackName="someone-elses",
        TemplateBody=json.dumps(
            {
                "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},
                "Outputs": {"ReconcilerFunctionName": {"Value": {"Ref": "Topic"}}},
            }
        ),
    )

    run = cli("status", "--stack", "someone-elses")

    assert run.code == 1
    assert run.err.startswith(
        "mq-endpoint: stack someone-elses is not an mq-static-endpoint stack of this version: "
        "it has no TargetGroupArns and ReconcilerFunctionName outputs"
    ), run.err


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


def test_json_is_the_functions_report_with_each_targets_health(endpoint: DeployedEndpoint, cli: Cli) -> None:
    endpoint.sweep()
    orders = endpoint.world.brokers["orders"]
    new = endpoint.aws.change_broker_ips(orders)

    run = cli("plan", "--stack", endpoint.stack.name, "--json")

    assert run.code == 2
    document = json.loads(run.out)
    assert document["stack"]["name"] == endpoint.stack.name
    groups = document["targetGroups"]
    assert document["dryRun"] is True and document["pendingChanges"] >= 4
    assert document["pendingChanges"] == sum(len(g["registered"]) + len(g["deregistered"]) for g in groups)
    openwire = document["targetGroups"][0]
    assert openwire["port"] == 61617
    assert sorted(openwire["registered"]) == sorted(f"{ip}:61617" for ip in new)
    assert {t["state"] for t in openwire["targets"]} == {"healthy", "unhealthy"}
    assert {b["name"] for b in document["brokers"]} == {"orders", "payments"}


def test_resync_invokes_the_function_and_prints_what_it_changed(endpoint: DeployedEndpoint, cli: Cli) -> None:
    endpoint.sweep()
    orders = endpoint.world.brokers["orders"]
    new = endpoint.aws.change_broker_ips(orders)

    run = cli("resync", "--stack", endpoint.stack.name, "--yes")

    assert run.code == 3, "the new ones are in; the old ones wait for their second reading"
    assert f"Resync of stack {endpoint.stack.name} by {endpoint.stack.function_name}: incomplete" in run.out
    assert len(lines_with(section(run.out, "OpenWire 61617"), "+ registered", new[0], "orders")) == 1
    assert all(set(new) <= ips for ips in endpoint.registered())
    endpoint.let_time_pass(60)
    assert cli("resync", "--stack", endpoint.stack.name, "--yes").code == 0
    assert cli("plan", "--stack", endpoint.stack.name).code == 0


def test_resync_dry_run_and_named_brokers_reach_the_function(endpoint: DeployedEndpoint, cli: Cli) -> None:
    endpoint.sweep()
    orders = endpoint.world.brokers["orders"]
    endpoint.aws.change_broker_ips(orders)
    before = endpoint.registered()

    run = cli("resync", "--stack", endpoint.stack.name, "--dry-run", "--broker", orders, "--json")

    report = json.loads(run.out)
    assert run.code == 2, "a dry run with changes pending exits as plan does"
    assert report["dryRun"] is True and report["trigger"]["brokerIds"] == [orders]
    assert endpoint.registered() == before


def test_resync_retries_the_429_of_reserved_concurrency(endpoint: DeployedEndpoint, cli: Cli) -> None:
    busy = endpoint.aws.inject_fault(
        Fault("lambda", "Invoke", "TooManyRequestsException", 429, "Rate Exceeded.", times=2)
    )

    run = cli("resync", "--stack", endpoint.stack.name, "--yes")

    assert run.code == 0
    assert busy.hits == 2
    assert run.err.count("is busy with another run (429 TooManyRequestsException") == 2
    assert "ok in" in run.out


def test_resync_waits_for_a_run_in_progress_and_gives_up_after_wait(endpoint: DeployedEndpoint, cli: Cli) -> None:
    slow = endpoint.aws.inject_fault(faults.slow("elbv2", "DescribeTargetHealth", seconds=0.3, times=2))
    lam = endpoint.aws.client("lambda")
    sweep = threading.Thread(
        target=lam.invoke,
        kwargs={"FunctionName": endpoint.stack.function_name, "Payload": json.dumps(events.scheduled(REGION))},
    )
    sweep.start()
    while slow.seen == 0:  # the sweep holds the function's one concurrent execution
        threading.Event().wait(0.01)

    run = cli("resync", "--stack", endpoint.stack.name, "--yes")
    sweep.join()

    assert run.code == 0
    assert "is busy with another run (429" in run.err, "the function really was busy: the emulator answered 429"

    endpoint.aws.inject_fault(Fault("lambda", "Invoke", "TooManyRequestsException", 429, "Rate Exceeded."))
    gave_up = cli("resync", "--stack", endpoint.stack.name, "--yes", "--wait", "0.5")
    assert gave_up.code == 1
    assert "the function stayed busy for 0.5 s" in gave_up.err


def test_the_installed_command_plans_resyncs_and_plans_again(endpoint: DeployedEndpoint) -> None:
    """As docs/demo.md shows it: a broker moves, plan exits 2, resync (exits 3: the old addresses wait for their
    second reading), a minute later resync again, plan exits 0."""
    endpoint.sweep()
    endpoint.aws.change_broker_ips(endpoint.world.brokers["orders"])

    planned = run_command("plan", "--stack", endpoint.stack.name)
    assert planned.returncode == 2, planned.stderr
    assert "Plan: 4 to register, " in planned.stdout
    resynced = run_command("resync", "--yes", "--stack", endpoint.stack.name)
    assert resynced.returncode == 3, resynced.stderr
    assert "+ registered" in resynced.stdout
    endpoint.let_time_pass(60)
    assert run_command("resync", "--yes", "--stack", endpoint.stack.name).returncode == 0
    assert run_command("plan", "--stack", endpoint.stack.name).returncode == 0


def test_the_dry_run_gets_the_commands_read_budget_and_stops_sending_when_it_is_short(
    endpoint: DeployedEndpoint, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No command hangs: the reconciler sends nothing once less is left of the command's minute than a request
    may take (its deadline's margin), and says the run was cut short, as in the function near its timeout."""
    endpoint.sweep()
    monkeypatch.setattr("mq_endpoint.aws.READ_BUDGET_SECONDS", 10.0)

    run = cli("plan", "--stack", endpoint.stack.name)

    assert run.code == 1
    assert "the run was cut short: its deadline was near" in run.out
    assert "DeadlineReached" in run.out, "each read it did not send is named"


def test_no_read_starts_once_the_commands_budget_is_spent(
    empty_account: EmulatedAws, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("mq_endpoint.aws.READ_BUDGET_SECONDS", 0.0)

    run = cli("status", "--stack", "mq-endpoint")

    assert run.code == 1
    assert (
        run.err == "mq-endpoint: cloudformation:DescribeStacks failed: not sent: the command's 0 s for reading are up\n"
    )
