"""The real handler against the emulated AWS: what a user of the endpoint would see."""

from __future__ import annotations

import pytest

from emulator import EmulatedAws, Fault, events, faults
from emulator.api_calls import recording_api_calls
from tests.endpoint import Endpoint
from tests.integration.conftest import REGION, SCOPE_TAG

NOBODY = "b-99999999-9999-4999-8999-999999999999"


def expected(aws: EmulatedAws, *brokers: str) -> set[str]:
    return {ip for broker in brokers for ip in aws.broker_ips(broker)}


def test_the_first_sweep_fills_every_group_with_both_instances_of_both_brokers(
    endpoint: Endpoint, two_brokers: tuple[str, str]
) -> None:
    invocation = endpoint.sweep()

    for group in ("openwire", "console"):
        targets = endpoint.targets(group)
        assert set(targets) == expected(endpoint.aws, *two_brokers) and len(targets) == 4
        assert sorted(targets.values()) == ["healthy", "healthy", "unhealthy", "unhealthy"], (
            "standbys fail the 8162 check"
        )
    report = invocation.report
    assert report["status"] == "ok" and {g["port"] for g in report["targetGroups"]} == {61617, 8162}
    assert all(len(g["registered"]) == 4 for g in report["targetGroups"])
    assert invocation.metric("TargetsRegistered", TargetGroup="openwire") == 4
    assert invocation.metric("HealthyTargets", TargetGroup="openwire") == 0, "health is observed before registering"

    settled = endpoint.sweep()
    assert [b["healthyInstances"] for b in settled.report["brokers"]] == [1, 1], "only the active instance answers"
    for broker in two_brokers:
        assert settled.metric("HealthyInstances", BrokerId=broker) is None, "per-broker metrics cost money: opt-in"
    assert settled.metric("HealthyTargets", TargetGroup="openwire") == 2
    assert settled.metric("BrokersWithoutHealthyInstance") == 0


def test_a_second_sweep_changes_nothing(endpoint: Endpoint, two_brokers: tuple[str, str]) -> None:
    endpoint.sweep()
    before = endpoint.all_targets()
    report = endpoint.sweep().report
    assert endpoint.all_targets() == before
    assert all(
        g["registered"] == [] and g["deregistered"] == [] and len(g["kept"]) == 4 for g in report["targetGroups"]
    )


def test_a_reboot_with_new_ips_swaps_that_brokers_targets_and_leaves_the_other_alone(
    endpoint: Endpoint, two_brokers: tuple[str, str]
) -> None:
    orders, payments = two_brokers
    endpoint.sweep()
    old = set(endpoint.aws.broker_ips(orders))
    new = set(endpoint.aws.change_broker_ips(orders))

    invocation = endpoint.reboot_event(orders)

    assert set(endpoint.targets()) == old | new | expected(endpoint.aws, payments), "new ones at once, old ones wait"
    report = invocation.report
    assert report["trigger"]["brokerIds"] == [orders] and {b["brokerId"] for b in report["brokers"]} == set(two_brokers)
    swept = endpoint.next_sweep().report
    assert set(endpoint.targets()) == new | expected(endpoint.aws, payments)
    assert not old & set(endpoint.targets("console"))
    openwire = swept["targetGroups"][0]
    assert {d["target"].split(":")[0] for d in openwire["deregistered"]} == old
    assert all(
        d["evidence"] == "no broker in scope has had it for 60 s or more (seen free in two listings)"
        for d in openwire["deregistered"]
    )


def test_an_event_ends_where_a_sweep_would_and_only_new_interfaces_cost_amazon_mq(
    endpoint: Endpoint, two_brokers: tuple[str, str]
) -> None:
    orders, _ = two_brokers
    endpoint.sweep()
    endpoint.aws.change_broker_ips(orders)
    with recording_api_calls() as calls:
        endpoint.reboot_event(orders)
    assert calls.count("mq", "DescribeBroker") == 1, "orders' new interfaces are confirmed with Amazon MQ, once"
    after_event = endpoint.all_targets()
    with recording_api_calls() as calls:
        report = endpoint.sweep().report
    assert endpoint.all_targets() == after_event
    assert all(g["registered"] == [] and g["deregistered"] == [] for g in report["targetGroups"])
    assert calls.count("mq", "DescribeBroker") == 0, "confirmed interfaces are remembered: a steady sweep asks nothing"


