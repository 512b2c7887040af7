"""The work a patient's answers share while they are computed (`PatientRecord.shared_work`).

A summary plans each drug for itself, for the readiness check and for the due-list; records are
immutable, so what one of them works out stays true for the others. The memo lives on the record
only inside the outermost block.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from msinfusion.care.record import PatientRecord


class SharedWork:
    """The block `PatientRecord.shared_work` opens (a class: it is entered twice per summary)."""

    __slots__ = ("opened", "record")

    def __init__(self, record: PatientRecord) -> None:
        self.record = record
        self.opened = False

    def __enter__(self) -> None:
        record = self.record
        if record._open_memo() is None:  # else an enclosing block keeps the work
            record.__dict__["_memo"] = Memo(id(record))
            self.opened = True

    def __exit__(self, *exc: object) -> None:
        if self.opened:
            self.record.__dict__.pop("_memo", None)
            self.opened = False


class Memo(dict[Any, Any]):
    """The work a `shared_work` block keeps, for the one record it was opened on.

    `model_copy` copies the instance `__dict__` shallowly, so the memo remembers its record
    (`owner`, the record's id): a copy made inside the block does not share it. Deep copies and
    pickles get an empty memo that belongs to no record.
    """

    def __init__(self, owner: int) -> None:
        super().__init__()
        self.owner = owner

    def __deepcopy__(self, _memo: dict[int, Any]) -> Memo:
        return Memo(0)

    def __reduce__(self) -> tuple[type[Memo], tuple[int]]:
        return Memo, (0,)
