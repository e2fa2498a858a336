"""`mq-endpoint resync`: invoke the deployed function, as `sam remote invoke` would, and wait out its reserved
concurrency.

On a terminal it first shows the plan and asks, as terraform apply does;
scripts say --yes. A dry run changes nothing and asks nothing.

The function runs one invocation at a time (ReservedConcurrentExecutions 1):
a synchronous call that arrives during a sweep gets TooManyRequestsException
(HTTP 429). That is "busy", not "failed": retry with backoff, say so, and give
up only after `wait_seconds`. botocore's own retries are off for this client,
so that each retry is visible and the wait has one bound.
"""

from __future__ import annotations

import json
import random
import sys
import time
from collections.abc import Callable
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from .aws import explain, not_an_aws_answer
from .brokers import resolve_broker_ids
from .context import Context
from .errors import CommandError, UsageError, one_line
from .exit_codes import of_plan
from .inspect import resync_payload
from .progress import progress
from .views import inspect_stack, last_run, print_json, print_plan, print_resync

BUSY_CODE = "TooManyRequestsException"
# A run takes a second or two, rarely more (docs/performance.md): look again soon, then less often.
FIRST_DELAY = 0.25
MAX_DELAY = 8.0
# The function's Timeout is 60 s (template.yaml): a run never takes longer, so the answer comes within it and a margin.
READ_TIMEOUT = 90


def invoke_resync(
    session: boto3.session.Session,
    function_name: str,
    payload: dict[str, Any],
    *,
    wait_seconds: float,
    on_busy: Callable[[int, float], None],
) -> dict[str, Any]:
    """The function's report. on_busy(attempt, delay) is told of each 429 before the wait."""
    # The session's connect timeout stands (--connect-timeout); the read timeout is the function's run.
    client = session.client("lambda", config=Config(retries={"total_max_attempts": 1}, read_timeout=READ_TIMEOUT))
    started = time.monotonic()
    attempt = 0
    while True:
        attempt += 1
        try:
            answer = client.invoke(
                FunctionName=function_name, InvocationType="RequestResponse", Payload=json.dumps(payload)
            )
            break
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != BUSY_CODE:
                raise explain(error, "lambda:InvokeFunction") from None
            # Full jitter: two operators retrying together do not collide again.
            delay = random.uniform(0, min(MAX_DELAY, FIRST_DELAY * 2 ** (attempt - 1))) + FIRST_DELAY / 2
            if time.monotonic() - started + delay > wait_seconds:
                raise CommandError(
                    f"the function stayed busy for {wait_seconds:g} s (429 {BUSY_CODE}: it runs one invocation at a "
                    "time, "
                    "and sweeps and events kept it busy): try again, or raise --wait"
                ) from None
            on_busy(attempt, delay)
            time.sleep(delay)
        except BotoCoreError as error:
            raise explain(error, "lambda:InvokeFunction") from None
    body = answer["Payload"].read()
    try:
        answered = json.loads(body or b"{}")
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise not_an_aws_answer("lambda:InvokeFunction", f"not JSON: {body[:80]!r}") from None
    if not isinstance(answered, dict):
        raise not_an_aws_answer("lambda:InvokeFunction", f"a JSON {type(answered).__name__}, not a report")
    if answer.get("FunctionError"):
        raise CommandError(
            f"the function failed ({answer['FunctionError']}): "
            f"{answered.get('errorType', '')}: {one_line(str(answered.get('errorMessage', '')))}"
        )
    return answered


def resync(ctx: Context) -> int:
    args = ctx.args
    confirm = not (args.yes or args.dry_run)
    if confirm and not sys.stdin.isatty():
        raise UsageError(
            "resync changes the target groups: run it on a terminal to see the plan and confirm, "
            "or pass --yes (scripts)"
        )
    stack = ctx.stack
    broker_ids = resolve_broker_ids(ctx.session, args.broker)
    # Who had each address the run removes: the function's last report, read before the run replaces it.
    formerly = {} if ctx.as_json else last_run(ctx).formerly
    if confirm:
        shown = ctx.err if ctx.as_json else ctx.out
        print_plan(shown, inspect_stack(ctx, broker_ids), formerly)
        shown.print(
            f"Invoke {stack.function_name} now? It reads everything again and makes the changes it finds. "
            "Only 'yes' goes on: ",
            end="",
        )
        if sys.stdin.readline().strip().lower() != "yes":
            raise CommandError("resync cancelled: nothing was invoked")
    payload = resync_payload(broker_ids, args.dry_run)

    def on_busy(attempt: int, delay: float) -> None:
        ctx.err.print(
            f"[yellow]{stack.function_name} is busy with another run (429 TooManyRequestsException, attempt "
            f"{attempt}): retrying in {delay:.1f} s[/yellow]"
        )

    with progress(ctx.err, None, f"invoking {stack.function_name} {json.dumps(payload)}", quiet=ctx.as_json):
        report = invoke_resync(ctx.session, stack.function_name, payload, wait_seconds=args.wait, on_busy=on_busy)
    if ctx.as_json:
        print_json(ctx.out, report)
    else:
        print_resync(ctx.out, stack, report, formerly)
    return of_plan(report)
