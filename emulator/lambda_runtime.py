"""Runs the real reconciler handler in this process, as Lambda would.

No container runtime is available, so the function's code runs here: a cold
start imports (reloads) `reconciler.shell.handler` under the function's own
environment, and each invocation captures what the function writes to stdout
(Powertools' JSON logs and its EMF metric lines), as CloudWatch Logs would.
Given its log group, the runtime also writes those lines there, one stream
per container, between Lambda's own START and END lines, where
`mq-endpoint status` reads the last run (logs:FilterLogEvents).
The function's Timeout is enforced as Lambda enforces it (lambda_timeout):
a run that outlives it is killed and returns no report, and the next
invocation is a cold start.
"""

import importlib
import io
import json
import os
import sys
import time
import uuid
from collections.abc import Mapping
from contextlib import redirect_stdout
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from moto.logs.models import logs_backends

from . import lambda_timeout


class _FunctionStdout(io.TextIOBase):
    """The function's stdout. Powertools binds its log handler to the stream
    present at its first import, so the stream object stays the same for the
    life of the process and only its buffer changes per invocation."""

    def __init__(self) -> None:
        self.buffer_: io.StringIO = io.StringIO()

    def write(self, text: str) -> int:
        return self.buffer_.write(text)

    def take(self) -> str:
        text, self.buffer_ = self.buffer_.getvalue(), io.StringIO()
        return text


_STDOUT = _FunctionStdout()


@dataclass(frozen=True)
class Metric:
    name: str
    value: float
    unit: str
    dimensions: dict[str, str]


@dataclass(frozen=True)
class Invocation:
    report: dict[str, Any]
    metrics: list[Metric]
    logs: list[dict[str, Any]]
    # The handler raised, or Lambda killed it at its timeout ("Sandbox.Timedout: ... Task timed out after N.NN
    # seconds", with an empty report): Lambda would count an error, retry an async event and, at last, dead-letter it.
    raised: str | None = None
    timed_out: bool = False

    def metric(self, name: str, **dimensions: str) -> float | None:
        """The value of `name` whose dimensions, besides `service` (every metric has it), are exactly these."""
        for metric in self.metrics:
            others = {k: v for k, v in metric.dimensions.items() if k != "service"}
            if metric.name == name and others == dimensions:
                return metric.value
        return None


@dataclass
class _Context:
    """The parts of Lambda's context object Powertools and the handler read."""

    function_name: str
    invoked_function_arn: str
    # time.monotonic() at which Lambda would end the invocation.
    deadline: float
    memory_limit_in_mb: int = 256
    function_version: str = "$LATEST"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = ""
    log_stream_name: str = ""

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.deadline - time.monotonic()) * 1000))


def parse_emf(lines: list[dict[str, Any]]) -> list[Metric]:
    """Metrics from CloudWatch embedded metric format records."""
    metrics = []
    for record in lines:
        for directive in record.get("_aws", {}).get("CloudWatchMetrics", []):
            keys = [key for dimension_set in directive.get("Dimensions", []) for key in dimension_set]
            dimensions = {key: str(record[key]) for key in keys if key in record}
            for definition in directive.get("Metrics", []):
                value: Any = record.get(definition["Name"])
                for number in value if isinstance(value, list) else [value]:
                    metrics.append(
                        Metric(definition["Name"], float(number), definition.get("Unit", "None"), dimensions)
                    )
    return metrics


class _FunctionClock:
    """time as the reconciler's run reads it (reconciler.run.reconcile looks up `time.monotonic` at each call), moved on
    by let_time_pass without sleeping: a minute between two scheduled sweeps costs a test nothing."""

    def __init__(self) -> None:
        self.offset = 0.0

    def monotonic(self) -> float:
        return time.monotonic() + self.offset


def _set_run_clock(clock: object) -> None:
    """The `time` the reconciler's run reads: the module, or a _FunctionClock.

    The reconciler's handler imports reconciler.run.reconcile; a test's own function may not.
    """
    reconcile: Any = sys.modules.get("reconciler.run.reconcile")  # Any: its `time` is given a stand-in
    if reconcile is not None:
        reconcile.time = clock


