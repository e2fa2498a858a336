"""resync: invoke the deployed function, as `sam remote invoke` would, and wait out its reserved concurrency.

The function runs one invocation at a time (ReservedConcurrentExecutions 1):
a synchronous call that arrives during a sweep gets TooManyRequestsException
(HTTP 429). That is "busy", not "failed": retry with backoff, say so, and give
up only after `wait_seconds`. botocore's own retries are off for this client,
so that each retry is visible and the wait has one bound.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterable
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from .aws import CommandError, explain

BUSY_CODE = "TooManyRequestsException"
# A run takes a second or two, rarely more (docs/performance.md): look again soon, then less often.
FIRST_DELAY = 0.25
MAX_DELAY = 8.0
# The function's Timeout is 60 s (template.yaml): a run never takes longer, so the answer comes within it and a margin.
READ_TIMEOUT = 90


def resync_payload(broker_ids: Iterable[str], dry_run: bool) -> dict[str, Any]:
    payload: dict[str, Any] = {"action": "resync"}
    if dry_run:
        payload["dryRun"] = True
    ids = sorted(set(broker_ids))
    if ids:
        payload["brokerIds"] = ids
    return payload


def invoke_resync(
    session: boto3.session.Session,
    function_name: str,
    payload: dict[str, Any],
    *,
    wait_seconds: float,
    on_busy: Callable[[int, float], None],
) -> dict[str, Any]:
    """The function's report. on_busy(attempt, delay) is told of each 429 before the wait."""
    client = session.client(
        "lambda", config=Config(retries={"total_max_attempts": 1}, read_timeout=READ_TIMEOUT, connect_timeout=5)
    )
    started = time.monotonic()
    attempt = 0
    while True:
        attempt += 1
        try:
            answer = client.invoke(FunctionName=function_name, InvocationType="RequestResponse", Payload=json.dumps(payload))
            break
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != BUSY_CODE:
                raise explain(error, "lambda:InvokeFunction") from None
            # Full jitter: two operators retrying together do not collide again.
            delay = random.uniform(0, min(MAX_DELAY, FIRST_DELAY * 2 ** (attempt - 1))) + FIRST_DELAY / 2
            if time.monotonic() - started + delay > wait_seconds:
                raise CommandError(
                    f"the function stayed busy for {wait_seconds:g} s (429 {BUSY_CODE}: it runs one invocation at a time, "
                    "and sweeps and events kept it busy): try again, or raise --wait"
                ) from None
            on_busy(attempt, delay)
            time.sleep(delay)
        except BotoCoreError as error:
            raise explain(error, "lambda:InvokeFunction") from None
    body = answer["Payload"].read()
    if answer.get("FunctionError"):
        detail = json.loads(body or b"{}")
        raise CommandError(
            f"the function failed ({answer['FunctionError']}): {detail.get('errorType', '')}: {detail.get('errorMessage', body[:200])}"
        )
    report: dict[str, Any] = json.loads(body)
    return report
