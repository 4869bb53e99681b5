"""Contests in the organizer console: create, edit, list, and who may do it."""
import pytest

from quiz.extensions import db
from quiz.models import AuditEntry, Contest


def _contest(code="BDHVS-2025", **overrides):
    return {"code": code, "title": "Cuộc thi Bình dân học vụ số 2025", "description": "", "w_rate": "50",
            "w_score": "50", **overrides}


def test_organizer_creates_a_contest_and_becomes_its_creator(client, login_as, ctx):
    user = login_as("organizer")
    response = client.post("/admin/contests/new", data=_contest(code="bdhvs-2025", w_rate="60", w_score="40"))
    contest = db.session.scalar(db.select(Contest).filter_by(code="BDHVS-2025"))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/quizzes/new?contest={contest.id}"
    assert contest.created_by_id == user.id
    assert (contest.w_rate, contest.w_score) == (0.6, 0.4)
    entry = db.session.scalar(db.select(AuditEntry).filter_by(action="contest.create"))
    assert entry.actor_id == user.id and entry.target_id == str(contest.id)
    page = client.get("/admin/contests").get_data(as_text=True)
    assert "Cuộc thi Bình dân học vụ số 2025" in page and "Tham gia 60 % · Điểm 40 %" in page


def test_new_contest_form_shows_fifty_fifty(client, login_as):
    login_as("organizer")
    page = client.get("/admin/contests/new").get_data(as_text=True)
    assert 'name="w_rate"' in page and 'value="50"' in page


@pytest.mark.parametrize("data, field_message", [
    ({"w_rate": "60", "w_score": "50"}, "Hai trọng số cộng lại phải bằng 100 %."),
    ({"w_rate": "-5", "w_score": "105"}, "Trọng số là phần trăm từ 0 đến 100."),
    ({"w_rate": "", "w_score": "50"}, "Vui lòng nhập trọng số."),
    ({"code": "có dấu"}, "Mã cuộc thi cần 2–40 ký tự"),
    ({"title": ""}, "Vui lòng nhập tên cuộc thi."),
])
def test_contest_form_rejects_bad_input_with_field_errors(client, login_as, ctx, data, field_message):
    login_as("organizer")
    response = client.post("/admin/contests/new", data=_contest(**data))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert field_message in page and 'class="error"' in page
    assert db.session.scalar(db.select(db.func.count(Contest.id))) == 0


def test_contest_code_clash_is_a_field_error(client, login_as, ctx):
    login_as("organizer")
    db.session.add(Contest(code="BDHVS-2025", title="Đã có"))
    db.session.commit()
    page = client.post("/admin/contests/new", data=_contest()).get_data(as_text=True)
    assert "Mã BDHVS-2025 đã được dùng cho cuộc thi khác." in page
    assert db.session.scalar(db.select(db.func.count(Contest.id))) == 1


def test_organizer_edits_own_contest(client, login_as, ctx):
    user = login_as("organizer")
    contest = Contest(code="C-EDIT", title="Cũ", created_by_id=user.id)
    db.session.add(contest)
    db.session.commit()
    form = client.get(f"/admin/contests/{contest.id}/edit").get_data(as_text=True)
    assert 'value="C-EDIT"' in form and 'value="50"' in form
    response = client.post(f"/admin/contests/{contest.id}/edit", data=_contest(code="C-EDIT", title="Mới", w_rate="30", w_score="70"))
    assert response.status_code == 302
    db.session.refresh(contest)
    assert (contest.title, contest.w_rate, contest.w_score) == ("Mới", 0.3, 0.7)


def test_organizer_lists_only_contests_they_manage(client, login_as, make_organizer, ctx):
    user = login_as("organizer")
    other = make_organizer(role="organizer")
    db.session.add_all([Contest(code="MINE", title="Cuộc thi của tôi", created_by_id=user.id),
                        Contest(code="THEIRS", title="Cuộc thi người khác", created_by_id=other.id)])
    db.session.commit()
    page = client.get("/admin/contests").get_data(as_text=True)
    assert "Cuộc thi của tôi" in page and "Cuộc thi người khác" not in page


@pytest.mark.parametrize("role, owner, expected", [
    (None, False, 302), ("unit", False, 403), ("organizer", False, 403), ("organizer", True, 200), ("admin", False, 200),
])
@pytest.mark.parametrize("path", ["/admin/contests/{id}", "/admin/contests/{id}/edit"])
def test_contest_pages_authorisation(client, login_as, make_organizer, ctx, role, owner, expected, path):
    user = login_as(role) if role else None
    creator = user if owner else make_organizer(role="organizer")
    contest = Contest(code="AUTH", title="Phân quyền", created_by_id=creator.id)
    db.session.add(contest)
    db.session.commit()
    response = client.get(path.format(id=contest.id))
    assert response.status_code == expected
    if expected == 302:
        assert response.headers["Location"].startswith("/login")


def test_granted_organizer_manages_contest(client, login_as, make_organizer, ctx):
    user = login_as("organizer")
    contest = Contest(code="GRANT", title="Được giao", created_by_id=make_organizer().id)
    contest.organizers.append(db.session.merge(user))
    db.session.add(contest)
    db.session.commit()
    assert client.get(f"/admin/contests/{contest.id}").status_code == 200


@pytest.mark.parametrize("role, expected", [(None, 302), ("unit", 403), ("organizer", 200), ("admin", 200)])
@pytest.mark.parametrize("path", ["/admin/contests", "/admin/contests/new"])
def test_contest_list_and_new_authorisation(client, login_as, role, expected, path):
    if role:
        login_as(role)
    assert client.get(path).status_code == expected
