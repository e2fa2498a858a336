"""The bad-input catalogue over the real handler, beyond tests/integration/test_bad_input.py and
tests/unit/test_triggers.py.

Every input a trigger can deliver gets one of three outcomes:

- accepted: every sample of events/ runs and leaves a settled endpoint as it was;
- rejected: status "rejected", a short message that says why, no AWS call at
  all (not even a read), no change, and no exception, so Lambda does not
  retry an input that can never succeed;
- an Amazon MQ call whose record names no broker the function can read:
  status "ok", a whole reconcile (the call changed something, only its
  record has an unknown shape), and the trigger says so in `noBrokerNamed`;
- nothing to do / out of scope: status "ok" and no change.

The wrongly typed lists and names, and the huge envelope values, were bugs
this catalogue found (B1, B2, B5 in docs/reliability.md), fixed since.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from moto import mock_aws

from emulator import EmulatedAws, events, faults
from emulator.api_calls import recording_api_calls
from emulator.lambda_runtime import Invocation, LambdaRuntime
from emulator.server import FAKE_CREDENTIALS
from tests.endpoint import Endpoint
from tests.integration.conftest import FUNCTION_ARN, REGION, SCOPE_TAG, endpoint_on_new_groups

SAMPLES = sorted((Path(__file__).resolve().parents[2] / "events").glob("*.json"))
BROKER = "b-3f2c8e1a-9d47-4b6e-a1c5-7e2d9f0b4a61"
ARN = f"arn:aws:mq:{REGION}:{events.ACCOUNT}:broker:orders:{BROKER}"
SHORT = 300  # what tests/unit/test_triggers.py asks of a message about huge input


def sample(name: str) -> dict[str, Any]:
    return json.loads((Path(__file__).resolve().parents[2] / "events" / name).read_text())


def nested(depth: int, leaf: Any = BROKER) -> Any:
    value = leaf
    for _ in range(depth):
        value = [value]
    return value


def with_detail(event: dict[str, Any], **changes: Any) -> dict[str, Any]:
    changed = copy.deepcopy(event)
    changed["detail"].update(changes)
    return changed


def reboot(**changes: Any) -> dict[str, Any]:
    return {**events.reboot_broker(REGION, BROKER), **changes}


@pytest.fixture(scope="module")
def settled() -> Iterator[Endpoint]:
    """An endpoint in step with two brokers, in a container that has swept once.

    One for the whole module: every test here asserts that its input changed
    no target, which is also what makes sharing the endpoint sound (and the
    module ten times faster than a fresh emulated account per input).
    """
    with pytest.MonkeyPatch.context() as monkeypatch:
        for name, value in {
            **FAKE_CREDENTIALS,
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_MAX_ATTEMPTS": "1",
        }.items():
            monkeypatch.setenv(name, value)
        monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
        with (
            mock_aws(),
            EmulatedAws(REGION, seed=11) as aws,
            LambdaRuntime("mq-static-endpoint-reconciler", FUNCTION_ARN) as runtime,
        ):
            endpoint = endpoint_on_new_groups(aws, runtime)
            for name in ("orders", "payments"):
                aws.create_broker(name, tags=SCOPE_TAG)
            endpoint.sweep()
            yield endpoint


def invoke_watching_aws(endpoint: Endpoint, event: Any) -> tuple[Invocation, int]:
    """Invoke, and count the AWS calls it made: each one would hit the fault armed meanwhile."""
    tripwire = endpoint.aws.inject_fault(faults.access_denied(faults.ANY))
    try:
        invocation = endpoint.invoke(event)
    finally:
        endpoint.aws.remove_fault(tripwire)
    return invocation, tripwire.hits


def assert_rejected(endpoint: Endpoint, event: Any, says: str) -> Invocation:
    before = endpoint.all_targets()
    invocation, calls = invoke_watching_aws(endpoint, event)
    assert invocation.raised is None, "an input that can never succeed must not be retried"
    report = invocation.report
    assert report["status"] == "rejected", report
    assert says in report["message"] and len(report["message"]) < SHORT + 100, report["message"][:500]
    assert calls == 0, "a rejected input makes no AWS call, not even a read"
    assert endpoint.all_targets() == before
    assert invocation.metric("InputsRejected") == 1
    return invocation


def assert_reconciles_everything(endpoint: Endpoint, event: Any) -> Invocation:
    before = endpoint.all_targets()
    with recording_api_calls() as log:
        invocation = endpoint.invoke(event)
    report = invocation.report
    assert invocation.raised is None and report["status"] == "ok", report
    assert report["trigger"]["noBrokerNamed"].endswith("names no broker id the function can read")
    assert log.by_operation(), "a whole reconcile reads AWS; a rejected input would not"
    assert invocation.metric("InputsRejected") is None
    assert endpoint.all_targets() == before, "the endpoint was settled: nothing to change"
    return invocation


# --- accepted ---------------------------------------------------------------------


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_every_sample_event_is_accepted_and_leaves_a_settled_endpoint_alone(settled: Endpoint, path: Path) -> None:
    before = settled.all_targets()
    invocation = settled.invoke(json.loads(path.read_text()))
    report = invocation.report
    assert invocation.raised is None and report["status"] == "ok", report
    assert invocation.metric("InputsRejected") is None
    assert settled.all_targets() == before
    assert report["dryRun"] is (path.name == "resync-dry-run.json")
    # The samples name brokers of another account's story: here they do not exist, and are not this run's error.
    assert all(b["knowledge"] in ("gone", "settled") for b in report["brokers"])


def test_a_valid_event_carrying_a_megabyte_of_extra_detail_runs_with_a_small_report(settled: Endpoint) -> None:
    broker = settled.invoke({"action": "resync", "dryRun": True}).report["brokers"][0]["brokerId"]
    event = events.cloudtrail(REGION, "RebootBroker", {"brokerId": broker, "junk": "x" * 1_000_000})
    invocation = settled.invoke(event)
    assert invocation.report["status"] == "ok" and invocation.report["trigger"]["brokerIds"] == [broker]
    assert len(json.dumps(invocation.report)) < 10_000
    assert all(len(json.dumps(log)) < 10_000 for log in invocation.logs)


# --- rejected: not an object, wrong types, nested wrong types -----------------------


@pytest.mark.parametrize(
    ("event", "says"),
    [
        (0, "not a JSON object"),
        (1.5, "not a JSON object"),
        (True, "not a JSON object"),
        ({"action": None}, "unknown action"),
        ({"action": ["resync"]}, "unknown action"),
        ({"action": "RESYNC"}, "unknown action"),
        ({"action": "resync", "dryRun": None}, "dryRun must be true or false"),
        ({"action": "resync", "dryRun": 1}, "dryRun must be true or false"),
        ({"action": "resync", "dryRun": "false"}, "dryRun must be true or false"),
        ({"action": "resync", "brokerIds": {BROKER: True}}, "brokerIds must be a list"),
        ({"action": "resync", "brokerIds": [[BROKER]]}, "not broker ids"),
        ({"action": "resync", "brokerIds": [None]}, "not broker ids"),
        ({"action": "resync", "brokerIds": [{"brokerId": BROKER}]}, "not broker ids"),
        (reboot(detail=None), "no detail object"),
        (reboot(detail=[{"brokerId": BROKER}]), "no detail object"),
        (reboot(region=None), "not this function's"),
        (reboot(region=["eu-west-1"]), "not this function's"),
        (reboot(account=None), "not this function's"),
        (reboot(account=123456789012), "not this function's"),
        ({**events.scheduled(REGION), "detail-type": ["Scheduled Event"]}, "not one this function handles"),
        ({**events.scheduled(REGION), "detail-type": "Scheduled event"}, "not one this function handles"),
        (reboot(source={"aws": "health"}, **{"detail-type": "AWS Health Event"}), "not one this function handles"),
        (with_detail(reboot(), eventSource=["amazonmq.amazonaws.com"]), "not one this function handles"),
        (with_detail(reboot(), eventSource="mq.amazonaws.com"), "not one this function handles"),
        (with_detail(reboot(), eventName="rebootBroker"), "not one that moves broker IPs"),
        (with_detail(reboot(), eventName=None), "not one that moves broker IPs"),
        ({**sample("health-mq.json"), "region": "us-east-1"}, "not this function's"),
        (with_detail(sample("health-mq.json"), service=["MQ"]), "not MQ"),
    ],
)
def test_a_malformed_input_is_rejected_with_a_clear_reason_and_no_aws_call(
    settled: Endpoint, event: Any, says: str
) -> None:
    assert_rejected(settled, event, says)


@pytest.mark.parametrize("name", [["RebootBroker"], {"name": "RebootBroker"}], ids=["list", "object"])
def test_an_event_name_that_is_not_a_string_is_rejected(settled: Endpoint, name: Any) -> None:
    assert_rejected(settled, with_detail(reboot(), eventName=name), "not one that moves broker IPs")


# --- an Amazon MQ call whose record is in a shape the function does not know -----------


@pytest.mark.parametrize(
    "event",
    [
        with_detail(reboot(), requestParameters=f"brokerId={BROKER}"),
        with_detail(reboot(), requestParameters={"brokerId": [BROKER]}),
        with_detail(reboot(), requestParameters={"brokerId": {"id": BROKER}}),
        with_detail(reboot(), requestParameters={"brokerId": nested(500)}),
        with_detail(reboot(), requestParameters={"brokerId": BROKER.replace("-", "\u2010")}),  # hyphen lookalike
        with_detail(reboot(), requestParameters=None, responseElements=[BROKER]),
        {**with_detail(reboot(), requestParameters={}), "resources": f"{ARN}"},
        {**with_detail(reboot(), requestParameters={}), "resources": 42},
        {**with_detail(reboot(), requestParameters={}), "resources": True},
        with_detail(events.create_tags(REGION, ARN, SCOPE_TAG), requestParameters={"resourceArn": [ARN]}),
        with_detail(
            events.create_tags(REGION, ARN, SCOPE_TAG), requestParameters={"resource-arn": "arn%3Aaws%3Amq%3A%ZZ"}
        ),
    ],
    ids=[
        "parameters-string",
        "id-list",
        "id-object",
        "id-deep",
        "id-lookalike",
        "response-list",
        "resources-string",
        "resources-number",
        "resources-boolean",
        "arn-list",
        "arn-bad-encoding",
    ],
)
def test_an_mq_call_naming_no_readable_broker_reconciles_everything_and_says_so(
    settled: Endpoint, event: dict[str, Any]
) -> None:
    assert_reconciles_everything(settled, event)


@pytest.mark.parametrize(
    "event",
    [with_detail(sample("health-mq.json"), affectedEntities=7), {**sample("health-mq.json"), "resources": True}],
    ids=["entities-number", "resources-boolean"],
)
def test_a_health_event_with_wrongly_typed_lists_neither_raises_nor_changes_anything(
    settled: Endpoint, event: dict[str, Any]
) -> None:
    before = settled.all_targets()
    invocation = settled.invoke(event)
    assert invocation.raised is None and invocation.report["status"] in ("ok", "rejected")
    assert settled.all_targets() == before


# --- huge and deep --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("event", "says"),
    [
        ({"action": "resync", "brokerIds": [BROKER] * 100_000}, "brokerIds must be a list"),
        ({"action": "resync", "brokerIds": ["x" * 100_000]}, "not broker ids"),
        ({"action": "resync", "extra": "x" * 1_000_000}, "unknown resync keys"),
        ({f"key-{n}": n for n in range(100_000)}, "unrecognised event"),
        ({"action": nested(500)}, "unknown action"),
        ({"action": "resync", "brokerIds": nested(500)}, "not broker ids"),
        (with_detail(reboot(), eventName="x" * 1_000_000), "not one that moves broker IPs"),
    ],
    ids=["100k-ids", "huge-id", "huge-extra-key", "100k-keys", "deep-action", "deep-ids", "huge-event-name"],
)
def test_a_huge_or_deep_input_is_rejected_with_a_short_message(settled: Endpoint, event: Any, says: str) -> None:
    assert_rejected(settled, event, says)


@pytest.mark.parametrize(
    "event",
    [
        reboot(id="x" * 100_000, region="us-east-1"),
        reboot(region="y" * 100_000),
        reboot(account="9" * 100_000),
        reboot(id=nested(500), region="us-east-1"),
    ],
    ids=["huge-id", "huge-region", "huge-account", "deep-id"],
)
def test_a_huge_envelope_value_is_not_echoed_in_full(settled: Endpoint, event: dict[str, Any]) -> None:
    assert_rejected(settled, event, "not this function's")


# --- unicode --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("event", "says"),
    [
        ({"action": "résync"}, "unknown action"),
        ({"action": "resync", "dryRün": True}, "unknown resync keys"),
        (
            {"action": "resync", "brokerIds": ["b-\u0663f2c8e1a-9d47-4b6e-a1c5-7e2d9f0b4a61"]},
            "not broker ids",
        ),  # Arabic-Indic digit
        (
            {"action": "resync", "brokerIds": ["b-３f2c8e1a-9d47-4b6e-a1c5-7e2d9f0b4a61"]},
            "not broker ids",
        ),  # fullwidth digit
        ({"action": "resync", "brokerIds": [BROKER + "\u200b"]}, "not broker ids"),  # zero-width space
        ({"action": "resync", "brokerIds": [BROKER + "\n"]}, "not broker ids"),
        ({"action": "resync", "brokerIds": [BROKER.upper()]}, "not broker ids"),
        (with_detail(reboot(), eventName="RebootBroker\u200b"), "not one that moves broker IPs"),
        ({"action": "🔁"}, "unknown action"),
    ],
    ids=[
        "accent",
        "key-accent",
        "arabic-digit",
        "fullwidth-digit",
        "zero-width-space",
        "newline",
        "uppercase",
        "event-name-zwsp",
        "emoji",
    ],
)
def test_a_lookalike_or_non_ascii_value_is_rejected_and_named_in_ascii(
    settled: Endpoint, event: Any, says: str
) -> None:
    invocation = assert_rejected(settled, event, says)
    assert invocation.report["message"].isascii(), "untrusted text is shown escaped, so what was sent is what is read"


def test_a_valid_event_with_a_non_ascii_id_runs_and_logs_it_as_sent(settled: Endpoint) -> None:
    event = {**events.scheduled(REGION), "id": "sweep-🔁-ünïcode"}
    invocation = settled.invoke(event)
    assert invocation.report["status"] == "ok"
    assert all(log.get("event_id") == event["id"] for log in invocation.logs)


# --- out of scope ------------------------------------------------------------------------


@pytest.fixture
def outsider(settled: Endpoint) -> str:
    """A running broker of the account that is not in the endpoint's scope."""
    return settled.aws.create_broker("reporting", tags={"team": "bi"})


