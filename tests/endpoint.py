"""The endpoint as the tests drive it: the reconciler, run as Lambda runs it, serving target groups of the
emulated account.

One driver for every suite. The integration and reliability suites build it on
target groups a test creates (tests/integration/conftest.py); the end-to-end
suite on the stack template.yaml deployed (tests/e2e/endpoint.py,
DeployedEndpoint), which adds only what a deployed stack has besides: its
configuration, which a stack update may change, and its live set of groups.
"""

from typing import Any

from emulator import EmulatedAws, events
from emulator.lambda_runtime import Invocation, LambdaRuntime

# How far apart scheduled sweeps are (the default schedule): what looked free in one run goes in the next.
SWEEP_INTERVAL_SECONDS = 60


class Endpoint:
    """Target groups (name -> ARN) and the function serving them, cold-started with `environment`."""

    def __init__(
        self, aws: EmulatedAws, runtime: LambdaRuntime, groups: dict[str, str], environment: dict[str, str]
    ) -> None:
        self.aws = aws
        self.runtime = runtime
        self.groups = groups
        self.environment = dict(environment)
        self.cold_start()

    # -- the function ------------------------------------------------------

    def cold_start(self, **changes: str) -> None:
        """A new container with the environment changed as given."""
        self.environment.update(changes)
        self.runtime.cold_start(self.environment)

    def timeout(self, *, seconds: float) -> None:
        """The function's Timeout: each invocation's remaining time counts down from it."""
        self.runtime.timeout_seconds = seconds

    def let_time_pass(self, seconds: float) -> None:
        """The container's clock moves on, as between two scheduled sweeps."""
        self.runtime.let_time_pass(seconds)

    # -- its triggers ------------------------------------------------------

    def invoke(self, event: Any) -> Invocation:
        return self.runtime.invoke(event)

    def sweep(self) -> Invocation:
        return self.invoke(events.scheduled(self.aws.region))

    def next_sweep(self) -> Invocation:
        """The scheduled sweep a minute later: what looked free in the last run goes on this second reading."""
        self.let_time_pass(SWEEP_INTERVAL_SECONDS)
        return self.sweep()

    def settle(self) -> Invocation:
        """Two sweeps a minute apart, so that an address no broker in scope has goes on its second reading
        (docs/safety.md, rule 6); the second sweep."""
        self.sweep()
        return self.next_sweep()

    def resync(self, **payload: Any) -> Invocation:
        return self.invoke({"action": "resync", **payload})

    def reboot_event(self, broker_id: str) -> Invocation:
        return self.invoke(events.reboot_broker(self.aws.region, broker_id))

    # -- what it keeps -----------------------------------------------------

    def targets(self, group: str | None = None) -> dict[str, str]:
        """ip -> state of the group's targets (the first group's, OpenWire's, by default), as DescribeTargetHealth
        reports them."""
        return self.aws.target_states(self.groups[group] if group is not None else next(iter(self.groups.values())))

    def all_targets(self) -> dict[str, dict[str, str]]:
        return {name: self.targets(name) for name in self.groups}
