"""A spinner on stderr, on terminals only, saying what is being read and how far it got."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console

from .aws import CallWatch
from .stack import DeployedStack


@contextmanager
def progress(
    err: Console, watch: CallWatch | None, what: str, *, quiet: bool, stack: DeployedStack | None = None
) -> Iterator[None]:
    """What is being read, and how far: brokers listed, groups read, brokers described."""
    if quiet or not err.is_terminal:
        yield
        return
    started = time.monotonic()
    with err.status(what) as status:

        def update() -> None:
            if watch is None:
                return
            parts = [what]
            if watch.brokers_listed:
                parts.append(f"{watch.brokers_listed} tagged broker(s)")
            if watch.done["ec2:DescribeNetworkInterfaces"]:
                parts.append("interfaces listed")
            if stack is not None:
                groups = len(stack.target_group_arns) + len(stack.rabbitmq_target_group_arns)
                parts.append(f"{watch.done['elasticloadbalancing:DescribeTargetHealth']}/{groups} target groups")
            if watch.done["mq:DescribeBroker"]:
                parts.append(f"{watch.done['mq:DescribeBroker']} broker(s) described")
            status.update(f"{', '.join(parts)} ({time.monotonic() - started:.0f} s)")

        if watch is not None:
            watch.listeners.append(update)
        try:
            yield
        finally:
            if watch is not None:
                watch.listeners.remove(update)
