"""Walking a regimen: which position each past administration filled, and when the next ones fall due.

`care.plan` turns the future positions (`Slot`s) into planned infusions. The regimen is walked
position by position (block, repetition, dose); past administrations fill the first positions in
order, and every later position gets a due date from the rule the label gives (`Block.counting`)
and a sentence saying why it falls on that date (built for future positions only).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from msinfusion.care.record import Administration
from msinfusion.knowledge.model import Block, Regimen

INCOMPLETE_BLOCK_GAP = timedelta(days=30)
"""A dose more than this past its in-block due date starts the next block (the block was cut short)."""


@dataclass(slots=True)
class Slot:
    """One position of the regimen while walking it."""

    block_index: int
    block: Block
    cycle: int
    dose_index: int
    due: date
    why: str
    actual: date | None = None


class Walker:
    """Walks a regimen's positions, matching past administrations, then yielding future slots."""

    def __init__(self, regimen: Regimen, history: tuple[Administration, ...], start: date | None):
        self.regimen = regimen
        self.history = history
        self.start = history[0].date if history else start
        self.notes: list[str] = []

    def future(self) -> Iterator[tuple[Slot, date | None]]:
        """Yield (slot, previous infusion date) for every position not yet given."""
        assert self.start is not None
        history = self.history
        matched = 0  # administrations placed so far; the rest are still to place
        prev_block: list[Slot] = []
        last_dose: date | None = None
        for block_index, block in enumerate(self.regimen.blocks):
            cycle = 0
            while block.repeat == "indefinitely" or cycle < block.repeat:
                cycle += 1  # one repetition of the block
                block_slots: list[Slot] = []
                for dose_index, step in enumerate(block.doses):
                    pending = matched < len(history)
                    slot = self._slot(
                        block_index,
                        block,
                        cycle,
                        dose_index,
                        step.day,
                        block_slots,
                        prev_block,
                        not pending,
                    )
                    if pending:
                        given = history[matched].date
                        if dose_index > 0 and given - slot.due > INCOMPLETE_BLOCK_GAP:
                            self.notes.append(
                                f"{block.id} {cycle} was cut short after {dose_index} of "
                                f"{len(block.doses)} doses: the infusion on {given.isoformat()} "
                                "starts the next block."
                            )
                            break
                        slot.actual = last_dose = given
                        matched += 1
                        block_slots.append(slot)
                        continue
                    block_slots.append(slot)
                    yield slot, last_dose
                    last_dose = slot.due
                prev_block = block_slots

    def _slot(
        self,
        block_index: int,
        block: Block,
        cycle: int,
        dose_index: int,
        day: int,
        block_slots: list[Slot],
        prev_block: list[Slot],
        explain: bool,
    ) -> Slot:
        """The slot's due date; `explain` builds the sentence (skipped for past slots: speed)."""
        if dose_index > 0:
            first = block_slots[0]
            if block.consecutive_days:
                last = block_slots[-1]
                last_date = last.actual or last.due
                gap = day - block.doses[dose_index - 1].day
                due = last_date + timedelta(days=gap)
                why = (
                    f"consecutive course day after {last_date.isoformat()} ({block.source.ref})"
                    if explain
                    else ""
                )
            else:
                first_date = first.actual or first.due
                due = first_date + timedelta(days=day)
                why = (
                    f"{day} days after dose 1 of this {block.id} dose "
                    f"({first_date.isoformat()}; {block.source.ref})"
                    if explain
                    else ""
                )
            return Slot(block_index, block, cycle, dose_index, due, why)
        if not prev_block:
            assert self.start is not None
            why = "start of treatment" if not self.history else "first recorded infusion"
            return Slot(block_index, block, cycle, 0, self.start, why)
        assert block.interval is not None
        anchor_slot = prev_block[0] if block.anchor == "previous_block_start" else prev_block[-1]
        actual = anchor_slot.actual or anchor_slot.due
        reference, how = actual, ""
        if block.counting == "grid" or (
            block.counting == "reset_if_late" and actual <= anchor_slot.due
        ):
            reference = anchor_slot.due
            if explain and actual != anchor_slot.due:
                how = f" (its due date; it was given on {actual.isoformat()})"
        elif explain and block.counting == "reset_if_late" and actual > anchor_slot.due:
            how = f" (given late, so the schedule resets from it; it was due {anchor_slot.due.isoformat()})"
        due = block.interval.after(reference)
        if not explain:
            return Slot(block_index, block, cycle, 0, due, "")
        prev_block_def = prev_block[0].block
        which = 1 if block.anchor == "previous_block_start" else len(prev_block)
        prev_label = prev_block_def.label.format(
            n=which, of=len(prev_block_def.doses), cycle=prev_block[0].cycle, day=which
        )
        why = f"{block.interval} after {prev_label} on {reference.isoformat()}{how} ({block.source.ref})"
        return Slot(block_index, block, cycle, 0, due, why)
