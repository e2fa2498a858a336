"""The endpoint the end-to-end tests drive: the deployed stack, its
function, the emulated account; and mq-endpoint run on it."""

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from demo.stack import DeployedStack
from demo.world import World
from emulator.lambda_invoke import configured_environment
from emulator.lambda_runtime import Invocation, LambdaRuntime
from tests.endpoint import Endpoint

REGION = "eu-west-1"


class DeployedEndpoint(Endpoint):
    """The endpoint as template.yaml deployed it: its groups are the stack's, named as AWS names them, in the
    function's order; its function runs the configuration the stack gave it."""

    def __init__(self, world: World, stack: DeployedStack, runtime: LambdaRuntime) -> None:
        self.world = world
        self.stack = stack
        groups = {arn.split(":")[-1].split("/")[1]: arn for arn in stack.target_group_arns}
        # Two attempts: a throttled call gives up in about a second, not after botocore's full backoff.
        super().__init__(world.aws, runtime, groups, {**stack.function_environment, "AWS_MAX_ATTEMPTS": "2"})

    def invoke(self, event: Any) -> Invocation:
        # As Lambda does after a stack update changed the function's configuration.
        self.runtime.follow(configured_environment(self.stack.function_arn))
        return super().invoke(event)

    def live_targets(self) -> list[dict[str, str]]:
        """Per target group of the live set, in the function's order: ip -> state."""
        return [self.aws.target_states(arn) for arn in self.stack.live_target_group_arns]

    def registered(self) -> list[set[str]]:
        """Per target group of the live set, in the function's order: the addresses registered."""
        return [set(states) for states in self.live_targets()]


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


Cli = Callable[..., Run]


def lines_with(text: str, *parts: str) -> list[str]:
    return [line for line in text.splitlines() if all(part in line for part in parts)]


def section(text: str, heading: str) -> str:
    """The lines under a heading (`OpenWire 61617`), up to the next target group's heading."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(heading))
    end = next(
        (i for i in range(start + 1, len(lines)) if lines[i].startswith(("OpenWire", "console", "RabbitMQ"))),
        len(lines),
    )
    return "\n".join(lines[start + 1 : end])


def installed_command() -> str:
    command = shutil.which("mq-endpoint", path=str(Path(sys.executable).parent))
    assert command, "mq-endpoint is not installed in the venv: run make venv"
    return command


def command_environment(**changes: str | None) -> dict[str, str]:
    """This process's environment (the emulator's endpoint and credentials among it), without COLUMNS, with changes."""
    environment = {name: value for name, value in os.environ.items() if name != "COLUMNS"}
    for name, value in changes.items():
        if value is None:
            environment.pop(name, None)
        else:
            environment[name] = value
    return environment


def run_command(
    *argv: str, env: Mapping[str, str] | None = None, timeout: float = 60, **popen: Any
) -> subprocess.CompletedProcess[str]:
    """The installed mq-endpoint, in a process of its own: exit codes,
    signals, pipes and widths as a shell sees them."""
    streams = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, **popen}
    return subprocess.run(
        [installed_command(), *argv], env=dict(env or command_environment()), text=True, timeout=timeout, **streams
    )
