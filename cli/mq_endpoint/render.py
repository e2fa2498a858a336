"""Tables of an endpoint's state and changes, from the function's report: one way to show them, for the CLI and the
demo.

Everything here reads a report as report.report_run writes it (the CLI's
local documents add each group's `targets`), so a resync's report from the
function and a local dry run render alike. Broker names, not only ids;
target groups by protocol and port, not their generated names.

No cell is ever cut short: an id that does not fit its column folds onto
the next line, whole, instead of ending in an ellipsis nobody can copy.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rich import box
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.measure import Measurement
from rich.table import Column, Table
from rich.text import Text

from .health import TargetRow, in_scope, nlb_says, rows_by_group, without_healthy_instance
from .names import Names, ip_of, label_of

HEALTH_STYLES = {
    "healthy": "green",
    "unhealthy": "red",
    "initial": "yellow",
    "draining": "yellow",
    "unhealthy.draining": "yellow",
    "unused": "magenta",
}
CURRENT_STYLES = {
    "yes": "green",
    "no: to register": "yellow",
    "no: to deregister": "red",
    "no: stays (see plan)": "yellow",
    "no: draining": "dim",
    "unknown": "yellow",
}
# Rows that changed since --watch's previous refresh.
CHANGED_STYLE = "reverse"
STANDBY_NOTE = (
    "(standby): the other instance of this broker is healthy; an active/standby broker's standby fails "
    "the NLB's health check by design: only the active instance answers on 8162."
)


def _table(*columns: str, title: str | Text | None = None, min_widths: Mapping[str, int] | None = None) -> Table:
    """A table in the CLI's style whose cells wrap, and fold a word longer than their column, but never cut it."""
    made = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD)
    for column in columns:
        made.add_column(column, overflow="fold", no_wrap=False, min_width=(min_widths or {}).get(column))
    return made


# Columns of ids and addresses, in the order they give up staying on one line when the terminal is narrow.
WHOLE_COLUMNS = ("broker", "interface", "address")
# Per column: its padding (one space each side) and its share of the dividers and edges.
COLUMN_OVERHEAD = 3


class WholeIds:
    """A table whose id columns stay on one line while the terminal leaves room: the prose columns wrap first.

    rich narrows the widest column first, and that is the broker id: ids
    folded at 100 columns while the evidence had room to wrap. So, at render
    time, the id columns get their full width if the others can still fit at
    their longest word; if not, the broker column folds first, then the
    interface, then the address. Folded, an id is still whole: never an
    ellipsis.
    """

    def __init__(self, table: Table) -> None:
        self.table = table

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        columns = self.table.columns
        for column in columns:
            column.width = None

        def widths(column: Column) -> tuple[int, int]:
            measured = [Measurement.get(console, options, cell) for cell in (column.header, *column.cells)]
            return max(m.minimum for m in measured), max(m.maximum for m in measured)

        measured = {id(column): widths(column) for column in columns}
        whole = [c for c in columns if str(c.header) in WHOLE_COLUMNS]
        while whole:
            need = sum(measured[id(c)][1] if c in whole else measured[id(c)][0] for c in columns)
            if need + COLUMN_OVERHEAD * len(columns) <= options.max_width:
                break
            whole.sort(key=lambda c: WHOLE_COLUMNS.index(str(c.header)))
            whole.pop(0)
        for column in whole:
            column.width = measured[id(column)][1]
        yield self.table


def _health(state: str | None, *, standby: bool = False) -> Text:
    if state is None:
        return Text("-", style="dim")
    return Text(state + (" (standby)" if standby else ""), style=HEALTH_STYLES.get(state, ""))


def _broker_cells(broker: Mapping[str, Any], rows: int) -> list[Text]:
    """The broker column of its rows: the name on the first, the id under
    it, then nothing; its instances read as one."""
    name = broker.get("name") or "(unnamed)"
    identifier = Text(broker["brokerId"], style="dim")
    if rows <= 1:
        return [Text.assemble(name, "\n", identifier)]
    return [Text(name), identifier] + [Text("")] * (rows - 2)


