"""Emulator support for faults: make any AWS call fail the way AWS or the network fails it.

moto never throttles and never fails a read, yet the reconciler's safety
rules are about exactly that (a broker that could not be read keeps its
targets). A Fault makes every matching request, in-process (mock_aws) or over
HTTP (ThreadedMotoServer), fail instead of getting moto's answer:

- kind ERROR: the AWS error response (code, HTTP status, message). The hook
  (moto_patches) sits in moto's BaseResponse.call_action, which every service
  goes through.
- kind LATENCY: AWS answers as usual, `seconds` late (a slow read), so that a
  run's deadline can be reached in a test.
- kind CONNECTION_ERROR: the request never reaches AWS, and botocore raises
  EndpointConnectionError; kind READ_TIMEOUT: AWS acts on the request but the
  answer never comes back, and botocore raises ReadTimeoutError. A server
  cannot make its client time out, so these hook the client side: moto's
  botocore_stubber, a `before-send` handler that moto adds to botocore's
  built-in handlers and so to every client of the process, including the
  reconciler's own (a handler registered on the emulator's clients would not
  reach those).

The constructors below (throttling, server_error, ...) give the codes and
statuses each service really answers with; `Fault(...)` takes any.
"""

import functools
import warnings
from dataclasses import dataclass, field
from threading import Lock
from typing import Any
from urllib.parse import unquote, urlsplit

import botocore.session
from moto.core.common_types import TYPE_RESPONSE
from moto.core.exceptions import ServiceException
from moto.core.responses import ActionResult, BaseResponse

ERROR = "error"
LATENCY = "latency"
READ_TIMEOUT = "read_timeout"
CONNECTION_ERROR = "connection_error"
ANY = "*"


@dataclass(eq=False)
class Fault:
    """Fail `operation` of `service` (boto3 client name; "*" for any) with an AWS error or a network failure.

    match: only requests whose path or body contains this text (a broker id,
    a target group ARN); None matches every request of the operation.
    skip: how many matching requests still succeed before the fault starts,
    so that it can hit, say, the second RegisterTargets of a run.
    times: how many matching requests fail; None: all of them until removed.
    kind: ERROR (code, status and message apply), LATENCY (`seconds`), READ_TIMEOUT or CONNECTION_ERROR.
    """

    service: str
    operation: str
    code: str = "ThrottlingException"
    status: int = 429
    message: str = "Rate exceeded"
    match: str | None = None
    times: int | None = None
    skip: int = 0
    kind: str = ERROR
    seconds: float = 0.0
    hits: int = field(default=0, init=False)  # requests it failed
    seen: int = field(default=0, init=False)  # matching requests, the skipped ones included

    def __post_init__(self) -> None:
        if self.kind not in (ERROR, LATENCY, READ_TIMEOUT, CONNECTION_ERROR):
            raise ValueError(f"unknown fault kind {self.kind!r}")

    def applies_to(self, service: str, operation: str, path: str, body: str) -> bool:
        if self.service not in (ANY, service) or self.operation not in (ANY, operation):
            return False
        if self.times is not None and self.hits >= self.times:
            return False
        return self.match is None or self.match in path or self.match in body


# --- what each service answers -------------------------------------------------

# (code, status, message) per boto3 client name; ANY is the fallback.
_THROTTLING = {
    "mq": ("TooManyRequestsException", 429, "Too Many Requests"),
    "elbv2": ("Throttling", 400, "Rate exceeded"),
    "resourcegroupstaggingapi": ("ThrottledException", 400, "Rate exceeded"),
    ANY: ("ThrottlingException", 400, "Rate exceeded"),
}
_NOT_FOUND = {
    "mq": ("NotFoundException", 404, "Can't find requested broker."),
    "elbv2": ("TargetGroupNotFound", 400, "One or more target groups not found"),
    ANY: ("ResourceNotFoundException", 404, "Resource not found"),
}
_ACCESS_DENIED = {
    "elbv2": ("AccessDenied", 403, "User is not authorized to perform this operation"),
    ANY: ("AccessDeniedException", 403, "User is not authorized to perform this operation"),
}
_SERVER_ERRORS = {
    500: ("InternalFailure", "We encountered an internal error. Please try again."),
    503: ("ServiceUnavailable", "Service is unavailable. Please try again later."),
}


def _answer(table: dict[str, tuple[str, int, str]], service: str, operation: str, where: dict[str, Any]) -> Fault:
    code, status, message = table.get(service, table[ANY])
    return Fault(service, operation, code, status, message, **where)


