"""Findings of the adversarial review of rosters: who may change a roster (admins; a unit contact
their subtree; an organizer only reads), no removals by a contact while a quiz is open, no
score/time of a participant registered outside the viewer's subtree, moves only towards a roster
holding the participant, and unit codes in an import matched as units are elsewhere."""
import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from quiz import clock
from quiz.errors import ForbiddenError, ValidationError
from quiz.extensions import db
from quiz.models import Participant, Quiz, RosterEntry
from quiz.services.rankings.scope import Scope
from quiz.services.rankings.unit_rollup import UnitTable
from quiz.services.rosters import entries as roster_entries
from quiz.services.rosters.importing import import_roster_file
from tests.test_rankings_tallies import computed, full_levels, tallied
from tests.test_rosters_pages import HEADER, _page, world  # noqa: F401  (fixture)

OPEN_MESSAGE = "Đang có đợt thi mở: chỉ quản trị viên được bớt người khỏi danh sách."


def _count(unit):
    db.session.expire_all()
    return db.session.scalar(db.select(db.func.count(RosterEntry.id)).where(RosterEntry.unit_id == unit.id))


def _close_every_quiz():
    for quiz in db.session.scalars(db.select(Quiz)):
        quiz.closes_at = clock.utcnow() - timedelta(minutes=1)
        quiz.opens_at = clock.utcnow() - timedelta(hours=2)
    db.session.commit()


