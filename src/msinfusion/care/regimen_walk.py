"""Walking a regimen: which position each past administration filled, and when the next ones fall due.

`care.plan` turns the future positions (`Slot`s) into planned infusions. The regimen is walked
position by position (block, repetition, dose); past administrations fill the first positions in
order, and every later position gets a due date from the rule the label gives (`Block.counting`)
and a sentence saying why it falls on that date.

A long history fills dozens of positions nobody looks at again, so past positions are kept as bare
dates (`_Rep`), and a future slot's sentence is written only when it is read (`Slot.why`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from operator import attrgetter
from typing import Any, NamedTuple

from msinfusion.care.calendar_cache import add_months
from msinfusion.care.identity_cache import identity_cache
from msinfusion.care.record import Administration
from msinfusion.knowledge.model import Block, Regimen

INCOMPLETE_BLOCK_GAP = timedelta(days=30)
"""A dose more than this past its in-block due date starts the next block (the block was cut short)."""

_NO_DAYS = timedelta(0)

FAST_FORWARD = True
"""Place the administrations of a maintenance block (one dose repeated without end) in one step
(`_fast_forward`). Tests switch it off to check the step gives the positions of the general walk."""


Why = Callable[[], str] | tuple[Any, ...]
"""What writes a slot's sentence: a function, or a tuple of a function and its arguments (cheaper
to make than an object or a `functools.partial`; most slots are never explained)."""


class Slot(NamedTuple):
    """One future position of the regimen; `why` is written when read.

    A named tuple: a plan walks a year of positions and most are only dated.
    """

    block_index: int
    block: Block
    cycle: int
    dose_index: int
    due: date
    explain: Why
    actual: date | None = None

    @property
    def why(self) -> str:
        """The sentence saying why the position falls on its due date."""
        explain = self.explain
        return explain[0](*explain[1:]) if type(explain) is tuple else explain()


_new_slot = partial(tuple.__new__, Slot)
"""`Slot(*fields)` from the tuple of all its fields, without the generated `__new__`'s own frame."""


@dataclass(slots=True)
class _Rep:
    """One repetition of a block as walked so far: its first and last position (due, given)."""

    block: Block
    cycle: int
    first_due: date
    first_actual: date | None
    last_due: date
    last_actual: date | None
    count: int


class Walker:
    """Walks a regimen's positions, matching past administrations, then yielding future slots."""

    def __init__(self, regimen: Regimen, history: tuple[Administration, ...], start: date | None):
        self.regimen = regimen
        self.history = history
        self.start = history[0].date if history else start
        self.notes: list[str] = []
        # set when `future` ends on a block repeated without end: the slots after it
        self.repeats: Repeats | None = None

    def future(self) -> Iterator[tuple[Slot, date | None]]:
        """Yield (slot, previous infusion date) for every position not yet given, up to a
        single-dose block repeated without end whose repetitions are all still to come: those
        `repeats` (set when this ends) gives without end."""
        assert self.start is not None
        given_dates = list(map(_by_date, self.history))
        n_given = len(given_dates)
        matched = 0  # administrations placed so far; the rest are still to place
        prev: _Rep | None = None  # the previous repetition (of this block or the one before)
        last_dose: date | None = None
        for block_index, block in enumerate(self.regimen.blocks):
            facts = _walk_facts(block)
            days, after_first, after_previous = facts.days, facts.after_first, facts.after_previous
            consecutive, months, span = facts.consecutive, facts.months, facts.span
            from_start, counting = facts.from_start, facts.counting
            repeat, forever = facts.repeat, facts.forever
            cycle = 0
            maintenance = FAST_FORWARD and forever and len(days) == 1  # one dose, repeated
            while forever or cycle < repeat:  # type: ignore[operator]
                if maintenance and prev is not None and matched < n_given:
                    # every administration left fills one repetition: place them all at once
                    cycle, prev = _fast_forward(
                        block, prev, cycle, given_dates, matched, months, span, from_start
                    )
                    matched = n_given
                    last_dose = given_dates[-1]
                if (
                    maintenance
                    and prev is not None
                    and prev.block is block
                    and matched >= n_given
                    and prev.first_actual is None
                ):  # the previous repetition is not given yet: the rest are plain repetitions
                    self.repeats = Repeats(block_index, block, cycle, prev, months, span)
                    return
                cycle += 1  # one repetition of the block
                rep: _Rep | None = None
                for dose_index, day in enumerate(days):
                    if rep is not None:  # a later dose of the block
                        if consecutive:
                            ref = rep.last_actual or rep.last_due
                            due = ref + after_previous[dose_index]
                        else:
                            ref = rep.first_actual or rep.first_due
                            due = ref + after_first[dose_index]
                    elif prev is None:  # the first dose of the regimen
                        due = self.start
                    else:  # the first dose of a block: the interval after its anchor
                        if from_start:
                            anchor_due, actual = prev.first_due, prev.first_actual
                        else:
                            anchor_due, actual = prev.last_due, prev.last_actual
                        if actual is None:
                            actual = anchor_due
                        ref = (
                            anchor_due
                            if counting == "grid"
                            or (counting == "reset_if_late" and actual <= anchor_due)
                            else actual
                        )
                        due = (add_months(ref, months) if months else ref) + span
                    if matched < n_given:
                        given = given_dates[matched]
                        if dose_index > 0 and given - due > INCOMPLETE_BLOCK_GAP:
                            self.notes.append(
                                f"{block.id} {cycle} was cut short after {dose_index} of "
                                f"{len(days)} doses: the infusion on {given.isoformat()} "
                                "starts the next block."
                            )
                            break
                        actual_day: date | None = given
                        last_dose = given
                        matched += 1
                    else:
                        actual_day = None
                        explain = (
                            self._block_why(block, prev)
                            if dose_index == 0
                            else _in_block_why(block, day, ref)
                        )
                        slot = _new_slot(
                            (block_index, block, cycle, dose_index, due, explain, None)
                        )
                        yield slot, last_dose
                        last_dose = due
                    if rep is None:
                        rep = _Rep(block, cycle, due, actual_day, due, actual_day, 1)
                    else:
                        rep.last_due, rep.last_actual = due, actual_day
                        rep.count += 1
                prev = rep

    def _block_why(self, block: Block, prev: _Rep | None) -> Why:
        if prev is None:
            return _Text("start of treatment" if not self.history else "first recorded infusion")
        reference, actual, anchor_due = _reference(block, prev)
        return (
            _interval_why,
            block,
            prev.block,
            prev.cycle,
            prev.count,
            reference,
            actual,
            anchor_due,
        )