def _no_longer_wanted(row: TargetRow, names: Names, earlier: Mapping[str, str]) -> str:
    """The broker column of a target no broker in scope has now: who had it, as far as anyone knows."""
    if row.former_broker_id:
        return f"was {names.short(row.former_broker_id)}"
    if row.ip in earlier:
        return f"was {earlier[row.ip]}"
    return "(no broker)"


# --- status: the brokers no healthy target serves, then one table per target group ---------


def outage(document: Mapping[str, Any], states: Mapping[str, str] | None = None) -> RenderableType:
    """What status leads with: each broker in scope with no healthy instance, its state, and what the NLB says of it."""
    down = without_healthy_instance(document)
    total = len(in_scope(document))
    if not down:
        return Text(f"Every broker in scope ({total}) has a healthy instance.", style="green")
    rows = [row for group in rows_by_group(document).values() for row in group]
    table = _table("broker", "broker state", "address", "what the NLB says")
    for broker in down:
        mine = [row for row in rows if row.broker_id == broker["brokerId"]]
        ips = list(dict.fromkeys(row.ip for row in mine if row.ip))
        state = broker.get("state") or (states or {}).get(broker["brokerId"]) or "not read"
        cells = _broker_cells(broker, max(1, len(ips)))
        if not ips:
            table.add_row(
                cells[0],
                state,
                Text("unknown", style="yellow"),
                Text(f"addresses unknown: {broker.get('reason') or broker.get('knowledge', '')}", style="yellow"),
            )
        for position, ip in enumerate(ips):
            table.add_row(
                cells[position],
                state if position == 0 else "",
                ip,
                Text(nlb_says([row for row in mine if row.ip == ip]), style="red"),
            )
    heading = Text(f"No healthy instance: {len(down)} of {total} broker(s) in scope", style="bold red")
    return Group(heading, WholeIds(table))


def status_tables(
    document: Mapping[str, Any],
    *,
    wide: bool = False,
    groups: Collection[str] | None = None,
    changed: Collection[tuple[str, str]] = (),
    earlier: Mapping[str, str] | None = None,
    broker_id: str | None = None,
) -> list[WholeIds]:
    """Per target group (only `groups`, by label, if given): each broker's addresses and zones (only this
    broker's, if given), the NLB's health of each, and whether each is current. `wide` adds the NLB's reason
    and the interface; rows whose key is in `changed` stand out (--watch)."""
    names = Names.of(document)
    reported = {label_of(g): g for g in document.get("targetGroups", [])}
    columns = ["broker", "address", "zone", "health", *(("reason", "interface") if wide else ()), "current"]
    tables: list[WholeIds] = []
    for label, rows in rows_by_group(document).items():
        if groups is not None and label not in groups:
            continue
        group = reported[label]
        if broker_id is not None:
            rows = [row for row in rows if row.broker_id == broker_id]
            if not rows:
                continue  # a group of the other engine
        title = Text.assemble((label, "bold"), ("  " + (group.get("name") or group.get("arn") or ""), "dim"))
        table = _table(*columns, title=title, min_widths={"address": 7})
        if group.get("errors") and not group.get("targets"):
            table.add_row(
                Text("could not be read", style="red"),
                *[""] * (len(columns) - 2),
                Text("; ".join(group["errors"]), style="red"),
            )
            tables.append(WholeIds(table))
            continue
        for row, broker_cell in zip(rows, _broker_column(rows, names, earlier or {})):
            if row.unresolved is not None:
                cells = [
                    broker_cell,
                    Text("unknown", style="yellow"),
                    "",
                    "",
                    *(("", "") if wide else ()),
                    Text(f"unresolved: {row.unresolved}", style="yellow"),
                ]
            else:
                cells = [
                    broker_cell,
                    row.ip,
                    row.zone or ("?" if row.broker else ""),
                    _health(row.health, standby=row.standby),
                    *((row.reason or "", row.interface or "") if wide else ()),
                    Text(row.current, style=CURRENT_STYLES.get(row.current, "")),
                ]
            table.add_row(*cells, style=CHANGED_STYLE if row.key in changed else None)
        tables.append(WholeIds(table))
    return tables


