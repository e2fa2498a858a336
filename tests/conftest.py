"""Test order for the parallel run: the slow tests first.

pytest-xdist's `worksteal` mode splits the tests between the workers and lets
one that runs dry take queued tests from the other. A slow test left to the
end would keep one worker busy while the other idles, so the tests marked
`slow` (pyproject.toml) go first and the short ones fill in behind them.
"""

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)  # stable: the rest keep their order
