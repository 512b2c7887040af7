"""Facts derived once from a catalog object and kept for as long as that object lives.

Catalog objects are immutable and shared by every patient, so what the care engine derives from one
(a regimen block's spacing, its dose rule) is the same for all of them. Keyed by identity, not by
value: two equal blocks of different catalogs are different entries, and the object itself is kept
beside its facts so a reused id() can never return another object's facts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")


def identity_cache(make: Callable[[K], V], limit: int = 4096) -> Callable[[K], V]:
    """`make(obj)`, computed once per object; the cache empties itself past `limit` entries."""
    cache: dict[int, tuple[K, V]] = {}

    def get(obj: K) -> V:
        known = cache.get(id(obj))
        if known is not None and known[0] is obj:
            return known[1]
        if len(cache) > limit:
            cache.clear()
        value = make(obj)
        cache[id(obj)] = (obj, value)
        return value

    return get
