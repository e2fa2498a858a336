"""Tables of an endpoint's state and changes, from the function's report: one way to show them, for the CLI and the demo.

Everything here reads a report as report.report_run writes it (the CLI's
local documents add each group's `targets`), so a resync's report from the
function and a local dry run render alike. Broker names, not only ids;
target groups by protocol and port, not their generated names.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TextIO, cast

from rich import box
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text


# template.yaml's listeners: each protocol has its own port.
PROTOCOLS = {61617: "OpenWire", 5671: "AMQP", 61614: "STOMP", 8883: "MQTT", 61619: "WSS", 8162: "console"}
# A RabbitMQ group's port says another protocol: AMQP 0-9-1 over TLS, and the management console.
RABBITMQ_PROTOCOLS = {5671: "RabbitMQ AMQPS", 443: "RabbitMQ console"}
HEALTH_STYLES = {"healthy": "green", "unhealthy": "red", "initial": "yellow", "draining": "yellow", "unused": "magenta"}
# Width when the output is not a terminal (a pipe, a file, a test): wide enough that evidence is not folded.
PIPE_WIDTH = 160


class _TrimmedLines(io.TextIOBase):
    """A pipe's lines without the spaces rich pads table rows with: a file or a diff of the output stays clean."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._partial = ""

    def write(self, text: str) -> int:
        *lines, self._partial = (self._partial + text).split("\n")
        for line in lines:
            self._stream.write(line.rstrip() + "\n")
        return len(text)

    def flush(self) -> None:
        self._stream.flush()


def make_console(*, stderr: bool = False) -> Console:
    stream = sys.stderr if stderr else sys.stdout
    if stream.isatty():
        # highlight=False: rich would colour every number and IP at random.
        return Console(file=stream, highlight=False)
    # rich writes and flushes, nothing more: a TextIOBase serves as its IO[str].
    trimmed = cast(TextIO, _TrimmedLines(stream))
    return Console(file=trimmed, width=int(os.environ.get("COLUMNS", PIPE_WIDTH)), highlight=False)


def group_label(port: int | None, engine: str | None = None) -> str:
    """A target group as operators know it: its protocol and port, not its generated name."""
    protocols = RABBITMQ_PROTOCOLS if engine == "RABBITMQ" else PROTOCOLS
    return f"{protocols.get(port or 0, 'port')} {port}" if port else "target group"


@dataclass(frozen=True)
class Names:
    """Broker ids -> names, as the report's brokers carry them (the tagging API's ARNs hold the names)."""

    names: Mapping[str, str | None]

    @classmethod
    def of(cls, report: Mapping[str, Any]) -> Names:
        return cls({b["brokerId"]: b.get("name") for b in report.get("brokers", [])})

    def label(self, broker_id: str | None) -> str:
        """`orders (b-...)`: name and id."""
        if broker_id is None:
            return "-"
        name = self.names.get(broker_id)
        return f"{name} ({broker_id})" if name else broker_id

    def short(self, broker_id: str | None) -> str:
        """`orders`: the name where there is one (status shows the ids), else the id."""
        if broker_id is None:
            return "-"
        return self.names.get(broker_id) or broker_id


def _broker_of_address(report: Mapping[str, Any]) -> dict[str, str]:
    """ip -> the broker in scope that has it."""
    return {
        a["ip"]: b["brokerId"]
        for b in report.get("brokers", [])
        if b.get("knowledge") != "gone"
        for a in b.get("addresses", [])
    }


def _ip(target: str) -> str:
    return target.rsplit(":", 1)[0]


def _health(state: str | None) -> Text:
    if state is None:
        return Text("-", style="dim")
    return Text(state, style=HEALTH_STYLES.get(state, ""))


# --- status: one table per target group ----------------------------------------------


