"""The benchmark's emulated account: B brokers in scope, as many outside it, target groups, one function.

Everything runs in this process against moto (mock_aws) taught by emulator/;
the function is the real handler run by emulator.lambda_runtime, as the
integration tests run it. Nothing here can reach AWS.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from unittest import mock

from moto import mock_aws

from emulator import EmulatedAws, events
from emulator.lambda_runtime import Invocation, LambdaRuntime
from emulator.server import FAKE_CREDENTIALS

REGION = "eu-west-1"
FUNCTION_ARN = f"arn:aws:lambda:{REGION}:123456789012:function:mq-static-endpoint-reconciler"
SCOPE_TAG = ("mq-static-endpoint", "bench")
# The ports of the groups a deployment may have; a run with T groups uses the first T.
GROUP_PORTS = {"openwire": 61617, "console": 8162, "amqp": 5671}
# Pacing far above what any sweep here reaches, for the runs that count calls:
# the count does not depend on the pace, and the benchmark need not wait.
UNPACED = {"MQ_DESCRIBE_RATE": "100000", "MQ_DESCRIBE_BURST": "100000"}
# The emulator hands out IPs from /24 subnets and never reuses one. 50 brokers
# per pair of subnets leave room for every broker to move twice and more.
BROKERS_PER_SUBNET_PAIR = 50


@contextmanager
def emulated_account(seed: int = 5) -> Iterator[EmulatedAws]:
    """moto in this process, with fake credentials and no endpoint or profile that could lead to AWS."""
    environment = {
        **FAKE_CREDENTIALS,
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        # moto loads thousands of default AMIs into each fresh EC2 backend otherwise.
        "MOTO_EC2_LOAD_DEFAULT_AMIS": "false",
    }
    with mock.patch.dict(os.environ, environment):
        for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_MAX_ATTEMPTS", "AWS_RETRY_MODE"):
            os.environ.pop(name, None)  # patch.dict puts them back on exit
        with mock_aws(), EmulatedAws(REGION, seed=seed) as aws:
            yield aws


@dataclass
class BenchWorld:
    """An account with brokers and target groups, and the function's current container."""

    aws: EmulatedAws
    runtime: LambdaRuntime
    groups: dict[str, str] = field(default_factory=dict)  # name -> ARN, in GROUP_PORTS order
    in_scope: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    _subnet_pairs: list[list[str]] = field(default_factory=list)

    @classmethod
    @contextmanager
    def build(cls, brokers: int, *, seed: int = 5) -> Iterator[BenchWorld]:
        """`brokers` active/standby brokers in scope; as many single-instance brokers outside it,
        half of them untagged and half tagged with another value of the scope's key."""
        with emulated_account(seed) as aws, LambdaRuntime("mq-static-endpoint-reconciler", FUNCTION_ARN) as runtime:
            world = cls(aws, runtime, aws.create_target_groups(GROUP_PORTS))
            key, value = SCOPE_TAG
            for number in range(brokers):
                world.in_scope.append(
                    world._create_broker(f"in-scope-{number}", "ACTIVE_STANDBY_MULTI_AZ", {key: value})
                )
                tags = {key: "elsewhere"} if number % 2 else {}
                world.outside.append(world._create_broker(f"outside-{number}", "SINGLE_INSTANCE", tags))
            yield world

    def cold_start(self, groups: int, **environment: str) -> None:
        """A new container serving the first `groups` target groups."""
        arns = list(self.groups.values())[:groups]
        # LambdaRuntime leaves earlier containers' variables in place: a container
        # not given a pace must get the function's defaults, not the last one's.
        for name in UNPACED.keys() - environment.keys():
            os.environ.pop(name, None)
        self.runtime.cold_start(
            {
                "TARGET_GROUP_ARNS": ",".join(arns),
                "BROKER_TAG": "=".join(SCOPE_TAG),
                "VPC_ID": self.aws.vpc_id,
                **environment,
            }
        )

    def settle(self, groups: int) -> None:
        """Bring the first `groups` groups to the brokers' IPs, so that what follows has nothing to change."""
        self.cold_start(groups, **UNPACED)
        self.sweep()

    def sweep(self) -> Invocation:
        return self.runtime.invoke(events.scheduled(REGION))

    def reboot_event(self, broker_id: str) -> Invocation:
        return self.runtime.invoke(events.reboot_broker(REGION, broker_id))

    def targets(self, groups: int) -> dict[str, frozenset[str]]:
        """Group name -> the IPs registered in it, for the first `groups` groups."""
        names = list(self.groups)[:groups]
        return {name: frozenset(self.aws.target_states(self.groups[name])) for name in names}

    def wanted_ips(self) -> frozenset[str]:
        """What every group should hold: the IPs the brokers in scope report."""
        return frozenset(ip for broker in self.in_scope for ip in self.aws.broker_ips(broker))

    def let_time_pass(self, seconds: float) -> None:
        """The container's clock moves on, as between two scheduled sweeps
        (what a removal on a second reading waits for)."""
        self.runtime.let_time_pass(seconds)

    @contextmanager
    def function_timeout(self, seconds: float) -> Iterator[None]:
        """The function's Timeout for the invocations inside: Lambda kills a run that outlives it."""
        before, self.runtime.timeout_seconds = self.runtime.timeout_seconds, seconds
        try:
            yield
        finally:
            self.runtime.timeout_seconds = before

    def interfaces(self) -> int:
        """Broker interfaces in the VPC, as the reconciler's listing finds them (what its page count follows)."""
        pages = (
            self.aws.client("ec2")
            .get_paginator("describe_network_interfaces")
            .paginate(
                Filters=[
                    {"Name": "vpc-id", "Values": [self.aws.vpc_id]},
                    {"Name": "description", "Values": ["Amazon MQ network interface for broker *"]},
                ]
            )
        )
        return sum(len(page["NetworkInterfaces"]) for page in pages)

    def emulator_read_seconds(self, groups: int) -> float:
        """How long moto itself takes to answer a steady sweep's interface listing and health reads, asked directly:
        the part of a sweep's wall time that is the emulator's, not the reconciler's."""
        started = time.perf_counter()
        self.interfaces()
        self.targets(groups)
        return time.perf_counter() - started

    def tagged_per_page(self) -> int:
        """How many brokers in scope moto puts on a GetResources page of 100 (the reconciler's page size)."""
        key, value = SCOPE_TAG
        page = self.aws.client("resourcegroupstaggingapi").get_resources(
            TagFilters=[{"Key": key, "Values": [value]}], ResourceTypeFilters=["mq:broker"], ResourcesPerPage=100
        )
        return len(page["ResourceTagMappingList"])

    def _create_broker(self, name: str, mode: str, tags: dict[str, str]) -> str:
        created = len(self.in_scope) + len(self.outside)
        pair = self._subnet_pair(created // BROKERS_PER_SUBNET_PAIR)
        subnets = pair if mode == "ACTIVE_STANDBY_MULTI_AZ" else [pair[created % 2]]
        return self.aws.create_broker(name, mode, tags=tags, subnet_ids=subnets)

    def _subnet_pair(self, index: int) -> list[str]:
        """Private subnets 10.0.(10+2i).0/24 and 10.0.(11+2i).0/24, one in each AZ of the region."""
        while len(self._subnet_pairs) <= index:
            base = 10 + 2 * len(self._subnet_pairs)
            ec2 = self.aws.client("ec2")
            pair = [
                ec2.create_subnet(
                    VpcId=self.aws.vpc_id, CidrBlock=f"10.0.{base + n}.0/24", AvailabilityZone=f"{REGION}{az}"
                )["Subnet"]["SubnetId"]
                for n, az in enumerate("ab")
            ]
            self._subnet_pairs.append(pair)
        return self._subnet_pairs[index]
