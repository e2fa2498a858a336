"""The benchmark's figures as Markdown: printed, and written to docs/performance.md."""

from __future__ import annotations

import platform
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from importlib.metadata import version

from bench.cold_start import ColdStart
from bench.cutover import CutoverTiming
from bench.measured import Measured
from bench.pacing import DEFAULT_BURST, DEFAULT_RATE, FUNCTION_TIMEOUT, SLACK_SECONDS, SWEEP_INTERVAL, ColdSweeps, Pace
from bench.package import Package
from bench.sweep_cost import MOVING, SweepCosts
from reconciler.adapters.deadline import MARGIN_MS, WRITE_RESERVE_MS
from reconciler.core.plan import FREE_FOR_SECONDS

COLD_START_GOAL = 1.3
# A steady sweep of 200 brokers, wall time on the emulator (issue 9).
STEADY_SWEEP_SECONDS = 2.0
# Sweeps a day at the default SweepSchedule, rate(1 minute).
SWEEPS_PER_DAY = 24 * 60
JITTER_CALLS = DEFAULT_RATE * SLACK_SECONDS
OPERATIONS = (
    "GetResources",
    "DescribeNetworkInterfaces",
    "DescribeBroker",
    "DescribeTargetHealth",
    "RegisterTargets",
    "DeregisterTargets",
)


@dataclass
class Results:
    sweep_costs: list[SweepCosts] = field(default_factory=list)
    cold: list[ColdSweeps] = field(default_factory=list)
    # A warm container at the default pace: a sweep after 10 brokers moved.
    paced_moves: list[Measured] = field(default_factory=list)
    throttled: list[tuple[Measured, Pace]] = field(default_factory=list)
    cold_start: ColdStart | None = None
    cutover: CutoverTiming | None = None
    package: Package | None = None

    def goals(self) -> list[tuple[str, bool, str]]:
        """(goal, met, evidence) for each goal of issue 5 that this run measured.

        Each goal is judged on what it is about, so that one extra call shows
        up once: the moved-IPs goal on the writes, the throttling goal on
        DescribeBroker and the targets.
        """
        goals = []
        if self.sweep_costs:
            steady = [c.steady for c in self.sweep_costs]
            moved = [m for c in self.sweep_costs for m in c.moved]
            events = [c.event for c in self.sweep_costs] + [c.tagged for c in self.sweep_costs]
            goals += [
                (
                    "steady sweep: ceil(B/100) GetResources + ceil(I/1000) DescribeNetworkInterfaces + T "
                    "DescribeTargetHealth",
                    _at_bound(steady),
                    _join(_misses(steady), _notes(steady)),
                ),
                (
                    "steady sweep: 0 Amazon MQ calls",
                    not any(r.calls["DescribeBroker"] for r in steady),
                    ", ".join(
                        f"B={r.brokers} T={r.groups}: {r.calls['DescribeBroker']}"
                        for r in steady
                        if r.calls["DescribeBroker"]
                    )
                    or f"0 DescribeBroker at every B ({', '.join(sorted({str(r.brokers) for r in steady}, key=int))}) "
                    "and T",
                ),
                (
                    "sweep after K brokers moved: the steady sweep + K DescribeBroker + ceil(2K/200) RegisterTargets "
                    "per"
                    " group + ceil(2K/200) lookups; the next sweep as many DeregisterTargets and 0 Amazon MQ calls",
                    _at_bound(moved),
                    _misses(moved),
                ),
                (
                    "event: one sweep, plus one DescribeBroker per broker with new interfaces or named and not listed;"
                    " same state as a sweep",
                    _at_bound(events),
                    _misses(events),
                ),
            ]
            largest_costs = max(self.sweep_costs, key=lambda c: (c.steady.brokers, -c.steady.groups))
            largest = largest_costs.steady
            goals.append(
                (
                    f"steady sweep of B={largest.brokers} under {STEADY_SWEEP_SECONDS:g} s on the emulator",
                    largest.seconds < STEADY_SWEEP_SECONDS,
                    f"{largest.seconds:.2f} s (T={largest.groups}); the same listing and health read, asked of moto "
                    "directly,"
                    f" take {largest_costs.emulator_seconds:.2f} s",
                )
            )
            goals.append(
                (
                    f"Amazon MQ calls a day at B={largest.brokers}, one sweep a minute: 0 in the steady state",
                    largest.calls["DescribeBroker"] == 0,
                    f"{largest.calls['DescribeBroker'] * SWEEPS_PER_DAY:,} (one DescribeBroker per broker and sweep "
                    "made"
                    f" {largest.brokers * SWEEPS_PER_DAY:,})",
                )
            )
        if self.cold:
            worst = max(cold.pace.excess for cold in self.cold)
            largest_cold = max(self.cold, key=lambda c: c.first.brokers)
            goals += [
                (
                    f"paced sweep: DescribeBroker never above {DEFAULT_RATE:g}/s * t + {DEFAULT_BURST}",
                    worst <= JITTER_CALLS,
                    f"worst excess {worst:+.2f} calls (jitter allowed: {JITTER_CALLS:g})",
                ),
                (
                    f"a new container's first sweep at B={largest_cold.first.brokers}: one DescribeBroker per broker;"
                    " converges",
                    _at_bound([largest_cold.first]) and largest_cold.converged and not largest_cold.timed_out,
                    _cold_figure(largest_cold),
                ),
            ]
        if self.paced_moves:
            largest_move = max(self.paced_moves, key=lambda r: r.brokers)
            goals.append(
                (
                    f"sweep after {MOVING} brokers moved at B={largest_move.brokers}, default pace: at the bound, "
                    "converged",
                    _at_bound([largest_move]),
                    _join(
                        _misses([largest_move]),
                        f"{largest_move.total} calls, {largest_move.calls['DescribeBroker']}"
                        f" DescribeBroker, {largest_move.seconds:.2f} s",
                    ),
                )
            )
        if self.throttled:
            throttled = [measured for measured, _ in self.throttled]
            worst = max(pace.excess for _, pace in self.throttled)
            slowest = max(throttled, key=lambda r: r.seconds)
            goals += [
                (
                    "throttling: retried, never turned into deregistrations",
                    _at_bound(throttled, ("DescribeBroker",)),
                    _misses(throttled, ("DescribeBroker",)),
                ),
                (
                    "throttled sweep (a quarter throttled once, standard retries) well within the "
                    f"{FUNCTION_TIMEOUT:g} s timeout",
                    slowest.seconds < FUNCTION_TIMEOUT / 2,
                    f"B={slowest.brokers}: {slowest.seconds:.1f} s",
                ),
                (
                    "throttled sweep: retries too within the pace",
                    worst <= JITTER_CALLS,
                    f"worst excess {worst:+.2f} calls (jitter allowed: {JITTER_CALLS:g})",
                ),
            ]
        if self.cold_start:
            cold = self.cold_start
            goals.append(
                (
                    f"cold start <= {COLD_START_GOAL} x import boto3 (CPU time)",
                    cold.cpu_ratio <= COLD_START_GOAL,
                    f"CPU {cold.cpu_ratio:.2f}, wall {cold.ratio:.2f}",
                )
            )
        return goals


