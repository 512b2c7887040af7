"""The future positions of one regimen for one record, walked on demand and then kept.

Part of `care.plan`: every plan of a drug in a record's shared work (the summary's, the readiness
check's, the due-list's) takes as many of the same future slots as its horizon allows, and the
planned infusions are built once for all of them.
"""

from __future__ import annotations

from datetime import date
from functools import partial

from msinfusion.care.calendar_cache import add_months
from msinfusion.care.chair import chair_times
from msinfusion.care.dosing import Dose, dose_for
from msinfusion.care.planned import PlannedInfusion, Step, planned_infusions, step
from msinfusion.care.record import Administration, PatientRecord
from msinfusion.care.regimen_walk import Slot, Walker
from msinfusion.knowledge.model import CumulativeLimit, Drug, Regimen


class Future:
    """The future infusions of one regimen for one record, built on demand and then kept.

    An infusion is only built once a plan keeps it: the slot just past a horizon is looked at, not
    built.
    """

    def __init__(
        self,
        drug: Drug,
        regimen: Regimen,
        history: tuple[Administration, ...],
        start: date | None,
        all_given: tuple[Administration, ...],
        reactions: frozenset[str],
    ) -> None:
        self.drug, self.regimen = drug, regimen  # kept alive: the memo key holds their ids
        self._walker = Walker(regimen, history, start)
        self._walk = self._walker.future()
        self._given = len(all_given)
        self._chairs = chair_times(drug, reactions)
        self.slot_list: list[Slot] = []  # the future slots walked so far, in order
        self._previous: list[date | None] = []  # the infusion before each slot
        self._doses: dict[tuple[int, int], Dose] = {}  # per (block, dose) of the regimen
        # what the infusions of each (block, dose) share, for building them
        self._steps: dict[tuple[int, int], Step] = {}
        self._infusions: list[PlannedInfusion] = []  # built for the first slots
        self._firsts: dict[int, tuple[PlannedInfusion, ...]] = {}  # plans of n infusions
        self._done = False

    @property
    def notes(self) -> list[str]:
        """Notes from matching the history (e.g. a block cut short); complete once read past it."""
        return self._walker.notes

    def extend(self) -> bool:
        """Walk the regimen one slot further; False at its end."""
        return self._walk_on(None)

    def _walk_on(self, upto: date | None) -> bool:
        """Walk the regimen at least one slot further (once its endless repetitions are reached,
        on until one is due after `upto`); False at its end."""
        if self._done:
            return False
        repeats = self._walker.repeats
        if repeats is None:
            found = next(self._walk, None)
            if found is not None:
                self.slot_list.append(found[0])
                self._previous.append(found[1])
                return True
            repeats = self._walker.repeats
            if repeats is None:
                self._done = True
                return False
        repeats.extend(self.slot_list, self._previous, upto)
        return True

    def dose(self, index: int, record: PatientRecord) -> Dose:
        """The dose of the slot at `index`; `record` is the one this list was made for."""
        slot = self.slot_list[index]
        step = (slot.block_index, slot.dose_index)
        dose = self._doses.get(step)
        if dose is None:
            dose = self._doses[step] = dose_for(slot.block.doses[slot.dose_index], record)
        return dose

    def take(self, until: date | None, today: date | None, max_count: int | None) -> int:
        """How many future slots a plan keeps (`plan_infusions`), walking the regimen as far as
        that needs: those due by `until`, or without it by 12 months after the first one's due
        date (or today, if later) and never cutting a course in two; at most `max_count`."""
        slots = self.slot_list
        horizon = until
        exact = until is not None
        walked = len(slots)
        count = 0
        while max_count is None or count < max_count:
            if count < walked:
                slot = slots[count]
            else:
                if not self._walk_on(horizon):
                    break
                walked = len(slots)
                slot = slots[count]
            due = slot.due
            if horizon is None:
                horizon = add_months(max(due, today) if today else due, 12)
            if due > horizon and (exact or slot.dose_index == 0):
                break  # the default horizon never cuts a course in two; an explicit `until` is exact
            count += 1
        return count

    def first(self, count: int, record: PatientRecord) -> tuple[PlannedInfusion, ...]:
        """The planned infusions of the first `count` slots (already walked); plans of the same
        length (a summary and a due-list often are) share the tuple."""
        found = self._firsts.get(count)
        if found is None:
            built = self._infusions
            if len(built) < count:
                planned_infusions(
                    self.slot_list,
                    self._previous,
                    len(built),
                    count,
                    self._given,
                    self._chairs,
                    partial(self._step, record=record),
                    self._steps,
                    built,
                )
            found = self._firsts[count] = tuple(built[:count])
        return found

    def _step(self, index: int, record: PatientRecord) -> Step:
        """The `planned.Step` of the slot at `index`, kept per (block, dose) of the regimen."""
        slot = self.slot_list[index]
        found = self._steps[(slot.block_index, slot.dose_index)] = step(
            slot.block, slot.dose_index, self.dose(index, record)
        )
        return found


def take_within_limit(
    future: Future,
    record: PatientRecord,
    limit: CumulativeLimit,
    cumulative: float,
    until: date | None,
    today: date | None,
    max_count: int | None,
    notes: list[str],
) -> tuple[int, float]:
    """`Future.take` for a drug with a lifetime limit: also stops before the dose that would
    exceed it (with a note). Returns the count and the lifetime dose after those infusions."""
    horizon: date | None = until
    slots = future.slot_list  # grows as the regimen is walked further
    walked = len(slots)
    extend = future.extend
    count = 0  # future slots this plan takes
    while count < walked or extend():
        if count == walked:  # `extend` walked one more
            walked += 1
        if max_count is not None and count >= max_count:
            break
        slot = slots[count]
        due = slot.due
        if horizon is None:
            horizon = add_months(max(due, today) if today else due, 12)
        if due > horizon and (until is not None or slot.dose_index == 0):
            break  # the default horizon never cuts a course in two; an explicit `until` is exact
        per_m2_dose = future.dose(count, record).dose_mg_per_m2
        if per_m2_dose and cumulative + per_m2_dose > limit.limit_mg_per_m2 + 1e-9:
            notes.append(
                f"Lifetime limit reached: {cumulative:.1f} of {limit.limit_mg_per_m2:g} mg/m² given "
                f"({record.region}); another {per_m2_dose:g} mg/m² dose would exceed it, "
                f"so no further doses are planned ({limit.source})."
            )
            break
        if per_m2_dose:
            cumulative += per_m2_dose
        count += 1
    return count, cumulative
