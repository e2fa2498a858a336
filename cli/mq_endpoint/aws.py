"""The operator's AWS session, the bounds on its calls, the calls it makes, and what to say when one fails."""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ProfileNotFound,
    ReadTimeoutError,
    SSOTokenLoadError,
    TokenRetrievalError,
    UnauthorizedSSOTokenError,
)

from .errors import CommandError, UsageError, one_line

# Error codes by which AWS says the caller may not make the call.
DENIED_CODES = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "UnauthorizedOperation",
        "UnauthorizedAccess",
        "AuthorizationError",
        "AuthFailure",
        "ExpiredToken",
        "ExpiredTokenException",
        "InvalidClientTokenId",
        "UnrecognizedClientException",
        "SignatureDoesNotMatch",
    }
)
# Answers that are not failures of a read: a broker DescribeBroker says is gone is evidence, not an error.
EXPECTED_CODES = frozenset({"NotFoundException"})
# IAM's service prefix where it differs from the API's signing name.
IAM_PREFIXES = {"tagging": "tag"}
_MODEL_KEY = "mq_endpoint_operation_model"
NO_REGION = "no region: pass --region, set AWS_REGION, or give the profile a region"

# How long one call may take. Each attempt may wait connect + read seconds, and
# standard retry mode makes at most MAX_ATTEMPTS of them (botocore's jittered
# backoff between them is under 1 + 2 s): about 48 s for a call that never
# gets an answer. The AWS CLI's --cli-connect-timeout and --cli-read-timeout
# are the model; their defaults (60 s each) would let one call hang 3 minutes.
CONNECT_TIMEOUT_VARIABLE = "MQ_ENDPOINT_CONNECT_TIMEOUT"
READ_TIMEOUT_VARIABLE = "MQ_ENDPOINT_READ_TIMEOUT"
DEFAULT_CONNECT_TIMEOUT = 5.0
DEFAULT_READ_TIMEOUT = 10.0
MAX_ATTEMPTS = 3
# No read starts once a command has run this long: the reconciler's dry run
# is given the same deadline (it stops sending early, and says it was cut
# short), so that a command ends in about a minute whatever stops answering.
# lambda:Invoke is not a read: a resync waits for the function's own run.
READ_BUDGET_SECONDS = 60.0
_NOT_A_READ = frozenset({"Invoke"})


@dataclass(frozen=True)
class Timeouts:
    connect: float = DEFAULT_CONNECT_TIMEOUT
    read: float = DEFAULT_READ_TIMEOUT

    @classmethod
    def of(cls, connect: float | None, read: float | None) -> Timeouts:
        """--connect-timeout and --read-timeout, else their variables, else the defaults."""
        return cls(
            connect if connect is not None else _seconds_from(CONNECT_TIMEOUT_VARIABLE, DEFAULT_CONNECT_TIMEOUT),
            read if read is not None else _seconds_from(READ_TIMEOUT_VARIABLE, DEFAULT_READ_TIMEOUT),
        )

    def config(self) -> Config:
        """For the CLI's own clients; the reconciler's clients keep theirs (src/reconciler/adapters/clients.py)."""
        return Config(
            connect_timeout=self.connect,
            read_timeout=self.read,
            retries={"mode": "standard", "total_max_attempts": MAX_ATTEMPTS},
        )


def _seconds_from(variable: str, default: float) -> float:
    value = os.environ.get(variable)
    if value is None:
        return default
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not seconds > 0:
        raise UsageError(f"{variable}={value!r}: a number of seconds above 0")
    return seconds


def open_session(profile: str | None, region: str | None, timeouts: Timeouts) -> boto3.session.Session:
    """A session as the AWS CLI v2 makes one: --profile, else AWS_PROFILE; --region, else AWS_REGION,
    else AWS_DEFAULT_REGION or the profile's region (boto3 itself never reads AWS_REGION).

    Its clients are bounded by `timeouts`, unless they bring their own (the reconciler's do).
    """
    try:
        session = boto3.session.Session(
            profile_name=profile, region_name=region or os.environ.get("AWS_REGION") or None
        )
    except ProfileNotFound as error:
        raise CommandError(f"{error}: see `aws configure list-profiles`") from None
    if not session.region_name:
        raise CommandError(NO_REGION)
    session._session.set_default_client_config(timeouts.config())
    return session


def iam_action(service_signing_name: str, operation: str) -> str:
    """`elasticloadbalancing:DescribeTargetHealth`: what the operator's policy must allow."""
    return f"{IAM_PREFIXES.get(service_signing_name, service_signing_name)}:{operation}"


def explain(error: Exception, action: str) -> CommandError:
    """One line saying what went wrong with `action` (an IAM action) and what to do."""
    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code", "")
        message = one_line(str(error.response.get("Error", {}).get("Message", "")))
        headers = error.response.get("ResponseMetadata", {}).get("HTTPHeaders", {})
        if "html" in headers.get("content-type", ""):
            status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", "?")
            return not_an_aws_answer(action, f"HTTP {status}, an HTML page")
        if code in DENIED_CODES:
            return CommandError(f"access denied: {action} was refused ({code}: {message})")
        return CommandError(f"{action} failed: {code}: {message}")
    if isinstance(error, (NoCredentialsError, PartialCredentialsError)):
        return CommandError(
            f"no AWS credentials for {action}: pass --profile, set AWS_PROFILE, or run `aws configure` (or `aws sso "
            "login`)"
        )
    if isinstance(error, (SSOTokenLoadError, TokenRetrievalError, UnauthorizedSSOTokenError)):
        return CommandError(f"{action}: the SSO session has expired or was never started: run `aws sso login`")
    if isinstance(error, NoRegionError):
        return CommandError(NO_REGION)
    if isinstance(error, (ConnectTimeoutError, ReadTimeoutError)):
        which = "connecting" if isinstance(error, ConnectTimeoutError) else "waiting for an answer"
        return CommandError(
            f"{action}: no answer from {error.kwargs.get('endpoint_url', 'AWS')}: gave up {which} after {MAX_ATTEMPTS} "
            f"attempts (--connect-timeout, --read-timeout): check the network, a proxy or AWS_ENDPOINT_URL"
        )
    if isinstance(error, (EndpointConnectionError, ConnectionClosedError)):
        return CommandError(f"{action}: {one_line(str(error))}: check the network, a proxy or AWS_ENDPOINT_URL")
    return CommandError(f"{action} failed: {one_line(str(error))}")


