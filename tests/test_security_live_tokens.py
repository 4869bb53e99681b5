"""A token opens one thing (PRODUCT.md): a live-session player's token works only through the
live endpoints, a normal attempt's token only through the attempt endpoints; and resuming by
identity never hands back a live attempt (issue 12, item 1)."""
from __future__ import annotations

import pytest

from quiz.extensions import db
from quiz.models import Answer, Attempt
from quiz.services.live_session import host as live

IDENTITY = "0912345001"


@pytest.fixture
def hall(app, client, make_quiz, make_unit, login_as, frozen_clock):
    """An open quiz of 3 questions (B correct), 2 attempts allowed, a live session in the lobby;
    `client` is the host (an admin)."""
    quiz = make_quiz(questions=3, shuffle_questions=False, code="SANHLIVE", max_attempts=2)
    make_unit(code="BVA", name="Bệnh viện A")
    session = live.create_session(quiz, {"question_time_s": 10}, actor=None)
    db.session.commit()
    login_as("admin")
    return session


@pytest.fixture
def phone(app):
    """An anonymous participant's phone (no organizer session)."""
    return app.test_client()


def join_live(phone, identity=IDENTITY, name="Nguyễn Văn Soi"):
    response = phone.post("/live/SANHLIVE", data={"full_name": name, "identity": identity,
                                                  "unit_code": "BVA", "consent": "y"})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"].rsplit("/", 1)[-1]


def start_normal(phone, identity=IDENTITY, name="Nguyễn Văn Soi"):
    return phone.post("/api/v1/quizzes/SANHLIVE/attempts", json={
        "full_name": name, "unit_code": "BVA", "identity": identity, "consent": True})


def assert_json_404(response):
    assert response.status_code == 404, response.get_data(as_text=True)
    assert response.get_json()["error"]["code"] == "not_found"


def question_ids(session):
    return [q.question_id for q in session.questions]


def test_a_live_token_opens_nothing_of_the_attempt_api(hall, phone):
    token = join_live(phone)
    qids = question_ids(hall)
    unknown = phone.get("/api/v1/attempts/" + "x" * 32)
    assert_json_404(unknown)
    state = phone.get(f"/api/v1/attempts/{token}")
    assert_json_404(state)
    assert state.get_json() == unknown.get_json()  # the same answer as an unknown token
    for qid in qids:
        assert_json_404(phone.put(f"/api/v1/attempts/{token}/answers/{qid}", json={"option_ids": []}))
    submit = phone.post(f"/api/v1/attempts/{token}/submit")
    assert_json_404(submit)
    assert "correct_option_ids" not in submit.get_data(as_text=True)
    # Nothing was saved or finalised through those doors.
    attempt = db.session.scalar(db.select(Attempt).filter_by(live_session_id=hall.id))
    db.session.refresh(attempt)
    assert attempt.submitted_at is None
    assert db.session.scalar(db.select(db.func.count(Answer.id))) == 0


def test_a_live_token_opens_none_of_the_attempt_pages(hall, phone):
    token = join_live(phone)
    for url in (f"/a/{token}", f"/a/{token}/result", f"/a/{token}/submit"):
        page = phone.get(url)
        assert page.status_code == 404, url
        assert "Phương án" not in page.get_data(as_text=True)
    assert phone.post(f"/a/{token}/q/1", data={"option": "1", "nav": "next"}).status_code == 404
    assert phone.post(f"/a/{token}/submit").status_code == 404
    attempt = db.session.scalar(db.select(Attempt).filter_by(live_session_id=hall.id))
    db.session.refresh(attempt)
    assert attempt.submitted_at is None and not attempt.answers
    # The live endpoints still work with it.
    assert phone.get(f"/api/v1/live/players/{token}").status_code == 200
    assert phone.get(f"/live/p/{token}").status_code == 200


def test_a_normal_token_opens_nothing_of_the_live_endpoints(client, hall, phone, make_quiz):
    # A quiz run live takes no normal attempt (test_security_live_only): the token is another quiz's.
    make_quiz(questions=3, code="TUDO")
    started = phone.post("/api/v1/quizzes/TUDO/attempts", json={
        "full_name": "Nguyễn Văn Soi", "unit_code": "BVA", "identity": IDENTITY, "consent": True})
    assert started.status_code == 201
    token, qid = started.get_json()["attempt_id"], started.get_json()["questions"][0]["id"]
    assert_json_404(phone.get(f"/api/v1/live/players/{token}"))
    live.control(hall, "start")
    db.session.commit()
    assert_json_404(phone.put(f"/api/v1/live/players/{token}/answers/{qid}", json={"option_ids": [1]}))
    assert phone.get(f"/live/p/{token}").status_code == 404
    assert phone.post(f"/live/p/{token}/answer", data={"option": "1", "question": str(qid)}).status_code == 404
    # And its cookie does not make the live join page treat the phone as a player.
    phone.set_cookie("tdl_SANHLIVE", token)
    assert phone.get("/live/SANHLIVE").status_code == 200


def test_a_live_token_in_the_attempt_cookie_is_ignored(hall, phone):
    token = join_live(phone)
    phone.set_cookie("tds_SANHLIVE", token)
    page = phone.get("/j/SANHLIVE").get_data(as_text=True)
    assert "Nguyễn Văn Soi" not in page and IDENTITY not in page and token not in page


def test_resuming_by_identity_never_hands_back_the_live_attempt(hall, phone, app):
    live_token = join_live(phone)
    started = start_normal(app.test_client())
    # A quiz run live takes no attempt outside the session; the refusal carries nothing of the live one.
    assert started.status_code == 409 and started.get_json()["error"]["code"] == "live_only"
    assert live_token not in started.get_data(as_text=True) and "Set-Cookie" not in started.headers
    form = app.test_client().post("/j/SANHLIVE", data={"full_name": "Nguyễn Văn Soi", "identity": IDENTITY,
                                                       "unit_code": "BVA", "consent": "y"})
    assert form.status_code == 409 and live_token not in form.get_data(as_text=True)
    attempts = db.session.scalars(db.select(Attempt).order_by(Attempt.attempt_no)).all()
    assert [(a.attempt_no, a.live_session_id is not None) for a in attempts] == [(1, True)]


def test_with_one_attempt_the_live_one_uses_it(hall, phone, app):
    hall.quiz.max_attempts = 1
    db.session.commit()
    live_token = join_live(phone)
    refused = start_normal(app.test_client())
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "attempt_limit"
    assert live_token not in refused.get_data(as_text=True)
    form = app.test_client().post("/j/SANHLIVE", data={"full_name": "Nguyễn Văn Soi", "identity": IDENTITY,
                                                       "unit_code": "BVA", "consent": "y"})
    assert form.status_code == 409 and live_token not in form.get_data(as_text=True)
