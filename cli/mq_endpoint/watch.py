"""--watch: read again every few seconds, and show what changed since the last read, until Ctrl-C.

As `watch -d` does for any command, and kubectl's -w for resources: each
refresh is the whole view, the rows that changed stand out (in reverse
video on a terminal), and a list above the view says what changed, so that
a pipe or a log file shows it too.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Protocol, TypeVar

from rich.text import Text

from .context import Context
from .exit_codes import Exit

DEFAULT_INTERVAL = 5.0

Key = tuple[str, str]


class Refreshable(Protocol):
    @property
    def code(self) -> Exit: ...


Read = TypeVar("Read", bound=Refreshable)


def watch(
    ctx: Context,
    read: Callable[[], Read],
    show: Callable[[Read, set[Key]], None],
    seen_in: Callable[[Read], Mapping[Key, str]],
    *,
    interval: float | None,
    count: int | None,
) -> int:
    """Refresh until Ctrl-C (KeyboardInterrupt: exit 130), or `count` refreshes: then the last one's exit code."""
    every = interval or DEFAULT_INTERVAL
    previous: Mapping[Key, str] | None = None
    refresh = 0
    while True:
        refresh += 1
        ctx.watch.restart_budget()
        current = read()
        seen = seen_in(current)
        changed = differences(previous, seen) if previous is not None else {}
        if ctx.out.is_terminal:
            ctx.out.clear()
        if not ctx.as_json:
            ctx.out.print(
                Text(
                    f"Every {every:g} s, refresh {refresh} at {datetime.now(UTC):%H:%M:%S} UTC (Ctrl-C stops)",
                    style="dim",
                )
            )
            for key, said in changed.items():
                ctx.out.print(Text(f"changed: {' '.join(key)}: {said}", style="bold"))
        show(current, set(changed))
        ctx.out.file.flush()
        previous = seen
        if count is not None and refresh >= count:
            return current.code
        time.sleep(every)


def differences(before: Mapping[Key, str], after: Mapping[Key, str]) -> dict[Key, str]:
    """key -> `was -> is` for every row that appeared, went, or changed."""
    found: dict[Key, str] = {}
    for key in sorted(set(before) | set(after)):
        was, now = before.get(key), after.get(key)
        if was == now:
            continue
        found[key] = f"new: {now}" if was is None else f"gone (was {was})" if now is None else f"{was} -> {now}"
    return found
