"""Emulator support: what moto 5.2.1 lacks for mq-static-endpoint, shared by the
demo, the integration tests and the end-to-end tests. Never imported by src/.

    with EmulatedAws(region="eu-west-1") as aws:     # inside mock_aws() or a MotoServer
        broker_id = aws.create_broker("orders", tags={"mq-static-endpoint": "demo"})
"""

from .emulated_aws import EmulatedAws
from .faults import Fault
from .interfaces import AddressInUse
from .server import MotoServer

__all__ = ["AddressInUse", "EmulatedAws", "Fault", "MotoServer"]
