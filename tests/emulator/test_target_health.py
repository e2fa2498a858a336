"""DescribeTargetHealth as an NLB health-checking the console port reports it."""

from emulator import EmulatedAws


def _register(aws: EmulatedAws, arn: str, ips: list[str]) -> None:
    aws.client("elbv2").register_targets(TargetGroupArn=arn, Targets=[{"Id": ip} for ip in ips])


def _health(aws: EmulatedAws, arn: str) -> dict[str, tuple[str, str | None]]:
    described = aws.client("elbv2").describe_target_health(TargetGroupArn=arn)["TargetHealthDescriptions"]
    return {d["Target"]["Id"]: (d["TargetHealth"]["State"], d["TargetHealth"].get("Reason")) for d in described}


def test_active_is_healthy_standby_fails_health_checks_stray_ip_times_out(aws: EmulatedAws) -> None:
    active, standby = aws.broker_ips(aws.create_broker("orders"))
    (single,) = aws.broker_ips(aws.create_broker("audit", deployment_mode="SINGLE_INSTANCE"))
    arn = aws.create_target_groups({"openwire": 61617})["openwire"]

    _register(aws, arn, [active, standby, single, "10.0.1.250"])

    assert _health(aws, arn) == {
        active: ("healthy", None),
        standby: ("unhealthy", "Target.FailedHealthChecks"),
        single: ("healthy", None),
        "10.0.1.250": ("unhealthy", "Target.Timeout"),
    }


def test_targets_of_a_rebooting_broker_time_out(aws: EmulatedAws) -> None:
    broker_id = aws.create_broker("orders")
    ips = aws.broker_ips(broker_id)
    arn = aws.create_target_groups({"console": 8162})["console"]
    _register(aws, arn, ips)

    aws.set_broker_state(broker_id, "REBOOT_IN_PROGRESS", ips=[])

    assert _health(aws, arn) == {ip: ("unhealthy", "Target.Timeout") for ip in ips}


def test_forced_draining_is_reported_until_the_target_is_registered_again(aws: EmulatedAws) -> None:
    active, standby = aws.broker_ips(aws.create_broker("orders"))
    arn = aws.create_target_groups({"openwire": 61617})["openwire"]
    _register(aws, arn, [active, standby])

    aws.set_target_state(arn, active, "draining")
    draining = _health(aws, arn)[active]
    _register(aws, arn, [active])

    assert draining == ("draining", "Target.DeregistrationInProgress")
    assert aws.target_states(arn) == {active: "healthy", standby: "unhealthy"}


def test_a_forced_state_lists_a_target_moto_no_longer_holds(aws: EmulatedAws) -> None:
    active, standby = aws.broker_ips(aws.create_broker("orders"))
    arn = aws.create_target_groups({"openwire": 61617})["openwire"]
    _register(aws, arn, [active, standby])
    aws.client("elbv2").deregister_targets(TargetGroupArn=arn, Targets=[{"Id": standby}])

    aws.set_target_state(arn, standby, "draining")

    assert aws.target_states(arn) == {active: "healthy", standby: "draining"}
