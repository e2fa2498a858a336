"""The stack's function answers lambda:Invoke in the emulator as Lambda would: `aws lambda invoke`, `sam remote invoke`."""

import base64
import json
import time

from emulator import events
from tests.e2e.endpoint import REGION, Endpoint


def test_a_synchronous_invoke_returns_the_report_and_the_tail_of_the_log(endpoint: Endpoint) -> None:
    lam = endpoint.aws.client("lambda")

    answer = lam.invoke(FunctionName=endpoint.stack.function_arn, Payload=json.dumps({"action": "resync"}), LogType="Tail")

    report = json.loads(answer["Payload"].read())
    assert answer["StatusCode"] == 200 and "FunctionError" not in answer
    assert report["status"] == "ok" and report["trigger"]["kind"] == "resync"
    log = base64.b64decode(answer["LogResult"]).decode()
    assert '"message": "reconcile report"' in log
    assert all(endpoint.registered())


def test_an_asynchronous_invoke_is_accepted_and_runs(endpoint: Endpoint) -> None:
    lam = endpoint.aws.client("lambda")

    answer = lam.invoke(FunctionName=endpoint.stack.function_name, InvocationType="Event",
                        Payload=json.dumps(events.scheduled(REGION)))

    assert answer["StatusCode"] == 202
    deadline = time.monotonic() + 10
    while not all(endpoint.registered()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert all(endpoint.registered()), "the queued sweep ran"
