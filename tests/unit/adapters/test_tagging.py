"""The tagging adapter: the brokers a tag brings into scope, listed to the last page or, failing that, the configured
ones alone and said to be incomplete."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.stub import Stubber

from reconciler.adapters.tagging import BrokersInScope
from reconciler.core.brokers import Scope
from tests.unit.adapters.aws import ACCOUNT, REGION, aws_clients, deadline_falls_on, stubbed

CONFIGURED = "b-1234abcd-56ef-78ab-90cd-ef1234567890"
TAGGED = "b-2234abcd-56ef-78ab-90cd-ef1234567890"
ALSO_TAGGED = "b-3234abcd-56ef-78ab-90cd-ef1234567890"
SCOPE = Scope(broker_ids=frozenset({CONFIGURED}), tag=("team", "orders"))
ASKED = {
    "TagFilters": [{"Key": "team", "Values": ["orders"]}],
    "ResourceTypeFilters": ["mq:broker"],
    "ResourcesPerPage": 100,
}


@pytest.fixture
def tagging() -> Iterator[tuple[Any, Stubber]]:
    client = aws_clients().tagging
    with stubbed(client) as stubber:
        yield client, stubber


def resources(*arns: str, token: str = "") -> dict[str, Any]:
    return {"ResourceTagMappingList": [{"ResourceARN": a} for a in arns], "PaginationToken": token}


def broker_arn(name: str, broker_id: str) -> str:
    return f"arn:aws:mq:{REGION}:{ACCOUNT}:broker:{name}:{broker_id}"


def test_the_tagged_brokers_are_listed_to_the_last_page_beside_the_configured_ones(
    tagging: tuple[Any, Stubber],
) -> None:
    client, stub = tagging
    stub.add_response("get_resources", resources(broker_arn("orders", TAGGED), token="2"), ASKED)
    not_brokers = (f"arn:aws:mq:{REGION}:{ACCOUNT}:configuration:c-1234", broker_arn("odd", "b-not-an-id"))
    answer = resources(broker_arn("billing", ALSO_TAGGED), *not_brokers, broker_arn("first", CONFIGURED))
    stub.add_response("get_resources", answer, {**ASKED, "PaginationToken": "2"})

    listed = BrokersInScope(client, SCOPE).list()

    assert listed.problem is None and listed.value is not None and listed.value.complete
    assert listed.value.brokers == {CONFIGURED: "first", TAGGED: "orders", ALSO_TAGGED: "billing"}


@pytest.mark.parametrize("cut_short", [False, True], ids=["failed", "deadline"])
def test_a_tag_listing_that_fails_on_any_page_keeps_only_the_configured_brokers(
    tagging: tuple[Any, Stubber], cut_short: bool
) -> None:
    """The brokers of the first page alone would make the tagged ones on the rest look out of scope."""
    client, stub = tagging
    stub.add_response("get_resources", resources(broker_arn("orders", TAGGED), token="2"))
    if cut_short:
        deadline_falls_on(client, call=2)
    else:
        stub.add_client_error("get_resources", "ThrottledException", "slow down", 400)

    listed = BrokersInScope(client, SCOPE).list()

    assert listed.value is not None and not listed.value.complete
    assert listed.value.brokers == {CONFIGURED: None}
    assert listed.cut_short is cut_short
    assert listed.problem and listed.problem.startswith("GetResources for tag team=orders failed")


def test_a_scope_without_a_tag_asks_nothing(tagging: tuple[Any, Stubber]) -> None:
    client, _ = tagging

    listed = BrokersInScope(client, Scope(broker_ids=frozenset({CONFIGURED}))).list()

    assert listed.problem is None and listed.value is not None
    assert listed.value.complete and listed.value.brokers == {CONFIGURED: None}
