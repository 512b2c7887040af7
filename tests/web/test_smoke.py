"""The web app starts, migrates and converts stored rows to a domain record."""

from datetime import date

from msinfusion.web.clinic.records import to_record
from msinfusion.web.clinic.services import summary_for


def test_stored_rows_become_a_patient_record(world):
    record = to_record(world.patient)
    assert record.administrations[0].dose_mg == 300
    assert record.latest_result("hbsag").value == "negative"
    summary = summary_for(world.patient, date(2026, 1, 10))
    status = summary.drugs[0]
    assert status.next.date == date(2026, 1, 19)  # infusion 2 of the initial dose (OCR-D1)


def test_login_page_renders(client, db):
    response = client.get("/login/")
    assert response.status_code == 200
    assert b"Log in" in response.content


def test_an_id_beyond_the_database_range_is_a_404_not_a_crash(client, world):
    client.force_login(world.nurse)
    huge = 2**70
    assert client.get(f"/patients/{huge}/").status_code == 404
    assert client.get(f"/api/v1/patients/{huge}/plan").status_code == 401  # no token: refused first
