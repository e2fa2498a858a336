"""The stack's function answers lambda:Invoke in the emulator as Lambda
would: `aws lambda invoke`, `sam remote invoke`."""

import base64
import json
import time

import pytest
from botocore.exceptions import ClientError

from emulator import events
from tests.e2e.endpoint import REGION, DeployedEndpoint


def test_a_synchronous_invoke_returns_the_report_and_the_tail_of_the_log(endpoint: DeployedEndpoint) -> None:
    lam = endpoint.aws.client("lambda")

    answer = lam.invoke(
        FunctionName=endpoint.stack.function_arn, Payload=json.dumps({"action": "resync"}), LogType="Tail"
    )

    report = json.loads(answer["Payload"].read())
    assert answer["StatusCode"] == 200 and "FunctionError" not in answer
    assert report["status"] == "ok" and report["trigger"]["kind"] == "resync"
    log = base64.b64decode(answer["LogResult"]).decode()
    assert '"message": "reconcile report"' in log
    assert all(endpoint.registered())


def test_an_asynchronous_invoke_is_accepted_and_runs(endpoint: DeployedEndpoint) -> None:
    lam = endpoint.aws.client("lambda")

    answer = lam.invoke(
        FunctionName=endpoint.stack.function_name, InvocationType="Event", Payload=json.dumps(events.scheduled(REGION))
    )

    assert answer["StatusCode"] == 202
    deadline = time.monotonic() + 10
    while not all(endpoint.registered()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert all(endpoint.registered()), "the queued sweep ran"


@pytest.mark.parametrize(("payload", "kind"), [(b"[]", "list"), (b"null", "NoneType"), (b'"resync"', "str")])
def test_a_payload_that_is_json_but_not_an_object_reaches_the_handler_which_rejects_it(
    endpoint: DeployedEndpoint, payload: bytes, kind: str
) -> None:
    """As Lambda: any JSON is the handler's event; ours answers with a report saying why it will not act."""
    answer = endpoint.aws.client("lambda").invoke(FunctionName=endpoint.stack.function_name, Payload=payload)

    report = json.loads(answer["Payload"].read())
    assert answer["StatusCode"] == 200 and "FunctionError" not in answer
    assert report["status"] == "rejected"
    assert report["message"] == f"rejected input: the event is a {kind}, not a JSON object"


def test_a_payload_that_is_not_json_is_refused_before_the_function_runs(endpoint: DeployedEndpoint) -> None:
    lam = endpoint.aws.client("lambda")

    with pytest.raises(ClientError) as refused:
        lam.invoke(FunctionName=endpoint.stack.function_name, Payload=b"{not json")

    error = refused.value.response
    assert error["Error"]["Code"] == "InvalidRequestContentException"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error["Error"]["Message"].startswith("Could not parse request body into json: ")


def test_an_exception_escaping_the_handler_is_an_unhandled_function_error(
    endpoint: DeployedEndpoint, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(event: object, context: object) -> None:
        raise MemoryError("out of memory")

    monkeypatch.setattr(endpoint.runtime._handler, "lambda_handler", crash)
    answer = endpoint.aws.client("lambda").invoke(FunctionName=endpoint.stack.function_name, Payload=b"{}")

    assert answer["FunctionError"] == "Unhandled"
    assert json.loads(answer["Payload"].read()) == {"errorMessage": "out of memory", "errorType": "MemoryError"}


def test_each_invocation_writes_its_log_lines_to_the_functions_log_group(endpoint: DeployedEndpoint) -> None:
    """Where `mq-endpoint status` reads the last run: START, the function's own lines, END, as Lambda writes them."""
    endpoint.sweep()
    endpoint.aws.client("lambda").invoke(
        FunctionName=endpoint.stack.function_name, Payload=json.dumps({"action": "resync"})
    )

    events = endpoint.aws.client("logs").filter_log_events(logGroupName=endpoint.stack.log_group)["events"]

    messages = [event["message"] for event in events]
    assert [m.split()[0] for m in messages if m.startswith(("START", "END"))] == ["START", "END"] * 2
    records = [json.loads(m) for m in messages if m.startswith("{")]
    reports = [r["report"] for r in records if r.get("message") == "reconcile report"]
    assert [r["trigger"]["kind"] for r in reports] == ["sweep", "resync"]
    assert len({event["logStreamName"] for event in events}) == 1, "one warm container, one stream"
