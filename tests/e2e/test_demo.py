"""`make demo` tells its whole story and exits 0."""

import pytest

from demo.__main__ import main


@pytest.mark.slow  # the whole demo story: a few seconds
def test_the_demo_tells_every_step_and_exits_0(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")

    assert main([]) == 0

    out = capsys.readouterr().out
    assert out.count("\n=== ") == 11, "nine steps, the summary and the cutover"
    assert "(would)" not in out.split("A minute later", 1)[1].split("===", 1)[0], "its second reading removes"
    assert "target groups unchanged by the dry run: yes" in out
    assert "status=failed" not in out
    summary = out.split("=== Summary", 1)[1].split("=== Cutover", 1)[0].splitlines()
    first, *_, dry_run = [line.split() for line in summary if line.strip()[:1].isdigit()]
    assert first[:3] == ["1", "First", "sweep"] and first[-3:] == ["9", "0", "0"], (
        "4 ActiveMQ addresses in 2 groups, 1 RabbitMQ"
    )
    assert dry_run[-5:] == ["4", "(would)", "4", "(would)", "4"], (
        "payments' go (deleted a minute ago), orders' old ones wait"
    )
    cutover = out.split("=== Cutover", 1)[1]
    reached = [
        line.split("reaches ", 1)[1] for line in cutover.splitlines() if "a new connection to 61617 reaches" in line
    ]
    assert reached == ["analytics, orders"] * 3 + ["analytics, orders-4"] * 3, "one switch, never both"
