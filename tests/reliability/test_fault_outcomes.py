"""What each fault does to a reconcile, call by call: the table of docs/reliability.md, as tests.

The start of every test: two active/standby brokers in scope, a sweep done
(the groups hold every address), then `orders` comes back from a reboot on new
addresses and a stray target sits in the OpenWire group. The next run has
something to register, to swap and to remove; the fault decides what of that
happens. No run raises: the status says what happened, and the next sweep is
the retry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from emulator import Fault, events, faults
from emulator.lambda_runtime import Invocation
from tests.endpoint import Endpoint
from tests.integration.conftest import REGION

STRAY = "10.0.1.250"

# The failures any read may meet; each keeps the run from learning something.
READ_FAILURES: dict[str, Callable[..., Fault]] = {
    "throttling": faults.throttling,
    "server error": lambda *a, **k: faults.server_error(*a, status=503, **k),
    "read timeout": faults.read_timeout,
    "connection error": faults.connection_error,
    "access denied": faults.access_denied,
}


@dataclass
class Situation:
    endpoint: Endpoint
    orders: str
    payments: str
    old_ips: set[str]
    new_ips: set[str]

    def openwire(self) -> set[str]:
        return set(self.endpoint.targets("openwire"))

    def ips(self, broker: str) -> set[str]:
        return set(self.endpoint.aws.broker_ips(broker))

    def run_with(self, fault: Fault, event: dict[str, object] | None = None) -> Invocation:
        self.endpoint.aws.inject_fault(fault)
        try:
            return self.endpoint.invoke(event or events.scheduled(REGION))
        finally:
            self.endpoint.aws.remove_fault(fault)


@pytest.fixture
def situation(endpoint: Endpoint, two_brokers: tuple[str, str]) -> Situation:
    orders, payments = two_brokers
    endpoint.cold_start(AWS_RETRY_MODE="standard")  # no client-side backoff after throttling: same decisions, no sleeps
    endpoint.sweep()
    old = set(endpoint.aws.broker_ips(orders))
    new = set(endpoint.aws.change_broker_ips(orders))
    endpoint.aws.client("elbv2").register_targets(
        TargetGroupArn=endpoint.groups["openwire"], Targets=[{"Id": STRAY, "Port": 61617}]
    )
    return Situation(endpoint, orders, payments, old, new)


def reported_error(invocation: Invocation, *words: str) -> bool:
    return any(all(w in error for w in words) for error in invocation.report["errors"])


# --- reads --------------------------------------------------------------------------


@pytest.mark.parametrize("failure", READ_FAILURES)
def test_while_ec2_cannot_list_the_interfaces_every_target_stays(situation: Situation, failure: str) -> None:
    before = situation.openwire()
    invocation = situation.run_with(READ_FAILURES[failure]("ec2", "DescribeNetworkInterfaces"))
    assert situation.openwire() == before, (
        "orders' old addresses stay, and so does the stray: who holds them is unknown"
    )
    assert invocation.raised is None and invocation.report["status"] == "incomplete"
    assert reported_error(invocation, "DescribeNetworkInterfaces failed")

    situation.endpoint.settle()
    assert situation.openwire() == situation.ips(situation.orders) | situation.ips(situation.payments)


@pytest.mark.parametrize("failure", READ_FAILURES)
def test_a_broker_found_only_through_describe_broker_that_cannot_be_read_keeps_every_free_address(
    situation: Situation, failure: str
) -> None:
    """payments' interfaces are described otherwise (no interface found):
    while it cannot be read, it may hold any address."""
    situation.endpoint.aws.describe_interfaces_as(situation.payments, "Amazon MQ broker {broker_id} interface")
    before = situation.openwire()
    invocation = situation.run_with(READ_FAILURES[failure]("mq", "DescribeBroker", match=situation.payments))
    assert situation.old_ips | {STRAY} <= situation.openwire(), "orders' freed addresses and the stray wait"
    assert before <= situation.openwire() and invocation.report["status"] == "incomplete"
    assert reported_error(invocation, situation.payments, "DescribeBroker failed")

    situation.endpoint.settle()
    assert situation.openwire() == situation.ips(situation.orders) | situation.ips(situation.payments), (
        "read again: served"
    )


@pytest.mark.parametrize("failure", READ_FAILURES)
def test_a_broker_that_left_the_listing_keeps_its_targets_until_describe_broker_confirms_it(
    situation: Situation, failure: str
) -> None:
    aws = situation.endpoint.aws
    aws.untag_broker(situation.payments, ["mq-static-endpoint"])
    payments = situation.ips(situation.payments)
    unconfirmed = situation.run_with(READ_FAILURES[failure]("mq", "DescribeBroker", match=situation.payments))
    assert payments <= situation.openwire(), "no confirmation, no removal"
    assert unconfirmed.report["status"] == "incomplete"
    assert reported_error(unconfirmed, situation.payments, "DescribeBroker failed")

    situation.endpoint.sweep()
    assert not payments & situation.openwire(), "confirmed out of scope by its tags"


def test_a_broker_aws_says_does_not_exist_loses_its_targets(situation: Situation) -> None:
    aws = situation.endpoint.aws
    aws.untag_broker(situation.payments, ["mq-static-endpoint"])
    payments = situation.ips(situation.payments)
    invocation = situation.run_with(faults.not_found("mq", "DescribeBroker", match=situation.payments))
    assert not payments & situation.openwire(), "NotFoundException is evidence of deletion"
    assert STRAY in situation.openwire() and invocation.report["status"] == "incomplete", "seen free once: it waits"
    situation.endpoint.settle()
    assert STRAY not in situation.openwire() and not situation.old_ips & situation.openwire()


@pytest.mark.parametrize("failure", ["throttling", "connection error"])
def test_a_failed_listing_reads_no_tagged_broker_and_removes_nothing(situation: Situation, failure: str) -> None:
    before = situation.openwire()
    invocation = situation.run_with(READ_FAILURES[failure]("resourcegroupstaggingapi", "GetResources"))
    assert situation.openwire() == before
    assert invocation.report["status"] == "incomplete" and reported_error(invocation, "GetResources")
    assert invocation.report["brokers"] == [], "with tag scope, nothing is known to be in scope"


@pytest.mark.parametrize(
    ("failure", "call"),
    [
        ("throttling", "DescribeTargetHealth"),
        ("read timeout", "DescribeTargetHealth"),
        ("server error", "DescribeTargetGroups"),
    ],
)
def test_a_group_that_cannot_be_read_is_left_alone_and_the_run_fails(
    situation: Situation, failure: str, call: str
) -> None:
    if call == "DescribeTargetGroups":
        situation.endpoint.cold_start()  # a container reads a group's name and port once
    before = situation.openwire()
    invocation = situation.run_with(READ_FAILURES[failure]("elbv2", call, match=situation.endpoint.groups["openwire"]))
    assert situation.openwire() == before
    # The other group is reconciled: the new addresses come in (a cold container removes on a second reading).
    assert set(situation.endpoint.targets("console")) >= situation.ips(situation.orders) | situation.ips(
        situation.payments
    )
    assert invocation.raised is None and invocation.report["status"] == "failed"
    assert invocation.report["targetGroups"][0]["errors"] and invocation.metric("ReconcileFailures") == 1


def test_a_vanished_group_fails_every_run_while_the_others_are_kept_right(situation: Situation) -> None:
    gone = faults.target_group_vanished(situation.endpoint.groups["openwire"])
    for _ in range(2):
        invocation = situation.run_with(gone)
        assert invocation.report["status"] == "failed" and reported_error(invocation, "openwire", "TargetGroupNotFound")
        assert invocation.raised is None, "one invocation per trigger: the schedule is the retry, not Lambda"
        situation.endpoint.let_time_pass(60)
    assert set(situation.endpoint.targets("console")) == situation.ips(situation.orders) | situation.ips(
        situation.payments
    )


# --- writes -----------------------------------------------------------------------------


@pytest.mark.parametrize("failure", ["throttling", "access denied", "connection error"])
def test_when_a_brokers_new_addresses_cannot_be_registered_its_old_ones_stay_and_others_move_on(
    situation: Situation, failure: str
) -> None:
    group = situation.endpoint.groups["openwire"]
    situation.run_with(
        READ_FAILURES[failure]("elbv2", "RegisterTargets", match=group), events.reboot_broker(REGION, situation.orders)
    )
    situation.endpoint.let_time_pass(
        60
    )  # the old addresses' second reading: they may go, but orders' new ones fail again
    invocation = situation.run_with(READ_FAILURES[failure]("elbv2", "RegisterTargets", match=group))
    assert situation.old_ips <= situation.openwire() and not situation.new_ips & situation.openwire()
    assert STRAY not in situation.openwire(), "a stray belongs to no broker whose registration failed"
    assert invocation.report["status"] == "failed" and invocation.raised is None
    assert reported_error(invocation, "its old ones stay")


def test_a_registration_whose_answer_was_lost_leaves_the_old_targets_for_the_next_run(situation: Situation) -> None:
    invocation = situation.run_with(
        faults.read_timeout("elbv2", "RegisterTargets", match=situation.endpoint.groups["openwire"]),
        events.reboot_broker(REGION, situation.orders),
    )
    assert invocation.report["status"] == "failed"
    assert situation.new_ips | situation.old_ips <= situation.openwire(), "AWS registered them; the old ones wait"


@pytest.mark.parametrize(
    ("failure", "call"),
    [("read timeout", "RegisterTargets"), ("throttling", "RegisterTargets"), ("throttling", "DeregisterTargets")],
)
def test_the_next_run_finishes_a_failed_swap(situation: Situation, failure: str, call: str) -> None:
    event = events.reboot_broker(REGION, situation.orders)
    if call == "DeregisterTargets":  # the removals come on the old addresses' second reading: fail that one
        situation.endpoint.invoke(event)
        situation.endpoint.let_time_pass(60)
    first = situation.run_with(
        READ_FAILURES[failure]("elbv2", call, match=situation.endpoint.groups["openwire"]), event
    )
    next_sweep = situation.endpoint.settle()
    assert first.report["status"] == "failed" and next_sweep.report["status"] == "ok"
    assert not situation.old_ips & situation.openwire(), "the next run is the whole reconcile again"


@pytest.mark.parametrize("failure", ["throttling", "read timeout"])
def test_a_deleted_brokers_targets_go_at_the_next_run_after_a_failed_removal(
    situation: Situation, failure: str
) -> None:
    payments_ips = situation.ips(situation.payments)
    situation.endpoint.aws.delete_broker(situation.payments)
    event = events.delete_broker(REGION, situation.payments)
    fault = READ_FAILURES[failure]("elbv2", "DeregisterTargets", match=situation.endpoint.groups["console"])

    situation.endpoint.invoke(event)  # first reading: its addresses look free
    situation.endpoint.let_time_pass(60)
    first = situation.run_with(fault)  # second reading: the removal is throttled
    next_sweep = situation.endpoint.settle()

    assert first.report["status"] == "failed" and next_sweep.report["status"] == "ok"
    assert not payments_ips & set(situation.endpoint.targets("console")), "EC2 no longer shows their interfaces"
