"""The clients' retry behaviour: botocore's standard mode under the function's own pacing."""

from __future__ import annotations

import pytest

from reconciler.adapters.clients import create_clients


def test_retries_default_to_standard_mode_not_adaptive(monkeypatch: pytest.MonkeyPatch) -> None:
    """Adaptive mode stacks a client-side limiter on the token bucket: 77 s instead of 17 s for a throttled sweep."""
    monkeypatch.delenv("AWS_RETRY_MODE", raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    clients = create_clients("eu-west-1", pool_size=2)
    for client in (clients.mq, clients.ec2, clients.elbv2, clients.tagging):
        assert client.meta.config.retries["mode"] == "standard"


def test_botocores_own_variable_still_overrides_the_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_RETRY_MODE", "legacy")
    assert create_clients("eu-west-1", pool_size=2).mq.meta.config.retries["mode"] == "legacy"
