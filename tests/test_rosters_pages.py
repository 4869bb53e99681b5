"""Roster screens and the unit contact's "who has not taken part" page: imports through the
console (a contact only for their subtree), entry edits, the page per round and per contest with
its XLSX and reminder, confirm/move of participants on no list — and 403/404 outside the subtree."""
import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from quiz import clock
from quiz.extensions import db
from quiz.models import AuditEntry, Participant, RosterEntry, RosterReview
from quiz.services.rosters.importing import import_roster_file

HEADER = "unit_code,full_name,staff_code,phone,position,sub_unit\n"


@pytest.fixture
def world(ctx, make_unit, make_quiz, make_attempt):
    """SYT > BV > {KN, KNG}; SYT > CDC. Rosters for KN and CDC; a round with four finishers."""
    root = make_unit(code="SYT", name="Sở Y tế", headcount=None)
    hospital = make_unit(code="BV", name="Bệnh viện Đa khoa", parent=root, headcount=None)
    ward = make_unit(code="KN", name="Khoa Nội", parent=hospital, headcount=30)
    surgery = make_unit(code="KNG", name="Khoa Ngoại", parent=hospital, headcount=20)
    cdc = make_unit(code="CDC", name="Trung tâm Kiểm soát bệnh tật", parent=root, headcount=50)
    import_roster_file((HEADER + "KN,Nguyễn Thị Hoà,,0912345678,Điều dưỡng,Tim mạch\n"
                        "KN,Lò Văn Páo,BV-0124,,Bác sĩ,Tiêu hoá\n"
                        "KN,Vàng Thị Chưa,,0912000999,Hộ lý,Tim mạch\n"
                        "CDC,Trần Minh Đức,,0987654321,Kỹ thuật viên,\n"
                        "CDC,Giàng A Chưa,,0987000111,Lái xe,\n").encode(), "ds.csv")
    quiz = make_quiz(code="TUAN1", title="Tuần 1")
    people = {}
    for key, unit, identity, kind, name in (
            ("hoa", ward, "0912345678", "phone", "Nguyễn Thị Hoà"), ("pao", ward, "BV-0124", "staff", "Lò Văn Páo"),
            ("duc", ward, "0987654321", "phone", "Trần Minh Đức"), ("stranger", surgery, "0900000001", "phone", "Người Lạ"),
            ("cdc_stranger", cdc, "0900000002", "phone", "Khách CDC")):
        participant = Participant(contest_id=quiz.contest_id, identity=identity, identity_kind=kind, full_name=name,
                                  unit=unit, consent_at=quiz.opens_at)
        make_attempt(quiz, participant)
        people[key] = participant
    db.session.commit()
    return {"root": root, "hospital": hospital, "ward": ward, "surgery": surgery, "cdc": cdc, "quiz": quiz,
            "people": people}


