"""Audit log page: newest first, Vietnam time, filters by action and actor."""
from quiz.extensions import db
from quiz.services import audit


def test_audit_lists_and_filters(client, login_as, make_organizer, frozen_clock, ctx):
    admin = login_as("admin")
    other = make_organizer(email="khac@example.vn")
    audit.record(admin, "unit.create", None, code="BV1")
    audit.record(other, "question.create", None, set="Tuần 1")
    db.session.commit()
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "unit.create" in page and "question.create" in page
    assert "08:00:00" in page and "10/10/2025" in page  # 01:00 UTC shown in Vietnam time
    page = client.get("/admin/audit?action=unit.create").get_data(as_text=True)
    assert "<code>unit.create</code>" in page and "<code>question.create</code>" not in page
    page = client.get(f"/admin/audit?actor_id={other.id}").get_data(as_text=True)
    assert "<code>question.create</code>" in page and "<code>unit.create</code>" not in page


def test_audit_paginates(client, login_as, ctx):
    admin = login_as("admin")
    for i in range(55):
        audit.record(admin, "unit.update", None, n=i)
    db.session.commit()
    assert "Trang 1 / 2" in client.get("/admin/audit").get_data(as_text=True)
    assert client.get("/admin/audit?page=2").get_data(as_text=True).count("<code>unit.update</code>") == 5
