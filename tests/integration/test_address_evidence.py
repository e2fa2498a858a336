"""Removals rest on what EC2 says now, never on what a warm container remembers.

Each test drives one container through a sequence, as Lambda would keep it
warm between invocations, on an emulated AWS that reuses freed addresses and
whose tag listing lags.
"""

from __future__ import annotations

from emulator import events
from emulator.api_calls import recording_api_calls
from tests.endpoint import Endpoint
from tests.integration.conftest import REGION, SCOPE_TAG


def test_an_address_ec2_gave_to_another_brokers_active_instance_survives_its_old_owners_untag_and_deletion(
    endpoint: Endpoint, two_brokers: tuple[str, str]
) -> None:
    orders, payments = two_brokers
    aws = endpoint.aws
    endpoint.sweep()  # the container sees `freed` as orders' active instance
    freed = aws.broker_ips(orders)[0]
    aws.change_broker_ips(orders)  # maintenance moved orders: no event
    aws.change_broker_ips(payments, ips=[freed, aws.broker_ips(payments)[1]])  # payments' new active took the address
    assert endpoint.targets()[freed] == "healthy", "payments answers there now"

    aws.untag_broker(orders, list(SCOPE_TAG))
    untagged = endpoint.invoke(
        events.cloudtrail(REGION, "DeleteTags", {"resourceArn": aws.broker_arn(orders), "tagKeys": list(SCOPE_TAG)})
    )
    assert endpoint.targets().get(freed) == "healthy", "the address is payments' now: EC2 says so"
    assert untagged.metric("BrokersWithoutHealthyInstance") == 0
    endpoint.next_sweep()
    assert set(endpoint.targets()) == set(aws.broker_ips(payments)), "orders' old address went on a second reading"

    aws.delete_broker(orders)
    endpoint.invoke(events.delete_broker(REGION, orders))
    endpoint.sweep()
    assert set(endpoint.targets()) == set(aws.broker_ips(payments)) and endpoint.targets()[freed] == "healthy"


def test_a_newly_tagged_broker_survives_sweeps_while_the_tag_listing_lags(
    endpoint: Endpoint, two_brokers: tuple[str, str]
) -> None:
    aws = endpoint.aws
    outsider = aws.create_broker("shipping", tags={"team": "logistics"})
    endpoint.sweep()
    aws.tag_listing_lags()  # GetResources keeps answering as it did a moment ago
    aws.tag_broker(outsider, SCOPE_TAG)

    endpoint.invoke(events.create_tags(REGION, aws.broker_arn(outsider), SCOPE_TAG))
    assert set(aws.broker_ips(outsider)) <= set(endpoint.targets()), "DescribeBroker's tags are authoritative"

    for _ in range(3):
        with recording_api_calls() as calls:
            report = endpoint.sweep().report
        assert set(aws.broker_ips(outsider)) <= set(endpoint.targets()), "a lagging listing is no evidence"
        assert all(g["deregistered"] == [] for g in report["targetGroups"])
        assert calls.count("mq", "DescribeBroker") == 1, "one confirmation while the listing lags"

    aws.tag_listing_catches_up()
    with recording_api_calls() as calls:
        endpoint.sweep()
    assert calls.count("mq", "DescribeBroker") == 0 and set(aws.broker_ips(outsider)) <= set(endpoint.targets())


def test_a_container_that_slept_through_many_changes_removes_nothing_live(
    endpoint: Endpoint, two_brokers: tuple[str, str]
) -> None:
    orders, payments = two_brokers
    aws = endpoint.aws
    endpoint.sweep()
    first_orders = aws.broker_ips(orders)
    late_event = events.reboot_broker(REGION, orders)

    # A long quiet spell for this container: orders moves twice, payments and a
    # new broker take over orders' first addresses, orders is deleted.
    aws.change_broker_ips(orders)
    aws.change_broker_ips(orders)
    aws.change_broker_ips(payments, ips=[first_orders[0], aws.broker_ips(payments)[1]])
    newcomer = aws.create_broker("billing", tags=SCOPE_TAG)
    aws.change_broker_ips(newcomer, ips=[aws.broker_ips(newcomer)[0], first_orders[1]])
    aws.delete_broker(orders)

    live = set(aws.broker_ips(payments)) | set(aws.broker_ips(newcomer))
    before = set(endpoint.targets())
    endpoint.invoke(late_event)
    assert (before & live) <= set(endpoint.targets()), "an address someone holds now never goes"
    endpoint.next_sweep()
    assert set(endpoint.targets()) == live
