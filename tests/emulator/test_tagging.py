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


def _pages(aws: EmulatedAws, **kwargs: Any) -> list[int]:
    pages = (
        aws.client("resourcegroupstaggingapi")
        .get_paginator("get_resources")
        .paginate(ResourceTypeFilters=["mq:broker"], TagFilters=[SCOPE], **kwargs)
    )
    return [len(page["ResourceTagMappingList"]) for page in pages]


def test_a_page_holds_as_many_resources_as_asked_whatever_their_tags(aws: EmulatedAws) -> None:
    for n in range(12):
        aws.create_broker(f"b{n}", tags={"mq-static-endpoint": "demo", "team": "t", "cost-centre": "c"})

    assert _pages(aws, ResourcesPerPage=12) == [12], "36 tags do not split a page nobody capped by tags"
    assert _pages(aws, ResourcesPerPage=5) == [5, 5, 2]
    assert _pages(aws, ResourcesPerPage=12, TagsPerPage=30) == [10, 2], "a tag cap, when asked for, holds up to it"


def test_a_lagging_listing_misses_recent_tags_and_still_lists_untagged_and_deleted_brokers(aws: EmulatedAws) -> None:
    untagged, deleted = (aws.create_broker(n, tags={"mq-static-endpoint": "demo"}) for n in ("orders", "billing"))
    tagged = aws.create_broker("audit")
    arns = {b: _arn(aws, b) for b in (untagged, deleted, tagged)}

    aws.tag_listing_lags()
    aws.untag_broker(untagged, ["mq-static-endpoint"])
    aws.delete_broker(deleted)
    aws.tag_broker(tagged, {"mq-static-endpoint": "demo"})
    created = aws.create_broker("payments", tags={"mq-static-endpoint": "demo"})

    assert sorted(_arns(aws, ResourceTypeFilters=["mq:broker"], TagFilters=[SCOPE])) == sorted(
        [arns[untagged], arns[deleted]]
    )
    mq = aws.client("mq")
    assert mq.describe_broker(BrokerId=untagged)["Tags"] == {}, "DescribeBroker is not late"
    assert mq.list_tags(ResourceArn=arns[tagged])["Tags"] == {"mq-static-endpoint": "demo"}, "nor is ListTags"

    aws.tag_listing_catches_up()

    assert sorted(_arns(aws, ResourceTypeFilters=["mq:broker"], TagFilters=[SCOPE])) == sorted(
        [arns[tagged], _arn(aws, created)]
    )


def test_the_listing_catches_up_when_the_emulator_that_made_it_lag_exits(aws: EmulatedAws) -> None:
    broker_id = aws.create_broker("orders", tags={"mq-static-endpoint": "demo"})

    with EmulatedAws(region=aws.region) as inner:
        inner.tag_listing_lags()
        aws.untag_broker(broker_id, ["mq-static-endpoint"])
        assert _arns(aws, ResourceTypeFilters=["mq:broker"], TagFilters=[SCOPE]) == [_arn(aws, broker_id)]

    assert _arns(aws, ResourceTypeFilters=["mq:broker"], TagFilters=[SCOPE]) == []