def throttling(service: str, operation: str = ANY, **where: Any) -> Fault:
    """The service's own throttling answer (MQ: TooManyRequestsException 429, ELB: Throttling 400...)."""
    return _answer(_THROTTLING, service, operation, where)


def server_error(service: str, operation: str = ANY, status: int = 500, **where: Any) -> Fault:
    """InternalFailure (500) or ServiceUnavailable (503), which any AWS service may answer."""
    code, message = _SERVER_ERRORS[status]
    return Fault(service, operation, code, status, message, **where)


def not_found(service: str, operation: str = ANY, **where: Any) -> Fault:
    return _answer(_NOT_FOUND, service, operation, where)


def access_denied(service: str, operation: str = ANY, **where: Any) -> Fault:
    return _answer(_ACCESS_DENIED, service, operation, where)


def read_timeout(service: str, operation: str = ANY, **where: Any) -> Fault:
    """AWS acts on the request; the answer is lost and botocore raises ReadTimeoutError."""
    return Fault(service, operation, kind=READ_TIMEOUT, **where)


def slow(service: str, operation: str = ANY, *, seconds: float, **where: Any) -> Fault:
    """AWS answers as usual, `seconds` late."""
    return Fault(service, operation, kind=LATENCY, seconds=seconds, **where)


def connection_error(service: str, operation: str = ANY, **where: Any) -> Fault:
    """The request never reaches AWS; botocore raises EndpointConnectionError."""
    return Fault(service, operation, kind=CONNECTION_ERROR, **where)


def target_group_vanished(target_group_arn: str, **where: Any) -> Fault:
    """Every ELB call naming the group answers as AWS does once it was deleted; removing the fault brings it back."""
    return Fault(
        "elbv2", ANY, "TargetGroupNotFound", 400, "One or more target groups not found", match=target_group_arn, **where
    )


# --- the active faults -----------------------------------------------------------

_active: list[Fault] = []
_lock = Lock()


def inject(fault: Fault) -> Fault:
    with _lock:
        _active.append(fault)
    return fault


def remove(fault: Fault) -> None:
    with _lock:
        if fault in _active:
            _active.remove(fault)


def clear() -> None:
    with _lock:
        _active.clear()


def _take(kinds: tuple[str, ...], service: str, operation: str, path: str, body: str) -> Fault | None:
    """The fault that fails this request, counting it; None lets the request through."""
    with _lock:
        for fault in _active:
            if fault.kind in kinds and fault.applies_to(service, operation, path, body):
                fault.seen += 1
                if fault.seen > fault.skip:
                    fault.hits += 1
                    return fault
    return None


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return unquote(value if isinstance(value, str) else "")


# --- AWS errors: moto answers them -------------------------------------------------


class InjectedFault(ServiceException):
    """Defined here, not in moto, so moto serialises it for whatever service is called."""


def due_on(response: BaseResponse) -> Fault | None:
    """The fault (ERROR or LATENCY) that meets this request moto is about to serve, counting it; None: none does."""
    if not _active:
        return None
    # Over HTTP, werkzeug has parsed a form body into the querystring already.
    path, body = (
        _text(getattr(response, "raw_path", "")),
        _text(response.body) or str(getattr(response, "querystring", "")),
    )
    return _take((ERROR, LATENCY), response.boto3_service_name, response._get_action(), path, body)


def error_answer(response: BaseResponse, fault: Fault) -> TYPE_RESPONSE:
    """The fault's AWS error, as the service called serialises errors."""
    with warnings.catch_warnings():
        # moto warns when the code is not in the service's model; AWS's
        # throttling codes (ThrottlingException, Throttling) rarely are.
        warnings.simplefilter("ignore", UserWarning)
        _, headers, payload = response.serialized(ActionResult(InjectedFault(fault.code, fault.message)))
    return fault.status, headers, payload


# --- network failures: the client never gets an answer -------------------------------


@functools.cache
def _service_id(client_name: str) -> str:
    """How botocore names a service in its events: elbv2 -> elastic-load-balancing-v2."""
    return str(botocore.session.get_session().get_service_model(client_name).service_id.hyphenize())


def network_fault(event_name: str, request: Any) -> Fault | None:
    """The fault (READ_TIMEOUT or CONNECTION_ERROR) that meets this request botocore is about to send, counting it;
    None: none does."""
    with _lock:
        services = {f.service for f in _active if f.kind != ERROR}
    if not services:
        return None
    _, service_id, operation = event_name.split(".", 2)
    service = next((s for s in services if s != ANY and _service_id(s) == service_id), service_id)
    return _take(
        (READ_TIMEOUT, CONNECTION_ERROR), service, operation, _text(urlsplit(request.url).path), _text(request.body)
    )
