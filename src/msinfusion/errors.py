"""One exception type per domain, each carrying the field path the user must fix."""

from __future__ import annotations

from collections.abc import Sequence


def format_loc(loc: Sequence[str | int]) -> str:
    """('results', 2, 'date') -> 'results[2].date'."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part:
            out += f".{part}" if out else str(part)
    return out


class MsInfusionError(Exception):
    """Base class: a problem the user can fix, with where it is."""

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        self.problem = problem
        super().__init__(f"{field}: {problem}" if field else problem)


class CatalogError(MsInfusionError):
    """A catalog file is wrong; names the file and the field."""

    def __init__(self, file: str, field: str, problem: str) -> None:
        self.file = file
        super().__init__(field, problem)
        self.args = (f"{file}: {field}: {problem}" if field else f"{file}: {problem}",)


class RecordError(MsInfusionError):
    """A patient record is wrong; names the field path (e.g. results[2].date)."""


class CareError(MsInfusionError):
    """A request the care logic cannot answer (unknown drug, missing height for BSA dosing, ...)."""


class InstanceError(MsInfusionError):
    """An infusion-center day (instance) or schedule file is wrong; names the field path."""


class DiaryError(MsInfusionError):
    """A diary or infusion list is wrong or cannot be analysed; names the field (or CSV line)."""