def test_the_report_says_where_each_brokers_addresses_come_from(
    endpoint: Endpoint, two_brokers: tuple[str, str]
) -> None:
    orders, _ = two_brokers
    report = endpoint.sweep().report
    broker = next(b for b in report["brokers"] if b["brokerId"] == orders)
    assert broker["name"] == "orders" and broker["addressSource"] == "interfaces"
    assert broker["reason"] == f"Amazon MQ and EC2 agree on 2 interface(s) in {endpoint.aws.vpc_id}"
    assert [a["ip"] for a in broker["addresses"]] == sorted(expected(endpoint.aws, orders))
    assert {a["zone"] for a in broker["addresses"]} == {f"{REGION}a", f"{REGION}b"}
    assert all(a["interfaceId"].startswith("eni-") for a in broker["addresses"])
    assert report["interfacesListed"] == 4


def test_a_broker_whose_interfaces_carry_another_description_is_served_once_running(
    endpoint: Endpoint, two_brokers: tuple[str, str]
) -> None:
    aws = endpoint.aws
    endpoint.sweep()
    before = endpoint.all_targets()
    inventory = aws.create_broker("inventory", tags=SCOPE_TAG, interface_description="ENI of {broker_id}, renamed")
    aws.set_broker_state(inventory, "CREATION_IN_PROGRESS", ips=[])

    creating = endpoint.sweep()
    assert endpoint.all_targets() == before
    found = {b["brokerId"]: b for b in creating.report["brokers"]}[inventory]
    assert found["knowledge"] == "unresolved" and found["addressSource"] is None
    assert "no interface named for it" in found["reason"] and "CREATION_IN_PROGRESS" in found["reason"]

    aws.set_broker_state(inventory, "RUNNING")
    running = endpoint.sweep()
    assert set(endpoint.targets()) == expected(aws, *two_brokers, inventory)
    assert running.metric("BrokersFromDescribeBroker") == 1, "a broker EC2 cannot answer for is a sign worth an alarm"
    assert {b["brokerId"]: b["addressSource"] for b in running.report["brokers"]}[inventory] == "DescribeBroker"


def test_tagging_a_broker_brings_it_in_and_untagging_takes_it_out(
    endpoint: Endpoint, two_brokers: tuple[str, str]
) -> None:
    aws = endpoint.aws
    outsider = aws.create_broker("reporting", tags={"team": "bi"})
    endpoint.sweep()
    assert not set(aws.broker_ips(outsider)) & set(endpoint.targets())

    aws.tag_broker(outsider, SCOPE_TAG)
    endpoint.invoke(events.create_tags(REGION, aws.broker_arn(outsider), SCOPE_TAG))
    assert set(aws.broker_ips(outsider)) <= set(endpoint.targets())

    aws.untag_broker(outsider, list(SCOPE_TAG))
    endpoint.invoke(
        events.cloudtrail(REGION, "DeleteTags", {"resourceArn": aws.broker_arn(outsider), "tagKeys": list(SCOPE_TAG)})
    )
    assert set(endpoint.targets()) == expected(aws, *two_brokers)


def test_an_event_about_a_broker_out_of_scope_changes_nothing(endpoint: Endpoint, two_brokers: tuple[str, str]) -> None:
    outsider = endpoint.aws.create_broker("reporting", tags={"team": "bi"})
    endpoint.sweep()
    before = endpoint.all_targets()
    report = endpoint.reboot_event(outsider).report
    assert endpoint.all_targets() == before and report["status"] == "ok"
    found = {b["brokerId"]: b for b in report["brokers"]}[outsider]
    assert found["knowledge"] == "gone" and found["reason"] == "broker is not in scope"


@pytest.mark.parametrize("how", ["event", "sweep"])
def test_a_deleted_brokers_targets_go(endpoint: Endpoint, two_brokers: tuple[str, str], how: str) -> None:
    orders, payments = two_brokers
    endpoint.sweep()
    endpoint.aws.delete_broker(orders)

    if how == "event":
        endpoint.invoke(events.delete_broker(REGION, orders))
    else:
        endpoint.sweep()
    endpoint.next_sweep()  # its interfaces are gone: its addresses go on a second reading

    assert set(endpoint.targets()) == expected(endpoint.aws, payments)
    assert set(endpoint.targets("console")) == expected(endpoint.aws, payments)