def render(results: Results, *, command: str) -> str:
    sections = [
        "# Performance",
        f"Generated by `{command}` (bench/) on {date.today().isoformat()}, Python {platform.python_version()}, "
        f"moto {version('moto')} in process (Lambda runs python3.13). Do not edit by hand: run the benchmark again.",
        METHOD,
        _goals_section(results),
    ]
    if results.sweep_costs:
        sections.append(
            _calls_section("AWS calls per invocation", CALLS_INTRO, [r for c in results.sweep_costs for r in c.rows()])
        )
        sections.append(_steady_time_section(results.sweep_costs))
    if results.cold:
        sections.append(_cold_section(results.cold))
    if results.paced_moves:
        sections.append(
            _calls_section(
                f"A sweep after {MOVING} brokers moved, at the default pace", PACED_MOVE_INTRO, results.paced_moves
            )
        )
    if results.throttled:
        sections.append(_throttling_section(results.throttled))
    if results.cold_start:
        sections.append(_cold_start_section(results.cold_start))
    if results.cutover:
        sections.append(cutover_section(results.cutover))
    if results.package:
        sections.append(_package_section(results.package))
    return "\n\n".join(section.strip() for section in sections) + "\n"


def _describable_in_one_sweep() -> int:
    """Brokers one run can ask about at the default pace before a pacing wait would end too near the timeout."""
    return DEFAULT_BURST + int(DEFAULT_RATE * (FUNCTION_TIMEOUT - (MARGIN_MS + WRITE_RESERVE_MS) / 1000))


