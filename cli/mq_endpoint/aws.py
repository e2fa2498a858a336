"""The operator's AWS session, the calls it makes, and what to say when one fails."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ProfileNotFound,
    SSOTokenLoadError,
    TokenRetrievalError,
    UnauthorizedSSOTokenError,
)

# Error codes by which AWS says the caller may not make the call.
DENIED_CODES = frozenset({
    "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedAccess",
    "AuthorizationError", "AuthFailure", "ExpiredToken", "ExpiredTokenException",
    "InvalidClientTokenId", "UnrecognizedClientException", "SignatureDoesNotMatch",
})
# Answers that are not failures of a read: a broker DescribeBroker says is gone is evidence, not an error.
EXPECTED_CODES = frozenset({"NotFoundException"})
# IAM's service prefix where it differs from the API's signing name.
IAM_PREFIXES = {"tagging": "tag"}
_MODEL_KEY = "mq_endpoint_operation_model"


class CommandError(Exception):
    """What the operator is told, on one line, and the command exits 1."""


def open_session(profile: str | None, region: str | None) -> boto3.session.Session:
    """A session as the AWS CLI makes one: --profile, else AWS_PROFILE; --region, else AWS_REGION or the profile's."""
    try:
        session = boto3.session.Session(profile_name=profile, region_name=region)
    except ProfileNotFound as error:
        raise CommandError(f"{error}: see `aws configure list-profiles`") from None
    if not session.region_name:
        raise CommandError("no region: pass --region, set AWS_REGION, or give the profile a region")
    return session


def iam_action(service_signing_name: str, operation: str) -> str:
    """`elasticloadbalancing:DescribeTargetHealth`: what the operator's policy must allow."""
    return f"{IAM_PREFIXES.get(service_signing_name, service_signing_name)}:{operation}"


def explain(error: Exception, action: str) -> CommandError:
    """One line saying what went wrong with `action` (an IAM action) and what to do."""
    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code", "")
        message = error.response.get("Error", {}).get("Message", "")
        if code in DENIED_CODES:
            return CommandError(f"access denied: {action} was refused ({code}: {message})")
        return CommandError(f"{action} failed: {code}: {message}")
    if isinstance(error, (NoCredentialsError, PartialCredentialsError)):
        return CommandError(
            f"no AWS credentials for {action}: pass --profile, set AWS_PROFILE, or run `aws configure` (or `aws sso login`)"
        )
    if isinstance(error, (SSOTokenLoadError, TokenRetrievalError, UnauthorizedSSOTokenError)):
        return CommandError(f"{action}: the SSO session has expired or was never started: run `aws sso login`")
    if isinstance(error, NoRegionError):
        return CommandError("no region: pass --region, set AWS_REGION, or give the profile a region")
    return CommandError(f"{action} failed: {error}")


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


class CallWatch:
    """Every call the session's clients make, as it completes (botocore's retries done): for progress and for errors.

    The reconciler turns a failed read into a line of its report and goes on;
    the CLI must also know which call failed, to exit 1 and to say which
    permission is missing.
    """

    def __init__(self, session: boto3.session.Session) -> None:
        self._lock = threading.Lock()
        self.done: Counter[str] = Counter()
        self.failed: list[FailedCall] = []
        self.brokers_listed = 0
        self.listeners: list[Callable[[], None]] = []
        # Registered on the session: every client created from it afterwards inherits the handler.
        session.events.register("before-call", self._before_call)
        session.events.register("after-call", self._after_call)
        session.events.register("after-call-error", self._after_call_error)

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
                    self.failed.append(FailedCall(action, code, str(error.get("Message", ""))))
            else:
                self.done[action] += 1
                if action == "tag:GetResources" and isinstance(parsed, dict):
                    self.brokers_listed += len(parsed.get("ResourceTagMappingList", []))
        self._notify()

    def _after_call_error(self, *, exception: Exception, context: dict[str, Any], **_: Any) -> None:
        """No answer at all: connection refused, timed out, no credentials."""
        model = context.get(_MODEL_KEY)
        action = iam_action(model.service_model.signing_name, model.name) if model is not None else "?"
        with self._lock:
            self.failed.append(FailedCall(action, type(exception).__name__, str(exception)))
        self._notify()

    def _notify(self) -> None:
        for listener in list(self.listeners):
            listener()


def reraise_as_command_error(action: str, call: Callable[[], Any]) -> Any:
    """Run one of the CLI's own calls; an AWS failure becomes a CommandError naming `action`."""
    try:
        return call()
    except (ClientError, BotoCoreError) as error:
        raise explain(error, action) from None
