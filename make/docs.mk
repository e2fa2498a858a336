# Pages of docs/ generated from a source file (the demo's and the bench's real
# output have their own targets: `python -m demo --write-docs`, bench-docs).
# Included by the root Makefile, which defines VENV, PY and the
# $(VENV)/.installed rule.

.PHONY: docs

docs: $(VENV)/.installed ## Rewrite docs/parameters.md from template.yaml's parameters, groups and rules
	$(PY) -m docs.parameters --write