def _broker_column(rows: Sequence[TargetRow], names: Names, earlier: Mapping[str, str]) -> list[Text]:
    """Each row's broker cell: a broker's name and id over its rows, or who had a target no broker wants now."""
    cells: list[Text] = []
    position = 0
    while position < len(rows):
        row = rows[position]
        if row.broker is None:
            cells.append(Text(_no_longer_wanted(row, names, earlier), style="dim"))
            position += 1
            continue
        count = 1
        while position + count < len(rows) and rows[position + count].broker_id == row.broker_id:
            count += 1
        cells += _broker_cells(row.broker, count)
        position += count
    return cells


def standby_note(
    document: Mapping[str, Any], groups: Collection[str] | None = None, broker_id: str | None = None
) -> Text | None:
    """Said only where it is true: some unhealthy instance's partner is healthy."""
    shown = [
        row
        for label, rows in rows_by_group(document).items()
        if groups is None or label in groups
        for row in rows
        if broker_id is None or row.broker_id == broker_id
    ]
    return Text(STANDBY_NOTE, style="dim") if any(row.standby for row in shown) else None


# --- changes: plan (would), resync (did) ---------------------------------------------


@dataclass(frozen=True)
class Change:
    group: str
    kind: str  # register, deregister, withheld, refused
    target: str
    broker: str
    why: str


CHANGE_STYLES = {"register": "green", "deregister": "red", "withheld": "yellow", "refused": "red"}


def changes(report: Mapping[str, Any], earlier: Mapping[str, str] | None = None) -> list[Change]:
    """Every change a report holds, with its broker and its evidence (or why it waits), group by group.

    An address to remove belongs to no broker in scope any more: its broker is
    the one the reconciler last registered it for, or the one that had it in
    `earlier` (ip -> broker name, from the function's last run).
    """
    names = Names.of(report)
    holders = {a["ip"]: b["brokerId"] for b in in_scope(report) for a in b.get("addresses", [])}
    addresses = {a["ip"]: (b, a) for b in report.get("brokers", []) for a in b.get("addresses", [])}
    found: list[Change] = []
    for group in report.get("targetGroups", []):
        label = label_of(group)
        attributed = {t["target"]: t.get("brokerId") for t in group.get("targets", [])}

        def broker_of(target: str) -> str:
            holder = holders.get(ip_of(target))
            if holder:
                return names.short(holder)
            if attributed.get(target):  # noqa: B023 - called within this iteration only
                return f"was {names.short(attributed[target])}"  # noqa: B023
            if ip_of(target) in (earlier or {}):
                return f"was {(earlier or {})[ip_of(target)]}"
            return "(no broker)"

        for target in group.get("registered", []):
            found.append(
                Change(label, "register", target, broker_of(target), _why_registered(addresses.get(ip_of(target))))
            )
        for removal in group.get("deregistered", []):
            found.append(
                Change(label, "deregister", removal["target"], broker_of(removal["target"]), removal["evidence"])
            )
        for kept in group.get("withheld", []):
            found.append(Change(label, "withheld", kept["target"], broker_of(kept["target"]), kept["reason"]))
        for refused in group.get("refused", []):
            found.append(
                Change(label, "refused", refused["target"], names.short(refused.get("brokerId")), refused["message"])
            )
    return found


