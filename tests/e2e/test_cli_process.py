"""mq-endpoint as a shell runs it, in a process of its own: exit codes, Ctrl-C, pipes, terminal widths, what
goes wrong on the network, a terminal's confirmation. Never a traceback: every failure is one line."""

from __future__ import annotations

import os
import pty
import re
import select
import signal
import subprocess
import time

import pytest

from mq_endpoint.exit_codes import MEANINGS, Exit
from tests.e2e.endpoint import DeployedEndpoint, command_environment, installed_command, run_command
from tests.e2e.servers import answering_server, silent_server, unreachable_server


# An environment with nothing but what a shell on a laptop would hold, pointed at `url`.
def bare_environment(url: str, **more: str) -> dict[str, str]:
    return {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "AWS_REGION": "eu-west-1",
        "AWS_ENDPOINT_URL": url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
        **more,
    }


def one_line_error(stderr: str) -> str:
    assert "Traceback" not in stderr, stderr
    assert stderr.count("\n") == 1 and stderr.startswith("mq-endpoint: "), stderr
    return stderr


def test_usage_errors_exit_64_never_2_with_one_line() -> None:
    """A typo must not read as "changes pending" (2) or as success (0)."""
    for argv in (
        ("plan", "--stak", "x"),
        ("resync", "--wait", "abc"),
        ("status", "--count", "0", "--watch"),
        ("plan",),
    ):
        done = run_command(*argv, env=command_environment(MQ_ENDPOINT_STACK=None))
        assert done.returncode == Exit.USAGE, (argv, done.stderr)
        one_line_error(done.stderr)
    assert "which stack? pass --stack NAME or set MQ_ENDPOINT_STACK" in done.stderr


def test_help_lists_every_exit_code() -> None:
    shown = run_command("--help", env=command_environment(COLUMNS="200")).stdout
    for code, meaning in MEANINGS:
        assert f"  {code.value:<4} {meaning}" in shown, code


def test_a_closed_pipe_keeps_plans_exit_code(endpoint: DeployedEndpoint) -> None:
    """`mq-endpoint plan | head -1`: the reader is gone before the plan is written; the exit code is still plan's."""
    endpoint.sweep()
    endpoint.aws.change_broker_ips(endpoint.world.brokers["orders"])
    for argv in (("plan",), ("plan", "-o", "json")):
        read_end, write_end = os.pipe()
        os.close(read_end)
        try:
            done = run_command(*argv, "--stack", endpoint.stack.name, stdout=write_end)
        finally:
            os.close(write_end)
        assert done.returncode == Exit.PENDING, (argv, done.stderr)
        assert done.stderr == "", done.stderr


def test_only_aws_region_set_is_the_region(endpoint: DeployedEndpoint) -> None:
    """boto3 reads AWS_DEFAULT_REGION only; the AWS CLI v2 and Lambda set AWS_REGION."""
    endpoint.sweep()

    done = run_command("plan", "--stack", endpoint.stack.name, env=bare_environment(os.environ["AWS_ENDPOINT_URL"]))

    assert done.returncode == Exit.OK, done.stderr
    assert f"Stack {endpoint.stack.name} (eu-west-1)" in done.stdout


def test_an_endpoint_that_never_answers_gives_up_after_three_counted_attempts() -> None:
    with silent_server() as silent:
        started = time.monotonic()
        done = run_command(
            "plan", "--stack", "mq-endpoint", env=bare_environment(silent.url, MQ_ENDPOINT_READ_TIMEOUT="0.2")
        )
        took = time.monotonic() - started

    assert done.returncode == Exit.ERROR
    said = one_line_error(done.stderr)
    assert (
        f"cloudformation:DescribeStacks: no answer from {silent.url}/: gave up waiting for an answer after 3 attempts"
        in said
    )
    assert silent.accepted == 3, "botocore's retries are counted: three attempts in all"
    print(f"gave up after {took:.1f} s")


def test_an_endpoint_nobody_can_connect_to_gives_up_too() -> None:
    with unreachable_server() as url:
        done = run_command("status", "--stack", "mq-endpoint", "--connect-timeout", "0.2", env=bare_environment(url))

    assert done.returncode == Exit.ERROR
    assert "cloudformation:DescribeStacks: no answer from" in one_line_error(done.stderr)
    assert "gave up connecting after 3 attempts" in done.stderr


@pytest.mark.parametrize(
    ("status", "content_type", "body", "said"),
    [
        (200, "text/html", b"<html><body>Welcome to the hotel wifi</body></html>", "KeyError"),
        (200, "application/json", b'{"hello": "world"}', "ResponseParserError"),
        (403, "text/html", b"<html><body>Blocked by the proxy</body></html>", "HTTP 403, an HTML page"),
    ],
)
def test_an_answer_that_is_not_aws_is_one_line_naming_the_call(
    status: int, content_type: str, body: bytes, said: str
) -> None:
    with answering_server(status, content_type, body) as url:
        done = run_command("plan", "--stack", "mq-endpoint", env=bare_environment(url))

    assert done.returncode == Exit.ERROR
    line = one_line_error(done.stderr)
    assert "cloudformation:DescribeStacks: the answer is not AWS's (" in line and said in line
    assert f"check AWS_ENDPOINT_URL={url}" in line


def test_ctrl_c_exits_130_with_one_line() -> None:
    with silent_server() as silent:
        process = subprocess.Popen(
            [installed_command(), "plan", "--stack", "mq-endpoint"],
            env=bare_environment(silent.url),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        while silent.accepted == 0:  # it is waiting for an answer now
            time.sleep(0.02)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)

    assert process.returncode == Exit.INTERRUPTED
    assert err == "mq-endpoint: interrupted\n"
    assert out == ""


