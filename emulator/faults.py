"""Emulator support for faults: make moto answer one API call with an error.

moto never throttles and never fails a read, yet the reconciler's safety
rules are about exactly that (a broker that could not be read keeps its
targets). A Fault makes every matching request, in-process (mock_aws) or over
HTTP (ThreadedMotoServer), get the AWS error response instead of moto's
answer. The hook sits in moto's BaseResponse.call_action, which every service
goes through, so faults apply to any service and operation.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
import warnings
from threading import Lock
from typing import Any
from urllib.parse import unquote

from moto.core.exceptions import ServiceException
from moto.core.responses import ActionResult, BaseResponse

from ._patching import Patch


@dataclass(eq=False)
class Fault:
    """Answer `operation` of `service` (boto3 client name) with an AWS error.

    match: only requests whose path or body contains this text (a broker id,
    a target group ARN); None matches every request of the operation.
    times: how many matching requests fail; None: all of them until removed.
    """

    service: str
    operation: str
    code: str = "ThrottlingException"
    status: int = 429
    message: str = "Rate exceeded"
    match: str | None = None
    times: int | None = None
    hits: int = field(default=0, init=False)

    def applies_to(self, service: str, operation: str, path: str, body: str) -> bool:
        if (service, operation) != (self.service, self.operation):
            return False
        if self.times is not None and self.hits >= self.times:
            return False
        return self.match is None or self.match in path or self.match in body


class InjectedFault(ServiceException):
    """Defined here, not in moto, so moto serialises it for whatever service is called."""


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


def _request_text(response: BaseResponse) -> tuple[str, str]:
    body = response.body
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    return unquote(getattr(response, "raw_path", "") or ""), unquote(body or "")


def _due_fault(response: BaseResponse) -> Fault | None:
    if not _active:
        return None
    operation = response._get_action()
    path, body = _request_text(response)
    with _lock:
        for fault in _active:
            if fault.applies_to(response.boto3_service_name, operation, path, body):
                fault.hits += 1
                return fault
    return None


def _failing_when_due(original: Callable[..., Any]) -> Callable[..., Any]:
    def call_action(self: BaseResponse) -> Any:
        fault = _due_fault(self)
        if fault is None:
            return original(self)
        with warnings.catch_warnings():
            # moto warns when the code is not in the service's model; AWS's
            # throttling codes (ThrottlingException, Throttling) rarely are.
            warnings.simplefilter("ignore", UserWarning)
            _, headers, body = self.serialized(ActionResult(InjectedFault(fault.code, fault.message)))
        return fault.status, headers, body

    return call_action


PATCHES = [Patch(BaseResponse, "call_action", _failing_when_due)]
