"""What every test session shares: no moto AMI catalogue, and the slow tests first.

moto fills each new EC2 backend with thousands of default AMIs unless told
not to; no test here uses an AMI, and the integration and reliability
fixtures build a fresh emulated account per test: leaving the catalogue out
takes about a third off their time. (The demo, the bench and the e2e and
emulator fixtures already say the same for themselves.)

pytest-xdist's `worksteal` mode splits the tests between the workers and lets
one that runs dry take queued tests from the other. A slow test left to the
end would keep one worker busy while the other idles, so the tests marked
`slow` (pyproject.toml) go first and the short ones fill in behind them.
"""

import os

import pytest

os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)  # stable: the rest keep their order
