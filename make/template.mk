# The template's linters, scanner and build (issue 3). Included by the root
# Makefile, which defines PYTHON, VENV and PY and the $(VENV)/.installed rule.
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

# Nothing here talks to AWS or needs credentials: a region for the tools that
# want one, no SAM telemetry, no download of checkov's online guidelines.
LINT_REGION ?= eu-west-1
OFFLINE_ENV := AWS_DEFAULT_REGION=$(LINT_REGION) SAM_CLI_TELEMETRY=0

# `sam build` of a python3.13 function needs python3.13 on PATH; with pyenv
# this makes it visible next to the default interpreter.
BUILD_PYENV_VERSION ?= 3.11.7:3.13.0

.PHONY: lint cfn-lint sam-validate checkov build

$(SAM_STAMP):
	rm -rf $(SAM_VENV)
	$(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/pip install --quiet --disable-pip-version-check aws-sam-cli==$(SAM_CLI_VERSION)
	touch $@

$(CHECKOV_STAMP):
	rm -rf $(CHECKOV_VENV)
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip install --quiet --disable-pip-version-check checkov==$(CHECKOV_VERSION)
	touch $@

lint: cfn-lint sam-validate checkov

cfn-lint: $(VENV)/.installed
	$(VENV)/bin/cfn-lint $(TEMPLATE)

sam-validate: $(SAM_STAMP)
	$(OFFLINE_ENV) $(SAM_VENV)/bin/sam validate --lint --region $(LINT_REGION) --template-file $(TEMPLATE)

# Fails on any failed check; the only exceptions are `Metadata: checkov: skip:`
# entries in the template, each with its reason.
checkov: $(CHECKOV_STAMP)
	$(OFFLINE_ENV) $(CHECKOV_VENV)/bin/checkov --file $(TEMPLATE) --framework cloudformation \
		--skip-download --quiet --compact

build: $(SAM_STAMP)
	$(OFFLINE_ENV) PYENV_VERSION=$(BUILD_PYENV_VERSION) $(SAM_VENV)/bin/sam build --template-file $(TEMPLATE)
