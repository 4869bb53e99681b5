"""The dashboard's counts and the live monitor (page and JSON)."""
from datetime import timedelta

from quiz.extensions import db
from quiz.models import Contest
from quiz.services.monitor import quiz_progress


def _setup(login_as, make_quiz, make_unit, frozen_clock):
    user = login_as("organizer")
    quiz = make_quiz(contest=Contest(code="MON", title="Theo dõi", created_by_id=user.id), title="Tuần 1")
    parent = make_unit(code="BVDK", name="Bệnh viện Đa khoa", headcount=None)
    ward = make_unit(code="NOI", name="Khối Nội", headcount=4, parent=parent)
    cdc = make_unit(code="CDC", name="CDC tỉnh", headcount=2)
    return quiz, parent, ward, cdc


def test_monitor_counts_units_and_latest(client, ctx, login_as, make_quiz, make_unit, make_attempt, frozen_clock):
    quiz, parent, ward, cdc = _setup(login_as, make_quiz, make_unit, frozen_clock)
    def finished(who, name, score, seconds, ago):
        make_attempt(quiz, who, full_name=name, score=score, max_score=10, duration_ms=seconds * 1000,
                     submitted_at=frozen_clock.now() - timedelta(seconds=ago))

    finished(ward, "Nguyễn Văn A", 9, 200, ago=400)
    make_attempt(quiz, ward, full_name="Trần Thị B", submitted_at=None)
    finished(cdc, "Lê Văn C", 7, 100, ago=500)
    finished(cdc, "Phạm D", 5, 50, ago=550)
    finished(cdc, "Hoàng E", 6, 40, ago=560)  # 3 of a headcount of 2: capped at 100 %
    # Past its deadline but not finalised yet: still in progress.
    make_attempt(quiz, None, full_name="Khách", submitted_at=None, duration_ms=3_600_000)

    progress = quiz_progress(quiz)
    assert progress.counts.to_dict() == {"started": 6, "finished": 4, "in_progress": 2}
    by_code = {u.code: u for u in progress.units}
    assert (by_code["NOI"].participants, by_code["NOI"].headcount, by_code["NOI"].percent) == (1, 4, 25.0)
    assert (by_code["BVDK"].participants, by_code["BVDK"].headcount) == (1, 4)  # rolled up from its ward
    assert (by_code["CDC"].participants, by_code["CDC"].percent) == (3, 100.0)
    assert [row["full_name"] for row in progress.latest] == ["Nguyễn Văn A", "Lê Văn C", "Phạm D", "Hoàng E"]

    page = client.get(f"/admin/quizzes/{quiz.code}/monitor").get_data(as_text=True)
    assert 'data-count="finished">4<' in page and 'data-count="in_progress">2<' in page
    assert "Nguyễn Văn A" in page and "9/10" in page and "3:20" in page and "1 / 4" in page and "25%" in page
    assert "Đang mở" in page and "js/monitor.js" in page

    data = client.get(f"/admin/quizzes/{quiz.code}/monitor.json").get_json()
    assert data["counts"] == {"started": 6, "finished": 4, "in_progress": 2}
    assert data["state"] == "open" and data["other_unit_participants"] == 0
    assert {"code": "CDC", "name": "CDC tỉnh", "depth": 0, "headcount": 2, "participants": 3, "percent": 100.0,
            "is_group": False, "rate": "100%"} in data["units"]
    assert next(u for u in data["units"] if u["code"] == "BVDK")["is_group"] is True
    assert data["latest"][0]["full_name"] == "Nguyễn Văn A" and data["latest"][0]["duration"] == "3:20"
    assert "identity" not in str(data) and "09" not in "".join(r["full_name"] for r in data["latest"])


def test_monitor_json_updates_when_an_attempt_finishes(client, ctx, login_as, make_quiz, make_unit, make_attempt, frozen_clock):
    quiz, _parent, ward, _cdc = _setup(login_as, make_quiz, make_unit, frozen_clock)
    before = client.get(f"/admin/quizzes/{quiz.code}/monitor.json").get_json()
    assert before["counts"] == {"started": 0, "finished": 0, "in_progress": 0} and before["latest"] == []
    make_attempt(quiz, ward, full_name="Nguyễn Văn A")
    after = client.get(f"/admin/quizzes/{quiz.code}/monitor.json")
    assert after.get_json()["counts"]["finished"] == 1
    assert "no-store" in after.headers["Cache-Control"]


def test_dashboard_shows_quizzes_with_state_and_counts(client, ctx, login_as, make_quiz, make_unit, make_attempt, frozen_clock):
    quiz, _parent, ward, _cdc = _setup(login_as, make_quiz, make_unit, frozen_clock)
    contest = quiz.contest
    make_quiz(contest=contest, title="Tuần 2", opens_at=frozen_clock.now() + timedelta(days=7),
              closes_at=frozen_clock.now() + timedelta(days=8))
    make_quiz(contest=contest, title="Tuần 0", opens_at=frozen_clock.now() - timedelta(days=8),
              closes_at=frozen_clock.now() - timedelta(days=7))
    make_attempt(quiz, ward, full_name="A")
    make_attempt(quiz, ward, full_name="B", submitted_at=None)
    page = client.get("/admin/").get_data(as_text=True)
    assert "Theo dõi" in page and "Tuần 1" in page and "Tuần 2" in page
    assert page.count("badge-open") == 1 and "Đang mở" in page and "Sắp mở" in page and "Đã đóng" in page
    assert '<td class="num">2</td>\n      <td class="num">1</td>' in page
    assert f"/admin/quizzes/{quiz.code}/monitor" in page and f"/admin/quizzes/{quiz.code}/posters" in page


def test_dashboard_hides_other_organizers_contests(client, ctx, login_as, make_quiz, make_organizer):
    login_as("organizer")
    make_quiz(contest=Contest(code="X", title="Cuộc thi người khác", created_by_id=make_organizer().id))
    page = client.get("/admin/").get_data(as_text=True)
    assert "Cuộc thi người khác" not in page and "Bạn chưa quản lý cuộc thi nào." in page


def test_dashboard_for_unit_contact(client, login_as):
    login_as("unit")
    page = client.get("/admin/")
    assert page.status_code == 200 and "Bạn là đầu mối của đơn vị" in page.get_data(as_text=True)


def test_dashboard_needs_login(client):
    response = client.get("/admin/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_monitor_sorts_units_by_participation(client, ctx, login_as, make_quiz, make_unit, make_attempt, frozen_clock):
    quiz, parent, ward, cdc = _setup(login_as, make_quiz, make_unit, frozen_clock)
    make_unit(code="XA", name="Không có định biên", headcount=None)
    make_attempt(quiz, ward)
    low = client.get(f"/admin/quizzes/{quiz.code}/monitor.json?sort=low").get_json()
    assert [u["code"] for u in low["units"]] == ["CDC", "BVDK", "NOI", "XA"]  # ties by name; no headcount: last
    high = client.get(f"/admin/quizzes/{quiz.code}/monitor.json?sort=high").get_json()
    assert [u["code"] for u in high["units"]] == ["BVDK", "NOI", "CDC", "XA"]
    tree = client.get(f"/admin/quizzes/{quiz.code}/monitor.json?sort=<script>").get_json()
    assert tree["order"] == "tree" and [u["code"] for u in tree["units"]][:2] == ["BVDK", "NOI"]
    page = client.get(f"/admin/quizzes/{quiz.code}/monitor?sort=low").get_data(as_text=True)
    assert 'aria-current="true">Tỉ lệ thấp trước' in page
