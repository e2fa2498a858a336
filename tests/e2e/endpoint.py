"""The endpoint the end-to-end tests drive: the deployed stack, its function, the emulated account."""

from dataclasses import dataclass
from typing import Any

from emulator import events
from emulator.lambda_invoke import configured_environment
from emulator.lambda_runtime import Invocation, LambdaRuntime
from demo.stack import DeployedStack
from demo.world import World
from emulator import EmulatedAws

REGION = "eu-west-1"


@dataclass
class Endpoint:
    world: World
    stack: DeployedStack
    runtime: LambdaRuntime

    @property
    def aws(self) -> EmulatedAws:
        return self.world.aws

    def invoke(self, event: dict[str, Any]) -> Invocation:
        # As Lambda does after a stack update changed the function's configuration.
        self.runtime.follow(configured_environment(self.stack.function_arn))
        return self.runtime.invoke(event)

    def let_time_pass(self, seconds: float) -> None:
        self.runtime.let_time_pass(seconds)

    def settle(self) -> None:
        """Two sweeps a minute apart: an address no broker in scope has goes on its second reading."""
        self.sweep()
        self.let_time_pass(60)
        self.sweep()

    def sweep(self) -> Invocation:
        return self.invoke(events.scheduled(REGION))

    def targets(self) -> list[dict[str, str]]:
        """Per target group of the live set, in the function's order: ip -> state."""
        return [self.aws.target_states(arn) for arn in self.stack.live_target_group_arns]

    def registered(self) -> list[set[str]]:
        return [set(states) for states in self.targets()]
