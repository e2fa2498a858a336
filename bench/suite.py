"""Every measurement of the benchmark, for one size of account or for all of them."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from pathlib import Path

from bench.cold_start import measure_cold_start
from bench.cutover import measure_cutover
from bench.pacing import measure_paced_sweeps, measure_throttled_sweep
from bench.package import build_package
from bench.report import Results
from bench.sweep_cost import measure_sweep_costs
from bench.world import BenchWorld

GROUP_COUNTS = (1, 3)


def measure_world(brokers: int, results: Results) -> None:
    """Call counts at T = 1 and 3, then a new container's sweeps at the default pace, unthrottled and throttled."""
    with BenchWorld.build(brokers) as world:
        for groups in GROUP_COUNTS:
            results.sweep_costs.append(measure_sweep_costs(world, groups))
        cold, moved = measure_paced_sweeps(world)
        results.cold.append(cold)
        results.paced_moves.append(moved)
        if brokers >= 2:
            results.throttled.append(measure_throttled_sweep(world))


# What the benchmark's cutover waits for: the new broker's first health checks (two 10 s intervals on AWS,
# scaled down) and the drain (DeregistrationDelaySeconds, 60 by default, likewise).
CUTOVER_HEALTH_SECONDS, CUTOVER_DRAIN_SECONDS = 1.0, 1.0


def run(sizes: Iterable[int], *, cold_start_runs: int) -> Results:
    results = Results()
    for brokers in sizes:
        measure_world(brokers, results)
    results.cutover = measure_cutover(CUTOVER_HEALTH_SECONDS, CUTOVER_DRAIN_SECONDS)
    # The package as sam build lays it out: sized, and where the cold start imports the handler from.
    with tempfile.TemporaryDirectory(prefix="bench-package-") as package:
        results.package = build_package(Path(package))
        if cold_start_runs:
            results.cold_start = measure_cold_start(cold_start_runs, Path(package))
    return results
