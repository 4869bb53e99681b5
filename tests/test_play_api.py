"""The participant JSON API: start/resume, answers, deadline, submit, limits, bad input."""
from __future__ import annotations

from datetime import timedelta

import pytest

from quiz.extensions import db
from quiz.models import Answer, Attempt, Participant, Quiz


def register(client, code, **overrides):
    body = {"full_name": "Nguyễn Thị Hoa", "unit_code": "CDC", "identity": "0912 345 678", "consent": True}
    body.update(overrides)
    return client.post(f"/api/v1/quizzes/{code}/attempts", json=body)


@pytest.fixture
def quiz(make_quiz, make_unit, frozen_clock):
    make_unit(code="CDC", name="Trung tâm Kiểm soát bệnh tật tỉnh")
    return make_quiz(questions=4, code="TUAN1", duration_s=600)


def answer_body(started, index, pick=0):
    question = started["questions"][index]
    return question["id"], {"option_ids": [question["options"][pick]["id"]]}


def test_quiz_info_is_public_and_lists_units(client, quiz):
    response = client.get("/api/v1/quizzes/tuan1")
    assert response.status_code == 200
    data = response.get_json()
    assert data["code"] == "TUAN1" and data["state"] == "open"
    assert data["question_count"] == 4 and data["duration_s"] == 600 and data["max_attempts"] == 1
    assert {"code": "CDC", "name": "Trung tâm Kiểm soát bệnh tật tỉnh", "parent_code": None, "depth": 0} in data["units"]


def test_unknown_quiz_is_404_json(client, quiz):
    response = client.get("/api/v1/quizzes/NOPE")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_start_draws_questions_and_sets_a_cookie(client, quiz, frozen_clock):
    response = register(client, "TUAN1")
    assert response.status_code == 201
    data = response.get_json()
    assert len(data["questions"]) == 4
    assert len({q["id"] for q in data["questions"]}) == 4
    assert data["remaining_s"] == 600 and data["answers"] == {}
    assert data["deadline"] == (frozen_clock.at + timedelta(seconds=600)).isoformat()
    cookie = response.headers["Set-Cookie"]
    assert f"tds_TUAN1={data['attempt_id']}" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    with db.session.no_autoflush:
        attempt = db.session.scalar(db.select(Attempt).filter_by(token=data["attempt_id"]))
        assert [q.position for q in attempt.questions] == [0, 1, 2, 3]
        assert attempt.max_score == 4


def test_deadline_is_capped_by_quiz_close(client, make_quiz, make_unit, frozen_clock):
    make_unit(code="CDC")
    make_quiz(code="SHORT", duration_s=600, closes_at=frozen_clock.at + timedelta(seconds=120))
    data = register(client, "SHORT").get_json()
    assert data["remaining_s"] == 120


def test_same_identity_in_another_form_resumes_the_same_attempt(client, app, quiz):
    first = register(client, "TUAN1").get_json()
    qid, body = answer_body(first, 1)
    assert client.put(f"/api/v1/attempts/{first['attempt_id']}/answers/{qid}", json=body).status_code == 200
    other_phone = app.test_client()
    response = register(other_phone, "TUAN1", identity="+84912345678", full_name="Nguyễn Thị Hoa")
    assert response.status_code == 200
    again = response.get_json()
    assert again["attempt_id"] == first["attempt_id"]
    assert [q["id"] for q in again["questions"]] == [q["id"] for q in first["questions"]]
    assert [[o["id"] for o in q["options"]] for q in again["questions"]] == \
        [[o["id"] for o in q["options"]] for q in first["questions"]]
    assert again["answers"] == {str(qid): body["option_ids"]}
    assert db.session.scalar(db.select(db.func.count(Participant.id))) == 1


def test_clock_runs_from_the_original_start(client, quiz, frozen_clock):
    first = register(client, "TUAN1").get_json()
    frozen_clock.advance(seconds=200)
    again = register(client, "TUAN1", identity="84912345678").get_json()
    assert again["remaining_s"] == 400
    state = client.get(f"/api/v1/attempts/{first['attempt_id']}").get_json()
    assert state["remaining_s"] == 400 and state["state"] == "in_progress"


