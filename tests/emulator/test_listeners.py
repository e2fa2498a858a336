"""Listeners: where a default action sends new connections, and what the NLB health-checks because of it."""

from types import SimpleNamespace

import pytest

from emulator import EmulatedAws, target_health


def _states(aws: EmulatedAws, arn: str) -> dict[str, tuple[str, str | None]]:
    described = aws.client("elbv2").describe_target_health(TargetGroupArn=arn)["TargetHealthDescriptions"]
    return {d["Target"]["Id"]: (d["TargetHealth"]["State"], d["TargetHealth"].get("Reason")) for d in described}


def _group_no_listener_uses(aws: EmulatedAws) -> str:
    return str(
        aws.client("elbv2").create_target_group(
            Name="standby",
            Protocol="TCP",
            Port=61617,
            VpcId=aws.vpc_id,
            TargetType="ip",
            HealthCheckProtocol="TCP",
            HealthCheckPort="8162",
        )["TargetGroups"][0]["TargetGroupArn"]
    )


def test_targets_of_a_group_no_listener_uses_are_unused_and_checked_once_a_listener_forwards_to_it(
    aws: EmulatedAws,
) -> None:
    """AWS: `unused`, Target.NotInUse, "the target group is not used by any load balancer" (TargetHealth)."""
    active, standby = aws.broker_ips(aws.create_broker("orders"))
    arn = _group_no_listener_uses(aws)
    elbv2 = aws.client("elbv2")
    elbv2.register_targets(TargetGroupArn=arn, Targets=[{"Id": active}, {"Id": standby}])

    assert _states(aws, arn) == {active: ("unused", "Target.NotInUse"), standby: ("unused", "Target.NotInUse")}
    assert not any(active in ips for ips in aws.new_connection_targets().values())

    balancer = elbv2.create_load_balancer(Name="nlb", Subnets=aws.public_subnets, Type="network")["LoadBalancers"][0]
    listener = elbv2.create_listener(
        LoadBalancerArn=balancer["LoadBalancerArn"],
        Protocol="TCP",
        Port=41617,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": arn}],
    )["Listeners"][0]

    assert _states(aws, arn) == {active: ("healthy", None), standby: ("unhealthy", "Target.FailedHealthChecks")}
    assert aws.new_connection_targets()[41617] == {active}

    other = aws.create_target_groups({"live": 61617})["live"]
    elbv2.modify_listener(
        ListenerArn=listener["ListenerArn"],
        Protocol="TLS",
        DefaultActions=[{"Type": "forward", "TargetGroupArn": other}],
    )
    assert _states(aws, arn)[active] == ("unused", "Target.NotInUse"), "a listener switched away: not checked any more"


def test_a_new_target_stays_initial_while_the_nlbs_first_health_checks_run(
    aws: EmulatedAws, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The emulator's own clock, moved by hand: a loaded machine must not decide when the checks end.
    now = [1000.0]
    monkeypatch.setattr(target_health, "time", SimpleNamespace(monotonic=lambda: now[0]))
    (single,) = aws.broker_ips(aws.create_broker("audit", deployment_mode="SINGLE_INSTANCE"))
    arn = aws.create_target_groups({"openwire": 61617})["openwire"]
    target_health.health_checks_take(20)
    try:
        aws.client("elbv2").register_targets(TargetGroupArn=arn, Targets=[{"Id": single}])
    finally:
        target_health.health_checks_take(0)
    now[0] += 19.9
    assert _states(aws, arn) == {single: ("initial", "Elb.InitialHealthChecking")}, "as long as when it was registered"
    now[0] += 0.1
    assert _states(aws, arn) == {single: ("healthy", None)}
