"""What the commands print around the tables: headings, the plan, a resync's report, problems, JSON."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from rich.console import Console

from . import render
from .context import Context
from .exit_codes import Exit, of_plan
from .inspect import Inspection, inspect
from .last_run import LastRunRead, read_last_run
from .progress import progress
from .stack import DeployedStack


def inspect_stack(ctx: Context, broker_ids: Sequence[str] = ()) -> Inspection:
    """The reconciler's dry run on the stack, with a spinner while it reads."""
    stack = ctx.stack
    with progress(
        ctx.err, ctx.watch, f"reading {stack.name}'s brokers and target groups", quiet=ctx.as_json, stack=stack
    ):
        return inspect(ctx.session, stack, ctx.watch, broker_ids)


def last_run(ctx: Context) -> LastRunRead:
    with progress(ctx.err, ctx.watch, "reading the function's last report", quiet=ctx.as_json):
        return read_last_run(ctx.session, ctx.stack.log_group)


def heading(stack: DeployedStack, document: Mapping[str, Any]) -> str:
    """One line, never wrapped by rich (soft_wrap): its duration varies, and a terminal wraps long lines itself."""
    in_scope = sum(1 for b in document.get("brokers", []) if b.get("knowledge") != "gone")
    groups = len(document.get("targetGroups", []))
    return (
        f"Stack [bold]{stack.name}[/bold] ({stack.region}): scope {stack.scope}, {in_scope} broker(s) in scope, "
        f"{groups} target group(s), read in {document.get('durationMs', 0)} ms"
    )


def print_problems(out: Console, document: Mapping[str, Any]) -> None:
    found = render.problems(document)
    if found is not None:
        out.print(found)


def print_json(out: Console, document: Mapping[str, Any], *, one_line: bool = False) -> None:
    """As it is: no markup, no wrapping (out.out), so that it parses."""
    out.out(json.dumps(document, default=str, indent=None if one_line else 2), highlight=False)


def plan_code(inspection: Inspection) -> Exit:
    return of_plan(inspection.document(), calls_failed=bool(inspection.failed_calls))


def print_plan(out: Console, inspection: Inspection, formerly: Mapping[str, str]) -> None:
    """terraform plan's view: the counts, each change with its broker and evidence, and what happens next."""
    document = inspection.document()
    counted = render.count_changes(document)
    out.print(heading(inspection.stack, document), soft_wrap=True)
    out.print(
        f"Plan: {counted['register']} to register, {counted['deregister']} to deregister, "
        f"{counted['withheld']} left in place for want of evidence."
    )
    for table in render.changes_tables(document, done=False, earlier=formerly):
        out.print(table)
    code = plan_code(inspection)
    if code is Exit.PENDING:
        out.print(
            f"The function's next sweep makes these changes (SweepSchedule, every minute by default); "
            f"to make them now: mq-endpoint resync --stack {inspection.stack.name}"
        )
    elif code is Exit.ATTENTION:
        out.print(
            "[yellow]Nothing pending, but not everything in scope is known:[/yellow] see the problems below; "
            "a run cannot say there is nothing to do."
        )
    elif code is Exit.OK:
        out.print("[green]Nothing to do:[/green] the target groups hold exactly the addresses of the brokers in scope.")
    print_problems(out, document)


def print_resync(out: Console, stack: DeployedStack, report: Mapping[str, Any], formerly: Mapping[str, str]) -> None:
    dry = " (dry run: nothing changed)" if report.get("dryRun") else ""
    style = {"ok": "green", "incomplete": "yellow"}.get(str(report.get("status")), "red")
    out.print(
        f"Resync of stack [bold]{stack.name}[/bold] by {stack.function_name}: "
        f"[{style}]{report.get('status')}[/{style}] in {report.get('durationMs', 0)} ms{dry}",
        soft_wrap=True,
    )
    tables = render.changes_tables(report, done=not report.get("dryRun"), earlier=formerly)
    for table in tables:
        out.print(table)
    if not tables:
        out.print("No change: the target groups already held exactly the addresses of the brokers in scope.")
    if report.get("brokers"):
        out.print(render.brokers_table(report))
    print_problems(out, report)
