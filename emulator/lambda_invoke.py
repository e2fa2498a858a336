"""Emulator support for Lambda: invoking the stack's function runs the real handler in this process.

moto 5.2.1 runs a function's code in a Docker container, and there is no
container runtime here: lambda:Invoke of a deployed function fails. While
`serving_function(name, runtime)` is open, invocations of that function, by
name or ARN, in-process or over HTTP, run on the given LambdaRuntime (the
real handler, warm, with the function's environment), so that
`aws lambda invoke`, `sam remote invoke` and `mq-endpoint resync` work as
against AWS. As Lambda answers them:

- RequestResponse: the handler's return value is the payload; an exception
  that escapes it gives `X-Amz-Function-Error: Unhandled` and
  `{"errorMessage", "errorType"}`; `LogType: Tail` returns the end of the
  invocation's log lines (4 KB, base64) in `X-Amz-Log-Result`.
- Reserved concurrency 1 (template.yaml): a synchronous invocation arriving
  while another runs gets TooManyRequestsException (HTTP 429); an Event
  (asynchronous) invocation is accepted (202) and waits its turn.
- DryRun: 204, nothing runs.
- A payload that is JSON but not an object (`[]`, `null`, `"text"`) is the
  handler's event as it is; one that is not JSON at all is refused before
  anything runs: InvalidRequestContentException, HTTP 400 (Lambda API
  reference, Invoke: "The request body could not be parsed as JSON"). moto
  answered both with an HTML page and a Flask traceback.

Every other function stays moto's. moto_patches hooks this into moto's Invoke.
"""

import base64
import json
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from moto.awslambda.models import lambda_backends
from moto.core.exceptions import JsonRESTError

from .lambda_runtime import Invocation, LambdaRuntime

# What Lambda returns of the log in X-Amz-Log-Result: its last 4 KB.
LOG_TAIL_BYTES = 4096

OnInvoke = Callable[[Any, Invocation], None]


class TooManyRequests(JsonRESTError):
    """Lambda's answer to an invocation beyond the function's reserved concurrency."""

    code = 429

    def __init__(self) -> None:
        super().__init__("TooManyRequestsException", "Rate Exceeded.")


class InvalidRequestContent(JsonRESTError):
    """Lambda's answer to a payload that is not JSON."""

    code = 400

    def __init__(self, detail: str) -> None:
        super().__init__("InvalidRequestContentException", f"Could not parse request body into json: {detail}")


class _ServedFunction:
    def __init__(self, runtime: LambdaRuntime, on_invoke: OnInvoke | None) -> None:
        self.runtime = runtime
        self.on_invoke = on_invoke
        # Reserved concurrency 1: one invocation runs at a time.
        self._running = threading.Lock()

    def answer(self, body: Any, headers: Any, response_headers: dict[str, str]) -> bytes:
        """Lambda's answer to an Invoke of the function: its payload; its headers go into response_headers."""
        try:
            event = json.loads(body) if body else {}
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise InvalidRequestContent(str(error)) from None
        payload = self._invoke(
            event,
            _header(headers, "X-Amz-Invocation-Type", "RequestResponse"),
            _header(headers, "X-Amz-Log-Type", "None"),
            response_headers,
        )
        response_headers["Content-Length"] = str(len(payload))
        return payload

    def _invoke(self, event: Any, invocation_type: str, log_type: str, response_headers: dict[str, str]) -> bytes:
        if invocation_type == "DryRun":
            return b""
        if invocation_type == "Event":
            threading.Thread(target=self._run_queued, args=(event,), daemon=True).start()
            return b""
        if not self._running.acquire(blocking=False):
            raise TooManyRequests()
        try:
            invocation = self._run(event)
        finally:
            self._running.release()
        if log_type == "Tail":
            log = "".join(json.dumps(record) + "\n" for record in invocation.logs).encode()
            response_headers["x-amz-log-result"] = base64.b64encode(log[-LOG_TAIL_BYTES:]).decode()
        if invocation.raised is not None:
            response_headers["x-amz-function-error"] = "Unhandled"
            error_type, _, message = invocation.raised.partition(": ")
            return json.dumps({"errorMessage": message, "errorType": error_type}).encode()
        return json.dumps(invocation.report).encode()

    def _run_queued(self, event: Any) -> None:
        with self._running:
            self._run(event)

    def _run(self, event: Any) -> Invocation:
        self.runtime.follow(configured_environment(self.runtime.function_arn))
        invocation = self.runtime.invoke(event)
        if self.on_invoke is not None:
            self.on_invoke(event, invocation)
        return invocation


def configured_environment(function_arn: str) -> dict[str, str]:
    """The function's variables as Lambda holds them now (a stack update may have changed them)."""
    _, _, _, region, account, _, name = function_arn.split(":")[:7]
    return dict(lambda_backends[account][region].get_function(name).environment_vars)


_served: dict[str, _ServedFunction] = {}
_served_lock = threading.Lock()


def _function_name(identifier: str) -> str:
    """`name`, `arn:aws:lambda:<region>:<account>:function:name[:qualifier]` or `<account>:function:name` -> name."""
    parts = identifier.split(":")
    return parts[parts.index("function") + 1] if "function" in parts[:-1] else identifier


def _header(headers: Any, name: str, default: str) -> str:
    """A request header, whatever the case of its name (werkzeug's headers over HTTP, a dict in-process)."""
    if hasattr(headers, "get"):
        for key in (name, name.lower()):
            value = headers.get(key)
            if value:
                return str(value)
    if isinstance(headers, Mapping):
        for key, value in headers.items():
            if key.lower() == name.lower():
                return str(value)
    return default


def served(function_name: str) -> _ServedFunction | None:
    """The function served under this name or ARN; None: moto's own."""
    with _served_lock:
        return _served.get(_function_name(function_name))


@contextmanager
def serving_function(
    function_name: str, runtime: LambdaRuntime, *, on_invoke: OnInvoke | None = None
) -> Iterator[None]:
    """Invocations of `function_name` run on `runtime` (cold-started by the caller) while the block is open.

    on_invoke(event, invocation) is called after each run: the demo prints a line per invocation.
    Open it inside an EmulatedAws: the hook in moto's Invoke is one of its patches.
    """
    with _served_lock:
        _served[_function_name(function_name)] = _ServedFunction(runtime, on_invoke)
    try:
        yield
    finally:
        with _served_lock:
            _served.pop(_function_name(function_name), None)
