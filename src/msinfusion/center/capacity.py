"""Nurse room on a day: can one more infusion start at a given minute, given what is booked?

The same two nurse rules as the validator, the baseline and the optimizer (minute by minute):
infusions in their first `nurse_start_minutes` <= nurses on shift, and patients in chairs <=
`patients_per_nurse` x nurses on shift. Booking one appointment at a time (the web's chair booking)
asks this, so the rule lives here once rather than in each door.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from msinfusion.center.instance import Nurse

DAY_MINUTES = 24 * 60


class NurseRoom:
    """Minute-by-minute nurses on shift, infusions starting and patients in chairs."""

    def __init__(
        self,
        nurses: Sequence[Nurse],
        stays: Iterable[tuple[int, int]],
        *,
        patients_per_nurse: int,
        nurse_start_minutes: int,
    ) -> None:
        """`stays` are the booked (start minute, chair minutes) of the day."""
        self.patients_per_nurse = patients_per_nurse
        self.nurse_start_minutes = nurse_start_minutes
        self.on_shift = np.zeros(DAY_MINUTES, dtype=np.int32)
        for n in nurses:
            self.on_shift[max(n.start, 0) : min(n.end, DAY_MINUTES)] += 1
        self.starting = np.zeros(DAY_MINUTES, dtype=np.int32)
        self.in_chairs = np.zeros(DAY_MINUTES, dtype=np.int32)
        for start, minutes in stays:
            self.starting[start : start + min(nurse_start_minutes, minutes)] += 1
            self.in_chairs[start : start + minutes] += 1

    def room_for(self, start: int, minutes: int) -> bool:
        """Whether a nurse can start one more patient at `start` and the nurses can watch them."""
        end = start + minutes
        if start < 0 or end > DAY_MINUTES:
            return False
        setup_end = start + min(self.nurse_start_minutes, minutes)
        if np.any(self.starting[start:setup_end] + 1 > self.on_shift[start:setup_end]):
            return False
        watch = self.patients_per_nurse * self.on_shift[start:end]
        return not np.any(self.in_chairs[start:end] + 1 > watch)