def test_answer_saving_validates_and_clears(client, quiz):
    started = register(client, "TUAN1").get_json()
    token = started["attempt_id"]
    question = started["questions"][0]
    url = f"/api/v1/attempts/{token}/answers/{question['id']}"
    two = [o["id"] for o in question["options"][:2]]
    response = client.put(url, json={"option_ids": two})
    assert response.status_code == 422
    assert "option_ids" in response.get_json()["error"]["fields"]
    response = client.put(url, json={"option_ids": [999999]})
    assert response.status_code == 422
    assert client.put(f"/api/v1/attempts/{token}/answers/987654", json={"option_ids": []}).status_code == 404
    assert client.put(url, json={"option_ids": two[:1]}).get_json()["option_ids"] == two[:1]
    assert client.get(f"/api/v1/attempts/{token}").get_json()["answers"] == {str(question["id"]): two[:1]}
    assert client.put(url, json={"option_ids": []}).get_json()["saved"] is False
    assert client.get(f"/api/v1/attempts/{token}").get_json()["answers"] == {}


def test_multiple_answer_must_match_the_correct_set(client, make_quiz, make_question, make_unit, frozen_clock):
    from quiz.models import QuestionSet
    make_unit(code="CDC")
    quiz = make_quiz(questions=1, code="MULTI", shuffle_options=False)
    multi = make_question(QuestionSet(name="Bộ nhiều"), kind="multiple",
                          options=[("A", True), ("B", True), ("C", False)])
    quiz.draw_rules[0].set_id = multi.set_id
    db.session.commit()
    started = register(client, "MULTI").get_json()
    token, q = started["attempt_id"], started["questions"][0]
    ids = [o["id"] for o in q["options"]]
    assert client.put(f"/api/v1/attempts/{token}/answers/{q['id']}", json={"option_ids": ids[:1]}).status_code == 200
    result = client.post(f"/api/v1/attempts/{token}/submit").get_json()
    assert result["correct_count"] == 0 and result["score"] == 0

    started = register(client, "MULTI", identity="0987654321").get_json()
    token, q = started["attempt_id"], started["questions"][0]
    ids = [o["id"] for o in q["options"]]
    client.put(f"/api/v1/attempts/{token}/answers/{q['id']}", json={"option_ids": [ids[1], ids[0]]})
    result = client.post(f"/api/v1/attempts/{token}/submit").get_json()
    assert result["correct_count"] == 1 and result["score"] == 1 and result["percent"] == 100.0


def test_deadline_grace_and_saved_answers_kept(client, quiz, frozen_clock):
    started = register(client, "TUAN1").get_json()
    token = started["attempt_id"]
    qid, body = answer_body(started, 0)
    client.put(f"/api/v1/attempts/{token}/answers/{qid}", json=body)
    frozen_clock.advance(seconds=600 + 10 - 1)  # deadline + grace − 1
    qid2, body2 = answer_body(started, 1)
    assert client.put(f"/api/v1/attempts/{token}/answers/{qid2}", json=body2).status_code == 200
    frozen_clock.advance(seconds=2)  # deadline + grace + 1
    qid3, body3 = answer_body(started, 2)
    response = client.put(f"/api/v1/attempts/{token}/answers/{qid3}", json=body3)
    assert response.status_code == 410
    error = response.get_json()["error"]
    assert error["code"] == "deadline_passed" and "hết giờ" in error["message"]
    state = client.get(f"/api/v1/attempts/{token}").get_json()
    assert state["state"] == "finished"
    assert state["answers"] == {str(qid): body["option_ids"], str(qid2): body2["option_ids"]}
    attempt = db.session.scalar(db.select(Attempt).filter_by(token=token))
    assert attempt.finalised_by == "deadline"
    assert attempt.submitted_at == attempt.deadline
    assert attempt.duration_ms == 600_000


def test_a_late_submit_is_refused_and_the_saved_answers_are_scored(client, quiz, frozen_clock):
    started = register(client, "TUAN1").get_json()
    token = started["attempt_id"]
    qid, body = answer_body(started, 0)
    client.put(f"/api/v1/attempts/{token}/answers/{qid}", json=body)
    frozen_clock.advance(seconds=600 + 10 + 1)  # deadline + grace + 1
    response = client.post(f"/api/v1/attempts/{token}/submit")
    assert response.status_code == 410
    assert "chấm tự động" in response.get_json()["error"]["message"]
    again = client.post(f"/api/v1/attempts/{token}/submit")
    assert again.status_code == 410
    attempt = db.session.scalar(db.select(Attempt).filter_by(token=token))
    assert attempt.finalised_by == "deadline" and attempt.submitted_at == attempt.deadline
    assert [a.question_id for a in attempt.answers] == [qid] and attempt.answers[0].is_correct is not None


