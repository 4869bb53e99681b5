"""A quiz run as a live session takes no attempt outside it: each reveal puts the correct answer on
the projector and in the session's public state, so a phone at home answering the same quiz through
the attempt API would have the key (found by the public-artefact review of issue 12). And a quiz
that already has attempts of its own is not run live."""
from __future__ import annotations

import pytest

from quiz.errors import ConflictError
from quiz.extensions import db
from quiz.models import Attempt, LiveSession
from quiz.services.live_session import host as live

REGISTRATION = {"full_name": "Nguyễn Văn Soi", "unit_code": "BVA", "identity": "0912345001"}


@pytest.fixture
def quiz(make_quiz, make_unit, frozen_clock):
    make_unit(code="BVA", name="Bệnh viện A")
    return make_quiz(questions=3, code="HOITRUONG", max_attempts=2)


def attempt_count() -> int:
    return db.session.scalar(db.select(db.func.count(Attempt.id)))


def test_a_quiz_with_a_live_session_refuses_attempts_of_its_own(app, quiz):
    live.create_session(quiz, {"question_time_s": 10}, actor=None)
    db.session.commit()
    phone = app.test_client()
    refused = phone.post("/api/v1/quizzes/HOITRUONG/attempts", json={**REGISTRATION, "consent": True})
    assert refused.status_code == 409, refused.get_json()
    error = refused.get_json()["error"]
    assert error["code"] == "live_only" and "trực tiếp" in error["message"]
    form = phone.post("/j/HOITRUONG", data={**REGISTRATION, "consent": "y"})
    assert form.status_code == 409 and "trực tiếp" in form.get_data(as_text=True)
    assert attempt_count() == 0


def test_a_quiz_with_attempts_of_its_own_is_not_run_live(app, client, quiz, login_as):
    phone = app.test_client()
    assert phone.post("/api/v1/quizzes/HOITRUONG/attempts",
                      json={**REGISTRATION, "consent": True}).status_code == 201
    with pytest.raises(ConflictError, match="trực tiếp"):
        live.create_session(quiz, {"question_time_s": 10}, actor=None)
    db.session.rollback()
    login_as("admin")
    page = client.post("/admin/quizzes/HOITRUONG/live", data={"question_time_s": "10"}, follow_redirects=True)
    assert "bộ câu hỏi" in page.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(LiveSession.id))) == 0