METHOD = f"""## Method

- **Where.** The real handler (`reconciler.shell.handler.lambda_handler`) runs in
  this process as Lambda would (`emulator/lambda_runtime.py`), against moto in
  process, taught by `emulator/` what it lacks (broker ids and IPs, MQ tag
  discovery, target health, faults). Nothing reaches AWS.
- **The account.** B active/standby brokers in scope (tagged
  `mq-static-endpoint=bench`) and B single-instance brokers outside it, half
  untagged, half tagged with another value of the same key: 3B broker
  network interfaces in the VPC; T IP target groups (OpenWire 61617, console
  8162, AMQP 5671).
- **Counting.** `emulator/api_calls.py` records every request moto serves
  (server side: a botocore retry is a second call, a throttled answer counts)
  while the measured invocation runs, and nothing else: the emulator's setup
  and the benchmark's own checks are not counted.
- **Lower bound.** Every run, sweep or event, is one whole reconcile: the
  scope's pages (GetResources, ceil(B/100), at least 1), the broker
  interfaces' pages (DescribeNetworkInterfaces, ceil(I/1000) for I
  interfaces, at least 1) and one DescribeTargetHealth per group; no Amazon
  MQ call in the steady state, since a warm container remembers every
  interface Amazon MQ confirmed (src/reconciler/core/memory.py). Each broker with
  an interface the container has not confirmed yet adds one DescribeBroker
  (an address is registered only when Amazon MQ gives it to the broker and
  EC2 shows it on an attached interface in the broker's subnets). k targets
  in and k out of a group add ceil(k/200) RegisterTargets and as many
  DeregisterTargets; nothing is looked up by address. An event naming a
  broker the tag listing does not show adds its DescribeBroker.
  DescribeTargetGroups, DescribeTags (the groups' owner tag) and
  DescribeSubnets are due once per container, so the sweeps counted run in a
  warm container (a first sweep before them reads them). Counting runs set a
  pace no sweep here reaches (the count does not depend on it). moto 5.2.1 closes a
  GetResources page at 99 single-tag resources when TagsPerPage is not
  given (it applies 100 tags a page and stops one short), so from B = 100 on
  its page count can exceed the bound: see the note in the tables.
- **Moved brokers.** K brokers in scope come back on new interfaces (reboot,
  replacement): K = {MOVING} (or B where B is smaller), and K = B, so k = 2K
  targets in and, a minute later, 2K out of each group. The new addresses go
  in at once, after one DescribeBroker per broker confirms its new
  interfaces; the old ones are looked up by address and go on the next
  sweep, their second reading (an EC2 listing may lag). Each such row is
  followed by that sweep, which must stay at its own bound, and one more that
  must change nothing and ask Amazon MQ nothing (its checks).
- **Events.** One broker comes back on new interfaces and a RebootBroker
  CloudTrail event arrives (`emulator/events.py`); then a sweep proves it
  would change nothing. A broker outside the scope is tagged into it while
  the tag listing lags (the emulator answers GetResources from before the
  tag), and its CreateTags event arrives.
- **A new container.** Its first sweep is where DescribeBroker calls are
  paced: the container remembers no interface, so every broker in scope is
  read, at the function's defaults (MQ_DESCRIBE_RATE {DEFAULT_RATE:g},
  MQ_DESCRIBE_BURST {DEFAULT_BURST}) and under its Timeout
  ({FUNCTION_TIMEOUT:g} s), the emulator's Lambda runtime killing a run
  that outlives it. A pacing wait that would end less than
  {(MARGIN_MS + WRITE_RESERVE_MS) // 1000} s before the timeout is refused
  (src/reconciler/adapters/deadline.py: a request's margin and the writes'
  reserve), so a first sweep asks at most about
  {DEFAULT_BURST} + {DEFAULT_RATE:g} * ({FUNCTION_TIMEOUT:g} - {(MARGIN_MS + WRITE_RESERVE_MS) // 1000})
  = {_describable_in_one_sweep()} brokers (arithmetic from those constants,
  not measured); past that it is cut short, reports it, and the next sweeps
  ask about the rest. From the times moto served each DescribeBroker,
  every stretch between two calls is checked: the calls in it may not exceed
  rate * length + burst, give or take {SLACK_SECONDS:g} s of thread wake-up
  jitter. Wall times are single runs on a shared 2-core machine: read them
  as orders of magnitude.
- **Removals on a second reading.** An address no broker in scope has and
  that Amazon MQ cannot vouch for (say a target registered by hand) goes
  only when a listing at least {FREE_FOR_SECONDS:g} s after the first still shows it free. The
  bench's container clock is moved on between sweeps
  (`BenchWorld.let_time_pass`) instead of waiting; the test of removals in
  batches of 200 (tests/performance) counts those two sweeps.
- **Throttling.** A new container's first sweep, with the function's default retries
  (botocore's standard mode, 3 attempts): DescribeBroker answers
  ThrottlingException once for a quarter of the brokers and on every attempt
  for one more (`emulator.Fault`). Retries count as calls, and against the
  pace: a retry sent without a token shows as about one call of excess, in
  the runs whose backoff jitter lands it in a stretch the bucket already
  filled. Its wall time is set against the function's {FUNCTION_TIMEOUT:g} s
  timeout (adaptive mode, with its own client-side limiter stacked on the
  pace, took 70-77 s for 120 brokers with 40 throttled once: sources.md).
- **Cold start.** Rounds of fresh `python -c ...` processes under a valid
  configuration: the interpreter alone, then `import boto3` and
  `import reconciler.shell.handler`, those two in alternating order from round to
  round, after one uncounted warm-up round. The goal is judged on the median
  over rounds of each round's handler / boto3 ratio of CPU time (user +
  system): the two processes of a round ran seconds apart under the same
  load, so a busy spell of the shared machine stretches both, and CPU time
  barely counts the neighbours (on a quiet machine wall and CPU agree). The
  quartiles of the rounds' ratios show how far the verdict is from flipping.
  The handler is imported from the deployment package laid out below, as
  Lambda imports it from /var/task, boto3 from the environment as from the
  runtime. The handler builds its AWS clients on the first invocation that
  needs them; that cost is timed apart, in process.
- **Package.** What `sam build` ships (`src/Makefile`): `src/reconciler`,
  the distributions pip installs from `src/requirements.txt` (Powertools,
  pinned to the tested version, and its dependencies), copied from this
  environment, which runs those versions, and the bytecode of every module
  (`unchecked-hash`, here from the benchmark's interpreter, from python3.13
  in `make build`); boto3 is in the runtime and not bundled.
"""


