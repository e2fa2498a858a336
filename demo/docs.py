"""`python -m demo --write-docs`: the "real output" of docs/operating.md and docs/demo.md, from sessions on the demo.

Every such block is the output of the commands it shows, run on the
account the demo leaves behind (seed 4, moto's ids seeded too, so the same
every time), through the very code an operator runs: mq-endpoint's main()
and `python -m emulator`'s, in this process, at a fixed width. A block sits
between two markers; writing replaces what is between them. A test
(tests/e2e/test_docs_output.py) runs the sessions again and fails when a
block no longer matches, the times and durations of a run aside.
"""

import contextlib
import io
import os
import re
import shlex
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from emulator.__main__ import main as emulator_main
from mq_endpoint.main import main as mq_endpoint_main

from .account import told

ROOT = Path(__file__).resolve().parent.parent
OPERATING_DOC = ROOT / "docs" / "operating.md"
DEMO_DOC = ROOT / "docs" / "demo.md"
SEED = 4
WIDTH = "120"
BEGIN = "<!-- real output: {name} (python -m demo --write-docs) -->"
END = "<!-- end of real output -->"

# What each block shows: commands, in the order they run, on the account as the previous block left it.
SESSIONS: dict[str, Sequence[str]] = {
    # docs/demo.md: the story left orders on addresses no target group holds (its last step only planned).
    "demo-session": (
        '.venv/bin/mq-endpoint status --stack mq-endpoint --group 61617; echo "exit $?"',
        '.venv/bin/mq-endpoint plan --stack mq-endpoint; echo "exit $?"',
        '.venv/bin/mq-endpoint resync --yes --stack mq-endpoint; echo "exit $?"',
        '.venv/bin/mq-endpoint plan --stack mq-endpoint; echo "exit $?"',
    ),
    # docs/operating.md: the outage status leads with, one broker described, and the wrong region.
    "operating-session": (
        ".venv/bin/python -m emulator state orders REBOOT_IN_PROGRESS",
        '.venv/bin/mq-endpoint status --stack mq-endpoint --group 61617; echo "exit $?"',
        ".venv/bin/python -m emulator state orders RUNNING",
        ".venv/bin/mq-endpoint status orders --stack mq-endpoint --group 61617",
        '.venv/bin/mq-endpoint plan --stack mq-endpoint --region us-east-1; echo "exit $?"',
    ),
}
WHERE = {"demo-session": DEMO_DOC, "operating-session": OPERATING_DOC}
PROGRAMS: dict[str, Callable[[list[str]], int]] = {
    ".venv/bin/mq-endpoint": lambda argv: int(mq_endpoint_main(argv)),
    ".venv/bin/python -m emulator": emulator_main,
}
# What differs from one run to the next: how long it took, and when.
VOLATILE = [
    (re.compile(r"\b\d+ ms\b"), "N ms"),
    (re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(\d+ (s|min|h) ago\)"), "<when>"),
]


def sessions() -> dict[str, str]:
    """Each block's text, run now."""
    shown: dict[str, str] = {}
    # Before the story's last part, the cutover of orders, which these sessions would not find in scope.
    with contextlib.redirect_stdout(io.StringIO()), told(SEED, replace_orders=False) as (server, aws, _):
        server.serve_control(aws)
        with _width(WIDTH):
            for name, commands in SESSIONS.items():
                shown[name] = "".join(_run(command) for command in commands)
    return shown


def _run(command: str) -> str:
    """`$ command`, then what it printed (stdout and stderr, as a terminal shows them), then `exit N` if asked."""
    line, _, echo = command.partition(";")
    program = next(p for p in PROGRAMS if line.startswith(p + " "))
    captured = io.StringIO()
    with contextlib.redirect_stdout(captured), contextlib.redirect_stderr(captured):
        code = PROGRAMS[program](shlex.split(line[len(program) :]))
    return f"$ {command}\n{captured.getvalue()}" + (f"exit {code}\n" if echo else "")


@contextlib.contextmanager
def _width(columns: str) -> Iterator[None]:
    saved = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = columns
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = saved


def blocks_in(text: str) -> dict[str, str]:
    """The blocks a document holds now, by name."""
    found = {}
    for name in SESSIONS:
        begin = BEGIN.format(name=name)
        if begin in text:
            inside = text.split(begin, 1)[1].split(END, 1)[0]
            found[name] = inside.strip().removeprefix("```text").removesuffix("```").strip("\n") + "\n"
    return found


def normalized(text: str) -> str:
    for pattern, stands_for in VOLATILE:
        text = pattern.sub(stands_for, text)
    return text


def write_docs() -> None:
    shown = sessions()
    for name, path in WHERE.items():
        text = path.read_text()
        begin = BEGIN.format(name=name)
        if begin not in text:
            raise SystemExit(f"{path.relative_to(ROOT)} has no {begin!r}: put it, and {END!r}, where the block goes")
        before, rest = text.split(begin, 1)
        _, after = rest.split(END, 1)
        path.write_text(f"{before}{begin}\n```text\n{shown[name]}```\n{END}{after}")
        print(f"wrote {name} into {path.relative_to(ROOT)}")
