"""What ends a command early, and the one line the operator is told: never a traceback."""

from __future__ import annotations

import os

from .exit_codes import Exit

# Set to 1 to see the traceback of an unexpected error (a bug, or an answer no parser expected).
DEBUG_VARIABLE = "MQ_ENDPOINT_DEBUG"


class CommandError(Exception):
    """What the operator is told, on one line; the command exits 1."""

    code = Exit.ERROR


class UsageError(CommandError):
    """The command line itself is wrong: an unknown option, a bad value, a name that matches nothing."""

    code = Exit.USAGE


def one_line(text: str) -> str:
    """An error as one line: AWS messages and HTML bodies may hold newlines."""
    return " ".join(text.split())


def debugging() -> bool:
    return os.environ.get(DEBUG_VARIABLE, "") not in ("", "0")