@pytest.mark.parametrize("page", [0, 1], ids=["failed", "cut off after a page"])
def test_an_interface_listing_that_fails_removes_nothing(
    endpoint: Endpoint, two_brokers: tuple[str, str], page: int
) -> None:
    orders, payments = two_brokers
    aws = endpoint.aws
    if page:  # more than one page of broker interfaces: EC2 answers 1,000 at most
        subnet = aws.client("ec2").create_subnet(
            VpcId=aws.vpc_id, CidrBlock="10.0.64.0/22", AvailabilityZone=f"{REGION}a"
        )
        for number in range(1000):
            aws.create_interface(
                f"10.0.{64 + (number + 4) // 256}.{(number + 4) % 256}",
                subnet_id=subnet["Subnet"]["SubnetId"],
                description=f"Amazon MQ network interface for broker {NOBODY}",
            )
    endpoint.sweep()
    aws.change_broker_ips(orders)
    aws.client("elbv2").register_targets(
        TargetGroupArn=endpoint.groups["openwire"], Targets=[{"Id": "10.0.1.200", "Port": 61617}]
    )
    before = set(endpoint.targets())
    aws.inject_fault(faults.throttling("ec2", "DescribeNetworkInterfaces", skip=page))

    invocation = endpoint.sweep()

    assert set(endpoint.targets()) == before, (
        "neither orders' old addresses nor a stranger may go while EC2 cannot say who holds them"
    )
    report = invocation.report
    assert report["interfacesListed"] is None and any("DescribeNetworkInterfaces failed" in e for e in report["errors"])
    assert invocation.metric("InterfaceListingFailures") == 1
    assert {w["target"] for w in report["targetGroups"][0]["withheld"]} >= {"10.0.1.200:61617"}


def test_an_interface_listing_that_fails_then_answers_catches_up(
    endpoint: Endpoint, two_brokers: tuple[str, str]
) -> None:
    orders, payments = two_brokers
    aws = endpoint.aws
    endpoint.sweep()
    aws.change_broker_ips(orders)
    fault = aws.inject_fault(faults.server_error("ec2", "DescribeNetworkInterfaces"))
    endpoint.sweep()
    aws.remove_fault(fault)
    endpoint.sweep()
    endpoint.next_sweep()
    assert set(endpoint.targets()) == expected(aws, orders, payments)


def test_drift_by_hand_is_corrected_by_the_sweep(endpoint: Endpoint, two_brokers: tuple[str, str]) -> None:
    aws = endpoint.aws
    endpoint.sweep()
    elbv2, openwire = aws.client("elbv2"), endpoint.groups["openwire"]
    removed = aws.broker_ips(two_brokers[0])[0]
    elbv2.deregister_targets(TargetGroupArn=openwire, Targets=[{"Id": removed, "Port": 61617}])
    elbv2.register_targets(TargetGroupArn=openwire, Targets=[{"Id": "10.0.2.250", "Port": 61617}])

    first = endpoint.sweep().report
    assert first["targetGroups"][0]["registered"] == [f"{removed}:61617"], "what is missing comes back at once"
    assert [w["target"] for w in first["targetGroups"][0]["withheld"]] == ["10.0.2.250:61617"], (
        "one listing may be stale"
    )
    report = endpoint.next_sweep().report

    assert set(endpoint.targets()) == expected(aws, *two_brokers)
    assert report["targetGroups"][0]["deregistered"] == [
        {
            "target": "10.0.2.250:61617",
            "evidence": "no broker in scope has had it for 60 s or more (seen free in two listings)",
        }
    ]


def test_a_dry_run_reports_the_plan_and_changes_nothing(endpoint: Endpoint, two_brokers: tuple[str, str]) -> None:
    aws = endpoint.aws
    endpoint.sweep()
    aws.change_broker_ips(two_brokers[0])
    before = endpoint.all_targets()

    by_payload = endpoint.resync(dryRun=True).report
    endpoint.cold_start(DRY_RUN="true")
    by_configuration = endpoint.sweep().report

    assert endpoint.all_targets() == before
    for report in (by_payload, by_configuration):
        assert report["dryRun"] is True and len(report["targetGroups"][0]["registered"]) == 2
    for report in (by_payload, by_configuration):
        assert len(report["targetGroups"][0]["withheld"]) == 2, "the old ones wait for a second listing"
    later = endpoint.next_sweep().report
    assert len(later["targetGroups"][0]["deregistered"]) == 2 and endpoint.all_targets() == before, "a dry run's plan"


