"""Quizzes in the organizer console: the form, its checks, open/close now, duplicate, files."""
import io
import json
from datetime import UTC, datetime, timedelta

import pytest

from quiz.extensions import db
from quiz.models import AuditEntry, Contest, QuestionSet, Quiz


@pytest.fixture
def bank(ctx, make_question):
    """Two sets of 12 questions: "Kỹ năng số cơ bản" and "An toàn thông tin" (its topic too)."""
    for name in ("Kỹ năng số cơ bản", "An toàn thông tin"):
        question_set = QuestionSet(name=name)
        for i in range(12):
            make_question(question_set, topic=name, difficulty=1 + i % 3)


@pytest.fixture
def contest(ctx, login_as, bank):
    """A contest created by the logged-in organizer."""
    user = login_as("organizer")
    contest = Contest(code="BDHVS-2025", title="Bình dân học vụ số 2025", created_by_id=user.id)
    db.session.add(contest)
    db.session.commit()
    contest.user = user
    return contest


def form_data(contest_code="BDHVS-2025", **overrides):
    data = {
        "code": "TUAN1", "contest": contest_code, "title": "Tuần 1 — Tìm hiểu chuyển đổi số", "description": "",
        "opens_at": "2025-10-13T08:00", "closes_at": "2025-10-19T22:00", "duration_min": "15",
        "draw-0-set": "Kỹ năng số cơ bản", "draw-0-topic": "", "draw-0-difficulty": "", "draw-0-count": "10",
        "draw-1-set": "", "draw-1-topic": "An toàn thông tin", "draw-1-difficulty": "2", "draw-1-count": "4",
        "draw-2-set": "", "draw-2-topic": "", "draw-2-difficulty": "", "draw-2-count": "",
        "shuffle_questions": "y", "max_attempts": "2", "counted_attempt": "first",
        "prediction": "percent", "show_review": "y", "allow_other_unit": "y",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_new_quiz_form_suggests_a_code_and_lists_the_bank(client, contest):
    page = client.get(f"/admin/quizzes/new?contest={contest.id}").get_data(as_text=True)
    assert 'name="code"' in page and 'name="draw-0-count"' in page and 'value="10"' in page
    assert '<option selected value="BDHVS-2025">' in page
    assert "Kỹ năng số cơ bản — 12 câu" in page
    assert 'name="draw-1-set"' in page  # a blank row for browsers without JS


def test_organizer_creates_a_quiz_from_the_form(client, contest, ctx, frozen_clock):
    response = client.post("/admin/quizzes/new", data=form_data(code="tuan1"))
    assert response.status_code == 302 and response.headers["Location"] == "/admin/quizzes/TUAN1"
    quiz = db.session.scalar(db.select(Quiz).filter_by(code="TUAN1"))
    # 08:00 in Vietnam is 01:00 UTC
    assert quiz.opens_at == datetime(2025, 10, 13, 1, 0, tzinfo=UTC)
    assert quiz.closes_at == datetime(2025, 10, 19, 15, 0, tzinfo=UTC)
    assert quiz.duration_s == 900 and quiz.contest_id == contest.id and quiz.created_by_id == contest.user.id
    assert [(r.question_set.name if r.question_set else None, r.topic, r.difficulty, r.count) for r in quiz.draw_rules] \
        == [("Kỹ năng số cơ bản", None, None, 10), (None, "An toàn thông tin", 2, 4)]
    assert (quiz.shuffle_questions, quiz.shuffle_options, quiz.max_attempts, quiz.counted_attempt) == (True, False, 2, "first")
    assert (quiz.prediction, quiz.show_review, quiz.allow_other_unit) == ("percent", True, True)
    assert db.session.scalar(db.select(AuditEntry).filter_by(action="quiz.create")).actor_id == contest.user.id
    page = client.get("/admin/quizzes/TUAN1").get_data(as_text=True)
    assert "08:00 13/10/2025" in page and "22:00 19/10/2025" in page and "Sắp mở" in page


def test_unsatisfiable_draw_rule_is_shown_on_its_row(client, contest, ctx):
    response = client.post("/admin/quizzes/new", data=form_data(**{"draw-1-difficulty": "", "draw-1-count": "15"}))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Dòng 2: Chủ đề &#39;An toàn thông tin&#39; chỉ có 12 câu, cần 15." in page
    assert db.session.scalar(db.select(Quiz.id)) is None


@pytest.mark.parametrize("overrides, message", [
    ({"closes_at": "2025-10-13T07:00"}, "Thời điểm đóng phải sau thời điểm mở."),
    ({"opens_at": "ngày mai"}, "Thời điểm không hợp lệ, dạng ngày/tháng/năm giờ:phút."),
    ({"opens_at": ""}, "Vui lòng chọn thời điểm mở."),
    ({"duration_min": "0"}, "Từ 1 đến 1440 phút."),
    ({"code": "A B"}, "3–16 ký tự: chữ không dấu, số hoặc"),
    ({"draw-0-count": "", "draw-0-set": "", "draw-1-count": "", "draw-1-topic": "", "draw-1-difficulty": ""},
     "Cần ít nhất một quy tắc rút câu hỏi."),
    ({"draw-0-count": ""}, "Nhập số câu cần rút."),
    ({"draw-0-set": "Bộ không có"}, "Không có bộ câu hỏi &#39;Bộ không có&#39;."),
])
def test_quiz_form_validation(client, contest, ctx, overrides, message):
    response = client.post("/admin/quizzes/new", data=form_data(**overrides))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(db.select(Quiz.id)) is None


def test_quiz_code_clash_is_refused_not_overwritten(client, contest, make_quiz, ctx):
    other = make_quiz(code="TUAN1", title="Đợt của người khác")
    response = client.post("/admin/quizzes/new", data=form_data())
    assert response.status_code == 422
    assert "Mã TUAN1 đã được dùng, hãy chọn mã khác." in response.get_data(as_text=True)
    db.session.refresh(other)
    assert other.title == "Đợt của người khác"


def test_quiz_cannot_go_into_a_contest_the_organizer_does_not_manage(client, contest, make_organizer, ctx):
    db.session.add(Contest(code="OTHER", title="Khác", created_by_id=make_organizer().id))
    db.session.commit()
    response = client.post("/admin/quizzes/new", data=form_data(contest="OTHER"))
    assert response.status_code == 422  # not one of the offered choices
    assert db.session.scalar(db.select(Quiz.id)) is None


def _create(client):
    assert client.post("/admin/quizzes/new", data=form_data()).status_code == 302
    return db.session.scalar(db.select(Quiz).filter_by(code="TUAN1"))


def test_edit_form_shows_local_times_and_saves(client, contest, ctx):
    quiz = _create(client)
    page = client.get("/admin/quizzes/TUAN1/edit").get_data(as_text=True)
    assert 'value="2025-10-13T08:00"' in page and 'value="An toàn thông tin"' in page
    response = client.post("/admin/quizzes/TUAN1/edit", data=form_data(code="CHANGED", title="Tuần 1 (sửa)", duration_min="20"))
    assert response.status_code == 302
    db.session.refresh(quiz)
    assert (quiz.code, quiz.title, quiz.duration_s) == ("TUAN1", "Tuần 1 (sửa)", 1200)


def test_draw_rules_locked_once_attempts_exist(client, contest, ctx, make_attempt, make_unit, frozen_clock):
    quiz = _create(client)
    make_attempt(quiz, make_unit(), full_name="Nguyễn Văn A")
    response = client.post("/admin/quizzes/TUAN1/edit", data=form_data(**{"draw-0-count": "9"}))
    assert response.status_code == 422
    assert "đã có lượt thi: không thể đổi cuộc thi hay quy tắc rút câu hỏi." in response.get_data(as_text=True)
    db.session.refresh(quiz)
    assert quiz.draw_rules[0].count == 10
    # Other fields stay editable.
    assert client.post("/admin/quizzes/TUAN1/edit", data=form_data(title="Tên mới")).status_code == 302
    db.session.refresh(quiz)
    assert quiz.title == "Tên mới"


def test_open_now_and_close_now(client, contest, ctx, frozen_clock):
    quiz = _create(client)
    response = client.post("/admin/quizzes/TUAN1/open")
    assert response.status_code == 302
    db.session.refresh(quiz)
    assert quiz.opens_at == frozen_clock.now() and quiz.state == "open"
    assert quiz.closes_at == datetime(2025, 10, 19, 15, 0, tzinfo=UTC)  # far enough: unchanged
    frozen_clock.advance(hours=1)
    client.post("/admin/quizzes/TUAN1/close")
    db.session.refresh(quiz)
    assert quiz.closes_at == frozen_clock.now() and quiz.state == "closed"
    actions = db.session.scalars(db.select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-2:] == ["quiz.open_now", "quiz.close_now"]
    # Re-opening a closed quiz pushes its closing time so a whole window is available again.
    client.post("/admin/quizzes/TUAN1/open")
    db.session.refresh(quiz)
    assert quiz.opens_at == frozen_clock.now() and quiz.closes_at - quiz.opens_at == timedelta(hours=1)
    assert quiz.state == "open"


def test_close_now_refused_for_an_upcoming_quiz(client, contest, ctx, frozen_clock):
    quiz = _create(client)
    response = client.post("/admin/quizzes/TUAN1/close", follow_redirects=True)
    assert "Chỉ đóng được đợt thi đang mở." in response.get_data(as_text=True)
    db.session.refresh(quiz)
    assert quiz.state == "upcoming"


def test_duplicate_as_next_weeks_round(client, contest, ctx):
    quiz = _create(client)
    response = client.post("/admin/quizzes/TUAN1/duplicate")
    copy = db.session.scalar(db.select(Quiz).where(Quiz.code != "TUAN1"))
    assert response.status_code == 302 and response.headers["Location"] == f"/admin/quizzes/{copy.code}/edit"
    assert copy.title == "Tuần 1 — Tìm hiểu chuyển đổi số (bản sao)"
    assert copy.opens_at - quiz.opens_at == timedelta(days=7) and copy.closes_at - quiz.closes_at == timedelta(days=7)
    assert [(r.set_id, r.topic, r.difficulty, r.count) for r in copy.draw_rules] == \
        [(r.set_id, r.topic, r.difficulty, r.count) for r in quiz.draw_rules]
    assert (copy.max_attempts, copy.counted_attempt, copy.prediction, copy.contest_id) == (2, "first", "percent", contest.id)


def test_definition_download_round_trips_through_upload(client, contest, ctx):
    _create(client)
    response = client.get("/admin/quizzes/TUAN1/definition.json")
    assert response.headers["Content-Disposition"] == 'attachment; filename="TUAN1.json"'
    definition = json.loads(response.data)
    assert definition["opens_at"] == "2025-10-13T08:00:00+07:00"
    assert definition["draw"] == [{"set": "Kỹ năng số cơ bản", "count": 10},
                                  {"topic": "An toàn thông tin", "difficulty": 2, "count": 4}]
    definition["code"] = "TUAN2"
    upload = {"file": (io.BytesIO(json.dumps(definition).encode()), "tuan2.json")}
    response = client.post("/admin/quizzes/upload", data=upload, content_type="multipart/form-data")
    assert response.status_code == 302 and response.headers["Location"] == "/admin/quizzes/TUAN2"
    copy = db.session.scalar(db.select(Quiz).filter_by(code="TUAN2"))
    assert copy.question_count == 14 and copy.opens_at == datetime(2025, 10, 13, 1, 0, tzinfo=UTC)


def test_upload_yaml_definition_and_report_problems(client, contest, ctx):
    yaml_text = ("code: TUANY\ntitle: Tuần YAML\ncontest: BDHVS-2025\nopens_at: 2025-10-13T08:00:00+07:00\n"
                 "closes_at: 2025-10-14T08:00:00+07:00\ndraw:\n  - set: An toàn thông tin\n    count: 13\n")
    response = client.post("/admin/quizzes/upload", data={"file": (io.BytesIO(yaml_text.encode()), "tuan.yaml")},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert "draw[1]: bộ &#39;An toàn thông tin&#39; chỉ có 12 câu, cần 13." in response.get_data(as_text=True)
    fixed = yaml_text.replace("count: 13", "count: 12")
    response = client.post("/admin/quizzes/upload", data={"file": (io.BytesIO(fixed.encode()), "tuan.yaml")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    assert db.session.scalar(db.select(Quiz).filter_by(code="TUANY")).question_count == 12


def test_upload_refuses_other_files_and_foreign_contests(client, contest, make_organizer, ctx):
    response = client.post("/admin/quizzes/upload", data={"file": (io.BytesIO(b"x"), "quiz.txt")}, content_type="multipart/form-data")
    assert response.status_code == 422 and "Chỉ nhận tệp .json, .yaml hoặc .yml." in response.get_data(as_text=True)
    db.session.add(Contest(code="OTHER", title="Khác", created_by_id=make_organizer().id))
    db.session.commit()
    definition = {"code": "XQZ", "title": "X", "contest": "OTHER", "opens_at": "2025-10-13T08:00:00+07:00",
                  "closes_at": "2025-10-14T08:00:00+07:00", "draw": [{"count": 1}]}
    response = client.post("/admin/quizzes/upload", data={"file": (io.BytesIO(json.dumps(definition).encode()), "q.json")},
                           content_type="multipart/form-data")
    assert response.status_code == 422 and "Bạn không quản lý cuộc thi OTHER." in response.get_data(as_text=True)
    assert db.session.scalar(db.select(Quiz.id)) is None


QUIZ_PAGES = ["/admin/quizzes/{code}", "/admin/quizzes/{code}/edit", "/admin/quizzes/{code}/definition.json",
              "/admin/quizzes/{code}/posters", "/admin/quizzes/{code}/posters/units",
              "/admin/quizzes/{code}/monitor", "/admin/quizzes/{code}/monitor.json"]


@pytest.mark.parametrize("role, owner, expected", [
    (None, False, 302), ("unit", False, 403), ("organizer", False, 403), ("organizer", True, 200), ("admin", False, 200),
])
@pytest.mark.parametrize("path", QUIZ_PAGES)
def test_quiz_pages_authorisation(client, login_as, make_quiz, make_organizer, ctx, role, owner, expected, path):
    user = login_as(role) if role else None
    creator = user if owner else make_organizer(role="organizer")
    quiz = make_quiz(contest=Contest(code="AUTH", title="Phân quyền", created_by_id=creator.id))
    response = client.get(path.format(code=quiz.code))
    assert response.status_code == expected
    if expected == 302:
        assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("role, owner, expected", [
    (None, False, 302), ("unit", False, 403), ("organizer", False, 403), ("organizer", True, 302), ("admin", False, 302),
])
@pytest.mark.parametrize("action", ["open", "close", "duplicate"])
def test_quiz_actions_authorisation(client, login_as, make_quiz, make_organizer, ctx, frozen_clock,
                                    role, owner, expected, action):
    user = login_as(role) if role else None
    creator = user if owner else make_organizer(role="organizer")
    window = {"opens_at": frozen_clock.now() + timedelta(days=1),
              "closes_at": frozen_clock.now() + timedelta(days=2)} if action == "open" else {}
    quiz = make_quiz(contest=Contest(code="AUTH", title="Phân quyền", created_by_id=creator.id), **window)
    response = client.post(f"/admin/quizzes/{quiz.code}/{action}")
    assert response.status_code == expected
    changed = db.session.scalar(db.select(db.func.count(AuditEntry.id)).where(AuditEntry.action.like("quiz.%")))
    assert changed == ({"open": 1, "close": 1, "duplicate": 2}[action] if expected == 302 and role else 0)


@pytest.mark.parametrize("role, expected", [(None, 302), ("unit", 403), ("organizer", 200), ("admin", 200)])
@pytest.mark.parametrize("path", ["/admin/quizzes/new", "/admin/quizzes/upload"])
def test_new_quiz_pages_authorisation(client, login_as, role, expected, path):
    if role:
        login_as(role)
    assert client.get(path).status_code == expected


def test_new_quiz_for_a_foreign_contest_is_forbidden(client, login_as, make_organizer, ctx):
    login_as("organizer")
    contest = Contest(code="OTHER", title="Khác", created_by_id=make_organizer().id)
    db.session.add(contest)
    db.session.commit()
    assert client.get(f"/admin/quizzes/new?contest={contest.id}").status_code == 403
