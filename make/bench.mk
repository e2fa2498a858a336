# The performance benchmark of issue 5: AWS calls per sweep and per event,
# pacing, cold start, package size. Included by the root Makefile, which
# defines VENV, PY and the $(VENV)/.installed rule. Everything runs against
# moto in process.
#
# `make bench` prints the figures and changes no file; `make bench-docs`
# measures again and rewrites docs/performance.md.
# B=200 sweeps take ~20 s each at the default pace (by design): for a quicker
# look, `make bench BENCH_ARGS=--sizes=1,10,50`.
BENCH_ARGS ?=

.PHONY: bench bench-docs

bench: $(VENV)/.installed ## Measure AWS calls, pacing, cold start and package size; print only
	PYTHONPATH=src:. $(PY) -m bench $(BENCH_ARGS)

bench-docs: $(VENV)/.installed ## Measure as `make bench` does and rewrite docs/performance.md
	PYTHONPATH=src:. $(PY) -m bench --write-docs $(BENCH_ARGS)
