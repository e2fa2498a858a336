"""What wakes the reconciler: the rules, the schedule, the samples in events/."""

import copy
import json
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
import samstack
from moto.events.models import EventPattern

EVENTS = samstack.ROOT / "events"
FUNCTION_ARN = "ReconcilerFunction.Arn"
DEAD_LETTER_QUEUE_ARN = "DeadLetterQueue.Arn"
SWEEP, MQ_API_CALL, MQ_HEALTH = "ReconcilerFunctionSweep", "ReconcilerFunctionMqApiCall", "ReconcilerFunctionMqHealth"

# Which rule each sample is meant for, by its file name; None: a direct invoke.
SAMPLE_RULES = {"schedule": SWEEP, "cloudtrail-": MQ_API_CALL, "health-": MQ_HEALTH, "resync": None}


def rule_for(sample: Path) -> str | None:
    matches = [rule for prefix, rule in SAMPLE_RULES.items() if sample.name.startswith(prefix)]
    assert len(matches) == 1, f"{sample.name}: name it after the trigger it stands for ({sorted(SAMPLE_RULES)})"
    return matches[0]


def load(name: str) -> dict[str, Any]:
    return json.loads((EVENTS / name).read_text())


def matching_rules(stack: samstack.Stack, event: dict[str, Any]) -> set[str]:
    """The rules of the stack whose event pattern accepts the event."""
    return {
        logical_id
        for logical_id, rule in stack.of_type("AWS::Events::Rule").items()
        if "EventPattern" in rule["Properties"]
        and EventPattern.load(json.dumps(rule["Properties"]["EventPattern"])).matches_event(event)
    }


SAMPLES = sorted(EVENTS.glob("*.json"))


def test_there_is_a_sample_for_every_trigger() -> None:
    names = {p.name for p in SAMPLES}
    for required in [
        "schedule.json",
        "health-mq.json",
        "resync.json",
        "resync-dry-run.json",
        *(f"cloudtrail-{n}-broker.json" for n in ["reboot", "update", "create", "delete"]),
        "cloudtrail-create-tags.json",
        # CloudTrail may log a REST path parameter under its path name, percent-encoded (docs/sources.md).
        "cloudtrail-create-tags-path-encoded.json",
        "cloudtrail-reboot-broker-path-name.json",
    ]:
        assert required in names


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.name)
def test_each_sample_matches_its_own_rule_and_no_other(default_stack: samstack.Stack, sample: Path) -> None:
    expected = rule_for(sample)
    matched = matching_rules(default_stack, json.loads(sample.read_text()))
    if expected == SWEEP:
        # The schedule rule has no pattern: it emits this event itself.
        assert "ScheduleExpression" in default_stack.properties(SWEEP)
        assert matched == set()
    else:
        assert matched == ({expected} if expected else set())


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.name)
def test_each_sample_is_an_input_the_reconciler_accepts(sample: Path) -> None:
    from reconciler.core.triggers import parse_trigger

    trigger = parse_trigger(json.loads(sample.read_text()), region=samstack.REGION, account=samstack.ACCOUNT)
    assert trigger.kind == {SWEEP: "sweep", MQ_API_CALL: "event", MQ_HEALTH: "event", None: "resync"}[rule_for(sample)]
    assert trigger.nothing_to_do is None


def test_samples_use_real_broker_ids_account_and_region() -> None:
    from reconciler.core.brokers import is_broker_id

    for sample in SAMPLES:
        text = unquote(sample.read_text())  # ids inside percent-encoded ARNs too
        event = json.loads(text)
        if "detail-type" in event:
            assert (event["account"], event["region"]) == (samstack.ACCOUNT, samstack.REGION), sample.name
        for word in text.replace('"', " ").replace(":", " ").split():
            if word.startswith("b-"):
                assert is_broker_id(word), f"{sample.name}: {word}"


def cloudtrail_variant(**detail: Any) -> dict[str, Any]:
    event = copy.deepcopy(load("cloudtrail-reboot-broker.json"))
    event["detail"].update(detail)
    return event