def _why_registered(held: tuple[Mapping[str, Any], Mapping[str, Any]] | None) -> str:
    if held is None:
        return "an address of a broker in scope"
    broker, address = held
    if broker.get("addressSource") == "interfaces" and address.get("interfaceId"):
        return f"its interface {address['interfaceId']} ({address.get('zone') or 'zone unknown'})"
    return broker.get("reason") or "DescribeBroker reports it"


def change_verbs(*, done: bool) -> dict[str, str]:
    """What a run did (done) or would do with each kind of change."""
    return {
        "register": "registered" if done else "register",
        "deregister": "deregistered" if done else "deregister",
        "withheld": "stays",
        "refused": "refused",
    }


def changes_tables(
    report: Mapping[str, Any], *, done: bool, earlier: Mapping[str, str] | None = None
) -> list[WholeIds]:
    """One table per target group with changes: what a run changed (done) or would change."""
    verbs = change_verbs(done=done)
    signs = {"register": "+", "deregister": "-", "withheld": "=", "refused": "!"}
    tables: dict[str, Table] = {}
    for change in changes(report, earlier):
        if change.group not in tables:
            tables[change.group] = _table(
                "change",
                "address",
                "broker",
                "evidence / reason",
                title=Text(change.group, style="bold"),
                min_widths={"change": 8, "address": 7},
            )
        tables[change.group].add_row(
            Text(f"{signs[change.kind]} {verbs[change.kind]}", style=CHANGE_STYLES[change.kind]),
            ip_of(change.target),
            change.broker,
            change.why,
        )
    return [WholeIds(made) for made in tables.values()]


def count_changes(report: Mapping[str, Any]) -> dict[str, int]:
    counted = {"register": 0, "deregister": 0, "withheld": 0, "refused": 0}
    for change in changes(report):
        counted[change.kind] += 1
    return counted


# --- brokers, problems, summaries -------------------------------------------------------


def brokers_table(report: Mapping[str, Any]) -> WholeIds:
    """Each broker the run considered: what it knew of it, its addresses, and its healthy instances."""
    table = _table("broker", "knowledge", "addresses", "healthy before", min_widths={"knowledge": 8})
    for broker in sorted(report.get("brokers", []), key=lambda b: (b.get("name") or "", b["brokerId"])):
        knowledge = broker.get("knowledge", "")
        style = {"settled": "", "gone": "dim", "unresolved": "yellow"}.get(knowledge, "")
        said = f"{knowledge} ({broker['state']})" if broker.get("state") else knowledge
        if broker.get("addressSource") == "DescribeBroker":
            said += ", addresses from DescribeBroker"
        if knowledge != "settled":
            said = f"{said}: {broker.get('reason', '')}"
        addresses = "\n".join(f"{a['ip']} {a.get('zone') or ''}".rstrip() for a in broker.get("addresses", []))
        # As DescribeTargetHealth reported them when the run began, before its changes.
        table.add_row(
            _broker_cells(broker, 1)[0],
            Text(said, style=style),
            addresses or "-",
            str(broker.get("healthyInstances", "-")),
        )
    return WholeIds(table)


def problems(report: Mapping[str, Any]) -> RenderableType | None:
    lines = [Text(f"! {error}", style="yellow") for error in report.get("errors", [])]
    for failed in report.get("failedCalls", []):
        if failed.get("denied"):
            said = (
                f"! access denied: {failed['action']} was refused ({failed['code']}: {failed['message']}): "
                "what it reads is missing above"
            )
        else:
            said = f"! {failed['action']} failed: {failed['code']}: {failed['message']}"
        lines.append(Text(said, style="red"))
    return Group(Text("problems", style="bold"), *lines) if lines else None


def table(columns: Sequence[str], rows: Iterable[Sequence[str | Text]], *, title: str | None = None) -> Table:
    """A plain table in the same style, for whatever else needs one (the demo's summary)."""
    made = _table(*columns, title=title)
    for row in rows:
        made.add_row(*row)
    return made
