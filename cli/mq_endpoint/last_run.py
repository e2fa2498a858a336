"""What the deployed function last did: its newest report, read from its log group.

Every run logs one JSON line, `"message": "reconcile report"`, with the
report under `report` (src/reconciler/shell/handler.py). FilterLogEvents returns
the oldest events first, so the newest report is the last of a window:
first the last 15 minutes (a sweep runs every minute), then, if nothing ran
in them, the last day. Each window reads at most a few pages: the look-up is
bounded whatever the group holds.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError
from rich.text import Text

from .aws import explain
from .names import brokers_by_address

REPORT_PATTERN = '"reconcile report"'
WINDOWS_MINUTES = (15, 24 * 60)
MAX_PAGES = 3
PAGE_SIZE = 1000


@dataclass(frozen=True)
class LastRun:
    at: datetime  # when its report was logged
    report: Mapping[str, Any]

    def line(self, now: datetime | None = None) -> str:
        """`last run: 14:58:03 UTC (40 s ago), sweep (scheduled), ok, no problem`."""
        now = now or datetime.now(UTC)
        trigger = self.report.get("trigger") or {}
        kind = trigger.get("kind") or "rejected input"
        what = f"{kind} ({trigger['name']})" if trigger.get("name") else kind
        errors = self.report.get("errors") or []
        problems = f"{len(errors)} problem(s): {errors[0]}" if errors else "no problem"
        dry = ", dry run" if self.report.get("dryRun") else ""
        return (
            f"last run: {self.at:%Y-%m-%d %H:%M:%S} UTC ({ago(now - self.at)}), {what}{dry}, "
            f"{self.report.get('status')}, {problems}"
        )


@dataclass(frozen=True)
class LastRunRead:
    """The newest run found, or why none is shown: the look-up never fails a command."""

    run: LastRun | None
    said: str  # the line to print
    # ip -> the broker that had it in the newest report that listed it: who an address to remove was.
    formerly: Mapping[str, str] = field(default_factory=dict)

    @property
    def report(self) -> Mapping[str, Any] | None:
        return self.run.report if self.run else None

    def text(self) -> Text:
        """The line as printed: never wrapped by rich (its time varies; a terminal wraps long lines itself)."""
        return Text(self.said, style="dim", no_wrap=True, overflow="ignore")


def ago(elapsed: timedelta) -> str:
    seconds = max(0, int(elapsed.total_seconds()))
    if seconds < 120:
        return f"{seconds} s ago"
    if seconds < 2 * 3600:
        return f"{seconds // 60} min ago"
    return f"{seconds // 3600} h ago"


def read_last_run(session: boto3.session.Session, log_group: str) -> LastRunRead:
    logs = session.client("logs")
    now_ms = int(time.time() * 1000)
    try:
        for minutes in WINDOWS_MINUTES:
            runs = _reports(logs, log_group, now_ms - minutes * 60_000)
            if runs:
                formerly = {ip: name for run in runs for ip, name in brokers_by_address(run.report).items()}
                return LastRunRead(runs[-1], runs[-1].line(), formerly)
    except (ClientError, BotoCoreError) as error:
        return LastRunRead(None, f"last run: not read ({explain(error, 'logs:FilterLogEvents')})")
    return LastRunRead(
        None,
        f"last run: none in the last {WINDOWS_MINUTES[-1] // 60} h in {log_group}: is the function's schedule enabled?",
    )


def _reports(logs: Any, log_group: str, since_ms: int) -> list[LastRun]:
    """The window's runs, oldest first (FilterLogEvents' order), at most MAX_PAGES pages of them."""
    runs: list[LastRun] = []
    request: dict[str, Any] = {
        "logGroupName": log_group,
        "startTime": since_ms,
        "filterPattern": REPORT_PATTERN,
        "limit": PAGE_SIZE,
    }
    for _ in range(MAX_PAGES):
        page = logs.filter_log_events(**request)
        runs += [run for run in map(_run_of, page.get("events", [])) if run is not None]
        if not page.get("nextToken"):
            break
        request["nextToken"] = page["nextToken"]
    return sorted(runs, key=lambda run: run.at)


def _run_of(event: Mapping[str, Any]) -> LastRun | None:
    try:
        record = json.loads(event.get("message", ""))
    except json.JSONDecodeError:
        return None  # a line of Lambda's own (START, END, REPORT) or of another logger
    report = record.get("report") if isinstance(record, dict) else None
    if not isinstance(report, dict):
        return None
    return LastRun(datetime.fromtimestamp(event.get("timestamp", 0) / 1000, UTC), report)
