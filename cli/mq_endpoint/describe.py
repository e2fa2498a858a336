"""`mq-endpoint status BROKER`: one broker described, as kubectl describe does a resource.

What Amazon MQ says of it (engine, deployment, state), what the reconciler
knows (in scope, where its addresses come from, its interfaces), what the
NLB says of each of its targets and why, and what the function last did
for it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from . import render
from .last_run import LastRunRead

# Where a broker's addresses came from (the report's addressSource), in words.
ADDRESS_SOURCES = {
    "interfaces": "its Amazon MQ network interfaces (EC2)",
    "DescribeBroker": "DescribeBroker: EC2 could not say which interfaces are its own",
    "vpcEndpoint": "its VPC endpoint's interfaces (EC2; the endpoint is tagged with its id)",
    "vpcEndpointByDns": "its VPC endpoint's interfaces (EC2; the endpoint found through its hostname)",
}


def describe(
    document: Mapping[str, Any],
    broker: Mapping[str, Any],
    described: Mapping[str, Any] | str | None,
    last: LastRunRead,
    *,
    groups: Collection[str] | None = None,
    wide: bool = False,
    changed: Collection[tuple[str, str]] = (),
) -> RenderableType:
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold", no_wrap=True)
    facts.add_column(overflow="fold")
    for name, value in _facts(document, broker, described):
        facts.add_row(name, value)
    # A broker gone from scope has no rows: its targets, if any are left, are the plan's business.
    tables = render.status_tables(document, wide=wide, groups=groups, changed=changed, broker_id=broker["brokerId"])
    note = render.standby_note(document, groups, broker["brokerId"])
    return Group(
        Text.assemble(
            ("Broker ", "bold"), (broker.get("name") or "(unnamed)", "bold"), "  ", (broker["brokerId"], "dim")
        ),
        facts,
        *tables,
        *([note] if note is not None else []),
        last.text(),
        *_last_done(last, broker),
    )


def _facts(
    document: Mapping[str, Any], broker: Mapping[str, Any], described: Mapping[str, Any] | str | None
) -> list[tuple[str, RenderableType]]:
    facts: list[tuple[str, RenderableType]] = []
    if isinstance(described, Mapping):
        engine = " ".join(str(described[k]) for k in ("EngineType", "EngineVersion") if described.get(k))
        facts.append(("engine", f"{engine}, {described.get('DeploymentMode', '?')}"))
        facts.append(("state", str(described.get("BrokerState", "?"))))
    else:
        facts.append(("engine", str(broker.get("engine") or "unknown")))
        facts.append(("state", broker.get("state") or described or "not read"))
    knowledge = broker.get("knowledge", "")
    in_scope = {"settled": "yes", "unresolved": "yes, unresolved", "gone": "no"}.get(knowledge, knowledge)
    facts.append(
        (
            "in scope",
            f"{in_scope}{': ' + broker['reason'] if broker.get('reason') else ''} "
            f"(stack scope: {document.get('stack', {}).get('scope', '?')})",
        )
    )
    source = broker.get("addressSource")
    facts.append(("addresses from", ADDRESS_SOURCES.get(source, source) if source else "unknown"))
    interfaces = [
        f"{a.get('interfaceId') or '-'}  {a['ip']}  {a.get('zone') or '?'}" for a in broker.get("addresses", [])
    ]
    facts.append(("interfaces", "\n".join(interfaces) or "none found"))
    for refused in broker.get("refusedAddresses", []):
        facts.append(("refused", Text(f"{refused['ip']}: {refused['reason']}", style="yellow")))
    healthy = broker.get("healthyInstances", 0)
    facts.append(
        (
            "healthy",
            Text(
                f"{healthy} of {len(broker.get('addresses', []))} instance(s)", style="green" if healthy else "bold red"
            ),
        )
    )
    return facts


def _last_done(last: LastRunRead, broker: Mapping[str, Any]) -> list[Text]:
    """What the function's last run changed for this broker's addresses."""
    if last.report is None:
        return []
    name = broker.get("name") or broker["brokerId"]
    mine = [c for c in render.changes(last.report) if c.broker in (name, f"was {name}")]
    if not mine:
        return [Text(f"  for {name}: no change", style="dim")]
    verbs = render.change_verbs(done=not last.report.get("dryRun"))
    return [Text(f"  for {name}: {verbs[c.kind]} {c.target} ({c.group})", style="dim") for c in mine]
