"""Chair time: premedication wait + infusion + observation, what a center must reserve.

The catalog keeps these per infusion number (first infusions are longer, observation may stop after
some infusions and come back after a reaction); this module picks the right row for one infusion.
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass

from msinfusion.knowledge.model import Drug


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
    infusion = drug.infusion
    row = next(
        (
            t
            for t in infusion.times
            if t.numbers.covers(number) and (not t.course_days or course_day in t.course_days)
        ),
        infusion.times[-1],
    )
    observation = row.observation_minutes
    sources = [str(row.source)]
    extension = infusion.observation_after_reaction
    if extension is not None and reactions & set(extension.after_reaction):
        observation = max(observation, extension.observation_minutes)
        sources.append(str(extension.source))
    total = row.premedication_minutes + row.infusion_minutes + observation
    shorter = infusion.shorter_option
    shorter_minutes = None
    if (
        shorter is not None
        and shorter.numbers.covers(number)
        and not reactions & set(shorter.eligible_unless_reaction)
    ):
        shorter_minutes = shorter.infusion_minutes
    return ChairTime(
        premedication_minutes=row.premedication_minutes,
        infusion_minutes=row.infusion_minutes,
        observation_minutes=observation,
        total_minutes=total,
        shorter_infusion_minutes=shorter_minutes,
        shorter_total_minutes=(
            row.premedication_minutes + shorter_minutes + observation if shorter_minutes else None
        ),
        description=row.description,
        source="; ".join(sources),
    )