def test_a_resync_naming_a_broker_out_of_scope_changes_nothing_and_says_so(settled: Endpoint, outsider: str) -> None:
    before = settled.all_targets()
    invocation = settled.resync(brokerIds=[outsider])
    assert invocation.raised is None and invocation.report["status"] == "incomplete", "never ok beside an error"
    assert settled.all_targets() == before
    assert invocation.report["errors"] == [f"{outsider}: broker is not in scope"], "the person who named it hears why"


def test_a_health_event_about_a_broker_out_of_scope_changes_nothing(settled: Endpoint, outsider: str) -> None:
    event = copy.deepcopy(sample("health-mq.json"))
    arn = settled.aws.broker_arn(outsider)
    event["resources"], event["detail"]["affectedEntities"] = [arn], [{"entityValue": arn}]
    before = settled.all_targets()
    invocation = settled.invoke(event)
    assert invocation.report["status"] == "ok" and invocation.report["trigger"]["brokerIds"] == [outsider]
    assert settled.all_targets() == before and invocation.report["errors"] == []


def test_tags_that_do_not_bring_a_broker_into_scope_change_nothing(settled: Endpoint, outsider: str) -> None:
    settled.aws.tag_broker(outsider, {"mq-static-endpoint": "another-endpoint"})
    before = settled.all_targets()
    invocation = settled.invoke(
        events.create_tags(REGION, settled.aws.broker_arn(outsider), {"mq-static-endpoint": "another-endpoint"})
    )
    assert invocation.report["status"] == "ok" and settled.all_targets() == before


def test_an_event_about_a_broker_of_another_account_changes_nothing(settled: Endpoint) -> None:
    foreign = f"arn:aws:mq:{REGION}:210987654321:broker:orders:{BROKER}"
    before = settled.all_targets()
    invocation = settled.invoke(events.create_tags(REGION, foreign, SCOPE_TAG))
    assert invocation.raised is None and invocation.report["status"] == "ok"
    assert settled.all_targets() == before
