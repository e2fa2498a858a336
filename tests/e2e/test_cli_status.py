"""mq-endpoint status, as the operator paged at 3 a.m. reads it: the outage first, then the details."""

import json

from emulator import faults
from tests.e2e.endpoint import Cli, DeployedEndpoint, lines_with, section


def _lead(out: str) -> str:
    """What status says before its first target group."""
    return out.split("\nOpenWire 61617", 1)[0]


def test_status_leads_with_a_broker_no_healthy_target_serves_its_state_and_the_nlbs_reason(
    endpoint: DeployedEndpoint, cli: Cli
) -> None:
    endpoint.sweep()
    orders = endpoint.world.brokers["orders"]
    active, standby = endpoint.aws.broker_ips(orders)
    endpoint.aws.set_broker_state(orders, "REBOOT_IN_PROGRESS")

    run = cli("status", "--stack", endpoint.stack.name)

    assert run.code == 3, "a broker in scope has no healthy instance"
    lead = _lead(run.out)
    assert "No healthy instance: 1 of 2 broker(s) in scope" in lead
    assert lines_with(lead, "orders", "REBOOT_IN_PROGRESS", active)[0].split()[-6:] == [
        "unhealthy",
        "Target.Timeout",
        "(OpenWire",
        "61617,",
        "console",
        "8162)",
    ]
    assert lines_with(lead, orders, standby), "its id under its name, each address on its row"
    assert "payments" not in lead
    for heading in ("OpenWire 61617", "console 8162"):
        rows = lines_with(section(run.out, heading), active) + lines_with(section(run.out, heading), standby)
        assert [row.split()[-2:] for row in rows] == [["unhealthy", "yes"]] * 2, (
            "no standby of a broker that has no active"
        )

    endpoint.aws.set_broker_state(orders, "RUNNING")
    recovered = cli("status", "--stack", endpoint.stack.name)
    assert recovered.code == 0
    assert "Every broker in scope (2) has a healthy instance." in _lead(recovered.out)


def test_standby_by_design_is_said_only_of_a_broker_whose_other_instance_is_healthy(
    endpoint: DeployedEndpoint, cli: Cli
) -> None:
    endpoint.sweep()
    said = "an active/standby broker's standby fails the NLB's health check by design"

    both_up = cli("status", "--stack", endpoint.stack.name)
    assert said in both_up.out and both_up.out.count("unhealthy (standby)") == 4, (
        "each broker's standby, in both groups"
    )

    for broker in endpoint.world.brokers.values():
        endpoint.aws.set_broker_state(broker, "REBOOT_IN_PROGRESS")
    both_down = cli("status", "--stack", endpoint.stack.name)
    assert both_down.code == 3 and "No healthy instance: 2 of 2 broker(s)" in both_down.out
    assert said not in both_down.out and "(standby)" not in both_down.out


def test_status_broker_describes_one_broker_by_name_or_id(endpoint: DeployedEndpoint, cli: Cli) -> None:
    endpoint.sweep()
    orders = endpoint.world.brokers["orders"]
    interfaces = endpoint.aws.broker_interfaces(orders)

    run = cli("status", "orders", "--stack", endpoint.stack.name, "-o", "wide")

    assert run.code == 0, run.err
    assert run.out.startswith(f"Broker orders  {orders}\n")
    facts = dict(line.split(None, 1) for line in run.out.splitlines()[1:6] if not line.startswith(" "))
    assert facts["engine"] == "ACTIVEMQ 5.18, ACTIVE_STANDBY_MULTI_AZ"
    assert facts["state"] == "RUNNING"
    assert "from" in run.out and "its Amazon MQ network interfaces (EC2)" in run.out
    for eni in interfaces:
        assert (
            len(lines_with(run.out, eni["NetworkInterfaceId"], eni["PrivateIpAddress"], eni["AvailabilityZone"])) >= 1
        )
    standby_rows = lines_with(section(run.out, "OpenWire 61617"), interfaces[1]["PrivateIpAddress"])
    assert "unhealthy (standby)" in standby_rows[0] and "Target.FailedHealthChecks" in standby_rows[0]
    assert "payments" not in run.out
    assert lines_with(run.out, "last run:", "sweep (Scheduled Event), ok")
    assert f"for orders: registered {interfaces[0]['PrivateIpAddress']}:61617 (OpenWire 61617)" in run.out

    endpoint.aws.set_broker_state(orders, "REBOOT_IN_PROGRESS")
    down = cli("status", orders, "--stack", endpoint.stack.name)
    assert down.out.startswith(f"Broker orders  {orders}\n"), "by its id too"
    assert down.code == 3 and "REBOOT_IN_PROGRESS" in down.out and "0 of 2 instance(s)" in down.out
    assert cli("status", "payments", "--stack", endpoint.stack.name).code == 0, "only the broker described counts"

    unknown = cli("status", "billing", "--stack", endpoint.stack.name)
    assert unknown.code == 64
    assert (
        unknown.err == "mq-endpoint: no broker billing in scope of stack mq-endpoint: brokers there: orders, payments\n"
    )


