"""What the NLB says of each broker in a status document: one row per target, and the brokers it cannot reach.

Pure: reads the CLI's dry-run document (the function's report, with each
group's `targets` and their health), decides nothing about AWS. The tables
(render.py), the describe view and --watch's comparison all read these rows,
so that they cannot disagree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from reconciler.core.targets import TargetState

from .names import ip_of, label_of


@dataclass(frozen=True)
class TargetRow:
    group: str  # "OpenWire 61617"
    ip: str
    zone: str | None
    broker: Mapping[str, Any] | None  # the report's broker in scope with this address, if any
    health: str | None  # None: not registered
    reason: str | None
    interface: str | None
    current: str  # "yes", "no: to register", "no: to deregister", "no: stays (see plan)", "no: draining", "unknown"
    # The unhealthy instance of a broker whose other instance is healthy: an active/standby broker's standby.
    standby: bool = False
    # An unresolved broker without known addresses: one row saying so, no target.
    unresolved: str | None = None
    # A target no broker in scope has: the broker the reconciler last registered it for, if it knows.
    former_broker_id: str | None = None

    @property
    def key(self) -> tuple[str, str]:
        """What --watch compares refreshes by."""
        return (self.group, self.ip or f"({self.broker_id})")

    @property
    def broker_id(self) -> str | None:
        return self.broker["brokerId"] if self.broker else None


def in_scope(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The brokers the endpoint serves, by name: every broker not confirmed gone."""
    return sorted(
        (b for b in document.get("brokers", []) if b.get("knowledge") != "gone"),
        key=lambda b: (b.get("name") or "", b["brokerId"]),
    )


def without_healthy_instance(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Brokers in scope that no healthy target serves: the outage an operator is looking for.

    An unresolved broker counts: its addresses unknown, nothing shows it healthy.
    """
    return [b for b in in_scope(document) if not b.get("healthyInstances")]


def rows_by_group(document: Mapping[str, Any]) -> dict[str, list[TargetRow]]:
    """Per target group (by label, in the function's order): each broker's
    addresses, then the targets no broker wants."""
    brokers = in_scope(document)
    healthy = {b["brokerId"] for b in brokers if b.get("healthyInstances")}
    by_group: dict[str, list[TargetRow]] = {}
    for group in document.get("targetGroups", []):
        label = label_of(group)
        by_group[label] = _rows_of(group, label, brokers, healthy)
    return by_group


def _rows_of(
    group: Mapping[str, Any], label: str, brokers: Sequence[Mapping[str, Any]], healthy: set[str]
) -> list[TargetRow]:
    port = group.get("port")
    observed = {t["target"]: t for t in group.get("targets", [])}
    to_register = set(group.get("registered", []))
    to_deregister = {d["target"] for d in group.get("deregistered", [])}
    withheld = {w["target"] for w in group.get("withheld", [])}
    rows: list[TargetRow] = []
    wanted = set()
    # A group serves one engine: the other engine's brokers are not its business.
    # (A broker whose engine is unknown, its DescribeBroker having failed, shows in every group.)
    # Nor, in a cutover, the brokers of the other target-group set: their addresses are neither kept nor to register.
    here = set(group.get("kept", [])) | to_register
    for broker in (b for b in brokers if b.get("engine") in (None, group.get("engine", "ACTIVEMQ"))):
        if broker.get("addresses") and not any(f"{a['ip']}:{port}" in here for a in broker["addresses"]):
            continue
        if not broker.get("addresses"):
            rows.append(
                TargetRow(
                    label,
                    "",
                    None,
                    broker,
                    None,
                    None,
                    None,
                    "unknown",
                    unresolved=broker.get("reason") or broker.get("knowledge", ""),
                )
            )
        for address in broker.get("addresses", []):
            target = f"{address['ip']}:{port}"
            wanted.add(target)
            seen = observed.get(target)
            present = seen is not None and not TargetState.of(seen["state"]).leaving
            state = seen["state"] if seen else None
            rows.append(
                TargetRow(
                    label,
                    address["ip"],
                    address.get("zone"),
                    broker,
                    state,
                    seen.get("reason") if seen else None,
                    address.get("interfaceId"),
                    "no: to register" if target in to_register or not present else "yes",
                    standby=state == "unhealthy" and broker["brokerId"] in healthy,
                )
            )
    for target, seen in sorted(observed.items()):
        if target in wanted:
            continue
        if target in to_deregister:
            current = "no: to deregister"
        elif target in withheld:
            current = "no: stays (see plan)"
        else:
            current = "no: draining"
        rows.append(
            TargetRow(
                label,
                ip_of(target),
                None,
                None,
                seen["state"],
                seen.get("reason"),
                None,
                current,
                former_broker_id=seen.get("brokerId"),
            )
        )
    return rows


def nlb_says(rows: Sequence[TargetRow]) -> str:
    """One address's health across the groups serving it: `unhealthy Target.Timeout (OpenWire 61617, console 8162)`."""
    said: dict[str, list[str]] = {}
    for row in rows:
        if row.health is None:
            verdict = "not registered"
        else:
            verdict = f"{row.health} {row.reason}" if row.reason else row.health
        said.setdefault(verdict, []).append(row.group)
    return "; ".join(f"{verdict} ({', '.join(groups)})" for verdict, groups in said.items())
