"""`make demo` tells its whole story and exits 0."""

import pytest

from demo.__main__ import main


@pytest.mark.slow  # the whole demo story: a few seconds
def test_the_demo_tells_every_step_and_exits_0(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")

    assert main([]) == 0

    out = capsys.readouterr().out
    assert out.count("\n=== ") == 7
    assert "target groups unchanged by the dry run: yes" in out
    assert "status=failed" not in out
