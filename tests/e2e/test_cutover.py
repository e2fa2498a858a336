"""mq-endpoint cutover against the deployed stack: what clients would see at each step, and what survives a kill."""

from __future__ import annotations

import pytest

from emulator import Fault, target_health
from tests.e2e.endpoint import Cli, DeployedEndpoint, Run

OPENWIRE, CONSOLE = 61617, 8162
FAST = ("--yes", "--poll", "0.01", "--drain", "0", "--health-timeout", "2")


def served(endpoint: DeployedEndpoint, port: int = OPENWIRE) -> set[str]:
    """The brokers a new connection to this listener port may reach, by name."""
    ips = endpoint.aws.new_connection_targets()[port]
    return {b["name"] for b in endpoint.aws.brokers() if set(b["held"]) & ips}


def parameters(endpoint: DeployedEndpoint) -> dict[str, str]:
    described = endpoint.aws.client("cloudformation").describe_stacks(StackName=endpoint.stack.name)["Stacks"][0]
    return {p["ParameterKey"]: p.get("ParameterValue", "") for p in described["Parameters"]}


def in_groups(endpoint: DeployedEndpoint, name: str) -> bool:
    """Whether any of the stack's groups, live or standby, holds the broker's addresses."""
    ips = set(endpoint.aws.broker_ips(endpoint.world.brokers[name]))
    return any(set(endpoint.aws.target_states(arn)) & ips for arn in endpoint.stack.target_group_arns)


def cutover(cli: Cli, endpoint: DeployedEndpoint, *argv: str) -> Run:
    return cli("cutover", "--stack", endpoint.stack.name, *FAST, *argv)


@pytest.fixture
def new_broker(endpoint: DeployedEndpoint) -> str:
    """orders' replacement: RUNNING in the endpoint's VPC, not in scope yet; the first sweep has run."""
    endpoint.sweep()
    return endpoint.world.add_broker("orders-4", in_scope=False)


def test_a_cutover_moves_new_connections_from_orders_to_its_replacement_and_orders_leaves(
    endpoint: DeployedEndpoint, cli: Cli, new_broker: str
) -> None:
    assert served(endpoint) == {"orders", "payments"}

    run = cutover(cli, endpoint, "--to", "orders-4", "--from", "orders")

    assert run.code == 0, run.out + run.err
    for port in (OPENWIRE, CONSOLE):
        assert served(endpoint, port) == {"orders-4", "payments"}
    assert parameters(endpoint)["LiveTargetGroupSet"] == "green"
    assert (parameters(endpoint)["StandbyBrokerIds"], parameters(endpoint)["LiveOnlyBrokerIds"]) == ("", "")
    assert "leaves" in run.out and "at the function's sweeps" in run.out
    endpoint.settle()
    assert not in_groups(endpoint, "orders"), "the old broker is in no group, live or standby"
    assert endpoint.aws.client("mq").describe_broker(BrokerId=endpoint.world.brokers["orders"])["Tags"] == {}
    assert endpoint.sweep().report["status"] == "ok" and served(endpoint) == {"orders-4", "payments"}, (
        "a sweep keeps it"
    )


def standby_arns(endpoint: DeployedEndpoint) -> list[str]:
    return [a for a in parameters_env(endpoint)["STANDBY_TARGET_GROUP_ARNS"].split(",") if a]


def parameters_env(endpoint: DeployedEndpoint) -> dict[str, str]:
    function = endpoint.aws.client("lambda").get_function_configuration(FunctionName=endpoint.stack.function_name)
    return dict(function["Environment"]["Variables"])


