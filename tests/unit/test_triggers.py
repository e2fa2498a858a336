"""Which inputs start which run, and which are refused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from reconciler.core.triggers import InvalidTrigger, Trigger, TriggerKind, parse_trigger

BROKER = "b-1a2b3c4d-1111-4222-8333-444455556666"
ARN = f"arn:aws:mq:eu-west-1:123456789012:broker:orders:{BROKER}"
EVENTS = Path(__file__).resolve().parents[2] / "events"


def parse(event: Any) -> Trigger:
    return parse_trigger(event, region="eu-west-1", account="123456789012")


def eventbridge(detail_type: str, source: str, detail: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "version": "0",
        "id": "evt-1",
        "detail-type": detail_type,
        "source": source,
        "account": "123456789012",
        "time": "2026-11-25T01:00:00Z",
        "region": "eu-west-1",
        "resources": [],
        "detail": detail,
        **extra,
    }


def cloudtrail(
    name: str, request: Any = None, response: Any = None, resources: list[Any] | None = None, **detail: Any
) -> dict[str, Any]:
    return eventbridge(
        "AWS API Call via CloudTrail",
        "aws.amazonmq",
        {
            "eventSource": "amazonmq.amazonaws.com",
            "eventName": name,
            "requestParameters": request,
            "responseElements": response,
            **detail,
        },
        resources=resources or [],
    )


def test_the_schedule_sweeps_everything() -> None:
    trigger = parse(eventbridge("Scheduled Event", "aws.events", {}))
    assert trigger.kind is TriggerKind.SWEEP and trigger.broker_ids is None and trigger.event_id == "evt-1"


MQ_CALLS = ["CreateBroker", "DeleteBroker", "RebootBroker", "UpdateBroker", "CreateTags", "DeleteTags"]
# How CloudTrail may spell the broker a call is about (docs/sources.md,
# "Amazon MQ"): the id or an ARN, under the API's own name or the URL path
# parameter's, raw or percent-encoded the way MSK's records encode ARNs.
SPELLINGS = {
    "brokerId": BROKER,
    "broker-id": BROKER,
    "resourceArn": ARN,
    "resource-arn": ARN,
    "resourceArn-encoded": ARN.replace(":", "%3A"),
    "resource-arn-encoded": ARN.replace(":", "%3A"),
    "resourceArn-lowercase-encoded": ARN.replace(":", "%3a"),
    "brokerArn": ARN,
}


def spelled(spelling: str) -> dict[str, str]:
    return {spelling.removesuffix("-encoded").removesuffix("-lowercase"): SPELLINGS[spelling]}


@pytest.mark.parametrize("spelling", SPELLINGS)
@pytest.mark.parametrize("section", ["requestParameters", "responseElements"])
@pytest.mark.parametrize("name", MQ_CALLS)
def test_an_mq_call_names_its_broker_however_cloudtrail_spells_it(name: str, section: str, spelling: str) -> None:
    named = spelled(spelling)
    if section == "requestParameters":
        trigger = parse(cloudtrail(name, {**named, "tags": {"k": "v"}}, None))
    else:  # a response such as CreateBroker's, the request naming no broker
        trigger = parse(cloudtrail(name, {"brokerName": "orders"}, named))
    assert trigger.kind is TriggerKind.EVENT and trigger.broker_ids == {BROKER}
    assert trigger.describe()["brokerIds"] == [BROKER] and "noBrokerNamed" not in trigger.describe()


@pytest.mark.parametrize("resource", [ARN, ARN.replace(":", "%3A")], ids=["raw", "encoded"])
@pytest.mark.parametrize("name", MQ_CALLS)
def test_an_mq_call_names_its_broker_in_the_events_resources(name: str, resource: str) -> None:
    assert parse(cloudtrail(name, {}, resources=[resource])).broker_ids == {BROKER}


def test_the_samples_in_events_show_both_spellings() -> None:
    encoded = json.loads((EVENTS / "cloudtrail-create-tags-path-encoded.json").read_text())
    assert encoded["detail"]["requestParameters"]["resource-arn"].startswith("arn%3Aaws%3Amq%3A")
    path_name = json.loads((EVENTS / "cloudtrail-reboot-broker-path-name.json").read_text())
    assert "broker-id" in path_name["detail"]["requestParameters"]
    for sample in (encoded, path_name):
        assert parse_trigger(sample, region="eu-west-1", account="123456789012").broker_ids


def test_a_call_naming_a_broker_in_two_places_names_it_once() -> None:
    trigger = parse(cloudtrail("UpdateBroker", {"broker-id": BROKER}, {"brokerId": BROKER}, resources=[ARN]))
    assert trigger.broker_ids == {BROKER}


def test_a_failed_mq_call_changes_nothing() -> None:
    trigger = parse(cloudtrail("RebootBroker", {"brokerId": BROKER}, errorCode="AccessDenied"))
    assert trigger.nothing_to_do and "AccessDenied" in trigger.nothing_to_do


CONFIGURATION = "arn:aws:mq:eu-west-1:123456789012:configuration:c-1a2b3c4d-1111-4222-8333-444455556666"


@pytest.mark.parametrize("name", ["CreateTags", "DeleteTags"])
@pytest.mark.parametrize(
    "request_parameters",
    [
        {"resourceArn": CONFIGURATION},
        {"resource-arn": CONFIGURATION.replace(":", "%3A")},
    ],
    ids=["raw", "encoded"],
)
def test_tags_on_something_other_than_a_broker_change_nothing(name: str, request_parameters: dict[str, str]) -> None:
    trigger = parse(cloudtrail(name, request_parameters))
    assert trigger.nothing_to_do == "the tags are on a configuration, not a broker"
    assert trigger.describe()["nothingToDo"] == trigger.nothing_to_do


@pytest.mark.parametrize("name", MQ_CALLS)
@pytest.mark.parametrize(
    ("request_parameters", "response", "resources"),
    [
        ({}, None, []),
        ({"brokerId": "../../etc"}, None, []),
        ({"brokerId": BROKER.replace("-", "\u2010")}, None, []),  # a hyphen lookalike
        ({"brokerId": BROKER.upper()}, None, []),
        ({"brokerId": [BROKER]}, None, []),
        ({"brokerId": {"id": BROKER}}, None, []),
        ({"resource-arn": "arn%3Aaws%3Amq%ZZ"}, None, []),
        ({"resourceArn": f"arn:aws:mq:eu-west-1:123456789012:broker:orders:{BROKER.upper()}"}, None, []),
        ({}, [BROKER], ["not-an-arn"]),
    ],
    ids=[
        "empty",
        "path-traversal",
        "lookalike",
        "upper-case",
        "list",
        "object",
        "bad-encoding",
        "broker-arn-bad-id",
        "odd-shapes",
    ],
)
def test_an_mq_call_that_names_no_readable_broker_reconciles_everything_and_says_so(
    name: str, request_parameters: Any, response: Any, resources: list[Any]
) -> None:
    trigger = parse(cloudtrail(name, request_parameters, response, resources=resources))
    assert (trigger.kind, trigger.name, trigger.broker_ids, trigger.nothing_to_do) == ("event", name, None, None)
    assert trigger.describe()["noBrokerNamed"] == f"{name} names no broker id the function can read"
    assert "brokerIds" not in trigger.describe()


def test_an_mq_call_whose_parameters_are_not_objects_still_reconciles_everything() -> None:
    event = cloudtrail("RebootBroker")
    event["detail"]["requestParameters"] = f"brokerId={BROKER}"
    assert parse(event).no_broker_named


def test_a_health_event_names_the_brokers_it_concerns_if_any() -> None:
    named = parse(
        eventbridge(
            "AWS Health Event",
            "aws.health",
            {"service": "MQ", "eventTypeCode": "AWS_MQ_MAINTENANCE_SCHEDULED"},
            resources=[ARN],
        )
    )
    assert named.broker_ids == {BROKER}
    assert parse(eventbridge("AWS Health Event", "aws.health", {"service": "MQ"})).broker_ids is None


def test_a_resync_sweeps_now_and_may_be_a_dry_run_or_name_brokers_to_read() -> None:
    assert parse({"action": "resync"}) == Trigger("resync", "resync")
    trigger = parse({"action": "resync", "dryRun": True, "brokerIds": [BROKER, BROKER]})
    assert trigger.dry_run and trigger.broker_ids == {BROKER}


@pytest.mark.parametrize(
    ("event", "says"),
    [
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
        (cloudtrail("ListBrokers"), "not one that moves broker IPs"),
        ({**cloudtrail("RebootBroker", {"brokerId": BROKER}), "region": "us-east-1"}, "not this function's"),
        ({**cloudtrail("RebootBroker", {"brokerId": BROKER}), "account": "999999999999"}, "not this function's"),
        ({**cloudtrail("RebootBroker", {"brokerId": BROKER}), "detail": "oops"}, "no detail object"),
        (eventbridge("EC2 Instance State-change Notification", "aws.ec2", {}), "not one this function handles"),
        (eventbridge("AWS Health Event", "aws.health", {"service": "EC2"}), "not MQ"),
    ],
)
def test_bad_input_is_refused_with_a_clear_reason(event: Any, says: str) -> None:
    with pytest.raises(InvalidTrigger, match=says):
        parse(event)


def test_a_huge_payload_is_refused_with_a_short_message() -> None:
    with pytest.raises(InvalidTrigger) as raised:
        parse({"action": "x" * 1_000_000})
    assert len(str(raised.value)) < 300
