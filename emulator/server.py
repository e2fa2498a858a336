"""moto as an HTTP server on 127.0.0.1, with this process's boto3 pointed at it.

Used by the demo and the end-to-end tests so that every call goes through
botocore's real serialisation and moto's HTTP layer. While it runs, the
environment holds fake credentials and AWS_ENDPOINT_URL (which every boto3
client honours), so nothing in the process can reach AWS.
"""

import logging
import os
import socket
from pathlib import Path

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from moto.server import ThreadedMotoServer
from werkzeug.serving import make_server

from .control import ControlRoutes
from .emulated_aws import EmulatedAws

FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}

_werkzeug_log = logging.getLogger("werkzeug")


class _QuickStoppingServer(ThreadedMotoServer):
    """ThreadedMotoServer whose stop() returns in milliseconds, not half a second.

    Its loop polls for shutdown every 0.5 s (werkzeug's default), which every
    end-to-end test would pay on teardown; this one polls every 20 ms. It also
    answers the emulator's own control routes (control.py).
    """

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.control = ControlRoutes(DomainDispatcherApplication(create_backend_app))

    def _server_entry(self) -> None:
        try:
            self._server = make_server(self._ip_address, self._port, self.control, True)
        except OSError:  # the remembered port was taken since it was found free: any port will do
            self._server = make_server(self._ip_address, 0, self.control, True)
        self._server_ready_event.set()
        self._server.serve_forever(poll_interval=0.02)


def _is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _remembered(port_file: Path | None) -> int:
    """The port of the last run, if it is free now; else 0: any free port."""
    if port_file is None:
        return 0
    try:
        port = int(port_file.read_text().strip())
    except (OSError, ValueError):
        return 0
    return port if 0 < port < 65536 and _is_free(port) else 0


class MotoServer:
    """Start ThreadedMotoServer on a free port of 127.0.0.1; stop it and restore env on exit.

    With a port_file, the port of the last run is taken again when it is free,
    and the one taken is written there: a shell that exported AWS_ENDPOINT_URL
    keeps working across restarts of `make demo ARGS=--keep-running`.
    """

    def __init__(self, region: str = "eu-west-1", *, port_file: Path | None = None) -> None:
        self.region = region
        self._port_file = port_file
        self._server = _QuickStoppingServer(ip_address="127.0.0.1", port=_remembered(port_file), verbose=False)
        self._saved_env: dict[str, str | None] = {}
        self.endpoint_url = ""
        self._werkzeug_level = logging.NOTSET

    def __enter__(self) -> "MotoServer":
        # werkzeug logs every request at INFO: the demo's output is its tables.
        self._werkzeug_level = _werkzeug_log.level
        _werkzeug_log.setLevel(logging.WARNING)
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.endpoint_url = f"http://{host}:{port}"
        if self._port_file is not None:
            self._port_file.write_text(f"{port}\n")
        env = {
            **FAKE_CREDENTIALS,
            "AWS_ENDPOINT_URL": self.endpoint_url,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_REGION": self.region,
            # No profile or shared file may bring a real endpoint or credentials.
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        }
        self._saved_env["AWS_PROFILE"] = os.environ.pop("AWS_PROFILE", None)
        for name, value in env.items():
            self._saved_env[name] = os.environ.get(name)
            os.environ[name] = value
        return self

    def serve_control(self, aws: EmulatedAws) -> None:
        """Let `python -m emulator` change this account's brokers (control.py) from another shell."""
        self._server.control.aws = aws

    def __exit__(self, *exc_info: object) -> None:
        self._server.control.aws = None
        self._server.stop()
        _werkzeug_log.setLevel(self._werkzeug_level)
        for name, value in self._saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
