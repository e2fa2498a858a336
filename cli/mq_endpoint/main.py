"""mq-endpoint: see and steer a deployed mq-static-endpoint stack from a laptop.

status and plan reconcile locally in dry-run mode, with the operator's
read-only credentials, through the function's own code; resync asks the
deployed function to run now. Each command is one function taking a
Context (context.py) and returning its exit code (exit_codes.py), added to
the parser by one `_add_<command>` function below.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from importlib.metadata import PackageNotFoundError, version
from typing import NoReturn

from rich.console import Console

from . import cutover, exit_codes
from .aws import CONNECT_TIMEOUT_VARIABLE, READ_TIMEOUT_VARIABLE
from .console import make_console
from .context import Context
from .errors import DEBUG_VARIABLE, CommandError, UsageError, debugging, one_line
from .exit_codes import Exit
from .plan import plan
from .resync import resync
from .stack import STACK_VARIABLE
from .status import status
from .watch import DEFAULT_INTERVAL

Command = Callable[[Context], int]

EPILOG = f"""\
{exit_codes.help_text()}

credentials and region follow the AWS CLI: --profile or AWS_PROFILE, --region or AWS_REGION
(else AWS_DEFAULT_REGION or the profile's region); AWS_ENDPOINT_URL too. --stack defaults to ${STACK_VARIABLE}.
Every call gives up after 3 attempts of --connect-timeout + --read-timeout ({CONNECT_TIMEOUT_VARIABLE},
{READ_TIMEOUT_VARIABLE}), and no read starts after a command's first minute. {DEBUG_VARIABLE}=1 shows the
traceback of an unexpected error.

status and plan need read-only permissions: cloudformation:DescribeStacks,
tag:GetResources, ec2:DescribeNetworkInterfaces, ec2:DescribeSubnets, ec2:DescribeVpcEndpoints, mq:DescribeBroker,
elasticloadbalancing:DescribeTargetGroups, DescribeTargetHealth, DescribeTags, logs:FilterLogEvents (the last run).
resync needs lambda:InvokeFunction on the stack's ReconcilerFunction, and mq:ListBrokers for a --broker given by name.
"""


class _Parser(argparse.ArgumentParser):
    """argparse, but a bad command line exits 64 (EX_USAGE), never 2: 2 means "changes pending"."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see `{self.prog} --help`)")


def _positive(kind: Callable[[str], float]) -> Callable[[str], float]:
    def parse(value: str) -> float:
        try:
            number = kind(value)
        except ValueError:
            number = 0
        if not number > 0:
            raise argparse.ArgumentTypeError(f"{value!r} is not a number above 0")
        return number

    return parse


def _common_options() -> _Parser:
    """Accepted before or after the command, as the AWS CLI accepts its global options."""
    common = _Parser(add_help=False)
    common.add_argument(
        "--stack",
        metavar="NAME",
        default=argparse.SUPPRESS,
        help=f"the CloudFormation stack of the endpoint (default: ${STACK_VARIABLE})",
    )
    common.add_argument(
        "--region", default=argparse.SUPPRESS, help="AWS region (default: AWS_REGION, or the profile's)"
    )
    common.add_argument(
        "--profile", default=argparse.SUPPRESS, help="named profile of ~/.aws/config (default: AWS_PROFILE)"
    )
    common.add_argument(
        "-o",
        "--output",
        choices=("table", "wide", "json"),
        default=argparse.SUPPRESS,
        help="table (default); wide: more columns; json: the report, for scripts (no tables, no progress)",
    )
    common.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="the same as -o json")
    common.add_argument(
        "--connect-timeout",
        metavar="SECONDS",
        type=_positive(float),
        default=argparse.SUPPRESS,
        help=f"per attempt of each call (default: ${CONNECT_TIMEOUT_VARIABLE}, else 5)",
    )
    common.add_argument(
        "--read-timeout",
        metavar="SECONDS",
        type=_positive(float),
        default=argparse.SUPPRESS,
        help=f"per attempt of each call (default: ${READ_TIMEOUT_VARIABLE}, else 10)",
    )
    return common


