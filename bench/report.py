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
from bench.package import Package
from bench.pacing import DEFAULT_BURST, DEFAULT_RATE, FUNCTION_TIMEOUT, SLACK_SECONDS, Pace
from bench.sweep_cost import SweepCosts

COLD_START_GOAL = 1.3
# A steady sweep of 200 brokers, wall time on the emulator (issue 9).
STEADY_SWEEP_SECONDS = 2.0
# Sweeps a day at the default SweepSchedule, rate(1 minute).
SWEEPS_PER_DAY = 24 * 60
JITTER_CALLS = DEFAULT_RATE * SLACK_SECONDS
WRITES = ("RegisterTargets", "DeregisterTargets")
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
    paced: list[tuple[Measured, Pace]] = field(default_factory=list)
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
            moved = [c.moved for c in self.sweep_costs]
            events = [c.event for c in self.sweep_costs] + [c.tagged for c in self.sweep_costs]
            goals += [
                ("steady sweep: ratio 1.00 to the bound", _at_bound(steady), _join(_misses(steady), _notes(steady))),
                (
                    "steady sweep: 0 Amazon MQ calls",
                    not any(r.calls["DescribeBroker"] for r in steady),
                    ", ".join(f"B={r.brokers} T={r.groups}: {r.calls['DescribeBroker']}" for r in steady if r.calls["DescribeBroker"])
                    or f"0 DescribeBroker at every B ({', '.join(sorted({str(r.brokers) for r in steady}, key=int))}) and T",
                ),
                ("k moved targets: ceil(k/200) writes per group", _at_bound(moved, WRITES), _misses(moved, WRITES)),
                (
                    "event: one sweep, plus at most one DescribeBroker per named broker not listed; same state as a sweep",
                    _at_bound(events),
                    _misses(events),
                ),
            ]
            largest = max(steady, key=lambda r: (r.brokers, -r.groups))
            goals.append(
                (
                    f"steady sweep of B={largest.brokers} under {STEADY_SWEEP_SECONDS:g} s on the emulator",
                    largest.seconds < STEADY_SWEEP_SECONDS,
                    f"{largest.seconds:.2f} s (T={largest.groups})",
                )
            )
            goals.append(
                (
                    f"Amazon MQ calls a day at B={largest.brokers}, one sweep a minute: 0 in the steady state",
                    largest.calls["DescribeBroker"] == 0,
                    f"{largest.calls['DescribeBroker'] * SWEEPS_PER_DAY:,} (one DescribeBroker per broker and sweep made"
                    f" {largest.brokers * SWEEPS_PER_DAY:,})",
                )
            )
        if self.paced:
            worst = max(pace.excess for _, pace in self.paced)
            goals.append(
                (
                    f"paced sweep: DescribeBroker never above {DEFAULT_RATE:g}/s * t + {DEFAULT_BURST}",
                    worst <= JITTER_CALLS,
                    f"worst excess {worst:+.2f} calls (jitter allowed: {JITTER_CALLS:g})",
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
                    f"throttled sweep (a quarter throttled once, standard retries) well within the {FUNCTION_TIMEOUT} s timeout",
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
        sections.append(_calls_section([r for c in results.sweep_costs for r in c.rows()]))
        sections.append(_steady_time_section([c.steady for c in results.sweep_costs]))
    if results.paced:
        sections.append(_pacing_section(results.paced))
    if results.throttled:
        sections.append(_throttling_section(results.throttled))
    if results.cold_start:
        sections.append(_cold_start_section(results.cold_start))
    if results.cutover:
        sections.append(cutover_section(results.cutover))
    if results.package:
        sections.append(_package_section(results.package))
    return "\n\n".join(section.strip() for section in sections) + "\n"


METHOD = f"""## Method

- **Where.** The real handler (`reconciler.handler.lambda_handler`) runs in
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
  MQ call in the steady state. k targets in and k out of a group add
  ceil(k/200) RegisterTargets and as many DeregisterTargets, and the k
  addresses no broker interface holds any more are looked up by address
  before they go (DescribeNetworkInterfaces, ceil(k/200)). An event naming a
  broker the tag listing does not show adds its DescribeBroker.
  DescribeTargetGroups, DescribeTags (the groups' owner tag) and
  DescribeSubnets are due once per container, so the sweeps counted run in a
  warm container (a first sweep before them reads them). Counting runs set a
  pace no sweep here reaches (the count does not depend on it). moto 5.2.1 closes a
  GetResources page at 99 single-tag resources when TagsPerPage is not
  given (it applies 100 tags a page and stops one short), so from B = 100 on
  its page count can exceed the bound: see the note in the tables.
- **Moved addresses.** Every broker in scope takes new addresses (reboot,
  replacement): k = 2B targets in and 2B out of each group.
- **Events.** One broker takes new addresses and a RebootBroker CloudTrail
  event arrives (`emulator/events.py`); then a sweep proves it would change
  nothing. A broker outside the scope is tagged into it while the tag listing
  lags (the emulator answers GetResources from before the tag), and its
  CreateTags event arrives.
- **Pacing.** A steady sweep makes no DescribeBroker call, so the pace is
  measured where every broker needs one: the brokers' interfaces described
  otherwise than the reconciler looks for (as if AWS changed the wording), a
  new container at the function's defaults (MQ_DESCRIBE_RATE
  {DEFAULT_RATE:g}, MQ_DESCRIBE_BURST {DEFAULT_BURST}) sweeps groups that need
  no change. From the times moto served each DescribeBroker,
  every stretch between two calls is checked: the calls in it may not exceed
  rate * length + burst, give or take {SLACK_SECONDS:g} s of thread wake-up
  jitter. Wall times are single runs on a shared 2-core machine: read them
  as orders of magnitude.
- **Throttling.** As the paced sweep, with the function's default retries
  (botocore's standard mode, 3 attempts): DescribeBroker answers
  ThrottlingException once for a quarter of the brokers and on every attempt
  for one more (`emulator.Fault`). Retries count as calls, and against the
  pace: a retry sent without a token shows as about one call of excess, in
  the runs whose backoff jitter lands it in a stretch the bucket already
  filled. Its wall time is set against the function's {FUNCTION_TIMEOUT} s
  timeout (adaptive mode, with its own client-side limiter stacked on the
  pace, took 70-77 s for 120 brokers with 40 throttled once: CONTEXT.md).
- **Cold start.** Rounds of fresh `python -c ...` processes under a valid
  configuration: the interpreter alone, then `import boto3` and
  `import reconciler.handler`, those two in alternating order from round to
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
    return _section("Goals (issues 5, 9, 10, 11)", "", ["goal", "met", "evidence"], rows)


def _calls_section(rows: list[Measured]) -> str:
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
    intro = (
        "Warm containers at an unreachable pace. A cell reads `calls` where the count meets the bound,"
        " `calls (bound n)` where it does not. Wall times are moto's, in process."
    )
    return _section("AWS calls per invocation", intro, header, cells)


def _steady_time_section(steady: list[Measured]) -> str:
    intro = (
        "A warm container's steady sweep against the number of brokers in scope (wall time in process, one run each;"
        " the emulator answers a DescribeNetworkInterfaces page of 1,000 in about half a second)."
    )
    header = ["B", "T", "AWS calls", "Amazon MQ calls", "wall s", "Amazon MQ calls a day at 1 sweep/min"]
    rows = [
        [str(r.brokers), str(r.groups), str(r.total), str(r.calls["DescribeBroker"]), f"{r.seconds:.2f}",
         f"{r.calls['DescribeBroker'] * SWEEPS_PER_DAY:,}"]
        for r in sorted(steady, key=lambda r: (r.groups, r.brokers))
    ]
    return _section("Steady sweep against B", intro, header, rows)


def _pacing_section(paced: list[tuple[Measured, Pace]]) -> str:
    intro = (
        "A new container's first sweep with no broker interface found, so every broker is read with DescribeBroker;"
        " nothing to change (its wall time includes building the clients and the once-per-container reads);"
        f" the limit in any stretch of t seconds is {DEFAULT_RATE:g} * t + {DEFAULT_BURST}."
    )
    header = ["B", "DescribeBroker", "calls / bound", "wall s", "most calls in 1 s", "worst excess (calls)", "limit held"]
    rows = [
        [
            str(m.brokers),
            str(pace.calls),
            f"{m.total} / {m.bound_total}",
            f"{m.seconds:.2f}",
            str(pace.busiest_second),
            f"{pace.excess:+.2f}",
            _yes(pace.excess <= JITTER_CALLS),
        ]
        for m, pace in paced
    ]
    return _section("Pacing at the default rate", intro, header, rows)


def _throttling_section(throttled: list[tuple[Measured, Pace]]) -> str:
    intro = (
        "As the paced sweep; a quarter of the brokers' DescribeBroker is throttled once, one more broker's on every"
        f" attempt, standard retries. Compare the wall time with the unthrottled sweep above and the {FUNCTION_TIMEOUT} s"
        " timeout."
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
        ("`python -c 'import reconciler.handler'`", cold.handler),
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
            f"- handler / boto3, CPU, median of the rounds' ratios: **{cold.cpu_ratio:.2f}** (goal <= {COLD_START_GOAL});"
            f" middle half of the rounds {cold.cpu_ratio_quartiles[0]:.2f} to {cold.cpu_ratio_quartiles[1]:.2f};"
            f" wall: {cold.ratio:.2f}",
            f"- wall, without the interpreter's start in either: {cold.ratio_without_interpreter:.2f}",
            f"- the first invocation that calls AWS builds the reconciler and its 4 clients: {cold.client_build * 1000:.0f} ms"
            " (wall, in process), once per container",
        ]
    )


def cutover_section(timing: CutoverTiming) -> str:
    rows = [[s.step, f"{s.seconds:.2f}", f"{s.waited:.2f}", f"{s.spent:.2f}"] for s in timing.steps]
    rows.append(["total", f"{timing.total:.2f}", f"{timing.waited:.2f}", f"{timing.total - timing.waited:.2f}"])
    return _section(
        "Cutover (mq-endpoint cutover, on the emulator)",
        f"One cutover of `orders` to a new broker on the deployed template (`bench/cutover.py`): the new broker's first "
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
        f"{package.files} files, {package.bytes / 1024 / 1024:.2f} MiB unzipped, **{package.zipped / 1024 / 1024:.2f} MiB zipped**"
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
    return "; ".join(f"B={r.brokers} T={r.groups}: failed '{check}'" for r in rows for check, ok in r.checks.items() if not ok)


def _join(*parts: str) -> str:
    return "; ".join(part for part in parts if part)


def _yes(ok: bool) -> str:
    return "yes" if ok else "**no**"
