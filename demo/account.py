"""The emulated account of the demo, once its story is told: for `--keep-running` and for the docs' sessions."""

import json
import os
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from moto import mock_aws
from moto.moto_api._internal import mock_random

from emulator import EmulatedAws, MotoServer
from emulator.lambda_invoke import serving_function
from emulator.lambda_runtime import Invocation, LambdaRuntime

from .stack import DeployedStack, deploy
from .story import Scene, Story
from .world import build_world

REGION = "eu-west-1"


@contextmanager
def told(
    seed: int, *, port_file: Path | None = None, replace_orders: bool = True
) -> Iterator[tuple[MotoServer, EmulatedAws, DeployedStack]]:
    """The emulated account once the story is told, the function still answering lambda:Invoke: for exploring.

    replace_orders=False stops before the cutover that ends the story: the docs' sessions show orders as the
    story's steps leave it."""
    # moto would load thousands of default AMIs into EC2 and warn about each
    # resource type it does not model; neither belongs in the story.
    os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    warnings.filterwarnings("ignore", module="moto")
    started = time.monotonic()
    # mock_aws: a fresh account every time, even for a second story in the same process (the docs' test).
    with mock_aws(), MotoServer(region=REGION, port_file=port_file) as server:
        # moto's own ids (the VPC, interfaces, target groups, the function's name) follow the seed too.
        mock_random.seed(seed)
        with EmulatedAws(region=REGION, seed=seed) as aws:
            print(f"Emulated AWS (moto {_moto_version()} + emulator/) on {server.endpoint_url}, region {REGION}")
            # A RabbitMQ broker beside the ActiveMQ ones: its own AMQPS group, filled from its VPC endpoint.
            world = build_world(aws, rabbitmq_brokers=("events",))
            stack = deploy(world, rabbitmq=True)
            _print_deployment(stack, world)
            scene = Scene(world, stack)
            # lambda:Invoke of the stack's function runs this warm container, as on
            # AWS: `aws lambda invoke`, `sam remote invoke`, `mq-endpoint resync`.
            with (
                LambdaRuntime(stack.function_name, stack.function_arn, log_group=stack.log_group) as runtime,
                serving_function(stack.function_name, runtime, on_invoke=_invocation_printer(sys.stdout)),
            ):
                Story(scene, runtime).tell(replace_orders=replace_orders)
                print(f"\nThe story took {time.monotonic() - started:.1f} s.")
                yield server, aws, stack


def _invocation_printer(out: TextIO) -> Callable[[object, Invocation], None]:
    """A line per lambda:Invoke, in the demo's own output (where it was when the story began), not an explorer's."""

    def print_invocation(event: object, invocation: Invocation) -> None:
        report = invocation.report
        outcome = invocation.raised or f"status {report.get('status')}, {report.get('durationMs')} ms"
        print(f"lambda:Invoke {json.dumps(event)[:100]} -> {outcome}", file=out, flush=True)

    return print_invocation


def _print_deployment(stack, world) -> None:  # type: ignore[no-untyped-def]
    print(f"\nDeployed template.yaml as stack {stack.name} (SAM translated offline, created in moto's CloudFormation).")
    print(f"  endpoint   {stack.outputs['EndpointName']} -> {stack.outputs['LoadBalancerDnsName']}")
    print(f"  function   {stack.function_name} (runs here, in-process: there is no container runtime)")
    for name, broker_id in world.brokers.items():
        print(f"  broker     {name:<10} {broker_id}")
    if stack.not_emulated:
        skipped = ", ".join(f"{t} ({len(ids)})" for t, ids in sorted(stack.not_emulated.items()))
        print(f"  not emulated: {skipped}")


def _moto_version() -> str:
    from importlib.metadata import version

    return version("moto")