def _page(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.get_data(as_text=True)


def test_admin_imports_with_preview_then_confirm_and_sees_every_row_error(client, login_as, world):
    login_as("admin")
    bad = HEADER + "KN,,,0912,,\nNOPE,A,,0912345600,,\n"
    page = client.post("/admin/rosters/import", data={"file": (io.BytesIO(bad.encode()), "ds.csv")},
                       content_type="multipart/form-data")
    assert page.status_code == 422
    text = page.get_data(as_text=True)
    assert "dòng 2" in text and "dòng 3" in text and "Không danh sách nào được ghi" in text
    good = HEADER + "KNG,Phạm Thu Trang,KNG-1,0911222333,Bác sĩ,\n"
    page = client.post("/admin/rosters/import", data={"file": (io.BytesIO(good.encode()), "ds.csv")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "Xác nhận nhập" in page and "KNG" in page
    assert db.session.scalar(db.select(db.func.count(RosterEntry.id)).where(RosterEntry.unit_id == world["surgery"].id)) == 0
    token = page.split('name="token" type="hidden" value="')[1].split('"')[0]
    assert client.post("/admin/rosters/import/confirm", data={"token": token}).status_code == 302
    assert db.session.scalar(db.select(db.func.count(RosterEntry.id)).where(RosterEntry.unit_id == world["surgery"].id)) == 1
    template = client.get("/admin/rosters/template.csv")
    assert template.status_code == 200 and "unit_code,full_name,staff_code,phone,position,sub_unit" in template.data.decode("utf-8-sig")


def test_unit_contact_imports_and_edits_only_their_subtree(client, login_as, world):
    login_as("unit", unit=world["hospital"])
    data = HEADER + "KNG,Phạm Thu Trang,,0911222333,,\nCDC,Người CDC,,0911222444,,\n"
    page = client.post("/admin/rosters/import", data={"file": (io.BytesIO(data.encode()), "ds.csv")},
                       content_type="multipart/form-data")
    assert page.status_code == 422 and "dòng 3" in page.get_data(as_text=True)
    index = _page(client, "/admin/rosters")
    assert "Khoa Nội" in index and "Trung tâm Kiểm soát" not in index
    assert "0912345678" in _page(client, "/admin/rosters/units/KN")
    _page(client, "/admin/rosters/units/CDC", 404)
    cdc_entry = db.session.scalar(db.select(RosterEntry).filter_by(phone="0987654321"))
    _page(client, f"/admin/rosters/entries/{cdc_entry.id}", 404)
    assert client.post(f"/admin/rosters/entries/{cdc_entry.id}/delete").status_code == 404
    # Add, refuse a duplicate, edit, delete in their own subtree.
    assert client.post("/admin/rosters/units/KNG", data={"full_name": "Phạm Thu Trang", "phone": "0911 222 333"}).status_code == 302
    page = client.post("/admin/rosters/units/KNG", data={"full_name": "Trùng", "phone": "+84911222333"})
    assert page.status_code == 422 and "Phạm Thu Trang trong danh sách đã có số/mã này." in page.get_data(as_text=True)
    page = client.post("/admin/rosters/units/KNG", data={"full_name": "Không số"})
    assert page.status_code == 422
    entry = db.session.scalar(db.select(RosterEntry).filter_by(phone="0911222333"))
    assert client.post(f"/admin/rosters/entries/{entry.id}", data={"full_name": "Phạm Thu Trang", "phone": "0911222333",
                                                                   "staff_code": "kng-9", "position": "Bác sĩ"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(RosterEntry, entry.id).staff_code == "KNG-9"
    # Removing someone waits until no quiz is open (tests/test_rosters_review.py).
    world["quiz"].opens_at, world["quiz"].closes_at = clock.utcnow() - timedelta(hours=2), clock.utcnow()
    db.session.commit()
    assert client.post(f"/admin/rosters/entries/{entry.id}/delete").status_code == 302
    assert db.session.get(RosterEntry, entry.id) is None
    actions = set(db.session.scalars(db.select(AuditEntry.action)))
    assert {"roster.add", "roster.update", "roster.delete"} <= actions


def test_contact_page_lists_names_of_their_subtree_only(client, login_as, world):
    login_as("unit", unit=world["ward"])
    contest_id = world["quiz"].contest_id
    page = _page(client, f"/admin/participation/{contest_id}?round=TUAN1")
    assert "Vàng Thị Chưa" in page and "Giàng A Chưa" not in page       # not yet: KN's only
    assert "0912000999" in page                                        # the contact sees their roster's phones
    taken = _page(client, f"/admin/participation/{contest_id}?round=TUAN1&show=taken")
    assert "Nguyễn Thị Hoà" in taken and "Lò Văn Páo" in taken and "Trần Minh Đức" not in taken
    unlisted = _page(client, f"/admin/participation/{contest_id}?round=TUAN1&show=unlisted")
    assert "Trần Minh Đức" in unlisted and "Có thể chọn nhầm đơn vị" in unlisted
    assert "Người Lạ" not in unlisted                                  # Khoa Ngoại is not theirs
    filtered = _page(client, f"/admin/participation/{contest_id}?sub=Ti%C3%AAu%20ho%C3%A1&show=taken")
    assert "Lò Văn Páo" in filtered and "Nguyễn Thị Hoà" not in filtered
    # Outside the subtree: a unit they may not see is a 404, and so is another contact's participant.
    _page(client, f"/admin/participation/{contest_id}?unit=CDC", 404)
    _page(client, f"/admin/participation/{contest_id}?unit=BV", 404)
    _page(client, f"/admin/participation/{contest_id}?round=NOPE", 404)
    stranger = world["people"]["stranger"]
    assert client.post(f"/admin/participation/participants/{stranger.id}/confirm").status_code == 404
    assert client.post(f"/admin/participation/participants/{stranger.id}/move",
                       data={"unit_id": world["ward"].id}).status_code == 404
    # The CDC contact sees Đức as theirs, registered at Khoa Nội (shown to both contacts).
    client.post("/logout")
    login_as("unit", unit=world["cdc"])
    taken = _page(client, f"/admin/participation/{contest_id}?show=taken")
    assert "Trần Minh Đức" in taken and "đăng ký ở Khoa Nội" in taken and "Nguyễn Thị Hoà" not in taken


def test_export_and_reminder(client, login_as, world):
    login_as("unit", unit=world["hospital"])
    contest_id = world["quiz"].contest_id
    response = client.get(f"/admin/participation/{contest_id}/export.xlsx?round=TUAN1")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    cells = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    names = [row[1] for row in cells if row and isinstance(row[0], int)]
    # Not yet first, then taken part, then the people on no list (Khoa Ngoại's stranger).
    assert names[0] == "Vàng Thị Chưa" and "Nguyễn Thị Hoà" in names and names[-1] == "Người Lạ"
    assert "Giàng A Chưa" not in names
    assert any(row[6] == "0912000999" for row in cells if row and isinstance(row[0], int))
    page = _page(client, f"/admin/participation/{contest_id}/reminder?unit=KN&names=1")
    assert "http://quiz.test/j/TUAN1?u=KN" in page and "<svg" in page and "Vàng Thị Chưa" in page
    assert "data-copy=" in page and "0912" not in page.split('id="reminder-text"')[1].split("</textarea>")[0]
    assert "/j/TUAN1/qr.png?u=KN" in page


def test_confirm_and_move_within_the_subtree(client, login_as, world):
    login_as("unit", unit=world["hospital"])
    stranger, duc = world["people"]["stranger"], world["people"]["duc"]
    assert client.post(f"/admin/participation/participants/{stranger.id}/confirm").status_code == 302
    assert db.session.scalar(db.select(RosterReview).filter_by(participant_id=stranger.id)).unit_id == world["surgery"].id
    page = _page(client, f"/admin/participation/{world['quiz'].contest_id}?unit=KNG&show=unlisted")
    assert "Đã xác nhận" in page
    # Đức matches the CDC roster, outside this contact's subtree: they cannot move him there...
    client.post(f"/admin/participation/participants/{duc.id}/move", data={"unit_id": world["cdc"].id})
    db.session.expire_all()
    assert db.session.get(Participant, duc.id).unit_id == world["ward"].id
    # ...nor within it, since a roster places him elsewhere (tests/test_rosters_review.py); someone
    # on no roster they can move within their subtree; an admin moves Đức to CDC.
    client.post(f"/admin/participation/participants/{duc.id}/move", data={"unit_id": world["surgery"].id})
    db.session.expire_all()
    assert db.session.get(Participant, duc.id).unit_id == world["ward"].id
    assert client.post(f"/admin/participation/participants/{stranger.id}/move",
                       data={"unit_id": world["ward"].id}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Participant, stranger.id).unit_id == world["ward"].id
    client.post("/logout")
    admin = login_as("admin")
    assert client.post(f"/admin/participation/participants/{duc.id}/move",
                       data={"unit_id": world["cdc"].id}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Participant, duc.id).unit_id == world["cdc"].id
    assert db.session.scalar(db.select(AuditEntry.action).where(AuditEntry.actor_id == admin.id)
                             .order_by(AuditEntry.id.desc())) == "participant.move"
    page = _page(client, f"/admin/participation/{world['quiz'].contest_id}?show=unlisted")
    assert "Trần Minh Đức" not in page.split('class="people-list"')[1]


def test_organizer_sees_only_contests_they_manage(client, login_as, world):
    login_as("organizer")
    _page(client, f"/admin/participation/{world['quiz'].contest_id}", 403)
    client.post("/logout")
    login_as("admin")
    page = _page(client, f"/admin/participation/{world['quiz'].contest_id}")
    assert "Vàng Thị Chưa" in page and "Giàng A Chưa" in page
    assert client.get("/admin/participation").status_code == 302


def test_pages_need_a_login(client, world):
    for url in ("/admin/rosters", "/admin/rosters/import", f"/admin/participation/{world['quiz'].contest_id}",
                "/admin/rosters/units/KN"):
        assert client.get(url).status_code == 302
