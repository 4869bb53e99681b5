"""Bad input is a 4xx with a Vietnamese message, never a 500, and nothing changes (issue 12, item 7).

A small fuzz table: every URL that reads a number, a JSON body, a date or a text key, crossed with
the values that broke it — numbers past SQLite's int8 and PostgreSQL's int4, 100,000 `[`, years
0001 and 9999, a list where a text is expected. Runs on both databases (TEST_DATABASE_URL).
"""
from __future__ import annotations

import io
import json
from datetime import UTC, datetime

import pytest

from quiz.extensions import db
from quiz.models import Contest, Organizer, Question, QuestionSet, Quiz, Unit
from quiz.services.rankings import published as publishing

HUGE_IDS = ["99999999999999999999", "2147483648", "9223372036854775808", "-1", "1e3", "١٢"]
DEEP_JSON = "[" * 100_000


@pytest.fixture
def seeded(app, client, make_quiz, make_unit, frozen_clock):
    unit = make_unit(code="BVA", name="Bệnh viện A")
    quiz = make_quiz(questions=2, code="VAO1", prediction=None)
    publishing.publish_ranking(quiz=quiz)
    publishing.publish_ranking(contest=quiz.contest)
    db.session.commit()
    started = client.post("/api/v1/quizzes/VAO1/attempts", json={
        "full_name": "Lò Văn Minh", "unit_code": "BVA", "identity": "0912345678", "consent": True})
    assert started.status_code == 201
    body = started.get_json()
    return {"code": quiz.code, "contest": quiz.contest.code, "token": body["attempt_id"],
            "question_id": body["questions"][0]["id"], "unit_id": unit.id}


def _counts() -> tuple:
    return tuple(db.session.scalar(db.select(db.func.count()).select_from(model))
                 for model in (Unit, Question, QuestionSet, Organizer, Quiz, Contest))


def _is_vietnamese(response) -> bool:
    text = response.get_json()["error"]["message"] if response.is_json else response.get_data(as_text=True)
    return any(ch in text for ch in "ạảãàáâậầấẩẫăắằặẳẵđêềếệểễôồốộổỗơờớợởỡưừứựửữìíịỉĩỳýỵỷỹùúụủũòóọỏõèéẹẻẽ")


def _check(app, client, method: str, url: str, **kwargs):
    app.config["PROPAGATE_TEST_ERRORS"] = False  # a crash must come back as the 500 it would be
    before = _counts()
    response = client.open(url, method=method, **kwargs)
    assert 400 <= response.status_code < 500, (method, url, response.status_code, response.get_data(as_text=True)[:400])
    assert _is_vietnamese(response), (method, url, response.get_data(as_text=True)[:400])
    db.session.rollback()
    assert _counts() == before, (method, url)
    return response


PUBLIC_VERSION_URLS = ["/r/{code}", "/r/contest/{contest}", "/r/{code}/export.csv", "/r/{code}/export.xlsx",
                       "/r/contest/{contest}/export.csv", "/r/contest/{contest}/export.xlsx"]


@pytest.mark.parametrize("value", HUGE_IDS)
@pytest.mark.parametrize("url", PUBLIC_VERSION_URLS)
def test_public_version_argument_out_of_range(app, client, seeded, url, value):
    _check(app, client, "GET", url.format(**seeded) + f"?v={value}")


@pytest.mark.parametrize("url", ["/api/v1/quizzes/{code}/attempts", "/api/v1/attempts/{token}/answers/{question_id}",
                                 "/api/v1/live/players/{token}/answers/1"])
def test_deeply_nested_json_body(app, client, seeded, url):
    method = "POST" if url.endswith("attempts") else "PUT"
    response = _check(app, client, method, url.format(**seeded), data=DEEP_JSON, content_type="application/json")
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "bad_json"