def _goals_section(results: Results) -> str:
    rows = [[goal, "yes" if met else "**no**", evidence or "at the bound"] for goal, met, evidence in results.goals()]
    return _section("Goals (issues 5, 9, 10, 11, 16)", "", ["goal", "met", "evidence"], rows)


CALLS_INTRO = (
    "Warm containers at an unreachable pace. A cell reads `calls` where the count meets the bound,"
    " `calls (bound n)` where it does not. Wall times are moto's, in process."
)
PACED_MOVE_INTRO = (
    f"The container of the sweeps above, warm now, at the function's defaults (MQ_DESCRIBE_RATE {DEFAULT_RATE:g},"
    f" MQ_DESCRIBE_BURST {DEFAULT_BURST}) serving one group: {MOVING} brokers (all of them where B is smaller) come"
    " back on new interfaces, and the next sweep is measured: one DescribeBroker for each, its new addresses in at"
    " once; the old ones are looked up and go on the sweep a minute later (their second reading)."
)


def _calls_section(title: str, intro: str, rows: Sequence[Measured]) -> str:
    others = sorted({op for r in rows for op in r.calls} - set(OPERATIONS))
    header = ["scenario", "B", "T", *OPERATIONS, *others, "calls / bound", "ratio", "wall s", "notes"]
    cells = [
        [
            r.scenario,
            str(r.brokers),
            str(r.groups),
            *(_count(r, op) for op in (*OPERATIONS, *others)),
            f"{r.total} / {r.bound_total}",
            f"{r.ratio:.3f}",
            f"{r.seconds:.2f}",
            _join(r.note, _failed_checks([r])),
        ]
        for r in rows
    ]
    return _section(title, intro, header, cells)


