"""`python -m bench`: measure and print the figures; with --write-docs, also write them to docs/performance.md."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bench.report import render
from bench.suite import run

DOCS = Path(__file__).resolve().parent.parent / "docs" / "performance.md"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--sizes",
        default="1,10,50,200",
        help="brokers in scope, comma-separated (default 1,10,50,200; B=200 sweeps ~20 s at the default pace)",
    )
    parser.add_argument(
        "--cold-start-runs", type=int, default=25, help="rounds of fresh processes for the cold start (0: skip)"
    )
    # Printing only is the default: measuring must not change a tracked file
    # (`make bench` leaves `git status` clean); `make bench-docs` writes.
    parser.add_argument("--write-docs", action="store_true", help="also write the figures to --docs")
    parser.add_argument(
        "--docs", type=Path, default=DOCS, help="where --write-docs writes (default docs/performance.md)"
    )
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",") if size.strip()]

    results = run(sizes, cold_start_runs=args.cold_start_runs)
    text = render(results, command="make bench-docs" if args.write_docs else "make bench")
    print(text)
    if args.write_docs:
        args.docs.write_text(text)
        print(f"written to {args.docs}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
