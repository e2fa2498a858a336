"""mq-endpoint's exit codes, what each means for each command, and how a report becomes one.

The one table of them: --help prints it, the README repeats it (a test
compares the two), and scripts branch on it. Two rules shape it: a typo
never looks like an answer (usage errors exit 64, never 0 or 2), and 0
always means "nothing needs anyone": no change pending, nothing in scope
unknown, every broker served.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import IntEnum
from typing import Any


class Exit(IntEnum):
    OK = 0
    ERROR = 1
    PENDING = 2  # as terraform plan -detailed-exitcode
    ATTENTION = 3
    USAGE = 64  # EX_USAGE of sysexits.h
    INTERRUPTED = 130  # 128 + SIGINT: what a shell reports for a command stopped by Ctrl-C


MEANINGS: tuple[tuple[Exit, str], ...] = (
    (
        Exit.OK,
        "status: every broker in scope has a healthy instance; plan: nothing to do; "
        "resync: done, nothing left undone or unknown; cutover: done",
    ),
    (
        Exit.ERROR,
        "error: a call failed, was refused or got no answer in time; no such stack; no credentials; "
        "the function failed or the resync was cancelled",
    ),
    (
        Exit.PENDING,
        "plan, resync --dry-run: changes pending; resync: the run left changes undone (refused, cut short); "
        "cutover: not done yet (the new broker not healthy in time, or --keep-old)",
    ),
    (
        Exit.ATTENTION,
        "status: a broker in scope has no healthy instance (or none known); plan, resync: nothing "
        "pending, but something in scope is unresolved or needs a look (see its problems)",
    ),
    (
        Exit.USAGE,
        "usage: an unknown option, a bad value, an unknown broker or group; resync or cutover off a terminal "
        "without --yes",
    ),
    (Exit.INTERRUPTED, "interrupted (Ctrl-C)"),
)
PIPE_NOTE = "A closed output pipe (mq-endpoint plan | head -1) never changes the code."


def help_text() -> str:
    lines = ["exit codes:"]
    lines += [f"  {code.value:<4} {meaning}" for code, meaning in MEANINGS]
    lines.append(f"  {PIPE_NOTE}")
    return "\n".join(lines)


def of_plan(report: Mapping[str, Any], *, calls_failed: bool = False) -> Exit:
    """plan, resync --dry-run and resync, from the report of the run (a dry run's, or the function's own).

    A dry run's registered/deregistered are what it would change: pending.
    A real run's are done; what it meant to change and did not (refused, or
    not sent when cut short) is what stays pending. Anything else that made
    the run incomplete (an unresolved broker, a withheld removal, an instance
    the NLB does not route to) is not a change anyone can make now: it needs
    a look, so "nothing to do" cannot be said.
    """
    if calls_failed or report.get("status") not in ("ok", "incomplete"):
        return Exit.ERROR
    groups = report.get("targetGroups", [])
    if report.get("dryRun"):
        pending = any(g.get("registered") or g.get("deregistered") for g in groups)
    else:
        pending = bool(report.get("cutShort")) or any(g.get("refused") for g in groups)
    if pending:
        return Exit.PENDING
    return Exit.ATTENTION if report.get("status") == "incomplete" else Exit.OK


def of_status(report: Mapping[str, Any], *, calls_failed: bool, brokers_down: int) -> Exit:
    """status: whether every broker in scope has a healthy instance, once everything could be read."""
    if calls_failed or report.get("status") == "failed":
        return Exit.ERROR
    return Exit.ATTENTION if brokers_down else Exit.OK