def _steady_time_section(costs: list[SweepCosts]) -> str:
    intro = (
        "A warm container's steady sweep against the number of brokers in scope (wall time in process, one run each)."
        " The last column is the same DescribeNetworkInterfaces listing and DescribeTargetHealth reads asked of moto"
        " directly, through a boto3 client, after the sweep, outside the function. The sweep itself runs in the"
        " emulator's Lambda runtime, which enforces the timeout with a trace on every Python call of the run's threads"
        " (emulator/lambda_timeout.py), moto's in-process answers included: the difference between the two columns is"
        " mostly that trace; the reconciler's own work (the plan, the evidence, the report) is hundredths of a second."
    )
    header = [
        "B",
        "T",
        "AWS calls",
        "Amazon MQ calls",
        "wall s",
        "Amazon MQ calls a day at 1 sweep/min",
        "the same reads asked directly s",
    ]
    rows = [
        [
            str(c.steady.brokers),
            str(c.steady.groups),
            str(c.steady.total),
            str(c.steady.calls["DescribeBroker"]),
            f"{c.steady.seconds:.2f}",
            f"{c.steady.calls['DescribeBroker'] * SWEEPS_PER_DAY:,}",
            f"{c.emulator_seconds:.2f}",
        ]
        for c in sorted(costs, key=lambda c: (c.steady.groups, c.steady.brokers))
    ]
    return _section("Steady sweep against B", intro, header, rows)


def _cold_section(cold: list[ColdSweeps]) -> str:
    intro = (
        "A new container (Lambda recycled the last one) at the function's defaults sweeps one group that already"
        " holds the brokers' addresses: it has confirmed no interface yet, so it reads every broker with"
        f" DescribeBroker, paced; its wall time includes building the clients and the once-per-container reads. The"
        f" limit in any stretch of t seconds is {DEFAULT_RATE:g} * t + {DEFAULT_BURST}. Cut short: a pacing wait"
        " would have ended too near the deadline, so the rest were not asked in that run. Then it sweeps once a"
        f" minute ({SWEEP_INTERVAL:g} s on the container's clock) until a sweep ends with status ok: each asks only"
        " about brokers not confirmed yet."
    )
    header = [
        "B",
        "timeout s",
        "calls / bound",
        "wall s",
        "most calls in 1 s",
        "worst excess (calls)",
        "limit held",
        "cut short",
        "DescribeBroker per sweep",
        "sweeps to converge",
    ]
    rows = [
        [
            str(c.first.brokers),
            f"{c.timeout:g}",
            f"{c.first.total} / {c.first.bound_total}",
            f"{c.first.seconds:.2f}",
            str(c.pace.busiest_second),
            f"{c.pace.excess:+.2f}",
            _yes(c.pace.excess <= JITTER_CALLS),
            "**yes**" if c.cut_short else "no",
            ", ".join(str(n) for n in c.described),
            str(c.sweeps) if c.converged else f"**not in {c.sweeps}**",
        ]
        for c in cold
    ]
    return _section("A new container's first sweeps, at the default pace", intro, header, rows)


def _cold_figure(cold: ColdSweeps) -> str:
    fits = "cut short" if cold.cut_short else f"a whole run within the {cold.timeout:g} s timeout"
    converged = (
        f"converged in {cold.sweeps} sweep(s)" if cold.converged else f"**not converged in {cold.sweeps} sweeps**"
    )
    return _join(
        _misses([cold.first]),
        f"{cold.first.total} calls, {cold.described[0]} DescribeBroker, {cold.first.seconds:.1f} s: {fits};"
        f" {converged}" + ("; **a sweep was killed at the timeout**" if cold.timed_out else ""),
    )


def _throttling_section(throttled: list[tuple[Measured, Pace]]) -> str:
    intro = (
        "As a new container's first sweep; a quarter of the brokers' DescribeBroker is throttled once, one more"
        f" broker's on every attempt, standard retries. Compare the wall time with the unthrottled sweep above and the"
        f" {FUNCTION_TIMEOUT:g} s timeout."
    )
    header = ["B", "DescribeBroker", "calls / bound", "throttling", "wall s", "worst excess (calls)", "outcome"]
    rows = [
        [
            str(m.brokers),
            str(m.calls["DescribeBroker"]),
            f"{m.total} / {m.bound_total}",
            m.note,
            f"{m.seconds:.2f}",
            f"{pace.excess:+.2f}",
            ", ".join(f"{check}: {_yes(ok)}" for check, ok in m.checks.items()),
        ]
        for m, pace in throttled
    ]
    return _section("Throttled DescribeBroker", intro, header, rows)