def status_tables(document: Mapping[str, Any]) -> list[Table]:
    """Per target group: each broker's addresses and zones, the NLB's health, and whether each is current."""
    names = Names.of(document)
    in_scope = sorted(
        (b for b in document.get("brokers", []) if b.get("knowledge") != "gone"),
        key=lambda b: (b.get("name") or "", b["brokerId"]),
    )
    tables = []
    for group in document.get("targetGroups", []):
        port = group.get("port")
        title = Text.assemble((group_label(port, group.get("engine")), "bold"), ("  " + (group.get("name") or group.get("arn") or ""), "dim"))
        table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD)
        table.add_column("broker")
        for column in ("address", "zone", "health"):
            table.add_column(column, no_wrap=True)
        table.add_column("current")
        if group.get("errors") and not group.get("targets"):
            table.add_row(Text("could not be read", style="red"), "", "", "", Text("; ".join(group["errors"]), style="red"))
            tables.append(table)
            continue
        observed = {t["target"]: t for t in group.get("targets", [])}
        to_register = set(group.get("registered", []))
        deregister = {d["target"]: d["evidence"] for d in group.get("deregistered", [])}
        withheld = {w["target"] for w in group.get("withheld", [])}
        wanted = set()
        # A group serves one engine: the other engine's brokers are not its business.
        # (A broker whose engine is unknown, its DescribeBroker having failed, shows in every group.)
        # Nor are brokers the other target-group set serves in a cutover: their addresses are neither kept nor to register.
        here = set(group.get("kept", [])) | to_register
        for broker in (b for b in in_scope if b.get("engine") in (None, group.get("engine", "ACTIVEMQ"))):
            if broker.get("addresses") and not any(f"{a['ip']}:{port}" in here for a in broker["addresses"]):
                continue
            cells = _broker_cells(broker, len(broker.get("addresses", [])))
            if not broker.get("addresses"):
                table.add_row(cells[0], Text("unknown", style="yellow"), "", "",
                              Text(f"unresolved: {broker.get('reason', '')}", style="yellow"))
            for position, address in enumerate(broker.get("addresses", [])):
                target = f"{address['ip']}:{port}"
                wanted.add(target)
                seen = observed.get(target)
                present = seen is not None and seen["state"] != "draining"
                if target in to_register or not present:
                    current = Text("no: to register", style="yellow")
                else:
                    current = Text("yes", style="green")
                table.add_row(cells[position], address["ip"], address.get("zone") or "?",
                              _health(seen["state"] if seen else None), current)
        for target, seen in sorted(observed.items()):
            if target in wanted:
                continue
            if target in deregister:
                current = Text("no: to deregister", style="red")
            elif target in withheld:
                current = Text("no: stays (see plan)", style="yellow")
            else:
                current = Text("no: draining", style="dim")
            table.add_row(names.label(seen.get("brokerId")), _ip(target), "", _health(seen["state"]), current)
        tables.append(table)
    return tables


def _broker_cells(broker: Mapping[str, Any], rows: int) -> list[Text]:
    """The broker column of its rows: the name on the first, the id under it, then nothing; its instances read as one."""
    name = broker.get("name") or "(unnamed)"
    identifier = Text(broker["brokerId"], style="dim")
    if rows <= 1:
        return [Text.assemble(name, "\n", identifier)]
    return [Text(name), identifier] + [Text("")] * (rows - 2)


# --- changes: plan (would), resync (did) ---------------------------------------------


@dataclass(frozen=True)
class Change:
    group: str
    kind: str  # register, deregister, withheld, refused
    target: str
    broker: str
    why: str


CHANGE_STYLES = {"register": "green", "deregister": "red", "withheld": "yellow", "refused": "red"}


def changes(report: Mapping[str, Any]) -> list[Change]:
    """Every change a report holds, with its broker and its evidence (or why it waits), group by group."""
    names = Names.of(report)
    holders = _broker_of_address(report)
    addresses = {a["ip"]: (b, a) for b in report.get("brokers", []) for a in b.get("addresses", [])}
    found: list[Change] = []
    for group in report.get("targetGroups", []):
        label = group_label(group.get("port"), group.get("engine"))
        attributed = {t["target"]: t.get("brokerId") for t in group.get("targets", [])}

        def broker_of(target: str) -> str:
            return names.short(holders.get(_ip(target)) or attributed.get(target))

        for target in group.get("registered", []):
            found.append(Change(label, "register", target, broker_of(target), _why_registered(addresses.get(_ip(target)))))
        for removal in group.get("deregistered", []):
            found.append(Change(label, "deregister", removal["target"], broker_of(removal["target"]), removal["evidence"]))
        for kept in group.get("withheld", []):
            found.append(Change(label, "withheld", kept["target"], broker_of(kept["target"]), kept["reason"]))
        for refused in group.get("refused", []):
            found.append(Change(label, "refused", refused["target"], names.short(refused.get("brokerId")), refused["message"]))
    return found


