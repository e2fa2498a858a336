"""What every command works with: its options, where it writes, the AWS
session and the stack, opened once when first needed."""

from __future__ import annotations

import argparse
import os
from functools import cached_property

import boto3

from .aws import CallWatch, Timeouts, open_session
from .console import PipeSafeConsole
from .errors import UsageError
from .progress import progress
from .stack import STACK_VARIABLE, DeployedStack, read_stack


class Context:
    def __init__(self, args: argparse.Namespace, out: PipeSafeConsole, err: PipeSafeConsole) -> None:
        self.args = args
        self.out = out
        self.err = err

    @property
    def output(self) -> str:
        """table, wide or json (--json is -o json)."""
        return "json" if getattr(self.args, "json", False) else str(getattr(self.args, "output", None) or "table")

    @property
    def as_json(self) -> bool:
        return self.output == "json"

    @cached_property
    def stack_name(self) -> str:
        name = getattr(self.args, "stack", None) or os.environ.get(STACK_VARIABLE)
        if not name:
            raise UsageError(f"which stack? pass --stack NAME or set {STACK_VARIABLE}")
        return str(name)

    @cached_property
    def session(self) -> boto3.session.Session:
        timeouts = Timeouts.of(getattr(self.args, "connect_timeout", None), getattr(self.args, "read_timeout", None))
        return open_session(getattr(self.args, "profile", None), getattr(self.args, "region", None), timeouts)

    @cached_property
    def watch(self) -> CallWatch:
        return CallWatch(self.session)

    @property
    def opened_watch(self) -> CallWatch | None:
        """The watch, if the command got as far as opening a session: what an unexpected error is blamed on."""
        watch: CallWatch | None = self.__dict__.get("watch")
        return watch

    @cached_property
    def stack(self) -> DeployedStack:
        name = self.stack_name
        with progress(self.err, self.watch, f"reading stack {name}", quiet=self.as_json):
            return read_stack(self.session, name)
