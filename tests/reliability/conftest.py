"""The reliability tests run the product as the integration tests deploy it: same fixtures."""

from tests.integration.conftest import aws, endpoint, two_brokers  # noqa: F401  (fixtures, found by name)
