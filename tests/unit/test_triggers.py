"""Which inputs start which run, and which are refused."""

from __future__ import annotations

from typing import Any

import pytest

from reconciler.triggers import InvalidTrigger, Trigger, parse_trigger

BROKER = "b-1a2b3c4d-1111-4222-8333-444455556666"
ARN = f"arn:aws:mq:eu-west-1:123456789012:broker:orders:{BROKER}"


def parse(event: Any) -> Trigger:
    return parse_trigger(event, region="eu-west-1", account="123456789012")


def eventbridge(detail_type: str, source: str, detail: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"version": "0", "id": "evt-1", "detail-type": detail_type, "source": source, "account": "123456789012",
            "time": "2026-11-25T01:00:00Z", "region": "eu-west-1", "resources": [], "detail": detail, **extra}


def cloudtrail(name: str, request: dict[str, Any] | None = None, response: dict[str, Any] | None = None, **detail: Any) -> dict[str, Any]:
    return eventbridge("AWS API Call via CloudTrail", "aws.amazonmq", {
        "eventSource": "amazonmq.amazonaws.com", "eventName": name,
        "requestParameters": request, "responseElements": response, **detail})


def test_the_schedule_sweeps_everything() -> None:
    trigger = parse(eventbridge("Scheduled Event", "aws.events", {}))
    assert trigger.kind == "sweep" and trigger.broker_ids is None and trigger.event_id == "evt-1"


@pytest.mark.parametrize(("event", "where"), [
    (cloudtrail("RebootBroker", {"brokerId": BROKER}), "request"),
    (cloudtrail("UpdateBroker", {"brokerId": BROKER}), "request"),
    (cloudtrail("DeleteBroker", {"brokerId": BROKER}), "request"),
    (cloudtrail("CreateBroker", {"brokerName": "orders"}, {"brokerId": BROKER, "brokerArn": ARN}), "response"),
    (cloudtrail("CreateTags", {"resourceArn": ARN, "tags": {"k": "v"}}), "resource ARN"),
    (cloudtrail("DeleteTags", {"resourceArn": ARN, "tagKeys": ["k"]}), "resource ARN"),
])
def test_an_mq_call_narrows_the_run_to_its_broker(event: dict[str, Any], where: str) -> None:
    trigger = parse(event)
    assert trigger.kind == "event" and trigger.broker_ids == {BROKER}, where


def test_a_failed_mq_call_changes_nothing() -> None:
    trigger = parse(cloudtrail("RebootBroker", {"brokerId": BROKER}, errorCode="AccessDenied"))
    assert trigger.nothing_to_do and "AccessDenied" in trigger.nothing_to_do


def test_tags_on_something_other_than_a_broker_change_nothing() -> None:
    trigger = parse(cloudtrail("CreateTags", {"resourceArn": "arn:aws:mq:eu-west-1:123456789012:configuration:c-1"}))
    assert trigger.nothing_to_do


def test_a_health_event_narrows_to_the_brokers_it_names_or_sweeps() -> None:
    named = parse(eventbridge("AWS Health Event", "aws.health", {"service": "MQ", "eventTypeCode": "AWS_MQ_MAINTENANCE_SCHEDULED"}, resources=[ARN]))
    assert named.broker_ids == {BROKER}
    assert parse(eventbridge("AWS Health Event", "aws.health", {"service": "MQ"})).broker_ids is None


def test_a_resync_sweeps_now_and_may_be_a_dry_run_or_narrowed() -> None:
    assert parse({"action": "resync"}) == Trigger("resync", "resync")
    trigger = parse({"action": "resync", "dryRun": True, "brokerIds": [BROKER, BROKER]})
    assert trigger.dry_run and trigger.broker_ids == {BROKER}


@pytest.mark.parametrize(("event", "says"), [
    ("resync", "not a JSON object"),
    (None, "not a JSON object"),
    ([{"action": "resync"}], "not a JSON object"),
    ({}, "unrecognised event"),
    ({"action": "sweep"}, "unknown action"),
    ({"action": "resync", "dryrun": True}, "unknown resync keys"),
    ({"action": "resync", "dryRun": "true"}, "dryRun must be true or false"),
    ({"action": "resync", "brokerIds": BROKER}, "brokerIds must be a list"),
    ({"action": "resync", "brokerIds": []}, "brokerIds must be a list"),
    ({"action": "resync", "brokerIds": [BROKER] * 201}, "brokerIds must be a list"),
    ({"action": "resync", "brokerIds": ["orders", 7]}, "not broker ids"),
    (cloudtrail("RebootBroker", {}), "names no broker id"),
    (cloudtrail("RebootBroker", {"brokerId": "../../etc"}), "names no broker id"),
    (cloudtrail("ListBrokers"), "not one that moves broker IPs"),
    ({**cloudtrail("RebootBroker", {"brokerId": BROKER}), "region": "us-east-1"}, "not this function's"),
    ({**cloudtrail("RebootBroker", {"brokerId": BROKER}), "account": "999999999999"}, "not this function's"),
    ({**cloudtrail("RebootBroker", {"brokerId": BROKER}), "detail": "oops"}, "no detail object"),
    (eventbridge("EC2 Instance State-change Notification", "aws.ec2", {}), "not one this function handles"),
    (eventbridge("AWS Health Event", "aws.health", {"service": "EC2"}), "not MQ"),
])
def test_bad_input_is_refused_with_a_clear_reason(event: Any, says: str) -> None:
    with pytest.raises(InvalidTrigger, match=says):
        parse(event)


def test_a_huge_payload_is_refused_with_a_short_message() -> None:
    with pytest.raises(InvalidTrigger) as raised:
        parse({"action": "x" * 1_000_000})
    assert len(str(raised.value)) < 300
