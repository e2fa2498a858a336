"""`python -m bench`: measure, print the figures, and write them to docs/performance.md."""

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
    parser.add_argument("--cold-start-runs", type=int, default=15, help="fresh processes per cold start figure (0: skip)")
    parser.add_argument("--docs", type=Path, default=DOCS, help="where to write the figures (default docs/performance.md)")
    parser.add_argument("--no-docs", action="store_true", help="print the figures only")
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",") if size.strip()]

    results = run(sizes, cold_start_runs=args.cold_start_runs)
    text = render(results, command="make bench")
    print(text)
    if not args.no_docs:
        args.docs.write_text(text)
        print(f"written to {args.docs}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