def test_a_new_broker_that_is_not_healthy_in_time_is_never_switched_to_and_the_report_says_why(
    endpoint: DeployedEndpoint, cli: Cli, new_broker: str
) -> None:
    """Healthy before traffic: the switch waits for the NLB's word on the standby set, and gives up within its bound."""
    command = ("--to", "orders-4", "--from", "orders", "--health-timeout", "0.05")
    target_health.health_checks_take(3600)  # the NLB's first checks have not passed yet
    try:
        first = cutover(cli, endpoint, *command)
    finally:
        target_health.health_checks_take(0)
    for arn in standby_arns(endpoint):  # then the checks fail
        for ip in endpoint.aws.broker_ips(new_broker):
            endpoint.aws.set_target_state(arn, ip, "unhealthy")
    second = cutover(cli, endpoint, *command)

    assert first.code == second.code == 2, second.out
    assert "Elb.InitialHealthChecking" in first.out and "Target.FailedHealthChecks" in second.out
    assert "not healthy within 0.05 s; nothing was switched" in second.out
    assert parameters(endpoint)["LiveTargetGroupSet"] == "blue" and served(endpoint) == {"orders", "payments"}
    assert all(
        set(endpoint.aws.broker_ips(new_broker)) <= set(endpoint.aws.target_states(a)) for a in standby_arns(endpoint)
    )

    for arn in standby_arns(endpoint):  # the NLB turns orders-4 healthy; payments, switched too, still initial
        for ip in endpoint.aws.broker_ips(new_broker):
            endpoint.aws.set_target_state(arn, ip, "healthy")
    third = cutover(cli, endpoint, *command)
    assert third.code == 2 and "payments" in third.out and "Elb.InitialHealthChecking" in third.out
    assert served(endpoint) == {"orders", "payments"}, "payments' clients would have had no healthy target"

    for arn in standby_arns(endpoint):  # and payments: the same command goes on from where it stopped
        for ip in endpoint.aws.broker_ips(endpoint.world.brokers["payments"]):
            endpoint.aws.set_target_state(arn, ip, "healthy")
    assert cutover(cli, endpoint, *command).code == 0
    assert served(endpoint) == {"orders-4", "payments"}


@pytest.mark.slow
@pytest.mark.parametrize("killed_after", [0, 1, 2], ids=["before-prepare", "after-prepare", "after-switch"])
def test_a_cutover_killed_at_any_step_never_serves_both_brokers_survives_sweeps_and_resumes(
    endpoint: DeployedEndpoint, cli: Cli, new_broker: str, killed_after: int
) -> None:
    """The kill: the next stack update fails (the process died before it); a sweep runs; the same command resumes."""
    kill = endpoint.aws.inject_fault(
        Fault("cloudformation", "UpdateStack", "ValidationError", 400, "killed", skip=killed_after, times=1)
    )
    interrupted = cutover(cli, endpoint, "--to", "orders-4", "--from", "orders")
    endpoint.aws.remove_fault(kill)
    state = parameters(endpoint)

    assert interrupted.code == 1 and "killed" in interrupted.err
    before_sweep = {arn: set(endpoint.aws.target_states(arn)) for arn in endpoint.stack.target_group_arns}
    assert endpoint.sweep().report["status"] == "ok"
    assert {arn: set(endpoint.aws.target_states(arn)) for arn in endpoint.stack.target_group_arns} == before_sweep
    assert parameters(endpoint) == state, "a sweep never undoes a step"
    assert served(endpoint) in ({"orders", "payments"}, {"orders-4", "payments"}), "never both"

    resumed = cutover(cli, endpoint, "--to", "orders-4", "--from", "orders")
    assert resumed.code == 0, resumed.out + resumed.err
    endpoint.settle()
    assert served(endpoint) == {"orders-4", "payments"} and not in_groups(endpoint, "orders")


@pytest.mark.parametrize("killed_after", [1, 2], ids=["prepared", "switched-finish-half-done"])
def test_a_rollback_in_the_drain_window_makes_orders_live_again_and_its_replacement_leaves(
    endpoint: DeployedEndpoint, cli: Cli, new_broker: str, killed_after: int
) -> None:
    kill = endpoint.aws.inject_fault(
        Fault("cloudformation", "UpdateStack", "ValidationError", 400, "killed", skip=killed_after, times=1)
    )
    cutover(cli, endpoint, "--to", "orders-4", "--from", "orders")
    endpoint.aws.remove_fault(kill)

    run = cutover(cli, endpoint, "--to", "orders-4", "--rollback")

    assert run.code == 0, run.out + run.err
    for port in (OPENWIRE, CONSOLE):
        assert served(endpoint, port) == {"orders", "payments"}
    endpoint.settle()
    assert not in_groups(endpoint, "orders-4")
    assert "mq-static-endpoint" not in endpoint.aws.client("mq").describe_broker(BrokerId=new_broker)["Tags"]
    assert (parameters(endpoint)["StandbyBrokerIds"], parameters(endpoint)["LiveOnlyBrokerIds"]) == ("", "")
    assert "nothing to roll back" in cutover(cli, endpoint, "--to", "orders-4", "--rollback").out


