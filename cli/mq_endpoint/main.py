"""mq-endpoint: see and steer a deployed mq-static-endpoint stack from a laptop.

status and plan reconcile locally in dry-run mode, with the operator's
read-only credentials, through the function's own code; resync asks the
deployed function to run now.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import boto3
from rich.console import Console

from reconciler.brokers import is_broker_id

from . import cutover, render
from .aws import CallWatch, CommandError, open_session
from .inspect import Inspection, inspect
from .resync import invoke_resync, resync_payload
from .stack import DeployedStack, read_stack

OK, ERROR, PENDING = 0, 1, 2
STACK_VARIABLE = "MQ_ENDPOINT_STACK"

EPILOG = f"""\
exit codes:
  status   0 read completely, 1 on error (a read failed or was denied, no such stack, no credentials)
  plan     0 nothing to do, 2 changes pending, 1 on error (as terraform plan -detailed-exitcode)
  resync   0 status ok, 2 status incomplete (see its problems), 1 failed, rejected or not invoked
  cutover  0 done, 2 not done yet (new broker not healthy in time, or --keep-old), 1 refused or failed

credentials and region follow the AWS CLI: --profile or AWS_PROFILE, --region or AWS_REGION
(else the profile's region); AWS_ENDPOINT_URL too. --stack defaults to ${STACK_VARIABLE}.

status and plan need read-only permissions: cloudformation:DescribeStacks, ListStackResources,
tag:GetResources, ec2:DescribeNetworkInterfaces, ec2:DescribeSubnets, ec2:DescribeVpcEndpoints, mq:DescribeBroker,
elasticloadbalancing:DescribeTargetGroups, DescribeTargetHealth, DescribeTags.
resync needs lambda:InvokeFunction on the stack's ReconcilerFunction.
"""


def _broker_id(value: str) -> str:
    if not is_broker_id(value):
        raise argparse.ArgumentTypeError(f"{value!r} is not a broker id (b-<uuid>)")
    return value


def _parser() -> argparse.ArgumentParser:
    # Accepted before or after the command, as the AWS CLI accepts its global options.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--stack", metavar="NAME", default=argparse.SUPPRESS,
                        help=f"the CloudFormation stack of the endpoint (default: ${STACK_VARIABLE})")
    common.add_argument("--region", default=argparse.SUPPRESS, help="AWS region (default: AWS_REGION, or the profile's)")
    common.add_argument("--profile", default=argparse.SUPPRESS, help="named profile of ~/.aws/config (default: AWS_PROFILE)")
    common.add_argument("--json", action="store_true", default=argparse.SUPPRESS,
                        help="print the report as JSON, for scripts (no tables, no progress)")

    parser = argparse.ArgumentParser(
        prog="mq-endpoint",
        description="See and steer an mq-static-endpoint stack: its target groups, their pending changes, a resync now.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser(
        "status", parents=[common], help="each target group: brokers, addresses, zones, NLB health, whether current",
        description="One table per target group: each broker's addresses and zones, the NLB's health of each, and whether "
        "it is current (registered and wanted). Read-only: the reconciler's dry run, here, with your credentials.",
    )
    commands.add_parser(
        "plan", parents=[common], help="what a reconcile would register and deregister now, with the evidence",
        description="What the function would register and deregister if it ran now, with the evidence for each removal, "
        "and what it would leave in place and why. Read-only. Exit 0: nothing to do, 2: changes pending, 1: error.",
    )
    resync = commands.add_parser(
        "resync", parents=[common], help="invoke the deployed function now and print its report",
        description="Invoke the stack's function now (lambda:InvokeFunction) with {\"action\": \"resync\"}; retry while it "
        "is busy with another run (429), then print what it changed.",
    )
    resync.add_argument("--broker", metavar="ID", action="append", default=[], type=_broker_id,
                        help="a broker to read directly even if the tag listing does not show it yet (repeatable)")
    resync.add_argument("--dry-run", action="store_true", help="the function plans and reports, and changes nothing")
    resync.add_argument("--wait", metavar="SECONDS", type=float, default=120.0,
                        help="how long to keep retrying while the function is busy (default: 120)")
    cutover.add_command(commands, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    as_json = getattr(args, "json", False)
    out = render.make_console()
    err = render.make_console(stderr=True)
    try:
        stack_name = getattr(args, "stack", None) or os.environ.get(STACK_VARIABLE)
        if not stack_name:
            raise CommandError(f"which stack? pass --stack NAME or set {STACK_VARIABLE}")
        session = open_session(getattr(args, "profile", None), getattr(args, "region", None))
        watch = CallWatch(session)
        with _progress(err, watch, f"reading stack {stack_name}", quiet=as_json):
            stack = read_stack(session, stack_name)
        if args.command == "resync":
            return _resync(session, stack, args, out, err, as_json)
        if args.command == "cutover":
            return cutover.run(session, stack, args, out, err)
        with _progress(err, watch, f"reading {stack.name}'s brokers and target groups", quiet=as_json, stack=stack):
            inspection = inspect(session, stack, watch)
    except CommandError as error:
        if as_json:
            print(json.dumps({"error": str(error)}), file=sys.stderr)
        else:
            err.print(f"mq-endpoint: {error}", style="red", markup=False)
        return ERROR
    if as_json:
        print(json.dumps(inspection.document(), indent=2))
    elif args.command == "status":
        _print_status(out, inspection)
    else:
        _print_plan(out, inspection)
    if inspection.failed:
        return ERROR
    return PENDING if args.command == "plan" and inspection.pending_changes else OK


def _print_status(out: Console, inspection: Inspection) -> None:
    document = inspection.document()
    out.print(_heading(inspection.stack, document))
    for table in render.status_tables(document):
        out.print(table)
    out.print("[dim]An active/standby broker's standby is unhealthy by design: only the active instance answers the "
              "health check on 8162.[/dim]")
    _print_problems(out, document)


def _print_plan(out: Console, inspection: Inspection) -> None:
    document = inspection.document()
    counted = render.count_changes(document)
    out.print(_heading(inspection.stack, document))
    out.print(f"Plan: {counted['register']} to register, {counted['deregister']} to deregister, "
              f"{counted['withheld']} left in place for want of evidence.")
    for table in render.changes_tables(document, done=False):
        out.print(table)
    if inspection.pending_changes:
        out.print(f"The function's next sweep makes these changes (SweepSchedule, every minute by default); "
                  f"to make them now: mq-endpoint resync --stack {inspection.stack.name}")
    elif not inspection.failed:
        out.print("[green]Nothing to do:[/green] the target groups hold exactly the addresses of the brokers in scope.")
    _print_problems(out, document)


def _resync(session: boto3.session.Session, stack: DeployedStack, args: argparse.Namespace, out: Console, err: Console, as_json: bool) -> int:
    payload = resync_payload(args.broker, args.dry_run)

    def on_busy(attempt: int, delay: float) -> None:
        err.print(f"[yellow]{stack.function_name} is busy with another run (429 TooManyRequestsException, attempt "
                  f"{attempt}): retrying in {delay:.1f} s[/yellow]")

    with _progress(err, None, f"invoking {stack.function_name} {json.dumps(payload)}", quiet=as_json):
        report = invoke_resync(session, stack.function_name, payload, wait_seconds=args.wait, on_busy=on_busy)
    if as_json:
        print(json.dumps(report, indent=2))
    else:
        _print_resync(out, stack, report)
    status = report.get("status")
    return OK if status == "ok" else PENDING if status == "incomplete" else ERROR


def _print_resync(out: Console, stack: DeployedStack, report: dict[str, Any]) -> None:
    dry = " (dry run: nothing changed)" if report.get("dryRun") else ""
    style = {"ok": "green", "incomplete": "yellow"}.get(str(report.get("status")), "red")
    out.print(f"Resync of stack [bold]{stack.name}[/bold] by {stack.function_name}: "
              f"[{style}]{report.get('status')}[/{style}] in {report.get('durationMs', 0)} ms{dry}")
    tables = render.changes_tables(report, done=not report.get("dryRun"))
    for table in tables:
        out.print(table)
    if not tables:
        out.print("No change: the target groups already held exactly the addresses of the brokers in scope.")
    if report.get("brokers"):
        out.print(render.brokers_table(report))
    _print_problems(out, report)


def _heading(stack: DeployedStack, document: dict[str, Any]) -> str:
    in_scope = sum(1 for b in document.get("brokers", []) if b.get("knowledge") != "gone")
    groups = len(document.get("targetGroups", []))
    return (f"Stack [bold]{stack.name}[/bold] ({stack.region}): scope {stack.scope}, {in_scope} broker(s) in scope, "
            f"{groups} target group(s), read in {document.get('durationMs', 0)} ms")


def _print_problems(out: Console, document: dict[str, Any]) -> None:
    found = render.problems(document)
    if found is not None:
        out.print(found)


@contextmanager
def _progress(err: Console, watch: CallWatch | None, what: str, *, quiet: bool, stack: DeployedStack | None = None) -> Iterator[None]:
    """A spinner on stderr (terminals only) saying what is being read, and how far: brokers listed, groups read, brokers described."""
    if quiet or not err.is_terminal:
        yield
        return
    started = time.monotonic()
    with err.status(what) as status:
        def update() -> None:
            if watch is None:
                return
            parts = [what]
            if watch.brokers_listed:
                parts.append(f"{watch.brokers_listed} tagged broker(s)")
            if watch.done["ec2:DescribeNetworkInterfaces"]:
                parts.append("interfaces listed")
            if stack is not None:
                groups = len(stack.target_group_arns) + len(stack.rabbitmq_target_group_arns)
                parts.append(f"{watch.done['elasticloadbalancing:DescribeTargetHealth']}/{groups} target groups")
            if watch.done["mq:DescribeBroker"]:
                parts.append(f"{watch.done['mq:DescribeBroker']} broker(s) described")
            status.update(f"{', '.join(parts)} ({time.monotonic() - started:.0f} s)")

        if watch is not None:
            watch.listeners.append(update)
        try:
            yield
        finally:
            if watch is not None:
                watch.listeners.remove(update)


def _version() -> str:
    try:
        return version("mq-static-endpoint")
    except PackageNotFoundError:
        return "(not installed)"
