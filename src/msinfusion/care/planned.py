"""A planned infusion: one future position of a regimen with its dates, dose and chair time.

`care.plan` walks the regimen and decides which positions a plan keeps; this module turns one
position (`regimen_walk.Slot`) into a `PlannedInfusion`. Its label and the sentences saying why it
falls on its date are written when first read (`care.lazy_text`): a plan holds a year of
infusions and most readers look at the dates of the next one only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

from msinfusion.care.calendar_cache import add_months
from msinfusion.care.chair import ChairTime, ChairTimes
from msinfusion.care.dosing import Dose
from msinfusion.care.identity_cache import identity_cache
from msinfusion.care.lazy_text import LazyText, build
from msinfusion.care.regimen_walk import Slot
from msinfusion.dates import Interval
from msinfusion.knowledge.model import Block


@dataclass(frozen=True)
class PlannedInfusion(LazyText):
    """One future infusion; `label`, `why` and `hard_earliest_why` of a planned one are written
    when first read (`care.lazy_text`)."""

    _lazy_fields = frozenset({"label", "why", "hard_earliest_why"})

    date: date
    dose_mg: float | None
    label: str
    earliest: date
    latest: date
    chair_minutes: int
    why: str
    number: int
    block_id: str
    cycle: int
    dose_in_block: int
    block_start: bool
    dose_mg_per_m2: float | None
    dose_basis: str
    chair: ChairTime
    hard_earliest: date | None
    hard_earliest_why: str
    previous_dose: date | None

    def to_dict(self) -> dict[str, Any]:
        """The CLI/API shape: the contract fields first, details after."""
        out = {
            "date": self.date.isoformat(),
            "dose_mg": self.dose_mg,
            "label": self.label,
            "earliest": self.earliest.isoformat(),
            "latest": self.latest.isoformat(),
            "chair_minutes": self.chair_minutes,
            "why": self.why,
            "number": self.number,
            "dose_mg_per_m2": self.dose_mg_per_m2,
            "dose_basis": self.dose_basis,
        }
        out["chair"] = asdict(self.chair)
        return out


class BlockFacts:
    """What planning an infusion reads from a catalog block, as plain attributes.

    Catalog models are validated models whose attribute reads cost several times a plain
    object's; a year of infusions reads the same few per block, so they are read once per block.
    """

    __slots__ = ("after", "before", "consecutive", "id", "spacing", "windowed")

    def __init__(self, block: Block) -> None:
        self.id = block.id
        self.consecutive = block.consecutive_days
        self.spacing = _shift(block.min_spacing)  # `min_spacing.after` is `_ahead(spacing, ...)`
        self.before = _shift(block.window_before)
        self.after = _shift(block.window_after)
        self.windowed = block.window_before is not None or block.window_after is not None


def _shift(interval: Interval | None) -> tuple[int, timedelta] | None:
    """An interval as (months, days) for `_back` and `_ahead`, or None."""
    if interval is None:
        return None
    return interval.months, timedelta(days=interval.days + 7 * interval.weeks)


def _back(shift: tuple[int, timedelta], day: date) -> date:
    """`Interval.before`: months first, then weeks and days."""
    months, days = shift
    return (add_months(day, -months) if months else day) - days


def _ahead(shift: tuple[int, timedelta], day: date) -> date:
    """`Interval.after`: months first, then weeks and days."""
    months, days = shift
    return (add_months(day, months) if months else day) + days


block_facts = identity_cache(BlockFacts)
"""The block's facts, kept per catalog block."""


def _window(
    facts: BlockFacts, first: bool, due: date, previous: date | None
) -> tuple[date, date, date | None, bool]:
    """(earliest, latest, hard earliest, windowed) of an infusion due on `due`: the block's window
    around it, and for a block's first dose no earlier than its minimum spacing after `previous`
    (`Block.min_spacing.after(previous)`). A later day of a consecutive course falls on its day."""
    hard = None
    if first:
        spacing = facts.spacing
        if spacing is not None and previous is not None:
            hard = _ahead(spacing, previous)
        before, after, windowed = facts.before, facts.after, facts.windowed
    elif facts.consecutive:
        before = after = None
        windowed = False
    else:
        before, after, windowed = facts.before, facts.after, facts.windowed
    earliest = _back(before, due) if before is not None else due
    if hard is not None:
        earliest = max(earliest, hard) if before is not None else hard
    latest = _ahead(after, due) if after is not None else due
    if latest < earliest:
        latest = earliest
    return earliest, latest, hard, windowed


