"""Cold start: what importing the handler costs over importing boto3 alone, in fresh interpreters.

The verdict has to be the same from one run to the next, on a shared 2-core
machine whose load comes and goes. So:

- every round starts one fresh process per command, and the order of boto3
  and handler alternates from round to round (A B, B A, ...), so neither
  always runs first after a pause or a busy spell;
- the figure judged is the median over rounds of the handler / boto3 ratio
  *within* a round: the two processes of a round ran seconds apart, under the
  same load, so a slow spell stretches both and cancels out;
- CPU time (user + system), which other work on the machine changes far less
  than wall time;
- one round before the counted ones warms the file cache, so the first
  counted round does not read the interpreter and libraries from disk.

The handler is imported under a valid configuration, so its module-level
validation runs as it does in Lambda, and from the deployment package as
`sam build` lays it out (bench/package.py: the reconciler and Powertools,
compiled to bytecode), boto3 coming from the environment as it comes from the
runtime. Powertools imported from the package, not from the environment, is
what Lambda runs: a package without bytecode made the ratio 1.4 instead of 1.2.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from emulator.server import FAKE_CREDENTIALS

# A valid configuration; no client is built at import, and the endpoint below
# would refuse any call that were made.
FUNCTION_ENVIRONMENT = {
    **FAKE_CREDENTIALS,
    "AWS_REGION": "eu-west-1",
    "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "TARGET_GROUP_ARNS": "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/openwire/0123456789abcdef",
    "BROKER_TAG": "mq-static-endpoint=bench",
    "VPC_ID": "vpc-0a1b2c3d4e5f60718",
}
COMMANDS = {
    "python": "pass",
    "boto3": "import boto3",
    "handler": "import reconciler.shell.handler",
}
# What the first invocation that needs AWS adds: the reconciler and its four
# clients (their service models are loaded then), timed inside the process.
CLIENT_BUILD = (
    "import time, reconciler.shell.handler as h\n"
    "started = time.perf_counter()\n"
    "h.container_reconciler(h.SETTINGS)\n"
    "print(time.perf_counter() - started)"
)


@dataclass(frozen=True)
class Timing:
    """Medians, in seconds, of one command's processes."""

    wall: float
    cpu: float  # user + system


@dataclass(frozen=True)
class ColdStart:
    runs: int
    python: Timing  # the interpreter alone
    boto3: Timing
    handler: Timing
    client_build: float  # wall, in process
    # handler / boto3 CPU time of each round, in round order.
    round_ratios: tuple[float, ...] = ()

    @property
    def ratio(self) -> float:
        """Handler import over boto3 import, wall time, interpreter start included in both."""
        return self.handler.wall / self.boto3.wall

    @property
    def cpu_ratio(self) -> float:
        """The goal's figure: the median of the rounds' handler / boto3 CPU-time ratios."""
        return statistics.median(self.round_ratios) if self.round_ratios else self.handler.cpu / self.boto3.cpu

    @property
    def cpu_ratio_quartiles(self) -> tuple[float, float]:
        """Where the middle half of the rounds' ratios lie: how far the verdict is from flipping."""
        if len(self.round_ratios) < 2:
            return self.cpu_ratio, self.cpu_ratio
        first, _, third = statistics.quantiles(self.round_ratios, n=4)
        return first, third

    @property
    def ratio_without_interpreter(self) -> float:
        """The wall ratio with the interpreter's own start taken out of both: the stricter view."""
        return (self.handler.wall - self.python.wall) / (self.boto3.wall - self.python.wall)


def measure_cold_start(runs: int, package: Path) -> ColdStart:
    """`runs` rounds, the handler imported from `package` (a directory laid out by bench.package.build_package)."""
    environment = {**_clean_environment(), **FUNCTION_ENVIRONMENT, "PYTHONPATH": str(package)}
    walls: dict[str, list[float]] = {name: [] for name in COMMANDS}
    cpus: dict[str, list[float]] = {name: [] for name in COMMANDS}
    builds: list[float] = []
    ratios: list[float] = []
    for code in COMMANDS.values():  # the warm-up round, not counted
        _timed(code, environment)
    for round_number in range(runs):
        timed = {name: _timed(code, environment) for name, code in _round_order(round_number)}
        for name, (wall, cpu) in timed.items():
            walls[name].append(wall)
            cpus[name].append(cpu)
        ratios.append(timed["handler"][1] / timed["boto3"][1])
        builds.append(float(_run(CLIENT_BUILD, environment)))
    timing = {name: Timing(statistics.median(walls[name]), statistics.median(cpus[name])) for name in COMMANDS}
    return ColdStart(
        runs, timing["python"], timing["boto3"], timing["handler"], statistics.median(builds), tuple(ratios)
    )


def _round_order(round_number: int) -> list[tuple[str, str]]:
    """The interpreter alone first, then boto3 and the handler, their order swapped every other round."""
    pair = ["boto3", "handler"] if round_number % 2 == 0 else ["handler", "boto3"]
    return [(name, COMMANDS[name]) for name in ["python", *pair]]


def _clean_environment() -> dict[str, str]:
    """This process's environment without anything AWS or Python that could change what is measured."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PYTHON"))}


def _timed(code: str, environment: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU time of one process running `code`."""
    cpu_before, started = _children_cpu(), time.perf_counter()
    _run(code, environment)
    return time.perf_counter() - started, _children_cpu() - cpu_before


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(code: str, environment: dict[str, str]) -> str:
    done = subprocess.run([sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=True)
    return done.stdout