def test_group_narrows_the_tables_by_port_protocol_or_name(endpoint: DeployedEndpoint, cli: Cli) -> None:
    endpoint.sweep()

    def headings(*argv: str) -> list[str]:
        out = cli("status", "--stack", endpoint.stack.name, *argv).out
        return [" ".join(line.split()[:2]) for line in out.splitlines() if line.startswith(("OpenWire", "console"))]

    # A port or a protocol names both sets' groups (docs/cutover.md); a label names one.
    assert headings("--group", "console") == ["console 8162"] * 2
    assert headings("--group", "61617") == ["OpenWire 61617"] * 2
    assert headings("--group", "OpenWire 61617", "--group", "8162") == [
        "OpenWire 61617",
        "console 8162",
        "console 8162",
    ]
    assert headings("--group", "OpenWire 61617 (standby set)") == ["OpenWire 61617"]
    wrong = cli("status", "--stack", endpoint.stack.name, "--group", "stomp")
    assert wrong.code == 64 and "its groups are OpenWire 61617, console 8162" in wrong.err


def test_output_wide_adds_the_nlbs_reason_and_the_interface_and_json_is_for_scripts(
    endpoint: DeployedEndpoint, cli: Cli
) -> None:
    endpoint.sweep()
    orders = endpoint.world.brokers["orders"]
    standby = endpoint.aws.broker_interfaces(orders)[1]

    wide = cli("status", "--stack", endpoint.stack.name, "-o", "wide")
    header = lines_with(section(wide.out, "OpenWire 61617"), "broker", "address")[0].split()
    assert header == ["broker", "address", "zone", "health", "reason", "interface", "current"]
    row = lines_with(section(wide.out, "OpenWire 61617"), standby["PrivateIpAddress"])[0]
    assert "Target.FailedHealthChecks" in row and standby["NetworkInterfaceId"] in row

    for argv in (("-o", "json"), ("--json",)):
        run = cli("status", "--stack", endpoint.stack.name, *argv)
        document = json.loads(run.out)
        assert run.code == 0 and document["brokersWithoutHealthyInstance"] == []
        assert document["lastRun"]["report"]["trigger"]["kind"] == "sweep"


def test_the_last_run_line_is_read_from_the_functions_log_group(endpoint: DeployedEndpoint, cli: Cli) -> None:
    never = cli("status", "--stack", endpoint.stack.name)
    assert f"last run: none in the last 24 h in {endpoint.stack.log_group}" in never.out

    endpoint.sweep()
    run = cli("status", "--stack", endpoint.stack.name)
    line = lines_with(run.out, "last run:")[0]
    assert line.startswith("last run: ") and " UTC (" in line and "s ago), sweep (" in line
    assert line.endswith(", ok, no problem")

    endpoint.aws.inject_fault(faults.access_denied("logs", "FilterLogEvents"))
    denied = cli("status", "--stack", endpoint.stack.name)
    assert "last run: not read (access denied: logs:FilterLogEvents was refused" in denied.out
    assert denied.code == 0, "the last run is an aside: without it status still answers"


def test_watch_counts_its_refreshes_and_exits_with_the_last_ones_code(endpoint: DeployedEndpoint, cli: Cli) -> None:
    endpoint.sweep()
    endpoint.aws.set_broker_state(endpoint.world.brokers["orders"], "REBOOT_IN_PROGRESS")

    run = cli("status", "--stack", endpoint.stack.name, "--watch", "--interval", "0.05", "--count", "2")

    assert run.code == 3
    assert [line.split(" at ")[0] for line in lines_with(run.out, "Every 0.05 s")] == [
        "Every 0.05 s, refresh 1",
        "Every 0.05 s, refresh 2",
    ]
    assert "changed:" not in run.out, "nothing changed between the two reads"
    assert cli("status", "--stack", endpoint.stack.name, "--count", "2").code == 64, "--count goes with --watch"