def test_submit_is_idempotent_and_scores(client, quiz, frozen_clock):
    started = register(client, "TUAN1").get_json()
    token = started["attempt_id"]
    correct = 0
    for index, question in enumerate(started["questions"][:3]):
        # make_question marks "Phương án B" correct
        pick = next(o["id"] for o in question["options"] if o["text"] == ("Phương án B" if index < 2 else "Phương án A"))
        client.put(f"/api/v1/attempts/{token}/answers/{question['id']}", json={"option_ids": [pick]})
        correct += index < 2
    frozen_clock.advance(seconds=75)
    first = client.post(f"/api/v1/attempts/{token}/submit")
    assert first.status_code == 200
    result = first.get_json()
    assert result["correct_count"] == 2 and result["score"] == 2 and result["max_score"] == 4
    assert result["percent"] == 50.0 and result["duration_s"] == 75.0
    assert "review" not in result and result["review_at"]  # the key waits for the close
    frozen_clock.advance(seconds=30)
    second = client.post(f"/api/v1/attempts/{token}/submit").get_json()
    assert second == result
    attempt = db.session.scalar(db.select(Attempt).filter_by(token=token))
    assert attempt.finalised_by == "participant" and attempt.score_pct == 50.0
    answers = {a.question_id: a.is_correct for a in db.session.scalars(db.select(Answer))}
    assert sorted(answers.values()) == [False, True, True]
    # answers after submit are refused, with a clear code
    qid, body = answer_body(started, 3)
    response = client.put(f"/api/v1/attempts/{token}/answers/{qid}", json=body)
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "attempt_submitted"


def test_review_hidden_when_quiz_says_so(client, make_quiz, make_unit, frozen_clock):
    make_unit(code="CDC")
    make_quiz(code="NOREV", show_review=False)
    token = register(client, "NOREV").get_json()["attempt_id"]
    result = client.post(f"/api/v1/attempts/{token}/submit").get_json()
    assert "review" not in result and "review_at" not in result and result["max_score"] == 5


def test_attempt_limit(client, make_quiz, make_unit, frozen_clock):
    make_unit(code="CDC")
    make_quiz(code="TWICE", max_attempts=2)
    first = register(client, "TWICE").get_json()["attempt_id"]
    client.post(f"/api/v1/attempts/{first}/submit")
    response = register(client, "TWICE")
    assert response.status_code == 201
    second = response.get_json()["attempt_id"]
    assert second != first
    assert db.session.scalar(db.select(Attempt.attempt_no).filter_by(token=second)) == 2
    client.post(f"/api/v1/attempts/{second}/submit")
    response = register(client, "TWICE")
    assert response.status_code == 409
    assert response.get_json()["error"] == {"code": "attempt_limit",
                                            "message": "Bạn đã dùng hết số lượt thi của đợt thi này."}


def test_quiz_window(client, make_quiz, make_unit, frozen_clock):
    make_unit(code="CDC")
    make_quiz(code="SOON", opens_at=frozen_clock.at + timedelta(hours=1), closes_at=frozen_clock.at + timedelta(hours=2))
    make_quiz(code="PAST", opens_at=frozen_clock.at - timedelta(hours=2), closes_at=frozen_clock.at - timedelta(hours=1))
    assert register(client, "SOON").status_code == 403
    response = register(client, "PAST")
    assert response.status_code == 410 and response.get_json()["error"]["code"] == "quiz_closed"


@pytest.mark.parametrize("body, field", [
    ({"full_name": ""}, "full_name"),
    ({"full_name": 12}, "full_name"),
    ({"full_name": "x" * 5000}, "full_name"),
    ({"unit_code": "KHONGCO"}, "unit_code"),
    ({"unit_code": "__other__", "other_unit": "Xã A"}, "unit_code"),
    ({"identity": "12"}, "identity"),
    ({"identity": ["0912345678"]}, "identity"),
    ({"consent": False}, "consent"),
    ({"birth_year": "9" * 5000}, "birth_year"),
    ({"birth_year": 1800}, "birth_year"),
])
def test_bad_registration_is_422_with_fields(client, quiz, body, field):
    response = register(client, "TUAN1", **body)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid" and field in error["fields"]
    assert all(isinstance(m, str) and m for msgs in error["fields"].values() for m in msgs)


@pytest.mark.parametrize("kind, value, ok", [
    ("count", 12, True), ("count", "1.5", False), ("count", -1, False), ("count", 10**30, False),
    ("count", None, False), ("count", True, False),
    ("percent", "12.34567", True), ("percent", 12.345678, False), ("percent", 101, False),
    ("percent", "NaN", False), ("percent", "Infinity", False), ("percent", "1e999999", False),
])
def test_prediction_values(client, make_quiz, make_unit, frozen_clock, kind, value, ok):
    make_unit(code="CDC")
    make_quiz(code="PRED", prediction=kind)
    response = register(client, "PRED", prediction=value)
    assert response.status_code == (201 if ok else 422), response.get_json()
    if not ok:
        assert "prediction" in response.get_json()["error"]["fields"]