@pytest.mark.parametrize(
    ("why", "event"),
    [
        ("another service's call", cloudtrail_variant(eventSource="ec2.amazonaws.com")),
        ("a read-only MQ call", cloudtrail_variant(eventName="DescribeBroker", readOnly=True)),
        ("an MQ call that changes no broker IP", cloudtrail_variant(eventName="CreateUser")),
        ("a call that failed", cloudtrail_variant(errorCode="AccessDeniedException", errorMessage="denied")),
        (
            "a custom event imitating CloudTrail",
            {**load("cloudtrail-reboot-broker.json"), "source": "com.example.fake"},
        ),
        (
            "a Health event of another service",
            {**load("health-mq.json"), "detail": {**load("health-mq.json")["detail"], "service": "EC2"}},
        ),
    ],
)
def test_rules_ignore_events_that_cannot_move_a_broker(
    default_stack: samstack.Stack, why: str, event: dict[str, Any]
) -> None:
    assert matching_rules(default_stack, event) == set(), why


def test_cloudtrail_rule_does_not_bet_on_the_unconfirmed_source(default_stack: samstack.Stack) -> None:
    for source in ["aws.amazonmq", "aws.mq"]:
        assert matching_rules(default_stack, {**load("cloudtrail-reboot-broker.json"), "source": source}) == {
            MQ_API_CALL
        }


def test_every_rule_and_the_schedule_invoke_the_reconciler_with_retries_and_a_dead_letter_queue(
    stack: samstack.Stack,
) -> None:
    rules = stack.of_type("AWS::Events::Rule")
    assert set(rules) == {SWEEP, MQ_API_CALL, MQ_HEALTH}
    permissions = stack.of_type("AWS::Lambda::Permission").values()
    for logical_id, rule in rules.items():
        (target,) = rule["Properties"]["Targets"]
        assert target["Arn"] == FUNCTION_ARN
        assert target["DeadLetterConfig"] == {"Arn": DEAD_LETTER_QUEUE_ARN}
        assert target["RetryPolicy"]["MaximumRetryAttempts"] >= 1
        assert rule["Properties"].get("State", "ENABLED") == "ENABLED"
        assert any(
            p["Properties"]
            == {
                "Action": "lambda:InvokeFunction",
                "FunctionName": "<ReconcilerFunction>",
                "Principal": "events.amazonaws.com",
                "SourceArn": f"{logical_id}.Arn",
            }
            for p in permissions
        ), f"EventBridge may not invoke the function for {logical_id}"


@pytest.mark.parametrize("schedule", ["rate(1 minute)", "rate(5 minutes)", "rate(1 hour)"])
def test_sweep_schedule_is_the_parameter(schedule: str) -> None:
    assert samstack.deploy(SweepSchedule=schedule).properties(SWEEP)["ScheduleExpression"] == schedule


def test_only_this_stacks_rules_may_write_to_the_dead_letter_queue(default_stack: samstack.Stack) -> None:
    queue = default_stack.properties("DeadLetterQueue")
    assert queue["SqsManagedSseEnabled"] is True
    statements = default_stack.properties("DeadLetterQueuePolicy")["PolicyDocument"]["Statement"]
    (allow,) = [s for s in statements if s["Effect"] == "Allow"]
    assert allow["Principal"] == {"Service": "events.amazonaws.com"}
    assert sorted(allow["Condition"]["ArnEquals"]["aws:SourceArn"]) == sorted(
        f"{r}.Arn" for r in (SWEEP, MQ_API_CALL, MQ_HEALTH)
    )


def test_a_crashed_asynchronous_run_goes_to_the_dead_letter_queue_without_retries(
    default_stack: samstack.Stack,
) -> None:
    """The schedule is the retry: Lambda's own retries would triple what a lasting fault costs."""
    function = default_stack.properties("ReconcilerFunction")
    assert function["DeadLetterConfig"] == {"TargetArn": DEAD_LETTER_QUEUE_ARN}
    invoke_config = default_stack.properties("ReconcilerFunctionEventInvokeConfig")
    assert invoke_config["MaximumRetryAttempts"] == 0
    assert invoke_config["Qualifier"] == "$LATEST"