def _add_status(commands: argparse._SubParsersAction[_Parser], common: _Parser) -> None:
    parser = commands.add_parser(
        "status",
        parents=[common],
        help="the brokers no healthy target serves, then each target group's targets",
        description="First the brokers in scope that have no healthy instance, with their state and what the NLB says "
        "of each address; the function's last run; then one table per target group: each broker's addresses and zones, "
        "the NLB's health of each, and whether it is current (registered and wanted). With BROKER, that broker "
        "described. Read-only: the reconciler's dry run, here, with your credentials. Exit 3 when a broker in scope "
        "has no healthy instance.",
    )
    parser.add_argument("broker", metavar="BROKER", nargs="?", help="describe this broker (a name or an id)")
    parser.add_argument(
        "--group",
        metavar="GROUP",
        action="append",
        default=[],
        help="only this target group: a port (61617), a protocol (OpenWire), or its name (repeatable)",
    )
    parser.add_argument(
        "-w",
        "--watch",
        action="store_true",
        help="read again every --interval seconds and show what changed, until Ctrl-C",
    )
    parser.add_argument(
        "--interval",
        metavar="SECONDS",
        type=_positive(float),
        default=None,
        help=f"with --watch: seconds between reads (default: {DEFAULT_INTERVAL:g})",
    )
    parser.add_argument(
        "--count",
        metavar="N",
        type=_positive(int),
        default=None,
        help="with --watch: stop after N reads, with the last one's exit code",
    )
    parser.set_defaults(run=status)


def _add_plan(commands: argparse._SubParsersAction[_Parser], common: _Parser) -> None:
    parser = commands.add_parser(
        "plan",
        parents=[common],
        help="what a reconcile would register and deregister now, with the evidence",
        description="What the function would register and deregister if it ran now, with the evidence for each "
        "removal, "
        "and what it would leave in place and why. Read-only. Exit 0: nothing to do, 2: changes pending, "
        "3: nothing pending but something in scope unknown, 1: error.",
    )
    parser.set_defaults(run=plan)


def _add_resync(commands: argparse._SubParsersAction[_Parser], common: _Parser) -> None:
    parser = commands.add_parser(
        "resync",
        parents=[common],
        help="invoke the deployed function now and print its report",
        description='Invoke the stack\'s function now (lambda:InvokeFunction) with {"action": "resync"}; retry while '
        "it "
        "is busy with another run (429), then print what it changed. On a terminal the plan is shown first and you "
        "confirm; elsewhere pass --yes. Exit codes as plan's, for what the run left.",
    )
    parser.add_argument(
        "--broker",
        metavar="BROKER",
        action="append",
        default=[],
        help="a broker (a name or an id) to read directly even if the tag listing does not show it yet (repeatable)",
    )
    parser.add_argument("--dry-run", action="store_true", help="the function plans and reports, and changes nothing")
    parser.add_argument("-y", "--yes", action="store_true", help="do not ask: for scripts (needed off a terminal)")
    parser.add_argument(
        "--wait",
        metavar="SECONDS",
        type=_positive(float),
        default=120.0,
        help="how long to keep retrying while the function is busy (default: 120)",
    )
    parser.set_defaults(run=resync)


def _parser() -> _Parser:
    common = _common_options()
    parser = _Parser(
        prog="mq-endpoint",
        description="See and steer an mq-static-endpoint stack: what clients can reach, pending changes, a resync now.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)
    for add in (_add_status, _add_plan, _add_resync, cutover.add_command):
        add(commands, common)
    return parser


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    """A command line as mq-endpoint's commands read it: the demo and the bench drive `cutover` through it, so a new
    option reaches them with its default."""
    return _parser().parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    out = make_console()
    err = make_console(stderr=True)
    context: Context | None = None
    try:
        args = parse_arguments(argv)
        context = Context(args, out, err)
        run: Command = args.run
        return run(context)
    except KeyboardInterrupt:
        _say(err, context, "interrupted")
        return Exit.INTERRUPTED
    except CommandError as error:
        _say(err, context, str(error))
        return error.code
    except Exception as error:  # noqa: BLE001 - the last line of defence: one line, never a traceback
        if debugging():
            traceback.print_exc()
        blamed = context.opened_watch.blame(error) if context and context.opened_watch else None
        said = (
            str(blamed)
            if blamed
            else (f"unexpected error: {type(error).__name__}: {error} ({DEBUG_VARIABLE}=1 shows where)")
        )
        _say(err, context, said)
        return Exit.ERROR


def _say(err: Console, context: Context | None, error: str) -> None:
    """The error, on one line of stderr; JSON for scripts that asked for JSON."""
    if context is not None and context.as_json:
        err.out(json.dumps({"error": one_line(error)}), highlight=False)
    else:
        err.print(f"mq-endpoint: {one_line(error)}", style="red", markup=False, highlight=False, soft_wrap=True)


def entry() -> NoReturn:
    """The `mq-endpoint` command. After Ctrl-C, end now: the reconciler's reader threads may be
    waiting on a silent endpoint, and the interpreter would wait for them at exit."""
    code = main()
    if code == Exit.INTERRUPTED:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except OSError:
                pass  # a reader gone: nothing more to say to it
        os._exit(code)
    sys.exit(code)


def _version() -> str:
    try:
        return version("mq-static-endpoint")
    except PackageNotFoundError:
        return "(not installed)"