def test_deeply_nested_json_with_rate_limits_on(app_config, make_app, make_quiz, make_unit, frozen_clock):
    """The per-identity rate-limit key reads the body too, before the view does."""
    app = make_app({**app_config, "QUIZ_RATELIMIT_ENABLED": True, "PROPAGATE_TEST_ERRORS": False})
    with app.app_context():
        make_unit(code="BVA")
        make_quiz(questions=1, code="VAO2")
        response = app.test_client().post("/api/v1/quizzes/VAO2/attempts", data=DEEP_JSON,
                                          content_type="application/json")
        assert response.status_code == 400 and response.get_json()["error"]["code"] == "bad_json"


ADMIN_GETS = ["/admin/bank?set_id={v}", "/admin/bank?difficulty={v}", "/admin/bank?page={v}", "/admin/audit?actor_id={v}",
              "/admin/audit?page={v}", "/admin/quizzes/new?contest={v}", "/admin/bank/questions/new?set_id={v}"]


@pytest.mark.parametrize("value", ["99999999999999999999", "2147483648"])
@pytest.mark.parametrize("url", ADMIN_GETS)
def test_admin_filters_with_ids_out_of_range(app, client, seeded, login_as, url, value):
    login_as("admin")
    _check(app, client, "GET", url.format(v=value))


def _question_form(set_id: str) -> dict:
    data = {"set_id": set_id, "text": "Câu hỏi mới?", "kind": "single", "difficulty": "1", "points": "1"}
    for i, text in enumerate(["A", "B"]):
        data[f"options-{i}-text"] = text
    data["options-0-is_correct"] = "y"
    return data


ADMIN_POSTS = [
    ("/admin/units/new", lambda s, v: {"code": "MOI", "name": "Mới", "parent_id": v, "headcount": "3"}),
    ("/admin/units/{unit_id}", lambda s, v: {"code": "BVA", "name": "Đổi", "parent_id": v, "headcount": "3"}),
    ("/admin/units/new", lambda s, v: {"code": "MOI", "name": "Mới", "parent_id": "0", "headcount": v}),
    ("/admin/bank/questions/new", lambda s, v: _question_form(v)),
    ("/admin/accounts/new", lambda s, v: {"email": "moi@example.vn", "password": "mat-khau-123", "role": "unit",
                                          "unit_id": v}),
    ("/admin/accounts/new", lambda s, v: {"email": "moi@example.vn", "password": "mat-khau-123",
                                          "role": "organizer", "unit_id": "0", "contest_ids": v}),
]


@pytest.mark.parametrize("value", ["99999999999999999999", "2147483648", "-5"])
@pytest.mark.parametrize("url,data", ADMIN_POSTS, ids=lambda x: x if isinstance(x, str) else "")
def test_admin_forms_with_ids_out_of_range(app, client, seeded, login_as, url, data, value):
    login_as("admin")
    _check(app, client, "POST", url.format(**seeded), data=data(seeded, value))


@pytest.mark.parametrize("headcount", ["99999999999999999999", "1e400", "-1", "2147483648"])
def test_units_import_with_a_headcount_out_of_range(app, client, seeded, login_as, headcount):
    login_as("admin")
    csv = f"code,name,parent_code,headcount\nMOI,Mới,,{headcount}\n".encode()
    _check(app, client, "POST", "/admin/units/import", data={"file": (io.BytesIO(csv), "don-vi.csv")})


def test_bank_import_into_a_set_out_of_range(app, client, seeded, login_as):
    login_as("admin")
    aiken = "Câu hỏi?\nA. Một\nB. Hai\nANSWER: A\n".encode()
    _check(app, client, "POST", "/admin/bank/import", data={"set_id": "2147483648",
                                                            "file": (io.BytesIO(aiken), "cau-hoi.txt")})


def _definition(**changes) -> dict:
    return {"code": "MOI1", "title": "Đợt mới", "contest": "CT-MOI", "opens_at": "2025-10-11T08:00:00+07:00",
            "closes_at": "2025-10-12T08:00:00+07:00", "duration_s": 600, "draw": [{"count": 1}], **changes}


