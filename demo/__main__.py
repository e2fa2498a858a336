"""`python -m demo [--keep-running]`: the reconciler's story on an emulated AWS account."""

import argparse
import os
import signal
import sys
import threading
import time
import warnings

from emulator import EmulatedAws, MotoServer

from emulator.lambda_runtime import LambdaRuntime
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
        world = build_world(aws)
        stack = deploy(world)
        _print_deployment(stack, world)
        scene = Scene(world, stack)
        with LambdaRuntime(stack.function_name, stack.function_arn) as runtime:
            Story(scene, runtime).tell()
        print(f"\nThe story took {time.monotonic() - started:.1f} s.")
        if args.keep_running:
            _explore(server.endpoint_url, stack)
    return 0


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
        "\nThe emulator keeps running. In another shell:\n"
        f"  export AWS_ENDPOINT_URL={endpoint_url} AWS_DEFAULT_REGION={REGION}\n"
        "  export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing\n"
        "  aws mq list-brokers\n"
        f"  aws cloudformation describe-stacks --stack-name {stack.name}\n"
        f"  aws elbv2 describe-target-health --target-group-arn {stack.target_group_arns[0]}\n"
        "  aws resourcegroupstaggingapi get-resources --resource-type-filters mq:broker\n"
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
