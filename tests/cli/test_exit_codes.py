"""Exit codes: what a report makes each command exit with, and the one table of them that --help and the README show."""

from pathlib import Path
from typing import Any

import pytest

from mq_endpoint.exit_codes import MEANINGS, PIPE_NOTE, Exit, help_text, of_plan, of_status

README = Path(__file__).resolve().parents[2] / "README.md"


def report(status: str = "ok", *, dry_run: bool = True, cut_short: bool = False, **group: Any) -> dict[str, Any]:
    return {
        "status": status,
        "dryRun": dry_run,
        "cutShort": cut_short,
        "targetGroups": [{"registered": [], "deregistered": [], "refused": [], "withheld": [], **group}],
    }


@pytest.mark.parametrize(
    ("given", "code"),
    [
        (report(), Exit.OK),
        (report(registered=["10.0.1.5:61617"]), Exit.PENDING),
        (report(deregistered=[{"target": "10.0.1.5:61617", "evidence": "gone"}]), Exit.PENDING),
        (report("incomplete", withheld=[{"target": "10.0.1.5:61617", "reason": "held"}]), Exit.ATTENTION),
        (report("incomplete"), Exit.ATTENTION),  # an unresolved broker: nothing pending, not everything known
        (report("incomplete", registered=["10.0.1.5:61617"]), Exit.PENDING),
        (report("failed"), Exit.ERROR),
        (report("rejected"), Exit.ERROR),
        (report(dry_run=False, registered=["10.0.1.5:61617"]), Exit.OK),  # done: nothing left
        (report("incomplete", dry_run=False, refused=[{"target": "10.0.1.5:61617"}]), Exit.PENDING),
        (report("incomplete", dry_run=False, cut_short=True), Exit.PENDING),
        (report("incomplete", dry_run=False), Exit.ATTENTION),
    ],
)
def test_plan_and_resync_exit_with_what_the_run_says(given: dict[str, Any], code: Exit) -> None:
    assert of_plan(given) is code


def test_a_failed_call_is_an_error_whatever_the_report_says() -> None:
    assert of_plan(report(), calls_failed=True) is Exit.ERROR
    assert of_status(report(), calls_failed=True, brokers_down=0) is Exit.ERROR


def test_status_exits_3_while_a_broker_has_no_healthy_instance() -> None:
    assert of_status(report(), calls_failed=False, brokers_down=0) is Exit.OK
    assert of_status(report(), calls_failed=False, brokers_down=1) is Exit.ATTENTION
    assert of_status(report("failed"), calls_failed=False, brokers_down=0) is Exit.ERROR


def test_usage_errors_never_look_like_an_answer() -> None:
    assert Exit.USAGE not in (Exit.OK, Exit.PENDING)


def test_the_readme_shows_the_same_table_as_help() -> None:
    text = README.read_text()
    rows = [line for line in text.splitlines() if line.startswith("| ") and line.split("|")[1].strip().isdigit()]
    assert rows == [f"| {code.value} | {meaning} |" for code, meaning in MEANINGS]
    assert PIPE_NOTE in text
    assert all(f"  {code.value:<4} {meaning}" in help_text() for code, meaning in MEANINGS)