def _cold_start_section(cold: ColdStart) -> str:
    processes = [
        ("`python -c pass`", cold.python),
        ("`python -c 'import boto3'`", cold.boto3),
        ("`python -c 'import reconciler.shell.handler'`", cold.handler),
    ]
    table = _section(
        "Cold start",
        f"Medians of {cold.runs} rounds, one fresh process per command and round.",
        ["process", "wall ms", "CPU ms"],
        [[name, f"{timing.wall * 1000:.0f}", f"{timing.cpu * 1000:.0f}"] for name, timing in processes],
    )
    return "\n".join(
        [
            table,
            "",
            f"- handler / boto3, CPU, median of the rounds' ratios: **{cold.cpu_ratio:.2f}** (goal <= "
            f"{COLD_START_GOAL});"
            f" middle half of the rounds {cold.cpu_ratio_quartiles[0]:.2f} to {cold.cpu_ratio_quartiles[1]:.2f};"
            f" wall: {cold.ratio:.2f}",
            f"- wall, without the interpreter's start in either: {cold.ratio_without_interpreter:.2f}",
            "- the first invocation that calls AWS builds the reconciler and its 4 clients: "
            f"{cold.client_build * 1000:.0f} ms"
            " (wall, in process), once per container",
        ]
    )


def cutover_section(timing: CutoverTiming) -> str:
    rows = [[s.step, f"{s.seconds:.2f}", f"{s.waited:.2f}", f"{s.spent:.2f}"] for s in timing.steps]
    rows.append(["total", f"{timing.total:.2f}", f"{timing.waited:.2f}", f"{timing.total - timing.waited:.2f}"])
    return _section(
        "Cutover (mq-endpoint cutover, on the emulator)",
        "One cutover of `orders` to a new broker on the deployed template (`bench/cutover.py`): the new broker's "
        "first "
        f"health checks take {timing.health_seconds:g} s, the old set's flows stay open for the whole drain of "
        f"{timing.drain_seconds:g} s. *Waited*: the command's sleeps between looks at health and flows; *spent*: its "
        "stack updates, the function's runs and its reads. On AWS the waits are minutes (health checks, the "
        "deregistration delay) and each stack update takes its own minutes, which the emulator does not reproduce.",
        ["step", "seconds", "waited", "spent"],
        rows,
    )


def _package_section(package: Package) -> str:
    return (
        "## Deployment package\n\n"
        f"{package.files} files, {package.bytes / 1024 / 1024:.2f} MiB unzipped, **{package.zipped / 1024 / 1024:.2f} "
        "MiB zipped**"
        " (Lambda takes up to 50 MB zipped, 250 MB unzipped): the function's own code is"
        f" {package.code_files} files, {package.code_bytes / 1024:.1f} KiB; the rest is {', '.join(package.bundled)}."
    )


def _section(title: str, intro: str, header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    lines = [f"## {title}", ""] + ([intro, ""] if intro else [])
    lines += [_row(header), _row(["---"] * len(header))] + [_row(row) for row in rows]
    return "\n".join(lines)


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _count(r: Measured, operation: str) -> str:
    n, bound = r.calls[operation], r.bound[operation]
    if n == bound:
        return str(n) if n else "-"
    return f"{n} (bound {bound})"


def _at_bound(rows: Iterable[Measured], operations: Sequence[str] | None = None) -> bool:
    """No operation (of those given) above its bound, and every check a user would make passed."""
    return all(not _excess(r, operations) and all(r.checks.values()) for r in rows)


def _misses(rows: Iterable[Measured], operations: Sequence[str] | None = None) -> str:
    rows = list(rows)
    excess = "; ".join(
        f"B={r.brokers} T={r.groups}: " + ", ".join(f"{op} +{n}" for op, n in _excess(r, operations).items())
        for r in rows
        if _excess(r, operations)
    )
    return _join(excess, _failed_checks(rows))


def _excess(r: Measured, operations: Sequence[str] | None) -> dict[str, int]:
    return {op: n for op, n in r.excess.items() if operations is None or op in operations}


def _notes(rows: Iterable[Measured]) -> str:
    return "; ".join(sorted({r.note for r in rows if r.note}))


def _failed_checks(rows: Iterable[Measured]) -> str:
    return "; ".join(
        f"B={r.brokers} T={r.groups}: failed '{check}'" for r in rows for check, ok in r.checks.items() if not ok
    )


def _join(*parts: str) -> str:
    return "; ".join(part for part in parts if part)


def _yes(ok: bool) -> str:
    return "yes" if ok else "**no**"
