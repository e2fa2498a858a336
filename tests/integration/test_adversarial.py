"""Issue 16's cases, each on the emulator in a warm container: evidence that cannot be forged, stale or borrowed.

Every test here failed on 515f154 (the round-2 design); docs/reliability.md
names the rule each one guards.
"""

from __future__ import annotations

from typing import Any

from emulator import EmulatedAws, events
from emulator.api_calls import recording_api_calls
from tests.endpoint import Endpoint
from tests.integration.conftest import REGION, SCOPE_TAG
from tests.integration.test_rabbitmq import broker_report, rabbit

BROKER_DESCRIPTION = "Amazon MQ network interface for broker {}"


def ips(aws: EmulatedAws, *brokers: str) -> set[str]:
    return {ip for broker in brokers for ip in aws.broker_ips(broker)}


def found(report: dict[str, Any], broker_id: str) -> dict[str, Any]:
    return {b["brokerId"]: b for b in report["brokers"]}[broker_id]


def test_1_an_ipv6_only_subnet_in_the_vpc_is_no_reason_to_stop(
    endpoint: Endpoint, two_brokers: tuple[str, str]
) -> None:
    endpoint.aws.add_ipv6_subnet()
    endpoint.aws.add_ipv6_subnet(dual_stack=True)
    invocation = endpoint.sweep()
    assert invocation.raised is None and invocation.report["status"] == "ok"
    assert set(endpoint.targets()) == ips(endpoint.aws, *two_brokers)


def test_2_a_lagging_listing_never_removes_an_address_another_broker_just_took(
    endpoint: Endpoint, two_brokers: tuple[str, str]
) -> None:
    aws = endpoint.aws
    orders, payments = two_brokers
    endpoint.sweep()
    freed = aws.broker_ips(orders)[0]
    aws.change_broker_ips(orders)
    endpoint.reboot_event(orders)
    assert freed in endpoint.targets(), "orders moved: its old address waits for a second reading"

    with aws.ec2_lag(hide_new=True, keep_deleted=True):
        # payments' active instance comes back on the freed, still-registered address; EC2 does not list it yet.
        aws.change_broker_ips(payments, ips=[freed, aws.free_address_in_subnet_of(aws.broker_ips(payments)[1])])
        # EC2 still lists payments' deleted interfaces and hides its new one: payments looks settled on the old
        # ones, and orders' word (it no longer has the address) says nothing of who has it now.
        lagging = endpoint.reboot_event(orders)
        assert freed in endpoint.targets(), "the address another broker took is not removed on one reading"
        assert all(d["target"] != f"{freed}:61617" for g in lagging.report["targetGroups"] for d in g["deregistered"])

    endpoint.sweep()
    endpoint.next_sweep()
    assert set(endpoint.targets()) == ips(aws, orders, payments)


def test_3_a_forged_interface_naming_a_broker_in_scope_is_never_registered(
    endpoint: Endpoint, two_brokers: tuple[str, str]
) -> None:
    aws = endpoint.aws
    orders, payments = two_brokers
    endpoint.sweep()
    forged_ip = aws.free_address_in_subnet_of(aws.broker_ips(orders)[0])
    aws.create_interface(forged_ip, description=BROKER_DESCRIPTION.format(orders))

    invocation = endpoint.sweep()
    report = invocation.report

    assert forged_ip not in endpoint.all_targets()["openwire"] and forged_ip not in endpoint.targets("console")
    assert invocation.metric("AddressesRefused") == 1
    refused = found(report, orders)["refusedAddresses"]
    assert [r["ip"] for r in refused] == [forged_ip] and "Amazon MQ gives it no such address" in refused[0]["reason"]
    with recording_api_calls() as calls:
        endpoint.sweep()
    assert calls.count("mq", "DescribeBroker") == 0, "a refusal is remembered: the forgery costs no call per sweep"


