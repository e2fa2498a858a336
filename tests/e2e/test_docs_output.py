"""docs/operating.md's and docs/demo.md's real output is what the demo prints now: a block that drifts fails here."""

import pytest

from demo.docs import WHERE, blocks_in, normalized, sessions


@pytest.mark.slow  # the whole demo story, then its sessions: several seconds
def test_every_real_output_block_is_what_its_commands_print_on_the_demo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")

    shown = sessions()

    for name, path in WHERE.items():
        written = blocks_in(path.read_text())
        assert name in written, f"{path.name} lost its {name} block"
        assert normalized(written[name]) == normalized(shown[name]), (
            f"{path.name}'s {name} block drifted from what the demo prints: run `python -m demo --write-docs`"
        )
