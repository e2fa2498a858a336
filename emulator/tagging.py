"""Emulator support for the Resource Groups Tagging API: list tagged MQ brokers.

moto 5.2.1's GetResources knows nothing of Amazon MQ: with
ResourceTypeFilters ["mq:broker"] it returns no resources at all, so tag-based
broker discovery could not be exercised. moto_patches appends the brokers of
moto's MQ backend (same account and region) to the generator GetResources
pages over, so ResourcesPerPage and PaginationToken keep working unchanged.

moto also ends every page one resource short of 100 tags, TagsPerPage given or
not, so 100 one-tag brokers took two pages of ResourcesPerPage=100. AWS pages
by ResourcesPerPage (and recommends it over TagsPerPage): a second patch
applies a tag cap only when the request asks for one, and then up to it.

The Resource Groups Tagging API is eventually consistent on AWS: a broker
tagged a moment ago may not be listed yet, one untagged or deleted may still
be, while DescribeBroker and ListTags already tell the truth. moto is always
current. lag() makes GetResources answer for a backend's brokers from a
snapshot of their tags taken then, until catch_up(); the snapshot is module
state, so that GetResources over HTTP (ThreadedMotoServer, same process) sees
it too.
"""

from collections.abc import Iterator
from threading import Lock
from typing import Any

from moto.mq.models import MQBackend, mq_backends

_MQ_BROKER_TYPES = frozenset({"mq", "mq:broker"})


def _matches(tags: dict[str, str], tag_filters: list[dict[str, Any]]) -> bool:
    """AWS semantics: every filter must match; a filter without Values matches on its key."""
    for tag_filter in tag_filters:
        key = tag_filter["Key"]
        values = tag_filter.get("Values") or []
        if key not in tags or (values and tags[key] not in values):
            return False
    return True


# (account, region) -> (ARN, tags) of every broker when the listing began to lag.
_Listing = list[tuple[str, dict[str, str]]]
_snapshots: dict[tuple[str, str], _Listing] = {}
_snapshots_lock = Lock()


def _listing(mq: MQBackend) -> _Listing:
    return [(broker.arn, dict(mq.list_tags(broker.arn))) for broker in list(mq.brokers.values())]


def lag(mq: MQBackend) -> None:
    """GetResources lists this backend's brokers as they are now, until catch_up()."""
    with _snapshots_lock:
        _snapshots[(mq.account_id, mq.region_name)] = _listing(mq)


def catch_up(mq: MQBackend) -> None:
    with _snapshots_lock:
        _snapshots.pop((mq.account_id, mq.region_name), None)


def _listed(account_id: str, region: str) -> _Listing:
    with _snapshots_lock:
        snapshot = _snapshots.get((account_id, region))
    return snapshot if snapshot is not None else _listing(mq_backends[account_id][region])


def brokers_listed(
    account_id: str, region: str, tag_filters: list[dict[str, Any]], resource_type_filters: list[str]
) -> Iterator[dict[str, Any]]:
    """The MQ brokers GetResources lists for these filters, as its resource mappings."""
    if resource_type_filters and not _MQ_BROKER_TYPES.intersection(resource_type_filters):
        return
    for arn, tags in _listed(account_id, region):
        # GetResources lists only resources that carry (or carried) tags.
        if tags and _matches(tags, tag_filters):
            yield {
                "ResourceARN": arn,
                "Tags": [{"Key": k, "Value": v} for k, v in tags.items()],
            }
