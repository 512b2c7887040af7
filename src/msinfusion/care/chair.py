"""Chair time: premedication wait + infusion + observation, what a center must reserve.

The catalog keeps these per infusion number (first infusions are longer, observation may stop after
some infusions and come back after a reaction); this module picks the right row for one infusion.
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass

from msinfusion.knowledge.model import Drug, InfusionTime


@dataclass(frozen=True)
class ChairTime:
    premedication_minutes: int
    infusion_minutes: int
    observation_minutes: int
    total_minutes: int
    shorter_infusion_minutes: int | None
    shorter_total_minutes: int | None
    description: str
    source: str


def chair_time(drug: Drug, number: int, course_day: int, reactions: Set[str]) -> ChairTime:
    """Chair time for infusion `number` (1-based, all infusions of the drug) on `course_day`.

    `reactions` are those of the earlier administrations of the drug; they decide the observation
    extension and eligibility for a shorter infusion.
    """
    return chair_times(drug, reactions).for_infusion(number, course_day)


def chair_times(drug: Drug, reactions: Set[str]) -> ChairTimes:
    """The `ChairTimes` of a drug for a set of earlier reactions, shared between patients.

    Most patients have the same few reaction sets ({"none"}, {"none", "mild"}), and the answers
    depend on nothing else: they are worked out once per drug and set.
    """
    key = (id(drug), frozenset(reactions))
    known = _KNOWN.get(key)
    if known is None or known.drug is not drug:
        if len(_KNOWN) > _KNOWN_MAX:
            _KNOWN.clear()
        known = _KNOWN[key] = ChairTimes(drug, key[1])
    return known


_KNOWN: dict[tuple[int, frozenset[str]], ChairTimes] = {}
_KNOWN_MAX = 1024


class ChairTimes:
    """Chair times of one drug for a patient with the given earlier reactions.

    A plan asks for every future infusion, and most of them share a catalog row: the answer is
    kept per (row, shorter option applies) rather than rebuilt for each infusion.
    """

    def __init__(self, drug: Drug, reactions: Set[str]) -> None:
        self.drug = drug
        self.infusion = drug.infusion
        self.reactions = reactions
        shorter = self.infusion.shorter_option
        if shorter is not None and reactions & set(shorter.eligible_unless_reaction):
            shorter = None  # an earlier reaction rules the shorter infusion out
        self._shorter = shorter
        self._known: dict[tuple[int, bool], ChairTime] = {}
        # by (number, course day), shared by patients (see chair_times); read by
        # `planned.planned_infusions` before it calls `for_infusion`
        self.by_number: dict[tuple[int, int], ChairTime] = {}

    def for_infusion(self, number: int, course_day: int) -> ChairTime:
        """Chair time for infusion `number` (1-based, all infusions of the drug) on `course_day`."""
        found = self.by_number.get((number, course_day))
        if found is None:
            found = self.by_number[(number, course_day)] = self._for_infusion(number, course_day)
        return found

    def _for_infusion(self, number: int, course_day: int) -> ChairTime:
        times = self.infusion.times
        row_index = len(times) - 1  # the last row, when none covers the infusion
        for i, t in enumerate(times):
            if t.numbers.covers(number) and (not t.course_days or course_day in t.course_days):
                row_index = i
                break
        shorter_ok = self._shorter is not None and self._shorter.numbers.covers(number)
        key = (row_index, shorter_ok)
        found = self._known.get(key)
        if found is None:
            found = self._known[key] = self._chair_time(times[row_index], shorter_ok)
        return found

    def _chair_time(self, row: InfusionTime, shorter_ok: bool) -> ChairTime:
        infusion, reactions = self.infusion, self.reactions
        observation = row.observation_minutes
        sources = [str(row.source)]
        extension = infusion.observation_after_reaction
        if extension is not None and reactions & set(extension.after_reaction):
            observation = max(observation, extension.observation_minutes)
            sources.append(str(extension.source))
        total = row.premedication_minutes + row.infusion_minutes + observation
        shorter_minutes = (
            self._shorter.infusion_minutes if shorter_ok and self._shorter is not None else None
        )
        return ChairTime(
            premedication_minutes=row.premedication_minutes,
            infusion_minutes=row.infusion_minutes,
            observation_minutes=observation,
            total_minutes=total,
            shorter_infusion_minutes=shorter_minutes,
            shorter_total_minutes=(
                row.premedication_minutes + shorter_minutes + observation
                if shorter_minutes
                else None
            ),
            description=row.description,
            source="; ".join(sources),
        )