class _WalkFacts:
    """What walking a catalog block reads from it, as plain attributes and ready-made day spans.

    Catalog models are validated models whose attribute reads cost more than a plain object's,
    and every patient on the regimen walks the same blocks: they are read once per block.
    """

    __slots__ = (
        "after_first",
        "after_previous",
        "consecutive",
        "counting",
        "days",
        "forever",
        "from_start",
        "months",
        "repeat",
        "span",
    )

    def __init__(self, block: Block) -> None:
        days = tuple(step.day for step in block.doses)
        self.days = days
        # dose i falls days[i] after the block's first dose, or (consecutive days) the difference
        # to dose i-1 after that one
        self.after_first = tuple(timedelta(days=day) for day in days)
        self.after_previous = tuple(
            timedelta(days=day - days[i - 1]) if i else _NO_DAYS for i, day in enumerate(days)
        )
        self.consecutive = block.consecutive_days
        interval = block.interval
        self.months = interval.months if interval is not None else 0
        self.span = timedelta(days=interval.days + 7 * interval.weeks) if interval else _NO_DAYS
        self.from_start = block.anchor == "previous_block_start"
        self.counting = block.counting
        self.repeat = block.repeat
        self.forever = block.repeat == "indefinitely"


_walk_facts = identity_cache(_WalkFacts)
"""The block's `_WalkFacts`, kept per catalog block."""


def _fast_forward(
    block: Block,
    prev: _Rep,
    cycle: int,
    given_dates: list[date],
    matched: int,
    months: int,
    span: timedelta,
    from_start: bool,
) -> tuple[int, _Rep]:
    """Place `given_dates[matched:]` on a single-dose block repeated without end.

    Gives the same positions as the general walk (a single dose is never cut short): each
    repetition is due the block interval after its anchor in the previous one, counted by
    `Block.counting`. `cycle` repetitions of the block came before; returns the cycle of the
    last administration and its repetition.
    """
    counting = block.counting
    if from_start:
        anchor_due, actual = prev.first_due, prev.first_actual
    else:
        anchor_due, actual = prev.last_due, prev.last_actual
    if actual is None:
        actual = anchor_due
    n_given = len(given_dates)
    if counting == "from_previous" and n_given - matched > 1:
        # each due date counts from the real date of the one before: only the last two matter
        cycle += n_given - matched
        actual = given_dates[-2]
        due = (add_months(actual, months) if months else actual) + span
        return cycle, _Rep(block, cycle, due, given_dates[-1], due, given_dates[-1], 1)
    grid = counting == "grid"
    reset = counting == "reset_if_late"
    due = anchor_due
    for index in range(matched, n_given):
        ref = anchor_due if grid or (reset and actual <= anchor_due) else actual
        due = (add_months(ref, months) if months else ref) + span
        anchor_due, actual = due, given_dates[index]
        cycle += 1
    return cycle, _Rep(block, cycle, due, actual, due, actual, 1)


