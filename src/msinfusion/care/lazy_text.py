"""Text fields written on first read, for the care engine's frozen result dataclasses.

A patient's summary holds a year of planned infusions and due tasks, each with sentences saying
why; a worklist of thousands of patients reads the dates of most of them and the sentences of few.
Such objects are built with `build`, which fills every other field and keeps a function that
returns the text fields; the first read of any of them writes them all. After that they are plain
instance attributes: the same values, equality, hashing, `dataclasses.replace`, copies and pickles
as an object built with all its text up front.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

_T = TypeVar("_T", bound="LazyText")


class LazyText:
    """Base of a frozen dataclass whose `_lazy_fields` may be written on first read."""

    _lazy_fields: ClassVar[frozenset[str]] = frozenset()

    def __getattr__(self, name: str) -> Any:
        # only reached when the field is not set yet (normal lookup failed)
        fields = self.__dict__
        explain = fields.get("_explain")
        if explain is None or name not in self._lazy_fields:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        fields.update(explain())
        fields.pop("_explain", None)
        return fields[name]

    def __getstate__(self) -> dict[str, Any]:
        """Copies and pickles carry the text, not the function that writes it."""
        for name in self._lazy_fields:
            getattr(self, name)
        return {k: v for k, v in self.__dict__.items() if k != "_explain"}


def build(cls: type[_T], explain: Callable[[], dict[str, Any]], fields: dict[str, Any]) -> _T:
    """An instance of `cls` with `fields` set and its text fields to be written by `explain`.

    `fields` (taken over, not copied) must name every other field: no `__init__` runs (a frozen
    dataclass sets each field through `object.__setattr__`, which dominates building many small
    objects).
    """
    obj = object.__new__(cls)
    fields["_explain"] = explain
    _set(obj, "__dict__", fields)  # frozen: bypass the class's __setattr__
    return obj


def build_plain(cls: type[Any], fields: dict[str, Any]) -> Any:
    """An instance of the frozen dataclass `cls` with `fields` (every field; taken over, not
    copied), without `__init__`."""
    obj = object.__new__(cls)
    _set(obj, "__dict__", fields)
    return obj


_set = object.__setattr__
