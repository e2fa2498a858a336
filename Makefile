# Every target creates what it needs on a fresh clone: nothing is assumed to be
# installed but python3 (3.11+) and make. `make help` lists the targets.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

# uv creates the virtualenvs and installs into them. With pip, installing
# aws-sam-cli and checkov alone took half of a fresh clone's `make test` on a
# 2-core machine; uv does every install in seconds. It is bootstrapped with
# pip into a virtualenv of its own, so python3 is all a machine needs, and it
# reads packages from PyPI like pip. It must never download an interpreter
# (the machines reach package registries only): the virtualenvs use the
# machine's pythons.
UV_VERSION := 0.13.9
UV_VENV := .venv-uv
UV := $(UV_VENV)/bin/uv
UV_STAMP := $(UV_VENV)/.installed-$(UV_VERSION)
export UV_PYTHON_DOWNLOADS := never

# pytest workers for the main suite (pytest-xdist); `worksteal` lets an idle
# worker take queued tests from a busy one, so the two end together.
PYTEST_WORKERS ?= 2
# Jobs `make test` runs at once: the installs, the linters, the type check and
# the two pytest runs are independent of each other.
TEST_JOBS ?= 4

VENV313 := .venv-313

.PHONY: help venv test test-quick pytest typecheck style test-313 clean
.PHONY: run-313  # internal: test-313 with PYTHON313 found
.DEFAULT_GOAL := test

help: ## List the targets, one line each
	@awk 'BEGIN {FS = ":[^#]*## "} /^[a-zA-Z0-9_-]+:[^#]*## / {printf "  %-14s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(UV_STAMP):
	rm -rf $(UV_VENV)
	$(PYTHON) -m venv $(UV_VENV)
	$(UV_VENV)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	touch $@

# The pinned requirements, then the project itself, editable and without its
# (already pinned) dependencies: that installs the mq-endpoint command.
$(VENV)/.installed: requirements-dev.txt pyproject.toml | $(UV_STAMP)
	$(UV) venv --quiet --clear --python $(PYTHON) $(VENV)
	$(UV) pip install --quiet --python $(PY) -r requirements-dev.txt
	$(UV) pip install --quiet --python $(PY) --no-deps -e .
	touch $@

venv: $(VENV)/.installed ## Create .venv with the pinned test and demo dependencies

# What CI runs (.ci/run): the tests (slow ones included) under the machine's
# python3 and, for the unit and integration suites, under Python 3.13 too;
# the type check; the template's linters and scanner. All at once, each
# target's output printed whole when it ends, and all of them to the end even
# when one fails (--keep-going), so that one run shows every failure.
test: ## Everything CI runs: pytest (all suites), 3.13 run, mypy, ruff, cfn-lint, sam validate, checkov
	@$(MAKE) --no-print-directory -j$(TEST_JOBS) --keep-going --output-sync=target pytest test-313 typecheck style lint

test-quick: $(VENV)/.installed ## The suites without the slow tests, under python3 only: the edit loop
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist worksteal -m "not slow"

pytest: $(VENV)/.installed ## Every test suite under python3, slow tests included
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist worksteal

typecheck: $(VENV)/.installed ## mypy --strict on src/, cli/ and emulator/
	$(PY) -m mypy

# Formatting is ruff's, not a reviewer's: `$(VENV)/bin/ruff format .` fixes what this finds.
style: $(VENV)/.installed ## ruff: the code formatted as `ruff format` would, and its lint (pyproject.toml) clean
	$(VENV)/bin/ruff format --check --quiet .
	$(VENV)/bin/ruff check --quiet .

# Lambda runs python3.13. Where no 3.13 can be found the run is skipped, and
# says so, rather than failing a machine that cannot have it. The run itself
# is a target of its own: a recipe line that calls $(MAKE) is executed even
# under `make -n`, so it must do nothing but find the interpreter.
test-313: | $(UV_STAMP) ## The unit and integration suites under Python 3.13, in .venv-313
	@python313=$$(sh make/python313.sh) || { \
		echo "test-313: SKIPPED: no Python 3.13 found (not \$$PYTHON313, python3.13 on PATH or pyenv's):" \
			"the unit and integration suites run under $$($(PYTHON) -V 2>&1) only, while Lambda runs 3.13"; exit 0; }; \
	$(MAKE) --no-print-directory PYTHON313="$$python313" run-313

run-313: $(VENV313)/.installed
	$(VENV313)/bin/python -m pytest tests/unit tests/integration

$(VENV313)/.installed: requirements-dev.txt | $(UV_STAMP)
	$(UV) venv --quiet --clear --python $(PYTHON313) $(VENV313)
	$(UV) pip install --quiet --python $(VENV313)/bin/python -r requirements-dev.txt
	touch $@

clean: ## Remove every virtualenv, build output and cache
	rm -rf $(VENV) .venv-* .aws-sam .pytest_cache .hypothesis .mypy_cache

# Each concern keeps its targets beside it: template (lint, build, deploy), demo, bench.
-include make/*.mk
