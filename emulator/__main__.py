"""`python -m emulator`: change brokers in a running emulator (make demo ARGS=--keep-running) as AWS would."""

import argparse
import sys

from .control import ControlError, call
from .mq_brokers import BROKER_STATES


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m emulator",
        description="Change what no AWS API call changes in the running emulator: where a broker's instances are, its "
        "state. "
        "Reads AWS_ENDPOINT_URL, as printed by `make demo ARGS=--keep-running`.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("brokers", help="every broker: name, id, state, IPs")
    move = commands.add_parser("move", help="the broker's instances come back on new IPs (a reboot, a maintenance)")
    move.add_argument("broker", help="name or id")
    move.add_argument(
        "--ips", help="comma-separated, one per instance, active first (default: free addresses of its subnets)"
    )
    state = commands.add_parser("state", help="set the state DescribeBroker reports")
    state.add_argument("broker", help="name or id")
    state.add_argument("state", choices=BROKER_STATES, metavar="STATE", help=f"one of {', '.join(BROKER_STATES)}")
    state.add_argument(
        "--no-ips", action="store_true", help="DescribeBroker shows no instance IPs meanwhile (a reboot)"
    )
    args = parser.parse_args(argv)
    try:
        if args.command == "brokers":
            for broker in call("GET", "brokers"):
                held = ", ".join(broker["held"]) or "-"
                print(f"{broker['name']:<12} {broker['id']}  {broker['state']:<24} {held}")
        elif args.command == "move":
            moved = call("POST", f"brokers/{args.broker}/move", {"ips": args.ips.split(",") if args.ips else None})
            print(f"{args.broker} ({moved['id']}) now on {', '.join(moved['ips'])}")
        else:
            changed = call(
                "POST", f"brokers/{args.broker}/state", {"state": args.state, "ips": [] if args.no_ips else None}
            )
            print(
                f"{args.broker} ({changed['id']}) is {changed['state']}, reporting "
                f"{', '.join(changed['reported']) or 'no IPs'}"
            )
    except ControlError as error:
        print(f"python -m emulator: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