def test_a_resync_naming_a_broker_the_listing_lags_behind_brings_it_in(
    endpoint: Endpoint, two_brokers: tuple[str, str]
) -> None:
    aws = endpoint.aws
    endpoint.sweep()
    aws.tag_listing_lags()
    newcomer = aws.create_broker("shipping", tags=SCOPE_TAG)
    endpoint.resync()
    assert not set(aws.broker_ips(newcomer)) & set(endpoint.targets()), "the listing does not show it yet"
    report = endpoint.resync(brokerIds=[newcomer]).report
    assert set(aws.broker_ips(newcomer)) <= set(endpoint.targets())
    assert "tag listing lags" in {b["brokerId"]: b for b in report["brokers"]}[newcomer]["reason"]


def test_a_change_that_could_not_be_applied_fails_the_run_without_raising(
    endpoint: Endpoint, two_brokers: tuple[str, str]
) -> None:
    endpoint.aws.inject_fault(
        Fault(service="elbv2", operation="RegisterTargets", code="AccessDenied", status=403, message="not allowed")
    )

    invocation = endpoint.sweep()

    assert invocation.raised is None, (
        "the next sweep is the retry: Lambda's retries would triple a lasting fault's cost"
    )
    assert invocation.report["status"] == "failed"
    assert any("AccessDenied" in e for e in invocation.report["errors"])
    assert invocation.metric("ReconcileFailures") == 1
    assert any(log["level"] == "ERROR" and "AccessDenied" in log.get("problem", "") for log in invocation.logs)


def test_a_group_that_cannot_be_read_gets_no_changes_and_the_others_still_do(
    endpoint: Endpoint, two_brokers: tuple[str, str]
) -> None:
    endpoint.aws.inject_fault(
        Fault(
            service="elbv2",
            operation="DescribeTargetHealth",
            match="console",
            code="InternalFailure",
            status=500,
            times=1,
        )
    )
    invocation = endpoint.sweep()
    assert endpoint.targets("console") == {} and len(endpoint.targets("openwire")) == 4
    assert invocation.report["status"] == "failed" and invocation.report["targetGroups"][1]["errors"]


def test_every_log_line_carries_the_triggering_events_id(endpoint: Endpoint, two_brokers: tuple[str, str]) -> None:
    event = events.scheduled(REGION)
    endpoint.aws.inject_fault(faults.throttling("ec2", "DescribeNetworkInterfaces"))
    invocation = endpoint.invoke(event)
    assert len(invocation.logs) >= 2 and all(log.get("event_id") == event["id"] for log in invocation.logs)


def test_a_tag_event_brings_its_broker_in_even_when_the_listing_fails(
    endpoint: Endpoint, two_brokers: tuple[str, str]
) -> None:
    aws = endpoint.aws
    newcomer = aws.create_broker("shipping", tags=SCOPE_TAG)
    aws.inject_fault(
        Fault(service="resourcegroupstaggingapi", operation="GetResources", code="ThrottlingException", status=400)
    )

    report = endpoint.invoke(events.create_tags(REGION, aws.broker_arn(newcomer), SCOPE_TAG)).report

    assert set(aws.broker_ips(newcomer)) <= set(endpoint.targets())
    assert any("GetResources" in e for e in report["errors"])
    assert report["targetGroups"][0]["deregistered"] == [], "an incomplete listing removes nothing"


def test_a_broker_counts_as_without_a_healthy_instance_only_once_the_nlb_has_judged_it(
    endpoint: Endpoint, two_brokers: tuple[str, str]
) -> None:
    orders, _ = two_brokers
    aws = endpoint.aws
    endpoint.cold_start(BROKER_METRICS="true")
    first = endpoint.sweep()
    assert first.metric("BrokersWithoutHealthyInstance") == 0, "targets registered by this run are not judged yet"

    for group in endpoint.groups.values():
        for ip in aws.broker_ips(orders):
            aws.set_target_state(group, ip, "initial")
    assert endpoint.sweep().metric("BrokersWithoutHealthyInstance") == 0, "initial targets are still being checked"

    for group in endpoint.groups.values():
        for ip in aws.broker_ips(orders):
            aws.set_target_state(group, ip, "unhealthy")
    judged = endpoint.sweep()
    assert judged.metric("BrokersWithoutHealthyInstance") == 1
    assert judged.metric("HealthyInstances", BrokerId=orders) == 0
