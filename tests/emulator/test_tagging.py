"""tag:GetResources lists tagged MQ brokers, as discovery by tag needs."""

from typing import Any

from emulator import EmulatedAws

SCOPE = {"Key": "mq-static-endpoint", "Values": ["demo"]}


def _arns(aws: EmulatedAws, **kwargs: Any) -> list[str]:
    pages = aws.client("resourcegroupstaggingapi").get_paginator("get_resources").paginate(**kwargs)
    return [r["ResourceARN"] for page in pages for r in page["ResourceTagMappingList"]]


def _arn(aws: EmulatedAws, broker_id: str) -> str:
    return aws.client("mq").describe_broker(BrokerId=broker_id)["BrokerArn"]


def test_lists_brokers_carrying_the_tag_and_no_others(aws: EmulatedAws) -> None:
    in_scope = aws.create_broker("orders", tags={"mq-static-endpoint": "demo"})
    aws.create_broker("other-value", tags={"mq-static-endpoint": "prod"})
    aws.create_broker("untagged")

    for resource_type in ("mq:broker", "mq"):
        assert _arns(aws, ResourceTypeFilters=[resource_type], TagFilters=[SCOPE]) == [_arn(aws, in_scope)]


def test_follows_tagging_and_untagging(aws: EmulatedAws) -> None:
    first = aws.create_broker("orders", tags={"mq-static-endpoint": "demo"})
    second = aws.create_broker("billing")

    aws.tag_broker(second, {"mq-static-endpoint": "demo"})
    aws.untag_broker(first, ["mq-static-endpoint"])

    assert _arns(aws, ResourceTypeFilters=["mq:broker"], TagFilters=[SCOPE]) == [_arn(aws, second)]


def test_a_filter_on_another_type_lists_no_broker(aws: EmulatedAws) -> None:
    aws.create_broker("orders", tags={"mq-static-endpoint": "demo"})

    assert _arns(aws, ResourceTypeFilters=["elasticloadbalancing:targetgroup"], TagFilters=[SCOPE]) == []


def test_pages_through_every_broker_once(aws: EmulatedAws) -> None:
    broker_ids = [aws.create_broker(f"b{n}", tags={"mq-static-endpoint": "demo"}) for n in range(5)]

    listed = _arns(aws, ResourceTypeFilters=["mq:broker"], TagFilters=[SCOPE], ResourcesPerPage=2)

    assert sorted(listed) == sorted(_arn(aws, b) for b in broker_ids)