def test_malformed_requests_never_500(client, quiz):
    started = register(client, "TUAN1").get_json()
    token, qid = started["attempt_id"], started["questions"][0]["id"]
    for response in (
        client.post("/api/v1/quizzes/TUAN1/attempts", data="{not json", content_type="application/json"),
        client.post("/api/v1/quizzes/TUAN1/attempts", json=[1, 2]),
        client.put(f"/api/v1/attempts/{token}/answers/{qid}", data="x", content_type="application/json"),
    ):
        assert response.status_code == 400 and response.get_json()["error"]["code"] == "bad_json"
    for body in ({"option_ids": "1"}, {"option_ids": [True]}, {"option_ids": [10**40]},
                 {"option_ids": list(range(50))}, {}):
        response = client.put(f"/api/v1/attempts/{token}/answers/{qid}", json=body)
        assert response.status_code == 422, body
    assert client.put(f"/api/v1/attempts/{token}/answers/{10**30}", json={"option_ids": []}).status_code == 404
    assert client.put(f"/api/v1/attempts/{token}/answers/abc", json={"option_ids": []}).status_code == 404
    assert client.get("/api/v1/attempts/" + "x" * 500).status_code == 404
    assert client.post("/api/v1/attempts/nope/submit").status_code == 404
    assert client.get(f"/api/v1/attempts/{token}/answers/{qid}").status_code == 405


def test_cli_finalises_expired_attempts(client, app, runner, quiz, frozen_clock):
    for i in range(3):
        register(client, "TUAN1", identity=f"09123456{i:02d}")
    frozen_clock.advance(seconds=600 + 11)
    result = runner.invoke(args=["finalize-expired"])
    assert result.exit_code == 0, result.output
    assert "Đã chấm 3 lượt thi quá hạn" in result.output
    with app.app_context():
        rows = db.session.execute(db.select(Attempt.finalised_by, Attempt.submitted_at, Attempt.deadline,
                                            Attempt.score, Attempt.max_score)).all()
    assert len(rows) == 3
    assert all(r.finalised_by == "deadline" and r.submitted_at == r.deadline and r.score == 0 and r.max_score == 4
               for r in rows)
    assert "Đã chấm 0 lượt thi" in runner.invoke(args=["finalize-expired"]).output


def test_reading_an_attempt_or_a_ranking_finalises_expired_attempts(client, app, quiz, frozen_clock):
    tokens = [register(client, "TUAN1", identity=f"09123456{i:02d}").get_json()["attempt_id"] for i in range(3)]
    frozen_clock.advance(seconds=600 + 11)
    assert client.get(f"/api/v1/attempts/{tokens[0]}").get_json()["state"] == "finished"
    board = client.get("/api/v1/quizzes/TUAN1/leaderboard").get_json()
    assert len(board["rows"]) == 3  # the ranking never misses an attempt left unsubmitted
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Attempt.id)).where(Attempt.submitted_at.is_(None))) == 0


def test_attempt_not_finalised_inside_the_grace(client, quiz, frozen_clock, runner):
    token = register(client, "TUAN1").get_json()["attempt_id"]
    frozen_clock.advance(seconds=605)
    assert runner.invoke(args=["finalize-expired"]).output.strip().endswith("0 lượt thi quá hạn.")
    assert client.get(f"/api/v1/attempts/{token}").get_json()["state"] == "in_progress"
    result = client.post(f"/api/v1/attempts/{token}/submit").get_json()
    assert result["finalised_by"] == "participant" and result["duration_s"] == 600.0


def test_closing_the_quiz_early_ends_running_attempts(client, app, quiz, frozen_clock):
    from quiz.services.quizzes import close_quiz_now

    started = register(client, "TUAN1").get_json()
    token = started["attempt_id"]
    qid, body = answer_body(started, 0)
    assert client.put(f"/api/v1/attempts/{token}/answers/{qid}", json=body).status_code == 200
    frozen_clock.advance(seconds=60)
    close_quiz_now(db.session.get(Quiz, quiz.id), actor=None)
    db.session.commit()
    frozen_clock.advance(seconds=11)  # past the new deadline and its grace
    qid2, body2 = answer_body(started, 1)
    assert client.put(f"/api/v1/attempts/{token}/answers/{qid2}", json=body2).status_code == 410
    assert client.get(f"/api/v1/attempts/{token}").get_json()["state"] == "finished"
    db.session.expire_all()
    attempt = db.session.scalar(db.select(Attempt).filter_by(token=token))
    assert attempt.deadline == frozen_clock.at + timedelta(seconds=60)
    assert attempt.finalised_by == "deadline" and attempt.duration_ms == 60_000
