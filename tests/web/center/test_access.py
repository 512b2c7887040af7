"""Only a center's admin uses the center pages; everyone else is refused and the refusal is audited."""

from __future__ import annotations

import pytest

from msinfusion.web.audit.models import AuditEvent

PAGES = ["/center/", "/center/staff/new/", "/center/chairs/", "/center/hours/", "/center/audit/"]


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize(
    "actor", ["patient_user", "nurse", "neurologist", "other_patient_user", "other_center_nurse"]
)
def test_other_roles_get_403_and_a_denied_audit_row(client, world, path, actor):
    user = getattr(world, actor)
    client.force_login(user)
    before = AuditEvent.objects.count()
    response = client.get(path)
    assert response.status_code == 403
    rows = list(AuditEvent.objects.order_by("id")[before:])
    assert [(r.outcome, r.actor, r.patient_id) for r in rows] == [("denied", user.username, None)]


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_is_sent_to_login(client, db, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(f"/login/?next={path}")


@pytest.mark.parametrize("path", PAGES)
def test_admin_pages_load_and_write_one_audit_row(admin_client, world, path):
    before = AuditEvent.objects.count()
    response = admin_client.get(path)
    assert response.status_code == 200
    rows = list(AuditEvent.objects.order_by("id")[before:])
    assert len(rows) == 1
    row = rows[0]
    assert (row.actor, row.role, row.outcome, row.action) == (
        "admin",
        "center_admin",
        "success",
        "R",
    )
    assert row.center_id == world.center.pk
    assert row.patient_id is None
    assert row.resource.startswith("center.")


@pytest.mark.parametrize("path", PAGES)
def test_admin_pages_show_no_clinical_data(admin_client, world, path):
    content = admin_client.get(path).content.decode()
    for text in ("Alice Example", "Bob Example", "ocrelizumab", "hbsag", "1988"):
        assert text not in content


def test_overview_lists_only_this_centers_staff(admin_client, world):
    response = admin_client.get("/center/")
    listed = {u.username for u in response.context["staff"]}
    assert listed == {"neuro", "neuro2", "nurse", "admin"}
    content = response.content.decode()
    assert 'data-label="Username">nurse</td>' in content
    assert "nurse-b" not in content
    assert "2 patients registered" in content
