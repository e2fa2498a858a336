"""`python -m demo [--keep-running]`: the reconciler's story on an emulated AWS account."""

import argparse
import signal
import sys
import threading
from pathlib import Path

from .account import REGION, told
from .docs import write_docs
from .stack import template_exists

# With --keep-running, the emulator's port of the last such run, taken again when free (git ignores
# the file): the other shell's AWS_ENDPOINT_URL stays right across restarts.
PORT_FILE = Path(__file__).resolve().parent.parent / ".emulator-port"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m demo", description=__doc__)
    parser.add_argument(
        "--keep-running", action="store_true", help="leave the emulator up for the AWS CLI after the story"
    )
    parser.add_argument("--seed", type=int, default=4, help="seed of broker ids and IPs (same seed, same tables)")
    parser.add_argument(
        "--write-docs",
        action="store_true",
        help="rewrite docs/operating.md's and docs/demo.md's real output from a session on the demo (seed 4)",
    )
    args = parser.parse_args(argv)
    if not template_exists():
        print("template.yaml is missing: the demo deploys the project's own template.", file=sys.stderr)
        return 1
    if args.write_docs:
        write_docs()
        return 0
    with told(args.seed, port_file=PORT_FILE if args.keep_running else None) as (server, aws, stack):
        if args.keep_running:
            server.serve_control(aws)
            _explore(server.endpoint_url, stack)
    return 0


def _explore(endpoint_url: str, stack) -> None:  # type: ignore[no-untyped-def]
    print(
        "\nThe emulator keeps running, and invoking the function runs it here. In another shell:\n"
        f"  export AWS_ENDPOINT_URL={endpoint_url} AWS_DEFAULT_REGION={REGION}\n"
        "  export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing\n"
        f"  .venv/bin/mq-endpoint status --stack {stack.name}\n"
        "  .venv/bin/python -m emulator move orders      # orders' instances come back on new IPs\n"
        f"  .venv/bin/mq-endpoint plan --stack {stack.name}; echo exit $?\n"
        f"  .venv/bin/mq-endpoint resync --stack {stack.name}    # shows the plan, asks; --yes in scripts\n"
        "  .venv/bin/python -m emulator state orders REBOOT_IN_PROGRESS\n"
        f"  .venv/bin/mq-endpoint status --stack {stack.name} --watch\n"
        f"  aws lambda invoke --function-name {stack.function_name} --cli-binary-format raw-in-base64-out \\\n"
        '      --payload \'{"action":"resync","dryRun":true}\' /dev/stdout\n'
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


if __name__ == "__main__":
    sys.exit(main())
