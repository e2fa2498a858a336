# The performance benchmark of issue 5: AWS calls per sweep and per event,
# pacing, cold start, package size. Included by the root Makefile, which
# defines VENV, PY and the $(VENV)/.installed rule. Prints the figures and
# rewrites docs/performance.md; everything runs against moto in process.
#
# B=200 sweeps take ~20 s each at the default pace (by design): for a quicker
# look, `make bench BENCH_ARGS=--sizes=1,10,50`.
BENCH_ARGS ?=

.PHONY: bench

bench: $(VENV)/.installed
	PYTHONPATH=src:. $(PY) -m bench $(BENCH_ARGS)
