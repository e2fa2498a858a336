"""The mq-static-endpoint demo and its harness, on an emulated AWS (moto + emulator/).

`python -m demo` (or `make demo`) tells the story; tests/e2e drives the same
harness: world.py builds the account, stack.py deploys template.yaml into it;
emulator/lambda_runtime.py runs the real handler, emulator/events.py makes its
triggers.
"""