class Repeats:
    """The future repetitions of a single-dose block repeated without end, once the previous one
    is itself a future (not given) repetition: each is due the interval after the previous due
    date, whatever `Block.counting` says (a repetition not given yet is taken as on time).

    The same slots as the general walk of `Walker.future` would give, with less to decide per
    slot (only the previous due date is carried from one repetition to the next), and added in
    batches rather than yielded one by one: a plan takes a year of them.
    """

    __slots__ = ("anchor", "block", "block_index", "cycle", "months", "prev", "span")

    def __init__(
        self, block_index: int, block: Block, cycle: int, prev: _Rep, months: int, span: timedelta
    ) -> None:
        self.block_index, self.block, self.cycle = block_index, block, cycle
        self.months, self.span = months, span
        self.anchor = prev.last_due  # = first_due: one dose per repetition
        # the repetition the next one counts from: block, cycle, doses walked
        self.prev: tuple[Block, int, int] = (prev.block, prev.cycle, prev.count)

    def extend(self, slots: list[Slot], previous: list[date | None], upto: date | None) -> None:
        """Append the next repetitions to `slots` (and the infusion before each to `previous`):
        at least one, and on until one is due after `upto`."""
        block_index, block, cycle = self.block_index, self.block, self.cycle
        months, span, anchor = self.months, self.span, self.anchor
        prev_block, prev_cycle, prev_count = self.prev
        new_slot, add_slot, add_previous = _new_slot, slots.append, previous.append
        while True:
            cycle += 1
            due = (add_months(anchor, months) if months else anchor) + span
            why = (_interval_why, block, prev_block, prev_cycle, prev_count, anchor, anchor, anchor)
            add_slot(new_slot((block_index, block, cycle, 0, due, why, None)))
            add_previous(anchor)
            prev_block, prev_cycle, prev_count, anchor = block, cycle, 1, due
            if upto is None or due > upto:
                break
        self.cycle, self.anchor, self.prev = cycle, anchor, (prev_block, prev_cycle, prev_count)


def _reference(block: Block, prev: _Rep) -> tuple[date, date, date]:
    """(date the interval counts from, real date of the anchor, due date of the anchor)."""
    if block.anchor == "previous_block_start":
        anchor_due, actual = prev.first_due, prev.first_actual or prev.first_due
    else:
        anchor_due, actual = prev.last_due, prev.last_actual or prev.last_due
    if block.counting == "grid" or (block.counting == "reset_if_late" and actual <= anchor_due):
        return anchor_due, actual, anchor_due
    return actual, actual, anchor_due


_by_date = attrgetter("date")


class _Text:
    """A sentence known up front."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __call__(self) -> str:
        return self.text


def _in_block_why(block: Block, day: int, ref: date) -> Callable[[], str]:
    if block.consecutive_days:
        return lambda: f"consecutive course day after {ref.isoformat()} ({block.source.ref})"
    return lambda: (
        f"{day} days after dose 1 of this {block.id} dose ({ref.isoformat()}; {block.source.ref})"
    )


def _interval_why(
    block: Block,
    prev_block: Block,
    prev_cycle: int,
    prev_count: int,
    reference: date,
    actual: date,
    anchor_due: date,
) -> str:
    """Why a block falls due an interval after the previous one; `prev_*`: the repetition the
    block counts from (its block, cycle and doses walked)."""
    how = ""
    if block.counting == "grid" or (block.counting == "reset_if_late" and actual <= anchor_due):
        if actual != anchor_due:
            how = f" (its due date; it was given on {actual.isoformat()})"
    elif block.counting == "reset_if_late" and actual > anchor_due:
        how = f" (given late, so the schedule resets from it; it was due {anchor_due.isoformat()})"
    which = 1 if block.anchor == "previous_block_start" else prev_count
    prev_label = prev_block.label.format(
        n=which, of=len(prev_block.doses), cycle=prev_cycle, day=which
    )
    return (
        f"{block.interval} after {prev_label} on {reference.isoformat()}{how} ({block.source.ref})"
    )
