"""Corrections supersede: of two corrections of the same row, one wins and the other saves nothing."""

from __future__ import annotations

from datetime import date

import pytest

from msinfusion.web.clinic import models as m
from msinfusion.web.pages.staff.corrections import AlreadyCorrected, supersede


def test_two_corrections_of_one_row_one_wins(world):
    old = m.Administration.current.get(patient=world.patient)
    stale = m.Administration.objects.get(pk=old.pk)  # what the second nurse loaded
    winner = m.Administration(drug="ocrelizumab", date=date(2026, 1, 5), dose_mg=300, lot="A")
    supersede(old, winner, "lot added")
    loser = m.Administration(drug="ocrelizumab", date=date(2026, 1, 5), dose_mg=300, lot="B")
    with pytest.raises(AlreadyCorrected):
        supersede(stale, loser, "lot added too")
    rows = m.Administration.objects.filter(patient=world.patient)
    assert rows.count() == 2  # the old row and the winner, nothing of the loser
    assert [a.lot for a in m.Administration.current.filter(patient=world.patient)] == ["A"]
    old.refresh_from_db()
    assert old.superseded_by_id == winner.pk and winner.correction_reason == "lot added"


def test_a_correction_is_current_and_the_old_row_is_not(world):
    old = m.LabResult.current.get(patient=world.patient)
    new = m.LabResult(test="hbsag", value_text="negative", date=date(2025, 12, 21))
    supersede(old, new, "date typo")
    assert list(m.LabResult.current.filter(patient=world.patient)) == [new]
    assert new.patient_id == world.patient.pk
    assert m.LabResult.objects.get(pk=new.pk).superseded_by_id is None
