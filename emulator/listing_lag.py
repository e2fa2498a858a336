"""Emulator support for EC2's eventual consistency: DescribeNetworkInterfaces lagging behind creations and deletions.

The EC2 API reference ("Eventual consistency in the Amazon EC2 API") says the
result of a call that creates or changes a resource may not show at once in
the Describe calls that follow: a just-created network interface can be
missing from DescribeNetworkInterfaces for a while, a just-deleted one can
still be listed (docs/sources.md, "EC2"). moto's listing is always
current. While a lag is on, the listing a client gets (every form: all
interfaces, by NetworkInterfaceIds, by any filter, paged) leaves out every
interface created since it began and still lists, as it was, every interface
deleted since. Asked by id, a hidden interface is not found
(InvalidNetworkInterfaceID.NotFound), as EC2 may answer right after a create.

How long the listing lags: until the test calls catch_up, or per interface
for a number of listings (each DescribeNetworkInterfaces call, that is each
page, is one listing) or of seconds, each drawn from a range with a seeded
random generator for the randomized suite. The lag ends at the first bound
reached. Everything else (free addresses, DescribeBroker) stays current: an
address a deleted interface held is free at once even while the listing still
shows it, which is how a stale listing can mislead.

A client's DescribeNetworkInterfaces is served by
A client's DescribeNetworkInterfaces is served by
EC2Backend.get_all_network_interfaces (moto 5.2.1): moto_patches hooks it, and
the creation and deletion of interfaces, to call this module.
"""

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from threading import Lock
from typing import Any, TypeAlias

from moto.ec2.exceptions import InvalidNetworkInterfaceIdError
from moto.ec2.models.elastic_network_interfaces import NetworkInterface, NetworkInterfaceBackend
from moto.ec2.utils import generic_filter

# A bound of the lag: a fixed value, or a (low, high) range to draw each interface's from.
Bound: TypeAlias = float | tuple[float, float] | None

# On moto's EC2 backend, so that a moto reset forgets it.
_LAG = "emulator_listing_lag"


@dataclass
class _Stale:
    """How long one interface's listing stays stale: `listings` more listings, or until `until` on the lag's clock.

    eni: a deleted interface, as the listing still shows it.
    """

    listings: float | None
    until: float | None
    eni: NetworkInterface | None = None

    def expired(self, now: float) -> bool:
        return (self.listings is not None and self.listings <= 0) or (self.until is not None and now >= self.until)


@dataclass
class Lag:
    hide_new: bool
    keep_deleted: bool
    listings: Bound
    seconds: Bound
    rng: random.Random
    clock: Callable[[], float]
    hidden: dict[str, _Stale] = field(default_factory=dict)  # eni id -> its lag
    deleted: dict[str, _Stale] = field(default_factory=dict)
    lock: Lock = field(default_factory=Lock)

    def _draw(self, bound: Bound) -> float | None:
        if isinstance(bound, tuple):
            low, high = bound
            return (
                self.rng.randint(int(low), int(high))
                if isinstance(low, int) and isinstance(high, int)
                else self.rng.uniform(low, high)
            )
        return bound

    def stale(self, eni: NetworkInterface | None = None) -> _Stale:
        seconds = self._draw(self.seconds)
        return _Stale(self._draw(self.listings), None if seconds is None else self.clock() + seconds, eni)

    def listing(self, current: list[NetworkInterface]) -> list[NetworkInterface]:
        """What this listing shows instead of `current`; counts it as one listing for every stale interface."""
        with self.lock:
            now = self.clock()
            for lags in (self.hidden, self.deleted):
                for eni_id in [i for i, stale in lags.items() if stale.expired(now)]:
                    del lags[eni_id]
            shown = [eni for eni in current if eni.id not in self.hidden]
            shown += [stale.eni for stale in self.deleted.values() if stale.eni is not None]
            for stale in [*self.hidden.values(), *self.deleted.values()]:
                if stale.listings is not None:
                    stale.listings -= 1
            return shown


def lag_of(ec2: NetworkInterfaceBackend) -> Lag | None:
    lag: Lag | None = getattr(ec2, _LAG, None)
    return lag


def start(
    ec2: NetworkInterfaceBackend,
    *,
    hide_new: bool = True,
    keep_deleted: bool = True,
    listings: Bound = None,
    seconds: Bound = None,
    seed: int | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> None:
    """From now on the listing lags: see the module's docstring. Replaces a lag already on (what it hid shows)."""
    setattr(ec2, _LAG, Lag(hide_new, keep_deleted, listings, seconds, random.Random(seed), clock))


def catch_up(ec2: NetworkInterfaceBackend) -> None:
    """The listing is current again, and stays so."""
    setattr(ec2, _LAG, None)


def deleted(ec2: NetworkInterfaceBackend, eni: NetworkInterface) -> None:
    """The interface was deleted: a lag still lists it, as it was."""
    lag = lag_of(ec2)
    if lag is not None and lag.keep_deleted:
        with lag.lock:
            lag.hidden.pop(eni.id, None)
            lag.deleted[eni.id] = lag.stale(eni)


def created(ec2: NetworkInterfaceBackend, eni: NetworkInterface) -> None:
    """The interface was created: a lag hides it."""
    lag = lag_of(ec2)
    if lag is not None and lag.hide_new:
        with lag.lock:
            lag.hidden[eni.id] = lag.stale()


def listed(lag: Lag, enis: list[NetworkInterface], eni_ids: list[str] | None, filters: Any) -> list[NetworkInterface]:
    """What DescribeNetworkInterfaces lists of `enis` (every interface there is) while `lag` is on."""
    shown = lag.listing(enis)
    if eni_ids:
        found = {eni.id for eni in shown}
        missing = [i for i in eni_ids if i not in found]
        if missing:
            raise InvalidNetworkInterfaceIdError(missing[0])
        shown = [eni for eni in shown if eni.id in eni_ids]
    filtered: list[NetworkInterface] = generic_filter(filters, shown)
    return filtered
