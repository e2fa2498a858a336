"""Where mq-endpoint writes: a terminal, or a pipe whose reader may leave (`mq-endpoint plan | head -1`)."""

from __future__ import annotations

import io
import os
import sys
from typing import TextIO, cast

from rich.console import Console

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


class PipeSafeConsole(Console):
    """A console whose reader may go away: what is left unwritten is dropped, and the command's exit code stands.

    rich's own answer to a broken pipe is SystemExit(1), which turned plan's
    2 into a 1 the moment `head -1` had read its line.
    """

    def __init__(self, stream: TextIO, **options: object) -> None:
        super().__init__(**options)  # type: ignore[arg-type]
        self._stream = stream

    def on_broken_pipe(self) -> None:
        self.quiet = True
        discard_writes_to(self._stream)


def discard_writes_to(stream: TextIO) -> None:
    """Point the stream's descriptor at /dev/null: nothing written later, nor the flush at exit, can fail again."""
    try:
        descriptor = stream.fileno()
    except (AttributeError, OSError, ValueError):
        return  # not a file (a test's capture): nothing to redirect
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, descriptor)
    os.close(devnull)


def make_console(*, stderr: bool = False) -> PipeSafeConsole:
    stream = sys.stderr if stderr else sys.stdout
    if stream.isatty():
        # highlight=False: rich would colour every number and IP at random.
        return PipeSafeConsole(stream, file=stream, highlight=False)
    # rich writes and flushes, nothing more: a TextIOBase serves as its IO[str].
    trimmed = cast(TextIO, _TrimmedLines(stream))
    return PipeSafeConsole(stream, file=trimmed, width=int(os.environ.get("COLUMNS", PIPE_WIDTH)), highlight=False)
