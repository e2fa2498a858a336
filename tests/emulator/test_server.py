"""The emulator's HTTP server keeps its port across restarts when it is free: a shell's AWS_ENDPOINT_URL stays right."""

import socket
from pathlib import Path

from emulator import MotoServer


def test_a_restart_takes_the_port_of_the_last_run_when_it_is_free(tmp_path: Path) -> None:
    remembered = tmp_path / "port"
    with MotoServer(port_file=remembered) as first:
        url = first.endpoint_url
    assert remembered.read_text().strip() == url.rsplit(":", 1)[1]

    with MotoServer(port_file=remembered) as again:
        assert again.endpoint_url == url


def test_a_taken_port_gives_way_to_a_free_one_which_is_remembered(tmp_path: Path) -> None:
    remembered = tmp_path / "port"
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        taken = squatter.getsockname()[1]
        remembered.write_text(f"{taken}\n")

        with MotoServer(port_file=remembered) as server:
            port = int(server.endpoint_url.rsplit(":", 1)[1])

    assert port != taken
    assert remembered.read_text().strip() == str(port)


def test_without_a_port_file_any_free_port_is_taken() -> None:
    with MotoServer() as one, MotoServer() as other:
        assert one.endpoint_url != other.endpoint_url