class LambdaRuntime:
    """One warm container of the function: `cold_start` replaces it with a fresh one."""

    def __init__(
        self,
        function_name: str,
        function_arn: str,
        *,
        timeout_seconds: float = 60.0,
        handler: str = "reconciler.shell.handler",
        log_group: str | None = None,
    ) -> None:
        self.function_name = function_name
        self.function_arn = function_arn
        # The module whose lambda_handler the function runs (template.yaml: reconciler.shell.handler).
        self.handler = handler
        # The function's log group (its LoggingConfig): None writes no log, as in the tests that read none.
        self.log_group = log_group
        self._log_stream = ""
        # The function's Timeout (template.yaml): what the context's remaining time counts down from.
        self.timeout_seconds = timeout_seconds
        self._handler: ModuleType | None = None
        self._cold_start_output: list[dict[str, Any]] = []
        self._saved_env: dict[str, str | None] = {}
        # The environment of the last cold start: a container discarded after a timeout starts again with it.
        self._environment: dict[str, Any] = {}
        self._discarded = False
        self._clock = _FunctionClock()

    def __enter__(self) -> "LambdaRuntime":
        return self

    def let_time_pass(self, seconds: float) -> None:
        """The function's clock moves on by `seconds`, as between two scheduled sweeps."""
        self._clock.offset += seconds

    def __exit__(self, *exc_info: object) -> None:
        """Give the process its environment and its clock back."""
        _set_run_clock(time)
        for name, value in self._saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved_env.clear()

    def cold_start(self, environment: Mapping[str, Any]) -> None:
        """Set the function's environment and import its handler anew (its configuration is read at import)."""
        self._environment = dict(environment)
        self._discarded = False
        # Lambda hands every variable to the function as a string.
        for name, value in {**environment, "AWS_LAMBDA_FUNCTION_NAME": self.function_name}.items():
            self._saved_env.setdefault(name, os.environ.get(name))
            os.environ[name] = str(value)
        with redirect_stdout(_STDOUT):
            if self.handler in sys.modules:
                self._handler = importlib.reload(sys.modules[self.handler])
            else:
                self._handler = importlib.import_module(self.handler)
        self._cold_start_output = _json_lines(_STDOUT.take())
        # Lambda names a container's stream after the day, the version and the container.
        self._log_stream = f"{time.strftime('%Y/%m/%d', time.gmtime())}/[$LATEST]{uuid.uuid4().hex}"

    def follow(self, environment: Mapping[str, Any]) -> None:
        """Lambda runs the function's current configuration: after a change (a stack update), a new container."""
        if any(os.environ.get(name) != str(value) for name, value in environment.items()):
            self.cold_start(environment)

    def invoke(self, event: Any) -> Invocation:
        """Run the handler on `event`, killed at the function's timeout as Lambda kills it.

        Needs an EmulatedAws open for a killed run's later AWS requests to be
        refused (one of its patches refuses them); its trace ends it either way.
        """
        if self._handler is None:
            raise RuntimeError("cold_start() the function before invoking it")
        if self._discarded:
            self.cold_start(self._environment)
        handler = self._handler
        _set_run_clock(self._clock)
        started = time.monotonic()
        context = _Context(self.function_name, self.function_arn, started + self.timeout_seconds)
        with redirect_stdout(_STDOUT):
            report, error = lambda_timeout.KillableRun(context.deadline).run(
                lambda: handler.lambda_handler(event, context)
            )
        printed = _STDOUT.take()
        records = self._cold_start_output + _json_lines(printed)
        self._cold_start_output = []
        self._write_log(context.aws_request_id, printed)
        emf = [r for r in records if "_aws" in r]
        logs = [r for r in records if "_aws" not in r]
        if isinstance(error, lambda_timeout.RunKilled) or time.monotonic() > context.deadline:
            # Lambda discards the execution environment of a run it killed: the next invocation starts cold.
            self._discarded = True
            message = lambda_timeout.MESSAGE.format(request_id=context.aws_request_id, seconds=self.timeout_seconds)
            return Invocation({}, parse_emf(emf), logs, f"{lambda_timeout.ERROR_TYPE}: {message}", timed_out=True)
        if error is not None and not isinstance(error, Exception):
            raise error  # KeyboardInterrupt and the like are the test's, not the function's
        raised = None if error is None else f"{type(error).__name__}: {error}"
        return Invocation(report if error is None else {}, parse_emf(emf), logs, raised)

    def _write_log(self, request_id: str, printed: str) -> None:
        """Into moto's CloudWatch Logs, as Lambda writes them: START, every line the function printed, END."""
        if self.log_group is None:
            return
        _, _, _, region, account, *_ = self.function_arn.split(":")
        logs = logs_backends[account][region]
        if self.log_group not in logs.groups:
            logs.create_log_group(self.log_group, tags={})
        logs.ensure_log_stream(self.log_group, self._log_stream)
        lines = [
            f"START RequestId: {request_id} Version: $LATEST",
            *printed.splitlines(),
            f"END RequestId: {request_id}",
        ]
        now = int(time.time() * 1000)
        logs.put_log_events(self.log_group, self._log_stream, [{"timestamp": now, "message": line} for line in lines])


def _json_lines(text: str) -> list[dict[str, Any]]:
    records = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                continue  # a pretty-printed or partial line is not a record
    return records