def planned_infusion(
    slot: Slot,
    previous: date | None,
    number: int,
    dose: Dose,
    chair: ChairTime,
    facts: BlockFacts | None = None,
) -> PlannedInfusion:
    """The planned infusion of `slot`; `facts` are `block_facts(slot.block)` when the caller
    has them at hand."""
    if facts is None:
        facts = block_facts(slot.block)
    due = slot.due
    first = slot.dose_index == 0
    earliest, latest, hard, windowed = _window(facts, first, due, previous)
    return build(
        PlannedInfusion,
        (_explain, slot, previous, hard, windowed),
        {
            "date": due,
            "dose_mg": dose.dose_mg,
            "earliest": earliest,
            "latest": latest,
            "chair_minutes": chair.total_minutes,
            "number": number,
            "block_id": facts.id,
            "cycle": slot.cycle,
            "dose_in_block": slot.dose_index + 1,
            "block_start": first,
            "dose_mg_per_m2": dose.dose_mg_per_m2,
            "dose_basis": dose.basis,
            "chair": chair,
            "hard_earliest": hard,
            "previous_dose": previous,
        },
    )


def planned_infusions(
    slots: list[Slot],
    previous: list[date | None],
    start: int,
    stop: int,
    given: int,
    chairs: ChairTimes,
    step_of: Callable[[int], Step],
    steps: dict[tuple[int, int], Step],
    out: list[PlannedInfusion],
) -> None:
    """Append the planned infusions of `slots[start:stop]` to `out`: `planned_infusion` for each,
    in one loop (a plan builds a year of them).

    `steps` holds per (block, dose) of the regimen what every infusion of it shares (see
    `Step`); `step_of(index)` makes the missing entry for the slot at `index`. `given` infusions
    of the drug came before the first slot; `chairs` gives each infusion's chair time.
    """
    by_number, chair_for = chairs.by_number, chairs.for_infusion
    new, append = _new_infusion, out.append
    for index in range(start, stop):
        slot = slots[index]
        dose_index = slot[3]
        step = steps.get((slot[0], dose_index))
        if step is None:
            step = step_of(index)
        facts, shared = step
        due = slot[4]
        prev = previous[index]
        number = given + index + 1
        chair = by_number.get((number, dose_index + 1))
        if chair is None:
            chair = chair_for(number, dose_index + 1)
        earliest, latest, hard, windowed = _window(facts, not dose_index, due, prev)
        infusion = new(PlannedInfusion)
        fields = infusion.__dict__
        fields.update(shared)
        fields["date"] = due
        fields["earliest"] = earliest
        fields["latest"] = latest
        fields["chair_minutes"] = chair.total_minutes
        fields["number"] = number
        fields["cycle"] = slot[2]
        fields["chair"] = chair
        fields["hard_earliest"] = hard
        fields["previous_dose"] = prev
        fields["_explain"] = (_explain, slot, prev, hard, windowed)
        append(infusion)


Step = tuple[BlockFacts, dict[str, Any]]
"""What every planned infusion of one (block, dose) of a regimen shares: the block's facts and
the fields that do not depend on the slot (`step`)."""


def step(block: Block, dose_index: int, dose: Dose) -> Step:
    """The `Step` of dose `dose_index` of `block`, whose dose is `dose`."""
    facts = block_facts(block)
    return facts, {
        "dose_mg": dose.dose_mg,
        "block_id": facts.id,
        "dose_in_block": dose_index + 1,
        "block_start": dose_index == 0,
        "dose_mg_per_m2": dose.dose_mg_per_m2,
        "dose_basis": dose.basis,
    }


_new_infusion = object.__new__


def _explain(
    slot: Slot, previous: date | None, hard: date | None, windowed: bool
) -> dict[str, str]:
    """The label, the reason for the date and the reason for a hard earliest date."""
    block = slot.block
    hard_why = ""
    if hard is not None:
        assert previous is not None
        hard_why = (
            f"at least {block.min_spacing} after the previous infusion ({previous.isoformat()}; "
            f"{block.min_spacing_source})"
        )
    label = block.label.format(
        n=slot.dose_index + 1, of=len(block.doses), cycle=slot.cycle, day=slot.dose_index + 1
    )
    why = slot.why
    if hard_why:
        why += f"; earliest {hard.isoformat() if hard else ''}: {hard_why}"
    if windowed:
        why += f"; booking window: {block.window_source}"
    return {"label": label, "why": why, "hard_earliest_why": hard_why}