BAD_DEFINITIONS = {
    "opens-year-1": _definition(opens_at="0001-01-01T00:00:00"),
    "opens-year-1-utc": _definition(opens_at="0001-01-01T00:00:00+00:00"),
    "closes-year-9999": _definition(closes_at="9999-12-31T23:59:00"),
    "closes-year-9999-utc": _definition(closes_at="9999-12-31T23:59:59-01:00"),
    "both-far": _definition(opens_at="9999-12-31T00:00:00", closes_at="9999-12-31T23:59:00"),
    "topic-list": _definition(draw=[{"topic": ["Chung"], "count": 1}]),
    "set-list": _definition(draw=[{"set": ["Bộ thử"], "count": 1}]),
    "set-dict": _definition(draw=[{"set": {"a": 1}, "count": 1}]),
    "title-list": _definition(title=["Đợt", "mới"]),
    "contest-dict": _definition(contest={"code": "X"}),
}


@pytest.mark.parametrize("name", sorted(BAD_DEFINITIONS))
def test_quiz_definition_upload_with_impossible_values(app, client, seeded, login_as, name):
    login_as("admin")
    body = json.dumps(BAD_DEFINITIONS[name]).encode()
    _check(app, client, "POST", "/admin/quizzes/upload", data={"file": (io.BytesIO(body), "dot.json")})


@pytest.mark.parametrize("name", sorted(BAD_DEFINITIONS))
def test_quiz_definition_cli_with_impossible_values(runner, seeded, tmp_path, name):
    path = tmp_path / "dot.json"
    path.write_text(json.dumps(BAD_DEFINITIONS[name]), encoding="utf-8")
    before = _counts()
    result = runner.invoke(args=["quizzes", "create", str(path)])
    assert result.exit_code != 0 and isinstance(result.exception, SystemExit), result.output
    assert _counts() == before


@pytest.mark.parametrize("opens,closes", [("0001-01-01T00:00", "2025-10-12T08:00"),
                                          ("2025-10-11T08:00", "9999-12-31T23:59"),
                                          ("9999-12-31T22:00", "9999-12-31T23:59")])
def test_quiz_form_with_impossible_dates(app, client, seeded, login_as, opens, closes):
    login_as("admin")
    data = {"code": "MOI2", "contest": seeded["contest"], "title": "Đợt mới", "opens_at": opens,
            "closes_at": closes, "duration_min": "10", "max_attempts": "1", "counted_attempt": "best",
            "prediction": "", "draw-0-count": "1", "draw-0-set": "", "draw-0-topic": "", "draw-0-difficulty": ""}
    response = _check(app, client, "POST", "/admin/quizzes/new", data=data)
    assert "2000" in response.get_data(as_text=True)


def test_duplicating_a_quiz_that_closes_in_9999(app, client, seeded, login_as, make_quiz):
    owner = login_as("admin")
    quiz = make_quiz(questions=1, code="XA9999", closes_at=datetime(9999, 12, 31, 16, 0, tzinfo=UTC))
    quiz.created_by_id = owner.id
    db.session.commit()
    app.config["PROPAGATE_TEST_ERRORS"] = False
    before = _counts()
    response = client.post(f"/admin/quizzes/{quiz.code}/duplicate", follow_redirects=True)
    assert response.status_code < 500 and _counts() == before
    assert "2100" in response.get_data(as_text=True)


@pytest.mark.parametrize("value", ["99999999999", "2147483648"])
def test_phone_forms_with_ids_out_of_range(app, client, seeded, value):
    app.config["PROPAGATE_TEST_ERRORS"] = False
    response = client.post(f"/a/{seeded['token']}/q/1", data={"option": value})
    assert response.status_code < 500  # the attempt page ignores an unknown option
    assert client.get(f"/a/{seeded['token']}?q={value}").status_code < 500
