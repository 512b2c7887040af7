"""Text fields written on first read, for the care engine's frozen result dataclasses.

A patient's summary holds a year of planned infusions and due tasks, each with sentences saying
why; a worklist of thousands of patients reads the dates of most of them and the sentences of few.
Such objects are built with `build`, which fills every other field and keeps what (`Explain`)
writes the text fields; the first read of any of them writes them all. After that they are plain
instance attributes: the same values, equality, hashing, `dataclasses.replace`, copies and pickles
as an object built with all its text up front.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

_T = TypeVar("_T", bound="LazyText")

Explain = Callable[[], dict[str, Any]] | tuple[Any, ...]
"""What writes an object's text fields: a function of no arguments, or a tuple of a function and
the arguments to call it with (cheaper to make than a `functools.partial`, and most objects are
never explained)."""


class LazyText:
    """Base of a frozen dataclass whose `_lazy_fields` may be written on first read."""

    _lazy_fields: ClassVar[frozenset[str]] = frozenset()

    def __getattr__(self, name: str) -> Any:
        # only reached when the field is not set yet (normal lookup failed)
        fields = self.__dict__
        explain = fields.get("_explain")
        if explain is None or name not in self._lazy_fields:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        fields.update(explain[0](*explain[1:]) if type(explain) is tuple else explain())
        fields.pop("_explain", None)
        return fields[name]

    def __getstate__(self) -> dict[str, Any]:
        """Copies and pickles carry the text, not the function that writes it."""
        for name in self._lazy_fields:
            getattr(self, name)
        return {k: v for k, v in self.__dict__.items() if k != "_explain"}


def build(cls: type[_T], explain: Explain, fields: dict[str, Any]) -> _T:
    """An instance of `cls` with `fields` set and its text fields to be written by `explain`.

    `fields` must name every other field: no `__init__` runs (a frozen dataclass sets each field
    through `object.__setattr__`, which dominates building many small objects). The fields are
    copied into the instance's own dictionary rather than replacing it: replacing an instance
    dictionary costs more than filling the one the object already has.
    """
    obj = _new(cls)
    fields["_explain"] = explain
    obj.__dict__.update(fields)  # frozen: bypass the class's __setattr__
    return obj


def build_shared(cls: type[_T], explain: Explain, shared: dict[str, Any], **fields: Any) -> _T:
    """`build(cls, explain, {**shared, **fields})` without the merged dictionary: objects of one
    kind often share most fields (every task of a monitoring item), which `shared` holds and is
    only read."""
    obj = _new(cls)
    own = obj.__dict__
    own.update(shared)
    own.update(fields)
    own["_explain"] = explain
    return obj


def build_plain(cls: type[Any], fields: dict[str, Any]) -> Any:
    """An instance of the frozen dataclass `cls` with `fields` (every field), without `__init__`."""
    obj = _new(cls)
    obj.__dict__.update(fields)
    return obj


_new = object.__new__
