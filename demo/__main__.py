"""`python -m demo [--keep-running]`: the reconciler's story on an emulated AWS account."""

import argparse
import json
import os
import signal
import sys
import threading
import time
import warnings

from emulator import EmulatedAws, MotoServer
from emulator.lambda_invoke import serving_function
from emulator.lambda_runtime import Invocation, LambdaRuntime

from .stack import deploy, template_exists
from .story import Scene, Story
from .world import build_world

REGION = "eu-west-1"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m demo", description=__doc__)
    parser.add_argument("--keep-running", action="store_true", help="leave the emulator up for the AWS CLI after the story")
    parser.add_argument("--seed", type=int, default=4, help="seed of broker ids and IPs (same seed, same tables)")
    args = parser.parse_args(argv)
    if not template_exists():
        print("template.yaml is missing: the demo deploys the project's own template.", file=sys.stderr)
        return 1
    # moto would load thousands of default AMIs into EC2 and warn about each
    # resource type it does not model; neither belongs in the story.
    os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    warnings.filterwarnings("ignore", module="moto")
    started = time.monotonic()
    with MotoServer(region=REGION) as server, EmulatedAws(region=REGION, seed=args.seed) as aws:
        print(f"Emulated AWS (moto {_moto_version()} + emulator/) on {server.endpoint_url}, region {REGION}")
        # A RabbitMQ broker beside the ActiveMQ ones: its own AMQPS group, filled from its VPC endpoint.
        world = build_world(aws, rabbitmq_brokers=("events",))
        stack = deploy(world, rabbitmq=True)
        _print_deployment(stack, world)
        scene = Scene(world, stack)
        # lambda:Invoke of the stack's function runs this warm container, as on
        # AWS: `aws lambda invoke`, `sam remote invoke`, `mq-endpoint resync`.
        with LambdaRuntime(stack.function_name, stack.function_arn) as runtime, \
                serving_function(stack.function_name, runtime, on_invoke=_print_invocation):
            Story(scene, runtime).tell()
            print(f"\nThe story took {time.monotonic() - started:.1f} s.")
            if args.keep_running:
                server.serve_control(aws)
                _explore(server.endpoint_url, stack)
    return 0


def _print_invocation(event: object, invocation: Invocation) -> None:
    report = invocation.report
    outcome = invocation.raised or f"status {report.get('status')}, {report.get('durationMs')} ms"
    print(f"lambda:Invoke {json.dumps(event)[:100]} -> {outcome}", flush=True)


def _print_deployment(stack, world) -> None:  # type: ignore[no-untyped-def]
    print(f"\nDeployed template.yaml as stack {stack.name} (SAM translated offline, created in moto's CloudFormation).")
    print(f"  endpoint   {stack.outputs['EndpointName']} -> {stack.outputs['LoadBalancerDnsName']}")
    print(f"  function   {stack.function_name} (runs here, in-process: there is no container runtime)")
    for name, broker_id in world.brokers.items():
        print(f"  broker     {name:<10} {broker_id}")
    if stack.not_emulated:
        skipped = ", ".join(f"{t} ({len(ids)})" for t, ids in sorted(stack.not_emulated.items()))
        print(f"  not emulated: {skipped}")


def _explore(endpoint_url: str, stack) -> None:  # type: ignore[no-untyped-def]
    print(
        "\nThe emulator keeps running, and invoking the function runs it here. In another shell:\n"
        f"  export AWS_ENDPOINT_URL={endpoint_url} AWS_DEFAULT_REGION={REGION}\n"
        "  export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing\n"
        f"  .venv/bin/mq-endpoint status --stack {stack.name}\n"
        "  .venv/bin/python -m emulator move orders      # orders' instances come back on new IPs\n"
        f"  .venv/bin/mq-endpoint plan --stack {stack.name}; echo exit $?\n"
        f"  .venv/bin/mq-endpoint resync --stack {stack.name}\n"
        f"  aws lambda invoke --function-name {stack.function_name} --cli-binary-format raw-in-base64-out \\\n"
        "      --payload '{\"action\":\"resync\",\"dryRun\":true}' /dev/stdout\n"
        "  aws mq list-brokers\n"
        f"  aws elbv2 describe-target-health --target-group-arn {stack.target_group_arns[0]}\n"
        "Ctrl-C (or SIGTERM) stops it.",
        flush=True,
    )
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    stop.wait()
    print("\nstopped")


def _moto_version() -> str:
    from importlib.metadata import version

    return version("moto")


if __name__ == "__main__":
    sys.exit(main())
