# The reconciler's story on an emulated AWS account (moto + emulator/), no AWS
# account needed: `make demo`, or `make demo ARGS=--keep-running` to explore
# the emulator with the AWS CLI afterwards.
ARGS ?=

.PHONY: demo

demo: $(VENV)/.installed ## The reconciler's story on an emulated AWS account, no AWS account needed
	PYTHONPATH=src:cli:. $(PY) -m demo $(ARGS)