def _why_registered(held: tuple[Mapping[str, Any], Mapping[str, Any]] | None) -> str:
    if held is None:
        return "an address of a broker in scope"
    broker, address = held
    if broker.get("addressSource") == "interfaces" and address.get("interfaceId"):
        return f"its interface {address['interfaceId']} ({address.get('zone') or 'zone unknown'})"
    return broker.get("reason") or "DescribeBroker reports it"


def changes_tables(report: Mapping[str, Any], *, done: bool) -> list[Table]:
    """One table per target group with changes: what a run changed (done) or would change."""
    verbs = {"register": "registered" if done else "register", "deregister": "deregistered" if done else "deregister",
             "withheld": "stays", "refused": "refused"}
    signs = {"register": "+", "deregister": "-", "withheld": "=", "refused": "!"}
    tables: dict[str, Table] = {}
    for change in changes(report):
        if change.group not in tables:
            tables[change.group] = Table(title=Text(change.group, style="bold"), title_justify="left", box=box.SIMPLE_HEAD)
            for column in ("change", "address", "broker", "evidence / reason"):
                tables[change.group].add_column(column)
        tables[change.group].add_row(Text(f"{signs[change.kind]} {verbs[change.kind]}", style=CHANGE_STYLES[change.kind]),
                                     _ip(change.target), change.broker, change.why)
    return list(tables.values())


def count_changes(report: Mapping[str, Any]) -> dict[str, int]:
    counted = {"register": 0, "deregister": 0, "withheld": 0, "refused": 0}
    for change in changes(report):
        counted[change.kind] += 1
    return counted


# --- brokers, problems, summaries -------------------------------------------------------


def brokers_table(report: Mapping[str, Any]) -> Table:
    """Each broker the run considered: what it knew of it, its addresses, and its healthy instances."""
    table = Table(box=box.SIMPLE_HEAD)
    table.add_column("broker", no_wrap=True)
    table.add_column("knowledge", min_width=8)
    table.add_column("addresses", no_wrap=True)
    # As DescribeTargetHealth reported them when the run began, before its changes.
    table.add_column("healthy before", justify="right")
    for broker in sorted(report.get("brokers", []), key=lambda b: (b.get("name") or "", b["brokerId"])):
        knowledge = broker.get("knowledge", "")
        style = {"settled": "", "gone": "dim", "unresolved": "yellow"}.get(knowledge, "")
        said = f"{knowledge} ({broker['state']})" if broker.get("state") else knowledge
        if broker.get("addressSource") == "DescribeBroker":
            said += ", addresses from DescribeBroker"
        if knowledge != "settled":
            said = f"{said}: {broker.get('reason', '')}"
        addresses = "\n".join(f"{a['ip']} {a.get('zone') or ''}".rstrip() for a in broker.get("addresses", []))
        table.add_row(_broker_cells(broker, 1)[0], Text(said, style=style), addresses or "-",
                      str(broker.get("healthyInstances", "-")))
    return table


def problems(report: Mapping[str, Any]) -> RenderableType | None:
    lines = [Text(f"! {error}", style="yellow") for error in report.get("errors", [])]
    for failed in report.get("failedCalls", []):
        if failed.get("denied"):
            said = f"! access denied: {failed['action']} was refused ({failed['code']}: {failed['message']}): what it reads is missing above"
        else:
            said = f"! {failed['action']} failed: {failed['code']}: {failed['message']}"
        lines.append(Text(said, style="red"))
    return Group(Text("problems", style="bold"), *lines) if lines else None


def table(columns: Sequence[str], rows: Iterable[Sequence[str | Text]], *, title: str | None = None) -> Table:
    """A plain table in the same style, for whatever else needs one (the demo's summary)."""
    made = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD)
    for column in columns:
        made.add_column(column)
    for row in rows:
        made.add_row(*row)
    return made