def test_4_an_interface_of_another_vpc_on_the_same_address_pins_nothing(
    endpoint: Endpoint, two_brokers: tuple[str, str]
) -> None:
    aws = endpoint.aws
    endpoint.sweep()
    other = aws.create_other_vpc()
    stale = "10.0.1.77"
    aws.create_interface(stale, subnet_id=other.private_subnets[0].id, description="someone else's")
    aws.client("elbv2").register_targets(
        TargetGroupArn=endpoint.groups["openwire"], Targets=[{"Id": stale, "Port": 61617}]
    )

    endpoint.sweep()
    report = endpoint.next_sweep().report

    assert stale not in endpoint.targets() and report["status"] == "ok"


def test_5_any_interface_on_a_freed_address_pins_nothing(endpoint: Endpoint, two_brokers: tuple[str, str]) -> None:
    aws = endpoint.aws
    orders, _ = two_brokers
    endpoint.cold_start()  # no memory of whose address it was: the slow path, two readings
    endpoint.sweep()
    freed = aws.broker_ips(orders)[0]
    aws.change_broker_ips(orders)
    aws.create_interface(freed, description="Primary network interface")  # an instance took it at once

    endpoint.cold_start()
    endpoint.sweep()
    assert freed in endpoint.targets(), "seen free once"
    endpoint.next_sweep()
    assert freed not in endpoint.targets() and freed not in endpoint.targets("console")


def test_6_a_rabbitmq_broker_in_scope_in_another_vpc_blocks_nothing(
    mixed_endpoint: Endpoint, two_brokers: tuple[str, str]
) -> None:
    aws = mixed_endpoint.aws
    other = aws.create_other_vpc()
    remote = rabbit(aws, "remote", subnet_ids=[other.private_subnets[0].id])
    local = rabbit(aws, "local")
    mixed_endpoint.sweep()
    stale = "10.0.1.78"
    aws.client("elbv2").register_targets(
        TargetGroupArn=mixed_endpoint.groups["amqps"], Targets=[{"Id": stale, "Port": 5671}]
    )

    mixed_endpoint.sweep()
    invocation = mixed_endpoint.next_sweep()
    report = invocation.report

    assert set(mixed_endpoint.targets("amqps")) == set(aws.endpoint_ips(local))
    assert broker_report(report, remote)["knowledge"] == "outsideVpc" and invocation.metric("BrokersOutsideVpc") == 1
    assert any(e.startswith(f"{remote} (remote): in {other.id}") for e in report["errors"])


def test_7_a_full_group_makes_room_with_its_dead_addresses_first(
    endpoint: Endpoint, two_brokers: tuple[str, str]
) -> None:
    aws = endpoint.aws
    orders, payments = two_brokers
    endpoint.sweep()
    aws.set_target_quota(endpoint.groups["openwire"], 4, draining_counts=False)
    aws.change_broker_ips(orders)

    endpoint.reboot_event(orders)
    with recording_api_calls() as calls:
        report = endpoint.next_sweep().report

    assert set(endpoint.targets()) == ips(aws, orders, payments), "converged: the dead addresses made room"
    assert calls.count("elbv2", "RegisterTargets") == 2, "openwire: refused whole once, then retried after the removals"
    assert report["status"] == "ok"


def test_7_a_group_that_stays_full_is_reported_with_its_count_and_quota(
    endpoint: Endpoint, two_brokers: tuple[str, str]
) -> None:
    aws = endpoint.aws
    endpoint.sweep()
    aws.set_target_quota(endpoint.groups["openwire"], 4)
    newcomer = aws.create_broker("shipping", tags=SCOPE_TAG)

    with recording_api_calls() as calls:
        report = endpoint.invoke(events.create_tags(REGION, aws.broker_arn(newcomer), SCOPE_TAG)).report

    assert not set(aws.broker_ips(newcomer)) & set(endpoint.targets())
    assert calls.count("elbv2", "RegisterTargets") == 2, "not split like a bad target: one call per group"
    assert report["status"] == "failed"
    assert any("the group is full: 4 targets, the quota is 1,000" in e for e in report["errors"])


