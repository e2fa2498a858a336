"""`python -m mq_endpoint`, the same as the `mq-endpoint` console command."""

import sys

from .main import main

sys.exit(main())
