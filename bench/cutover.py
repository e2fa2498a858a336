"""How long `mq-endpoint cutover` takes on the emulator: what it waits for, and what it spends itself.

The stack is template.yaml deployed into moto (demo/stack.py), the function
the real handler; the cutover is the CLI's own `Cutover`, run in this process.
Its waits are its polls' sleeps: for the NLB's health checks of the new
broker (the emulator keeps a new target `initial` for `health_seconds`, as
an NLB's first checks do) and for the old set's connections to drain (its
ActiveFlowCount stays above 0 for the whole `drain_seconds`). Everything else
is spent by the command and the services: stack updates, the function's
runs, the reads. On AWS the waits dominate: minutes of health checks, the
deregistration delay, and each stack update's own minutes, none of which the
emulator reproduces.
"""

from __future__ import annotations

import io
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from unittest import mock

import boto3
from moto import mock_aws
from rich.console import Console

from demo.stack import DeployedStack, deploy
from demo.world import build_world
from emulator import EmulatedAws, target_health
from emulator.lambda_invoke import serving_function
from emulator.lambda_runtime import LambdaRuntime
from emulator.server import FAKE_CREDENTIALS
from mq_endpoint.cutover import Cutover
from mq_endpoint.exit_codes import Exit
from mq_endpoint.main import parse_arguments
from mq_endpoint.stack import read_stack

REGION = "eu-west-1"
POLL_SECONDS = 0.1


@dataclass
class StepTime:
    step: str
    seconds: float = 0.0
    # Sleeping between polls: health checks, drain.
    waited: float = 0.0

    @property
    def spent(self) -> float:
        return self.seconds - self.waited


@dataclass
class CutoverTiming:
    health_seconds: float
    drain_seconds: float
    steps: list[StepTime] = field(default_factory=list)

    @property
    def total(self) -> float:
        return sum(s.seconds for s in self.steps)

    @property
    def waited(self) -> float:
        return sum(s.waited for s in self.steps)


@contextmanager
def deployed_endpoint() -> Iterator[tuple[EmulatedAws, DeployedStack]]:
    """The demo's account and stack in moto in this process, its function served, the first sweep done."""
    environment = {
        **FAKE_CREDENTIALS,
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "MOTO_EC2_LOAD_DEFAULT_AMIS": "false",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    }
    with mock.patch.dict(os.environ, environment):
        os.environ.pop("AWS_ENDPOINT_URL", None)
        with mock_aws(), EmulatedAws(REGION, seed=6) as aws:
            world = build_world(aws)
            stack = deploy(world)
            with (
                LambdaRuntime(stack.function_name, stack.function_arn) as runtime,
                serving_function(stack.function_name, runtime),
            ):
                runtime.cold_start(stack.function_environment)
                runtime.invoke({"action": "resync"})
                world.add_broker("orders-4", in_scope=False)
                yield aws, stack


def measure_cutover(health_seconds: float, drain_seconds: float) -> CutoverTiming:
    """One cutover of orders to orders-4, timed step by step."""
    timing = CutoverTiming(health_seconds, drain_seconds)
    with deployed_endpoint() as (aws, stack):
        aws.publish_active_flows(stack.live_target_group_arns, 5)  # orders' clients: the drain waits its whole time
        session = boto3.session.Session()
        args = parse_arguments(
            ["cutover", "--to", "orders-4", "--from", "orders", "--yes", "--health-timeout", str(health_seconds + 60)]
            + ["--drain", str(drain_seconds), "--poll", str(POLL_SECONDS)]
        )
        quiet = Console(file=io.StringIO())
        command = Cutover(session, read_stack(session, stack.name), args, quiet, quiet)
        current = StepTime("plan")
        started = time.monotonic()

        def sleep(seconds: float) -> None:
            current.waited += seconds
            time.sleep(seconds)

        def after_step(step: str) -> None:
            nonlocal current, started
            current.step, current.seconds = step, time.monotonic() - started
            timing.steps.append(current)
            current, started = StepTime(""), time.monotonic()

        command.sleep, command.after_step = sleep, after_step
        target_health.health_checks_take(health_seconds)
        try:
            if command.run() != Exit.OK:
                raise RuntimeError("the benchmark's cutover did not finish")
        finally:
            target_health.health_checks_take(0)
    return timing