def _unfolded(lines: list[str], identifier: str) -> bool:
    """Whether `identifier` is whole in a column: on one line, or folded onto the lines below, at the same column."""
    for number, line in enumerate(lines):
        for match in re.finditer(r"(?<!\S)" + re.escape(identifier[:3]), line):
            column = match.start()
            text = ""
            for below in lines[number:]:
                text += below[column:].split(" ")[0]
                if len(text) >= len(identifier):
                    break
            if text == identifier:
                return True
    return False


def test_a_narrow_terminal_folds_ids_and_never_cuts_them(endpoint: DeployedEndpoint) -> None:
    endpoint.sweep()
    orders = endpoint.world.brokers["orders"]
    endpoint.aws.change_broker_ips(orders)
    interfaces = {
        name: [eni["NetworkInterfaceId"] for eni in endpoint.aws.broker_interfaces(broker)]
        for name, broker in endpoint.world.brokers.items()
    }
    shown = {
        ("status", "-o", "wide"): [*endpoint.world.brokers.values(), *interfaces["orders"], *interfaces["payments"]],
        ("plan",): interfaces["orders"],  # in the evidence of each address to register
        ("status", "orders"): [orders, *interfaces["orders"]],
    }

    for argv, ids in shown.items():
        done = run_command(*argv, "--stack", endpoint.stack.name, env=command_environment(COLUMNS="60"))
        lines = done.stdout.splitlines()

        assert "…" not in done.stdout
        # A heading and the last run's line are left to the terminal to wrap: their durations vary.
        assert max(len(line) for line in lines if not line.startswith(("Stack ", "last run: "))) <= 60
        assert [i for i in ids if not _unfolded(lines, i)] == [], (argv, done.stdout)


def _read_until(fd: int, text: str, seen: list[str], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while text not in "".join(seen):
        assert time.monotonic() < deadline, f"no {text!r} in {''.join(seen)!r}"
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            chunk = os.read(fd, 65536).decode(errors="replace")  # a read may end inside a character
            assert chunk, f"ended before {text!r}: {''.join(seen)!r}"
            seen.append(chunk)


def test_watch_refreshes_shows_what_changed_and_stops_on_ctrl_c(endpoint: DeployedEndpoint) -> None:
    endpoint.sweep()
    orders = endpoint.world.brokers["orders"]
    active = endpoint.aws.broker_ips(orders)[0]
    process = subprocess.Popen(
        [installed_command(), "status", "--watch", "--interval", "0.2", "--stack", endpoint.stack.name],
        env=command_environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None
    seen: list[str] = []
    try:
        _read_until(process.stdout.fileno(), "refresh 2 ", seen)
        endpoint.aws.set_target_state(endpoint.stack.target_group_arns[0], active, "draining")
        _read_until(
            process.stdout.fileno(), f"changed: OpenWire 61617 {active}: healthy, current yes -> draining", seen
        )
    finally:
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=30)

    assert process.returncode == Exit.INTERRUPTED
    assert err.decode() == "mq-endpoint: interrupted\n"


def _run_on_a_terminal(argv: list[str], answer: str) -> tuple[int, str, str]:
    """The command with a terminal for stdin and stdout, as an operator runs it; `answer` typed at its question."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [installed_command(), *argv],
        stdin=terminal,
        stdout=terminal,
        stderr=subprocess.PIPE,
        env=command_environment(COLUMNS="160"),
    )
    os.close(terminal)
    seen: list[str] = []
    try:
        _read_until(controller, "Only 'yes' goes on:", seen)
        os.write(controller, answer.encode() + b"\n")
        process.wait(timeout=60)
        assert process.stderr is not None
        err = process.stderr.read().decode()
        try:
            while True:
                chunk = os.read(controller, 65536)
                if not chunk:
                    break
                seen.append(chunk.decode(errors="replace"))
        except OSError:
            pass  # the terminal closed with the process
    finally:
        os.close(controller)
        if process.poll() is None:
            process.kill()
    return process.returncode, "".join(seen), err


def test_resync_on_a_terminal_shows_the_plan_and_asks_first(endpoint: DeployedEndpoint) -> None:
    endpoint.sweep()
    orders = endpoint.world.brokers["orders"]
    new = endpoint.aws.change_broker_ips(orders)
    before = endpoint.registered()

    code, shown, err = _run_on_a_terminal(["resync", "--stack", endpoint.stack.name], "no")
    assert code == Exit.ERROR and err == "mq-endpoint: resync cancelled: nothing was invoked\n"
    assert "Plan: 4 to register, " in shown
    assert endpoint.registered() == before, "nothing was invoked"

    code, shown, err = _run_on_a_terminal(["resync", "--stack", endpoint.stack.name], "yes")
    assert code == Exit.ATTENTION, "done; the old addresses wait for their second reading"
    assert "Resync of stack" in shown and "+ registered" in shown
    assert all(set(new) <= ips for ips in endpoint.registered())


def test_resync_off_a_terminal_without_yes_is_refused_before_any_call() -> None:
    done = run_command(
        "resync", "--stack", "mq-endpoint", env=bare_environment("http://127.0.0.1:9"), stdin=subprocess.DEVNULL
    )

    assert done.returncode == Exit.USAGE
    assert "or pass --yes (scripts)" in one_line_error(done.stderr)
