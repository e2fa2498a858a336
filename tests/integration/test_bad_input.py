"""Bad input never changes a target: a clear error, a report that says so, nothing to retry."""

from __future__ import annotations

from typing import Any

import pytest

from emulator import events
from tests.endpoint import Endpoint
from tests.integration.conftest import REGION, SCOPE_TAG

MISSING_BROKER = "b-00000000-0000-4000-8000-000000000000"


@pytest.fixture
def settled(endpoint: Endpoint, two_brokers: tuple[str, str]) -> Endpoint:
    """An endpoint already in step with its brokers."""
    endpoint.sweep()
    return endpoint


@pytest.mark.parametrize(
    ("event", "says"),
    [
        ("resync", "not a JSON object"),
        ({"hello": "world"}, "unrecognised event"),
        ({"action": "resync", "dryRun": "yes"}, "dryRun must be true or false"),
        ({"action": "resync", "brokerIds": "all"}, "brokerIds must be a list"),
        ({"action": "reboot"}, "unknown action"),
        (events.cloudtrail(REGION, "CreateConfiguration", {"name": "x"}), "not one that moves broker IPs"),
        ({**events.scheduled(REGION), "region": "us-east-2"}, "not this function's"),
        ({**events.scheduled(REGION), "account": "999999999999"}, "not this function's"),
    ],
)
def test_a_bad_event_is_rejected_without_touching_a_target(settled: Endpoint, event: Any, says: str) -> None:
    before = settled.all_targets()
    invocation = settled.invoke(event)
    assert settled.all_targets() == before
    assert invocation.raised is None, "an input that can never succeed must not be retried"
    assert invocation.report["status"] == "rejected" and says in invocation.report["message"]
    assert any(log["level"] == "ERROR" and says in log["message"] for log in invocation.logs)
    assert invocation.metric("InputsRejected") == 1


def test_a_broker_id_that_does_not_exist_is_reported_and_changes_nothing(settled: Endpoint) -> None:
    before = settled.all_targets()
    report = settled.resync(brokerIds=[MISSING_BROKER]).report
    assert settled.all_targets() == before
    missing = {b["brokerId"]: b for b in report["brokers"]}[MISSING_BROKER]
    assert missing == {
        "brokerId": MISSING_BROKER,
        "name": None,
        "knowledge": "gone",
        "engine": None,
        "state": None,
        "addressSource": None,
        "reason": "broker does not exist (DescribeBroker: NotFoundException)",
        "addresses": [],
        "refusedAddresses": [],
        "healthyInstances": 0,
    }
    assert report["errors"] == [f"{MISSING_BROKER}: broker does not exist (DescribeBroker: NotFoundException)"]


def test_a_configured_broker_that_does_not_exist_is_an_error_on_every_sweep(
    endpoint: Endpoint, two_brokers: tuple[str, str]
) -> None:
    endpoint.cold_start(BROKER_IDS=MISSING_BROKER)
    report = endpoint.sweep().report
    assert len(endpoint.targets()) == 4, "the tagged brokers are still served"
    assert f"{MISSING_BROKER}: broker does not exist (DescribeBroker: NotFoundException)" in report["errors"]


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("TARGET_GROUP_ARNS", "my-target-group"),
        ("BROKER_TAG", "no-equals"),
        ("DRY_RUN", "maybe"),
        ("POWERTOOLS_METRICS_NAMESPACE", "AWS/MQ"),
    ],
)
def test_a_bad_environment_refuses_every_invocation_and_names_the_variable(
    settled: Endpoint, variable: str, value: str
) -> None:
    before = settled.all_targets()
    settled.cold_start(**{variable: value})
    invocation = settled.sweep()
    assert settled.all_targets() == before
    assert invocation.raised is None and invocation.report["status"] == "invalid_configuration"
    assert variable in invocation.report["message"]
    assert any(log["level"] == "ERROR" and log.get("variable") == variable for log in invocation.logs), (
        "logged at cold start"
    )
    assert invocation.metric("ReconcileFailures") == 1


def test_a_failed_mq_call_in_cloudtrail_is_nothing_to_do(settled: Endpoint, two_brokers: tuple[str, str]) -> None:
    event = events.reboot_broker(REGION, two_brokers[0])
    event["detail"]["errorCode"] = "ForbiddenException"
    invocation = settled.invoke(event)
    assert invocation.report["status"] == "ok" and "ForbiddenException" in invocation.report["message"]


@pytest.mark.parametrize(
    "request_parameters",
    [{}, {"brokerId": "b-7c1d"}, {"broker_id": "b-00000000-0000-4000-8000-000000000000"}],
    ids=["empty", "truncated-id", "unknown-key"],
)
def test_an_mq_call_naming_no_readable_broker_still_reconciles_everything(
    settled: Endpoint, two_brokers: tuple[str, str], request_parameters: dict[str, str]
) -> None:
    """Someone rebooted a broker, whose record the function cannot read: not bad input, a sign to look."""
    orders, payments = two_brokers
    settled.aws.change_broker_ips(orders)
    invocation = settled.invoke(events.cloudtrail(REGION, "RebootBroker", request_parameters))
    wanted = set(settled.aws.broker_ips(orders)) | set(settled.aws.broker_ips(payments))
    assert all(set(targets) >= wanted for targets in settled.all_targets().values()), (
        "the moved broker's targets follow it"
    )
    report = invocation.report
    assert invocation.raised is None and report["status"] == "incomplete", "its old addresses wait for a second reading"
    settled.next_sweep()
    assert all(set(targets) == wanted for targets in settled.all_targets().values())
    assert report["trigger"]["noBrokerNamed"] == "RebootBroker names no broker id the function can read"
    assert invocation.metric("InputsRejected") is None


def test_a_tag_event_logged_with_a_percent_encoded_path_brings_the_broker_in_at_once(endpoint: Endpoint) -> None:
    """The onboarding path: tagging a broker registers it now, however CloudTrail spells the ARN, not a sweep later."""
    endpoint.sweep()
    newcomer = endpoint.aws.create_broker("shipping", tags=SCOPE_TAG)
    encoded = endpoint.aws.broker_arn(newcomer).replace(":", "%3A")
    report = endpoint.invoke(
        events.cloudtrail(REGION, "CreateTags", {"resource-arn": encoded, "tags": SCOPE_TAG})
    ).report
    assert set(endpoint.aws.broker_ips(newcomer)) <= set(endpoint.targets())
    assert report["trigger"]["brokerIds"] == [newcomer]
