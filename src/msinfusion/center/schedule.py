"""A schedule for one center day: who sits in which chair from when, and who could not be placed.

JSON contract: `{"assignments": [{"id", "chair", "start"}], "unplaced": [ids], "objective", "bound",
"gap"}`; extra keys (status, per-level gaps, solve time) are additions, never replacements.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from msinfusion.center.instance import Instance, format_hhmm, parse_hhmm
from msinfusion.errors import InstanceError


@dataclass(frozen=True, slots=True)
class Assignment:
    id: str
    chair: int
    start: int
    """Minutes since midnight."""


@dataclass(frozen=True, slots=True)
class LevelResult:
    """One lexicographic objective level: its value, the best bound known and the gap."""

    name: str
    objective: float
    bound: float
    gap: float | None
    """Relative gap (objective - bound) / objective; None where the bound is 0 (see gap_abs)."""
    gap_abs: float


@dataclass(frozen=True, slots=True)
class Schedule:
    assignments: tuple[Assignment, ...]
    unplaced: tuple[str, ...]
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    status: str = "unknown"
    """"optimal", "feasible" (time limit hit, best found so far), "baseline", "given"."""
    levels: tuple[LevelResult, ...] = ()
    solve_seconds: float | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def by_id(self) -> dict[str, Assignment]:
        return {a.id: a for a in self.assignments}

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "assignments": [
                {"id": a.id, "chair": a.chair, "start": format_hhmm(a.start)}
                for a in sorted(self.assignments, key=lambda a: (a.start, a.chair, a.id))
            ],
            "unplaced": list(self.unplaced),
            "objective": self.objective,
            "bound": self.bound,
            "gap": self.gap,
            "status": self.status,
        }
        if self.levels:
            out["levels"] = [
                {
                    "name": lv.name,
                    "objective": lv.objective,
                    "bound": lv.bound,
                    "gap": lv.gap,
                    "gap_abs": lv.gap_abs,
                }
                for lv in self.levels
            ]
        if self.solve_seconds is not None:
            out["solve_seconds"] = round(self.solve_seconds, 3)
        out.update(self.extra)
        return out

    @classmethod
    def from_json(cls, data: Any, instance: Instance) -> Schedule:
        """Parse a schedule for `instance`; unknown ids, bad chairs and bad times name their field.

        Hard rules (overlaps, windows, nurses) are not checked here: that is `validate.violations`.
        """
        if not isinstance(data, Mapping):
            raise InstanceError("", "a schedule must be a JSON object")
        known = {a.id for a in instance.appointments}
        raw = data.get("assignments")
        if not isinstance(raw, Sequence) or isinstance(raw, str):
            raise InstanceError("assignments", "expected a list")
        seen: set[str] = set()
        out = []
        for i, row in enumerate(raw):
            where = f"assignments[{i}]"
            if not isinstance(row, Mapping):
                raise InstanceError(where, 'expected {"id", "chair", "start"}')
            aid = row.get("id")
            if aid not in known:
                raise InstanceError(f"{where}.id", f"no appointment {aid!r} in the instance")
            if aid in seen:
                raise InstanceError(f"{where}.id", f"{aid!r} is assigned twice")
            seen.add(aid)
            chair = row.get("chair")
            if isinstance(chair, bool) or not isinstance(chair, int):
                raise InstanceError(f"{where}.chair", f"expected a chair number, got {chair!r}")
            if not 1 <= chair <= instance.chairs:
                raise InstanceError(f"{where}.chair", f"chairs run from 1 to {instance.chairs}")
            out.append(Assignment(aid, chair, parse_hhmm(row.get("start"), f"{where}.start")))
        unplaced = data.get("unplaced", [])
        if not isinstance(unplaced, Sequence) or isinstance(unplaced, str):
            raise InstanceError("unplaced", "expected a list of appointment ids")
        for i, aid in enumerate(unplaced):
            if aid not in known:
                raise InstanceError(f"unplaced[{i}]", f"no appointment {aid!r} in the instance")
            if aid in seen:
                raise InstanceError(f"unplaced[{i}]", f"{aid!r} is also assigned")
        missing = known - seen - set(unplaced)
        if missing:
            raise InstanceError(
                "unplaced", f"appointments neither assigned nor unplaced: {sorted(missing)}"
            )
        return cls(
            tuple(out),
            tuple(unplaced),
            data.get("objective"),
            data.get("bound"),
            data.get("gap"),
            str(data.get("status", "given")),
        )
