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
from emulator import EmulatedAws, events
from emulator.lambda_invoke import configured_environment
from emulator.lambda_runtime import Invocation, LambdaRuntime

REGION = "eu-west-1"


@dataclass
class Endpoint:
    world: World
    stack: DeployedStack
    runtime: LambdaRuntime

    @property
    def aws(self) -> EmulatedAws:
        return self.world.aws

    def invoke(self, event: dict[str, Any]) -> Invocation:
        # As Lambda does after a stack update changed the function's configuration.
        self.runtime.follow(configured_environment(self.stack.function_arn))
        return self.runtime.invoke(event)

    def let_time_pass(self, seconds: float) -> None:
        self.runtime.let_time_pass(seconds)

    def settle(self) -> None:
        """Two sweeps a minute apart: an address no broker in scope has goes on its second reading."""
        self.sweep()
        self.let_time_pass(60)
        self.sweep()

    def sweep(self) -> Invocation:
        return self.invoke(events.scheduled(REGION))

    def targets(self) -> list[dict[str, str]]:
        """Per target group of the live set, in the function's order: ip -> state."""
        return [self.aws.target_states(arn) for arn in self.stack.live_target_group_arns]

    def registered(self) -> list[set[str]]:
        return [set(states) for states in self.targets()]


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
