# Every target creates what it needs on a fresh clone: nothing is assumed to be
# installed but python3 (3.11+) and make.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: test demo bench build lint clean
.DEFAULT_GOAL := test

# The pinned requirements, then the project itself, editable and without its
# (already pinned) dependencies: that installs the mq-endpoint command.
$(VENV)/.installed: requirements-dev.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	$(VENV)/bin/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

venv: $(VENV)/.installed

# The tests, the type check, the template's linters and scanners: what CI runs.
test: $(VENV)/.installed lint
	$(PY) -m mypy
	$(PY) -m pytest

clean:
	rm -rf $(VENV) .venv-* .aws-sam .pytest_cache .hypothesis

# Each concern keeps its targets beside it: template (lint, build), demo, bench.
-include make/*.mk
