"""`python -m mq_endpoint`, the same as the `mq-endpoint` console command."""

from .main import entry

entry()