def test_8_a_slow_pace_never_outlives_the_timeout(endpoint: Endpoint) -> None:
    aws = endpoint.aws
    brokers = [aws.create_broker(f"broker-{n}", "SINGLE_INSTANCE", tags=SCOPE_TAG) for n in range(12)]
    endpoint.cold_start(MQ_DESCRIBE_RATE="1", MQ_DESCRIBE_BURST="1")
    endpoint.timeout(seconds=20)

    first = endpoint.sweep()

    assert not first.timed_out and first.report["cutShort"] is True
    assert first.report["status"] == "incomplete"
    registered = set(endpoint.targets())
    assert registered and registered < ips(aws, *brokers), "what was confirmed in time went in"
    for _ in range(8):
        if set(endpoint.targets()) == ips(aws, *brokers):
            break
        assert not endpoint.sweep().timed_out
    assert set(endpoint.targets()) == ips(aws, *brokers), "each warm run confirms more: it converges"


def test_9_a_hostname_resolving_to_another_teams_endpoint_registers_nothing(mixed_endpoint: Endpoint) -> None:
    aws = mixed_endpoint.aws
    ours = rabbit(aws, "ours", endpoint_tagged=False, subnet_ids=[aws.private_subnets[0]])
    theirs = aws.create_broker("theirs", engine="RABBITMQ", endpoint_tagged=False, subnet_ids=[aws.private_subnets[1]])
    aws.resolver.answer(aws.resolver.hostname(ours), aws.endpoint_ips(theirs))

    report = mixed_endpoint.sweep().report

    assert mixed_endpoint.targets("amqps") == {}
    assert broker_report(report, ours)["knowledge"] == "unresolved"
    assert {r["ip"] for r in broker_report(report, ours)["refusedAddresses"]} == set(aws.endpoint_ips(theirs))


def test_9_an_untagged_endpoints_targets_leave_with_their_broker(mixed_endpoint: Endpoint) -> None:
    aws = mixed_endpoint.aws
    broker = rabbit(aws, "events", endpoint_tagged=False)
    mixed_endpoint.sweep()
    assert set(mixed_endpoint.targets("amqps")) == set(aws.endpoint_ips(broker))

    aws.untag_broker(broker, list(SCOPE_TAG))
    mixed_endpoint.invoke(
        events.cloudtrail(REGION, "DeleteTags", {"resourceArn": aws.broker_arn(broker), "tagKeys": list(SCOPE_TAG)})
    )

    assert mixed_endpoint.targets("amqps") == {}


def test_interfaces_a_deleted_broker_left_behind_are_never_registered_and_cost_nothing(
    endpoint: Endpoint, two_brokers: tuple[str, str]
) -> None:
    aws = endpoint.aws
    orders, payments = two_brokers
    endpoint.sweep()
    aws.tag_listing_lags()  # the tagging API still lists the deleted broker for a while
    left = aws.delete_broker(orders, leave_interfaces=True)

    report = endpoint.sweep().report

    assert set(endpoint.targets()) == ips(aws, payments), "Amazon MQ says it is gone: its addresses go at once"
    assert found(report, orders)["knowledge"] == "gone" and len(left) == 2
    with recording_api_calls() as calls:
        endpoint.sweep()
    assert set(endpoint.targets()) == ips(aws, payments)
    assert calls.count("mq", "DescribeBroker") <= 1, "while the listing lingers, one confirmation a sweep at most"


def test_a_broker_being_deleted_loses_its_targets_at_once(endpoint: Endpoint, two_brokers: tuple[str, str]) -> None:
    aws = endpoint.aws
    orders, payments = two_brokers
    endpoint.sweep()
    aws.set_broker_state(orders, "DELETION_IN_PROGRESS")

    report = endpoint.reboot_event(orders).report

    assert set(endpoint.targets()) == ips(aws, payments)
    assert found(report, orders)["reason"] == "broker is DELETION_IN_PROGRESS"