def not_an_aws_answer(action: str, what: str) -> CommandError:
    """An answer botocore cannot read: something other than AWS answered (a
    proxy, a captive portal, a wrong endpoint)."""
    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    where = f"AWS_ENDPOINT_URL={endpoint}" if endpoint else "the network (a proxy, HTTPS_PROXY, a captive portal?)"
    return CommandError(f"{action}: the answer is not AWS's ({what}): check {where}")


@dataclass(frozen=True)
class FailedCall:
    action: str  # IAM action, e.g. ec2:DescribeNetworkInterfaces
    code: str
    message: str

    @property
    def denied(self) -> bool:
        return self.code in DENIED_CODES

    def __str__(self) -> str:
        return f"{self.action}: {self.code}: {self.message}".rstrip(": ")


class OutOfTime(BotoCoreError):  # type: ignore[misc]  # botocore ships no types
    """Raised instead of sending a read once the command's budget is spent: a failed call like any other."""

    fmt = "not sent: the command's {seconds:g} s for reading are up"


class CallWatch:
    """Every call the session's clients make, as it completes (botocore's retries done): for progress and for errors.

    The reconciler turns a failed read into a line of its report and goes on;
    the CLI must also know which call failed, to exit 1 and to say which
    permission is missing. It also holds the command's read budget.
    """

    def __init__(self, session: boto3.session.Session, *, budget_seconds: float | None = None) -> None:
        self._lock = threading.Lock()
        self.done: Counter[str] = Counter()
        self.failed: list[FailedCall] = []
        self.brokers_listed = 0
        self.listeners: list[Callable[[], None]] = []
        self.budget_seconds = READ_BUDGET_SECONDS if budget_seconds is None else budget_seconds
        self._deadline = time.monotonic() + self.budget_seconds
        # Registered on the session: every client created from it afterwards inherits the handler.
        session.events.register("before-call", self._before_call)
        session.events.register("request-created", self._before_attempt)
        session.events.register("after-call", self._after_call)
        session.events.register("after-call-error", self._after_call_error)

    def remaining_ms(self) -> int:
        """What is left of the read budget: the reconciler's run is armed with it."""
        return max(0, int((self._deadline - time.monotonic()) * 1000))

    def restart_budget(self) -> None:
        """A new budget: each refresh of --watch is a command of its own."""
        self._deadline = time.monotonic() + self.budget_seconds

    def _before_attempt(self, *, operation_name: str, **_: Any) -> None:
        # request-created fires for every attempt, botocore's retries included.
        if operation_name not in _NOT_A_READ and time.monotonic() >= self._deadline:
            raise OutOfTime(seconds=self.budget_seconds)

    @staticmethod
    def _before_call(*, model: Any, context: dict[str, Any], **_: Any) -> None:
        # after-call-error is given no operation model: keep it with the request.
        context[_MODEL_KEY] = model

    def _after_call(self, *, model: Any, parsed: Any, http_response: Any, **_: Any) -> None:
        action = iam_action(model.service_model.signing_name, model.name)
        with self._lock:
            if http_response.status_code >= 300:
                error = parsed.get("Error", {}) if isinstance(parsed, dict) else {}
                code = str(error.get("Code", http_response.status_code))
                if code not in EXPECTED_CODES:
                    self.failed.append(FailedCall(action, code, one_line(str(error.get("Message", "")))))
            else:
                self.done[action] += 1
                if action == "tag:GetResources" and isinstance(parsed, dict):
                    self.brokers_listed += len(parsed.get("ResourceTagMappingList", []))
        self._notify()

    def _after_call_error(self, *, exception: Exception, context: dict[str, Any], **_: Any) -> None:
        """No answer at all (connection refused, timed out, no credentials), or one that could not be parsed."""
        model = context.get(_MODEL_KEY)
        action = iam_action(model.service_model.signing_name, model.name) if model is not None else "?"
        with self._lock:
            self.failed.append(FailedCall(action, type(exception).__name__, one_line(str(exception))))
        self._notify()

    def _notify(self) -> None:
        for listener in list(self.listeners):
            listener()

    def blame(self, error: Exception) -> CommandError | None:
        """An exception no AWS adapter expected (a KeyError from botocore's parser on an HTML page...):
        the call it came from, if it came from one."""
        with self._lock:
            last = self.failed[-1] if self.failed else None
        if last is None or last.code != type(error).__name__:
            return None
        return not_an_aws_answer(last.action, f"{last.code}: {last.message[:120]}")


def reraise_as_command_error(action: str, call: Callable[[], Any]) -> Any:
    """Run one of the CLI's own calls; an AWS failure becomes a CommandError naming `action`."""
    try:
        return call()
    except (ClientError, BotoCoreError) as error:
        raise explain(error, action) from None
