"""The ELB adapter: target groups named and owned, their targets' health read, and targets written in batches where
a refused target costs only itself and a group refused as a whole is not asked again."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from botocore.stub import Stubber

from reconciler.adapters.elb import OWNER_TAG, GroupIdentity, Refusal, TargetGroups
from reconciler.core.targets import Target, TargetState
from tests.unit.adapters.aws import ACCOUNT, REGION, aws_clients, deadline_falls_on, stubbed

PORT = 5671


@pytest.fixture
def elb() -> Iterator[tuple[Any, Stubber]]:
    client = aws_clients().elbv2
    with stubbed(client) as stubber:
        yield client, stubber


def arn(name: str) -> str:
    return f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/{name}/0123456789abcdef"


def described(*names: str) -> dict[str, Any]:
    return {"TargetGroups": [{"TargetGroupArn": arn(n), "TargetGroupName": n, "Port": PORT} for n in names]}


def tagged(owners: Mapping[str, str | None]) -> dict[str, Any]:
    return {
        "TagDescriptions": [
            # The model wants one tag at least: a group with no owner tag has another.
            {
                "ResourceArn": arn(name),
                "Tags": [{"Key": OWNER_TAG, "Value": owner} if owner else {"Key": "team", "Value": "x"}],
            }
            for name, owner in owners.items()
        ]
    }


def test_one_vanished_group_among_several_is_found_by_asking_one_by_one(elb: tuple[Any, Stubber]) -> None:
    client, stub = elb
    stub.add_client_error(
        "describe_target_groups",
        "TargetGroupNotFound",
        "gone",
        400,
        expected_params={"TargetGroupArns": [arn(n) for n in "abc"]},
    )
    stub.add_response("describe_target_groups", described("a"), {"TargetGroupArns": [arn("a")]})
    stub.add_response("describe_tags", tagged({"a": "stack"}), {"ResourceArns": [arn("a")]})
    stub.add_client_error(
        "describe_target_groups", "TargetGroupNotFound", "gone", 400, expected_params={"TargetGroupArns": [arn("b")]}
    )
    stub.add_response("describe_target_groups", described("c"), {"TargetGroupArns": [arn("c")]})
    stub.add_response("describe_tags", tagged({"c": None}), {"ResourceArns": [arn("c")]})

    found = TargetGroups(client).identify([arn("a"), arn("b"), arn("c")])

    assert list(found) == [arn("a"), arn("b"), arn("c")]
    assert found[arn("a")].value == GroupIdentity(arn("a"), "a", PORT, owner="stack")
    vanished = found[arn("b")]
    assert vanished.value is None and vanished.problem and "TargetGroupNotFound" in vanished.problem
    assert found[arn("c")].value == GroupIdentity(arn("c"), "c", PORT)


def test_a_group_the_answer_leaves_out_is_unknown_and_the_others_are_read(elb: tuple[Any, Stubber]) -> None:
    client, stub = elb
    stub.add_response("describe_target_groups", described("a"), {"TargetGroupArns": [arn("a"), arn("b")]})
    stub.add_response("describe_tags", tagged({"a": None}), {"ResourceArns": [arn("a")]})

    found = TargetGroups(client).identify([arn("a"), arn("b")])

    assert found[arn("a")].value == GroupIdentity(arn("a"), "a", PORT)
    assert (
        found[arn("b")].value is None and found[arn("b")].problem == "DescribeTargetGroups answered without this group"
    )


def test_owners_are_read_20_groups_a_call_and_identities_once_per_container(elb: tuple[Any, Stubber]) -> None:
    client, stub = elb
    names = [f"g{n:02}" for n in range(45)]
    arns = [arn(n) for n in names]
    stub.add_response("describe_target_groups", described(*names), {"TargetGroupArns": arns})
    for start in (0, 20, 40):
        chunk = names[start : start + 20]
        owners = {n: "other-stack" if n == "g41" else "stack" for n in chunk}
        stub.add_response("describe_tags", tagged(owners), {"ResourceArns": arns[start : start + 20]})
    groups = TargetGroups(client)

    first = groups.identify(arns)
    again = groups.identify(arns[:3])  # no call: the Stubber has nothing left to answer with

    assert all(read.problem is None for read in [*first.values(), *again.values()])
    others = [read.value.name for read in first.values() if read.value and read.value.owned_by_another("stack")]
    assert others == ["g41"]
    assert again[arns[0]].value == first[arns[0]].value


def test_target_health_is_read_whatever_the_state(elb: tuple[Any, Stubber]) -> None:
    client, stub = elb
    group = GroupIdentity(arn("a"), "a", PORT)
    health = [
        {"Target": {"Id": "10.0.1.10", "Port": PORT}, "TargetHealth": {"State": "healthy"}},
        {"Target": {"Id": "10.0.1.11"}, "TargetHealth": {"State": "unhealthy.draining", "Reason": "Target.Timeout"}},
        {"Target": {"Id": "10.0.1.12", "Port": PORT}, "TargetHealth": {"State": "a-state-of-tomorrow"}},
        {"Target": {"Id": "10.0.1.13", "Port": PORT}},
    ]
    stub.add_response("describe_target_health", {"TargetHealthDescriptions": health}, {"TargetGroupArn": group.arn})

    view = TargetGroups(client).observe(group)

    assert view.problem is None and view.value is not None
    states = {t.target.ip: t.state for t in view.value.targets}
    assert states == {
        "10.0.1.10": TargetState.HEALTHY,
        "10.0.1.11": TargetState.UNHEALTHY_DRAINING,
        "10.0.1.12": TargetState.UNAVAILABLE,
        "10.0.1.13": TargetState.UNAVAILABLE,
    }
    # A target given without a port is on the group's; a draining one is on its way out, so not registered.
    assert Target("10.0.1.11", PORT) not in view.value.registered
    assert Target("10.0.1.12", PORT) in view.value.registered


@pytest.mark.parametrize("cut_short", [False, True], ids=["failed", "deadline"])
def test_target_health_that_cannot_be_read_is_unknown_not_empty(elb: tuple[Any, Stubber], cut_short: bool) -> None:
    client, stub = elb
    if cut_short:
        deadline_falls_on(client, call=1)
    else:
        stub.add_client_error("describe_target_health", "Throttling", "slow down", 400)

    view = TargetGroups(client).observe(GroupIdentity(arn("a"), "a", PORT))

    assert view.value is None and view.problem and view.cut_short is cut_short


def targets(count: int) -> list[Target]:
    return [Target(f"10.0.{n // 250}.{n % 250 + 1}", PORT) for n in range(count)]


def sent(batch: list[Target], outside: frozenset[Target] = frozenset()) -> dict[str, Any]:
    return {
        "TargetGroupArn": arn("a"),
        "Targets": [
            {"Id": t.ip, "Port": t.port, **({"AvailabilityZone": "all"} if t in outside else {})} for t in batch
        ],
    }


def test_targets_are_registered_200_a_call_those_outside_the_zones_for_all_zones(elb: tuple[Any, Stubber]) -> None:
    client, stub = elb
    wanted = targets(450)
    outside = frozenset(wanted[199:201])
    for batch in (wanted[:200], wanted[200:400], wanted[400:]):
        stub.add_response("register_targets", {}, sent(batch, outside))

    written = TargetGroups(client).register(arn("a"), wanted, outside)

    assert written.done == wanted and not written.failed and not written.problems


def test_a_batch_refused_for_one_target_is_split_until_that_target_is_found(elb: tuple[Any, Stubber]) -> None:
    client, stub = elb
    wanted = targets(8)
    bad = wanted[5]
    # Halves, the first before the second: the calls holding the bad target are refused, the others pass.
    for batch in ([0, 1, 2, 3, 4, 5, 6, 7], [0, 1, 2, 3], [4, 5, 6, 7], [4, 5], [4], [5], [6, 7]):
        params = sent([wanted[i] for i in batch])
        if 5 in batch:
            stub.add_client_error("register_targets", "InvalidTarget", "not in the VPC", 400, expected_params=params)
        else:
            stub.add_response("register_targets", {}, params)

    written = TargetGroups(client).register(arn("a"), wanted)

    assert sorted(written.done) == sorted(t for t in wanted if t != bad)
    assert written.failed == [bad]
    assert written.refused == [Refusal(bad, "InvalidTarget: not in the VPC")]
    assert not written.problems and not written.full


@pytest.mark.parametrize(
    ("code", "status", "full"),
    [
        ("TooManyTargets", 400, True),
        ("Throttling", 400, False),
        ("AccessDenied", 403, False),
        ("InternalFailure", 500, False),
    ],
)
def test_a_batch_refused_as_a_whole_is_not_split(elb: tuple[Any, Stubber], code: str, status: int, full: bool) -> None:
    """Splitting would only send more calls the same answer awaits: no target in them is at fault."""
    client, stub = elb
    wanted = targets(5)
    stub.add_client_error("register_targets", code, "no", status, expected_params=sent(wanted))

    written = TargetGroups(client).register(arn("a"), wanted)

    assert written.failed == wanted and not written.done and not written.refused
    assert written.full is full
    assert len(written.problems) == 1 and code in written.problems[0]


def test_batches_not_sent_for_the_deadline_are_unsent_not_failed_calls(elb: tuple[Any, Stubber]) -> None:
    client, stub = elb
    gone = targets(250)
    stub.add_response(
        "deregister_targets",
        {},
        {"TargetGroupArn": arn("a"), "Targets": [{"Id": t.ip, "Port": PORT} for t in gone[:200]]},
    )
    deadline_falls_on(client, call=2)

    written = TargetGroups(client).deregister(arn("a"), gone)

    assert written.done == gone[:200] and written.failed == gone[200:]
    assert not written.problems and len(written.unsent) == 1 and "deregister_targets of 50 targets" in written.unsent[0]
