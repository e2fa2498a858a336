# The reconciler's story on an emulated AWS account (moto + emulator/), no AWS
# account needed: `make demo`, or `make demo ARGS=--keep-running` to explore
# the emulator with the AWS CLI afterwards.
ARGS ?=

demo: $(VENV)/.installed
	PYTHONPATH=src:cli:. $(PY) -m demo $(ARGS)