def test_an_organizer_reads_rosters_but_cannot_change_them(client, login_as, world):
    login_as("organizer")
    page = _page(client, "/admin/rosters/units/KN")
    assert "0912345678" in page and "Thêm vào danh sách" not in page
    index = _page(client, "/admin/rosters")
    assert 'href="/admin/rosters/import"' not in index
    response = client.post("/admin/rosters/units/KN", data={"full_name": "Người thêm", "phone": "0911000111"})
    assert response.status_code == 403 and "Chỉ quản trị viên" in response.get_data(as_text=True)
    entry = db.session.scalar(db.select(RosterEntry).filter_by(phone="0912345678"))
    assert "Xóa khỏi danh sách" not in _page(client, f"/admin/rosters/entries/{entry.id}")
    assert client.post(f"/admin/rosters/entries/{entry.id}", data={"full_name": "Đổi", "phone": "0912345678"}
                       ).status_code == 403
    assert client.post(f"/admin/rosters/entries/{entry.id}/delete").status_code == 403
    data = HEADER + "KN,Một người,,0911222333,,\n"
    response = client.post("/admin/rosters/import", data={"file": (io.BytesIO(data.encode()), "ds.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 403
    assert _count(world["ward"]) == 3
    with pytest.raises(ForbiddenError):
        roster_entries.check_roster_access(_organizer(), world["ward"])


def _organizer():
    from quiz.models import Organizer
    return db.session.scalar(db.select(Organizer).filter_by(role="organizer"))


def test_an_admin_changes_any_roster(client, login_as, world):
    login_as("admin")
    assert client.post("/admin/rosters/units/CDC", data={"full_name": "Người thêm", "phone": "0911000111"}
                       ).status_code == 302
    entry = db.session.scalar(db.select(RosterEntry).filter_by(phone="0912000999"))
    assert client.post(f"/admin/rosters/entries/{entry.id}/delete").status_code == 302  # a quiz is open: still fine
    assert _count(world["cdc"]) == 3 and _count(world["ward"]) == 2


def test_a_contact_cannot_remove_anyone_while_a_quiz_is_open(client, login_as, world):
    login_as("unit", unit=world["hospital"])
    entry = db.session.scalar(db.select(RosterEntry).filter_by(phone="0912000999"))   # has not taken part
    assert "Xóa khỏi danh sách" not in _page(client, f"/admin/rosters/entries/{entry.id}")
    response = client.post(f"/admin/rosters/entries/{entry.id}/delete", follow_redirects=True)
    assert OPEN_MESSAGE in response.get_data(as_text=True)
    assert _count(world["ward"]) == 3
    # Adding and editing stay allowed.
    assert client.post("/admin/rosters/units/KN", data={"full_name": "Người mới", "phone": "0911000111"}
                       ).status_code == 302
    # An import that drops someone is refused (preview already), one that keeps everyone passes.
    dropping = HEADER + "KN,Nguyễn Thị Hoà,,0912345678,,\nKN,Lò Văn Páo,BV-0124,,,\n"
    response = client.post("/admin/rosters/import", data={"file": (io.BytesIO(dropping.encode()), "ds.csv")},
                           content_type="multipart/form-data")
    text = response.get_data(as_text=True)
    assert response.status_code == 422 and OPEN_MESSAGE in text and "Vàng Thị Chưa" in text
    with pytest.raises(ValidationError):
        import_roster_file(dropping.encode(), "ds.csv", actor=_contact(world))
    db.session.rollback()
    assert _count(world["ward"]) == 4
    # One row carrying two people's numbers keeps both identities but shrinks the roster: refused too.
    merged = HEADER + ("KN,Nguyễn Thị Hoà,BV-0124,0912345678,,\nKN,Vàng Thị Chưa,,0912000999,,\n"
                       "KN,Người mới,,0911000111,,\n")
    with pytest.raises(ValidationError) as raised:
        import_roster_file(merged.encode(), "ds.csv", actor=_contact(world))
    assert raised.value.message.startswith(OPEN_MESSAGE)
    db.session.rollback()
    keeping = dropping + "KN,Vàng Thị Chưa,,0912000999,,\nKN,Người mới,,0911000111,,\nKN,Thêm nữa,,0911000222,,\n"
    import_roster_file(keeping.encode(), "ds.csv", actor=_contact(world))
    db.session.commit()
    assert _count(world["ward"]) == 5
    # Once every quiz is closed, the contact may remove again.
    _close_every_quiz()
    entry = db.session.scalar(db.select(RosterEntry).filter_by(phone="0912000999"))   # re-inserted by the import
    assert client.post(f"/admin/rosters/entries/{entry.id}/delete").status_code == 302
    assert _count(world["ward"]) == 4


def _contact(world):
    from quiz.models import Organizer
    return db.session.scalar(db.select(Organizer).filter_by(role="unit", unit_id=world["hospital"].id))


def test_a_contact_sees_no_score_of_someone_registered_elsewhere(client, login_as, world, make_attempt):
    contest_id = world["quiz"].contest_id
    # The CDC contact puts a Khoa Nội participant's phone on their roster.
    login_as("unit", unit=world["cdc"])
    page = _page(client, f"/admin/participation/{contest_id}?show=taken")
    assert "Trần Minh Đức" in page and "đã tham gia — đăng ký ở Khoa Nội" in page
    assert "Nộp bài" not in page.split("Trần Minh Đức")[1].split("</li>")[0]
    response = client.get(f"/admin/participation/{contest_id}/export.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    row = next(r for r in sheet.iter_rows(values_only=True) if r and r[1] == "Trần Minh Đức")
    assert row[7] == "Đã tham gia" and row[8] is None and row[9] is None and "Khoa Nội" in row[10]
    # The hospital contact sees their own participants in full; an admin sees everything.
    client.post("/logout")
    login_as("unit", unit=world["hospital"])
    page = _page(client, f"/admin/participation/{contest_id}?show=taken")
    assert "Nộp bài" in page.split("Nguyễn Thị Hoà")[1].split("</li>")[0]
    client.post("/logout")
    login_as("admin")
    page = _page(client, f"/admin/participation/{contest_id}?show=taken&unit=CDC")
    assert "Nộp bài" in page.split("Trần Minh Đức")[1].split("</li>")[0]


def test_a_contact_moves_only_towards_a_roster_holding_the_participant(client, login_as, world):
    login_as("unit", unit=world["hospital"])
    duc, stranger = world["people"]["duc"], world["people"]["stranger"]
    quiz = world["quiz"]
    # Đức is on CDC's roster: the contact may not move him to Khoa Ngoại.
    response = client.post(f"/admin/participation/participants/{duc.id}/move", data={"unit_id": world["surgery"].id},
                           follow_redirects=True)
    assert "không có trong danh sách" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Participant, duc.id).unit_id == world["ward"].id
    # Someone on Khoa Nội's roster may not be moved away either.
    hoa = world["people"]["hoa"]
    client.post(f"/admin/participation/participants/{hoa.id}/move", data={"unit_id": world["surgery"].id})
    db.session.expire_all()
    assert db.session.get(Participant, hoa.id).unit_id == world["ward"].id
    # On no roster at all: movable within the subtree; tallies follow the move.
    assert client.post(f"/admin/participation/participants/{stranger.id}/move",
                       data={"unit_id": world["ward"].id}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Participant, stranger.id).unit_id == world["ward"].id
    assert tallied(quiz) == computed(quiz)
    # Towards a roster holding them: Khoa Ngoại lists Hoà's phone, so now she can be moved there.
    db.session.add(RosterEntry(unit_id=world["surgery"].id, full_name="Nguyễn Thị Hoà", phone="0912345678"))
    db.session.commit()
    assert client.post(f"/admin/participation/participants/{hoa.id}/move",
                       data={"unit_id": world["surgery"].id}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Participant, hoa.id).unit_id == world["surgery"].id
    assert tallied(quiz) == computed(quiz)
    assert full_levels(quiz)[""] == _ranking_as_read(quiz)


def _ranking_as_read(quiz):
    """The unit ranking from the tallies, as the public read path builds it."""
    table = UnitTable(Scope(quiz=quiz).unit_counts(), quiz.contest)
    return [r.to_dict() for r in table.ranking(None)]


def test_import_matches_unit_codes_whatever_their_case(ctx, world):
    import_roster_file((HEADER + "kng,Phạm Thu Trang,,0911222333,,\n").encode(), "ds.csv")
    db.session.commit()
    assert _count(world["surgery"]) == 1


def test_the_write_lock_helper_is_public():
    from quiz.services import locks
    assert callable(locks.hold_write_lock) and not hasattr(locks, "_hold_write_lock")