def test_after_the_switch_the_command_shows_the_old_sets_open_flows_and_keep_old_leaves_it_there(
    endpoint: DeployedEndpoint, cli: Cli, new_broker: str
) -> None:
    # orders' clients, connected through the blue set: after the switch, the old set.
    endpoint.aws.publish_active_flows(endpoint.stack.live_target_group_arns, 7)

    run = cutover(cli, endpoint, "--to", "orders-4", "--from", "orders", "--keep-old")

    assert run.code == 2
    assert "drain: open flows in the set orders" in run.out and " 7," in run.out
    assert served(endpoint) == {"orders-4", "payments"} and in_groups(endpoint, "orders"), (
        "orders waits in the standby set"
    )


@pytest.mark.parametrize(
    ("to", "refusal"),
    [
        ("events", "is RABBITMQ, orders"),
        ("elsewhere", "is not in vpc-"),
        ("rebooting", "is REBOOT_IN_PROGRESS, not RUNNING"),
    ],
)
def test_a_cutover_across_engines_outside_the_vpc_or_to_a_broker_not_running_is_refused_in_one_line(
    endpoint: DeployedEndpoint, cli: Cli, to: str, refusal: str
) -> None:
    endpoint.sweep()
    aws = endpoint.aws
    if to == "events":
        endpoint.world.add_broker("events", in_scope=False, engine="RABBITMQ")
    elif to == "elsewhere":
        vpc = aws.client("ec2").create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
        subnet = aws.client("ec2").create_subnet(VpcId=vpc, CidrBlock="10.9.1.0/24")["Subnet"]["SubnetId"]
        aws.create_broker("elsewhere", "SINGLE_INSTANCE", subnet_ids=[subnet])
    else:
        aws.set_broker_state(endpoint.world.add_broker("rebooting", in_scope=False), "REBOOT_IN_PROGRESS")
    before = parameters(endpoint)

    run = cutover(cli, endpoint, "--to", to, "--from", "orders")

    said = " ".join(run.err.split())  # one message, whatever width the console wraps it at
    assert run.code == 1 and said.count("mq-endpoint:") == 1 and refusal in said and "cutover refused" in said
    assert parameters(endpoint) == before


def test_a_dry_run_shows_the_plan_and_changes_nothing_and_without_a_terminal_it_asks_for_yes(
    endpoint: DeployedEndpoint, cli: Cli, new_broker: str
) -> None:
    before = parameters(endpoint)
    dry = cli("cutover", "--stack", endpoint.stack.name, "--to", "orders-4", "--from", "orders", "--dry-run")
    unconfirmed = cli("cutover", "--stack", endpoint.stack.name, "--to", "orders-4", "--from", "orders")

    assert (
        dry.code == 0 and "1. prepare" in dry.out and "5. finish" in dry.out and "Dry run: nothing changed." in dry.out
    )
    assert unconfirmed.code == 64 and "pass --yes" in unconfirmed.err
    assert parameters(endpoint) == before


def test_with_a_broker_ids_scope_the_switch_swaps_the_ids_and_a_sweep_between_never_serves_both(
    endpoint: DeployedEndpoint, cli: Cli, new_broker: str
) -> None:
    aws = endpoint.aws
    orders, payments = endpoint.world.brokers["orders"], endpoint.world.brokers["payments"]
    for broker_id in (orders, payments):
        aws.untag_broker(broker_id, ["mq-static-endpoint"])
    cloudformation = aws.client("cloudformation")
    kept = [
        {"ParameterKey": k, "UsePreviousValue": True}
        for k in parameters(endpoint)
        if k not in ("BrokerTag", "BrokerIds")
    ]
    cloudformation.update_stack(
        StackName=endpoint.stack.name,
        UsePreviousTemplate=True,
        Capabilities=["CAPABILITY_IAM"],
        Parameters=kept
        + [
            {"ParameterKey": "BrokerTag", "ParameterValue": ""},
            {"ParameterKey": "BrokerIds", "ParameterValue": f"{orders},{payments}"},
        ],
    )
    endpoint.sweep()
    assert served(endpoint) == {"orders", "payments"}

    run = cutover(cli, endpoint, "--to", new_broker)

    assert run.code == 1 and "name it with --from" in run.err, "two ActiveMQ brokers are served: which one goes?"
    run = cutover(cli, endpoint, "--to", new_broker, "--from", orders)
    assert run.code == 0, run.out + run.err
    assert (
        parameters(endpoint)["BrokerIds"] == f"{payments},{new_broker}"
        and f"BrokerIds={payments},{new_broker}" in run.out
    )
    endpoint.settle()
    assert served(endpoint) == {"orders-4", "payments"} and not in_groups(endpoint, "orders")
    assert aws.client("mq").describe_broker(BrokerId=new_broker)["Tags"] == {"team": "orders-4"}, (
        "an ids scope tags nobody"
    )
