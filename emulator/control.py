"""Changing what no AWS API can change, from another shell: the emulator's control routes and their client.

While `make demo ARGS=--keep-running` runs, an operator can tag, untag and
delete brokers with the AWS CLI, but a broker's instances moving to other
addresses (a reboot, a maintenance) or its state are things AWS does, not
calls anyone makes. The emulator lives in the demo's process, so the server
answers a few routes of its own next to moto's, under `/_emulator/`, on
127.0.0.1 only, and `python -m emulator` sends them:

    python -m emulator brokers                     # name, id, state, IPs
    python -m emulator move orders                 # orders' instances come back on new IPs
    python -m emulator state orders REBOOT_IN_PROGRESS --no-ips
    python -m emulator state orders RUNNING
"""

import json
import os
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlparse

from .emulated_aws import EmulatedAws

PREFIX = "/_emulator/"
_LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class ControlRoutes:
    """WSGI middleware: `/_emulator/...` is answered here, everything else by moto."""

    def __init__(self, moto_app: WsgiApp) -> None:
        self._moto_app = moto_app
        # Set by MotoServer.serve_control() once the emulated account exists.
        self.aws: EmulatedAws | None = None

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if not path.startswith(PREFIX):
            return self._moto_app(environ, start_response)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = json.loads(environ["wsgi.input"].read(length) or b"{}") if length else {}
        status, answer = self._answer(environ["REQUEST_METHOD"], path[len(PREFIX) :].strip("/").split("/"), body)
        payload = json.dumps(answer).encode()
        start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))])
        return [payload]

    def _answer(self, method: str, parts: list[str], body: dict[str, Any]) -> tuple[str, Any]:
        if self.aws is None:
            return "503 Service Unavailable", {"error": "the emulated account is not built yet"}
        try:
            if method == "GET" and parts == ["brokers"]:
                return "200 OK", self.aws.brokers()
            if method == "POST" and len(parts) == 3 and parts[0] == "brokers":
                broker_id = self.aws.find_broker(parts[1])
                if parts[2] == "move":
                    return "200 OK", {"id": broker_id, "ips": self.aws.change_broker_ips(broker_id, body.get("ips"))}
                if parts[2] == "state":
                    self.aws.set_broker_state(broker_id, str(body["state"]), body.get("ips"))
                    return "200 OK", {
                        "id": broker_id,
                        "state": body["state"],
                        "reported": self.aws.broker_ips(broker_id),
                    }
        except (KeyError, ValueError) as error:
            return "400 Bad Request", {"error": str(error.args[0] if error.args else error)}
        return "404 Not Found", {"error": f"no route {method} {PREFIX}{'/'.join(parts)}"}


# --- the client: python -m emulator ------------------------------------------------


class ControlError(RuntimeError):
    pass


def endpoint_url() -> str:
    """The emulator the demo printed; never anything but this machine."""
    url = os.environ.get("AWS_ENDPOINT_URL", "")
    if urlparse(url).hostname not in _LOCAL_HOSTS:
        raise ControlError(
            "AWS_ENDPOINT_URL must name the emulator on 127.0.0.1 (make demo ARGS=--keep-running prints it)"
        )
    return url.rstrip("/")


def call(method: str, route: str, body: dict[str, Any] | None = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        endpoint_url() + PREFIX + route, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as error:
        raise ControlError(json.loads(error.read() or b"{}").get("error", str(error))) from None
    except urllib.error.URLError as error:
        raise ControlError(f"the emulator does not answer at {endpoint_url()}: {error.reason}") from None
