# The template's linters, scanner, build and deploy (issue 3). Included by the
# root Makefile, which defines PYTHON, VENV, PY, UV, UV_STAMP and the
# $(VENV)/.installed rule.
#
# aws-sam-cli and checkov each live in their own virtualenv: checkov pins an
# old boto3, aws-sam-cli pins its own cfn-lint, neither may move the project's
# pins. A stamp file named after the version makes a version bump rebuild the
# virtualenv and lets an unchanged one be reused.

SAM_CLI_VERSION := 1.170.0
CHECKOV_VERSION := 3.3.30
SAM_VENV := .venv-sam
CHECKOV_VENV := .venv-checkov
SAM_STAMP := $(SAM_VENV)/.installed-$(SAM_CLI_VERSION)
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed-$(CHECKOV_VERSION)
TEMPLATE := template.yaml

# Nothing here but deploy and delete talks to AWS or needs credentials: a
# region for the tools that want one, no SAM telemetry, no download of
# checkov's online guidelines.
LINT_REGION ?= eu-west-1
OFFLINE_ENV := AWS_DEFAULT_REGION=$(LINT_REGION) SAM_CLI_TELEMETRY=0

# `make deploy DEPLOY_ARGS="--config-env prod"` deploys the prod environment of samconfig.toml.
DEPLOY_ARGS ?= --guided
DELETE_ARGS ?=

.PHONY: lint cfn-lint sam-validate checkov build deploy delete

$(SAM_STAMP): | $(UV_STAMP)
	$(UV) venv --quiet --clear --python $(PYTHON) $(SAM_VENV)
	$(UV) pip install --quiet --python $(SAM_VENV)/bin/python aws-sam-cli==$(SAM_CLI_VERSION)
	touch $@

$(CHECKOV_STAMP): | $(UV_STAMP)
	$(UV) venv --quiet --clear --python $(PYTHON) $(CHECKOV_VENV)
	$(UV) pip install --quiet --python $(CHECKOV_VENV)/bin/python checkov==$(CHECKOV_VERSION)
	touch $@

lint: cfn-lint sam-validate checkov ## cfn-lint, sam validate --lint and checkov on template.yaml, offline

cfn-lint: $(VENV)/.installed ## cfn-lint on template.yaml
	$(VENV)/bin/cfn-lint $(TEMPLATE)

sam-validate: $(SAM_STAMP) ## sam validate --lint on template.yaml (pinned SAM CLI in .venv-sam)
	$(OFFLINE_ENV) $(SAM_VENV)/bin/sam validate --lint --region $(LINT_REGION) --template-file $(TEMPLATE)

# Fails on any failed check; the only exceptions are `Metadata: checkov: skip:`
# entries in the template, each with its reason. checkov does not expand
# Fn::ForEach (it skips every looped resource without a word), so it reads
# the template with its loops expanded (emulator/sam_template.py), Metadata kept.
EXPANDED_TEMPLATE := .aws-sam/expanded-template.json

checkov: $(CHECKOV_STAMP) $(VENV)/.installed ## checkov on template.yaml, loops expanded; fails on any check not skipped with a reason
	$(PY) -m emulator.sam_template $(EXPANDED_TEMPLATE)
	$(OFFLINE_ENV) $(CHECKOV_VENV)/bin/checkov --file $(EXPANDED_TEMPLATE) --framework cloudformation \
		--skip-download --quiet --compact

# `sam build` of a python3.13 function runs pip with python3.13, found on
# PATH: make/python313.sh finds one (pyenv's too) and its directory goes first.
# The package is src/ plus what pip installs from src/requirements.txt
# (Powertools): reaching PyPI is all it needs.
build: $(SAM_STAMP) $(VENV)/.installed ## sam build into .aws-sam/build: src/ and the pinned Powertools (needs Python 3.13)
	@python313=$$(sh make/python313.sh) || { echo "make build: sam build needs Python 3.13 (python3.13 on PATH, pyenv's, or PYTHON313=/path)" >&2; exit 1; }; \
	echo "sam build with $$python313"; \
	$(PY) -m emulator.sam_template $(EXPANDED_TEMPLATE) && \
	PATH="$$(dirname "$$python313"):$$PATH" $(OFFLINE_ENV) $(SAM_VENV)/bin/sam build --template-file $(EXPANDED_TEMPLATE)

# Both talk to AWS with your credentials: never run by the tests or CI.
deploy: build ## sam build, then sam deploy with DEPLOY_ARGS (default --guided; or DEPLOY_ARGS="--config-env prod")
	SAM_CLI_TELEMETRY=0 $(SAM_VENV)/bin/sam deploy $(DEPLOY_ARGS)

delete: $(SAM_STAMP) ## sam delete with DELETE_ARGS: the stack; deploy DeletionProtection=false first if it is on
	SAM_CLI_TELEMETRY=0 $(SAM_VENV)/bin/sam delete $(DELETE_ARGS)
