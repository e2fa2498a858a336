"""`mq-endpoint status [BROKER]`: what clients can reach now, led by what they cannot.

One read (the reconciler's dry run, the function's last report, the state
of the brokers no healthy target serves) and its views: the stack's tables,
one broker described, either refreshed by --watch.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from . import render
from .brokers import describe_brokers, find_in_report, state_of
from .context import Context
from .describe import describe
from .errors import UsageError
from .exit_codes import Exit, of_status
from .health import TargetRow, rows_by_group, without_healthy_instance
from .inspect import Inspection
from .last_run import LastRunRead
from .names import group_label
from .views import heading, inspect_stack, last_run, print_json, print_problems
from .watch import watch


@dataclass(frozen=True)
class StatusRead:
    inspection: Inspection
    last: LastRunRead
    # DescribeBroker of the brokers the view needs and the run did not describe: the ones down, the one described.
    described: Mapping[str, Mapping[str, Any] | str]
    broker: Mapping[str, Any] | None  # `status BROKER`: the report's broker

    @property
    def document(self) -> dict[str, Any]:
        return self.inspection.document()

    @property
    def code(self) -> Exit:
        down = without_healthy_instance(self.document)
        if self.broker is not None:
            down = [b for b in down if b["brokerId"] == self.broker["brokerId"]]
        return of_status(self.document, calls_failed=bool(self.inspection.failed_calls), brokers_down=len(down))

    def rows(self, groups: Collection[str] | None) -> list[TargetRow]:
        """The rows shown, for --watch to compare: the broker's only, when one is described."""
        shown = [
            row
            for label, rows in rows_by_group(self.document).items()
            if groups is None or label in groups
            for row in rows
        ]
        if self.broker is not None:
            shown = [row for row in shown if row.broker_id == self.broker["brokerId"]]
        return shown

    def json(self) -> dict[str, Any]:
        """The dry run's document, with what status adds: the brokers down and the function's last run."""
        down = without_healthy_instance(self.document)
        return {
            **self.document,
            "brokersWithoutHealthyInstance": [
                {
                    "brokerId": b["brokerId"],
                    "name": b.get("name"),
                    "state": b.get("state") or state_of(self.described.get(b["brokerId"])),
                }
                for b in down
            ],
            "lastRun": {"at": self.last.run.at.isoformat(), "report": self.last.run.report} if self.last.run else None,
        }


def status(ctx: Context) -> int:
    args = ctx.args
    if (args.interval is not None or args.count is not None) and not args.watch:
        raise UsageError("--interval and --count go with --watch")
    if args.watch:
        return watch(
            ctx,
            lambda: read_status(ctx),
            lambda read, changed: show(ctx, read, changed),
            lambda read: {row.key: _seen(row) for row in read.rows(_groups(ctx, read))},
            interval=args.interval,
            count=args.count,
        )
    read = read_status(ctx)
    show(ctx, read, ())
    return read.code


def read_status(ctx: Context) -> StatusRead:
    inspection = inspect_stack(ctx)
    document = inspection.document()
    broker = find_in_report(document, ctx.args.broker) if ctx.args.broker else None
    wanted = [b["brokerId"] for b in without_healthy_instance(document) if not b.get("state")]
    if broker is not None:
        wanted = [broker["brokerId"]]
    return StatusRead(inspection, last_run(ctx), describe_brokers(ctx.session, wanted), broker)


def show(ctx: Context, read: StatusRead, changed: Collection[tuple[str, str]]) -> None:
    if ctx.as_json:
        print_json(ctx.out, read.json(), one_line=ctx.args.watch)
        return
    groups = _groups(ctx, read)
    out = ctx.out
    if read.broker is not None:
        out.print(
            describe(
                read.document,
                read.broker,
                read.described.get(read.broker["brokerId"]),
                read.last,
                groups=groups,
                wide=ctx.output == "wide",
                changed=changed,
            )
        )
        print_problems(out, read.document)
        return
    out.print(heading(read.inspection.stack, read.document), soft_wrap=True)
    out.print(render.outage(read.document, {i: state_of(d) for i, d in read.described.items()}))
    out.print(read.last.text())
    for table in render.status_tables(
        read.document, wide=ctx.output == "wide", groups=groups, changed=changed, earlier=read.last.formerly
    ):
        out.print(table)
    note = render.standby_note(read.document, groups)
    if note is not None:
        out.print(note)
    print_problems(out, read.document)


def _groups(ctx: Context, read: StatusRead) -> set[str] | None:
    """The labels --group names: a port, a protocol, a label, a target group's name or ARN; None: every group."""
    if not ctx.args.group:
        return None
    labels = list(rows_by_group(read.document))
    reported = dict(zip(labels, read.document.get("targetGroups", [])))
    chosen: set[str] = set()
    for value in ctx.args.group:
        matches = {label for label, group in reported.items() if _names_group(value, label, group)}
        if not matches:
            raise UsageError(
                f"no target group {value} in stack {read.inspection.stack.name}: its groups are "
                f"{', '.join(labels)} (a port, a protocol, or a group's name)"
            )
        chosen |= matches
    return chosen


def _names_group(value: str, label: str, group: Mapping[str, Any]) -> bool:
    protocol = group_label(group.get("port"), group.get("engine")).rsplit(" ", 1)[0]  # both sets' groups (cutover)
    said = value.strip().lower()
    return said in (
        label.lower(),
        protocol.lower(),
        str(group.get("port")),
        str(group.get("name", "")).lower(),
        str(group.get("arn", "")).lower(),
    )


def _seen(row: TargetRow) -> str:
    """What --watch compares of a row."""
    return f"{row.health or 'not registered'}{' ' + row.reason if row.reason else ''}, current {row.current}"
