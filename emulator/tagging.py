"""Emulator support for the Resource Groups Tagging API: list tagged MQ brokers.

moto 5.2.1's GetResources knows nothing of Amazon MQ: with
ResourceTypeFilters ["mq:broker"] it returns no resources at all, so tag-based
broker discovery could not be exercised. This patch appends the brokers of
moto's MQ backend (same account and region) to the generator GetResources
pages over, so ResourcesPerPage and PaginationToken keep working unchanged.
"""

from collections.abc import Callable, Iterator
from typing import Any

from moto.mq.models import mq_backends
from moto.resourcegroupstaggingapi.models import ResourceGroupsTaggingAPIBackend

from ._patching import Patch

_MQ_BROKER_TYPES = frozenset({"mq", "mq:broker"})


def _matches(tags: dict[str, str], tag_filters: list[dict[str, Any]]) -> bool:
    """AWS semantics: every filter must match; a filter without Values matches on its key."""
    for tag_filter in tag_filters:
        key = tag_filter["Key"]
        values = tag_filter.get("Values") or []
        if key not in tags or (values and tags[key] not in values):
            return False
    return True


def _with_mq_brokers(original: Callable[..., Iterator[dict[str, Any]]]) -> Callable[..., Iterator[dict[str, Any]]]:
    def _get_resources_generator(
        self: ResourceGroupsTaggingAPIBackend,
        tag_filters: list[dict[str, Any]] | None = None,
        resource_type_filters: list[str] | None = None,
    ) -> Iterator[dict[str, Any]]:
        yield from original(self, tag_filters=tag_filters, resource_type_filters=resource_type_filters)
        if resource_type_filters and not _MQ_BROKER_TYPES.intersection(resource_type_filters):
            return
        mq = mq_backends[self.account_id][self.region_name]
        for broker in list(mq.brokers.values()):
            tags = mq.list_tags(broker.arn)
            # GetResources lists only resources that carry (or carried) tags.
            if tags and _matches(tags, tag_filters or []):
                yield {
                    "ResourceARN": broker.arn,
                    "Tags": [{"Key": k, "Value": v} for k, v in tags.items()],
                }

    return _get_resources_generator


PATCHES = [Patch(ResourceGroupsTaggingAPIBackend, "_get_resources_generator", _with_mq_brokers)]
