"""Finalisation on read (issue 13): a read that finalises an attempt past its deadline keeps it.

Rankings finalise the attempts left unsubmitted past their deadline before counting them. Some
GET views committed that write, others (the big screen's page, the console's rankings, the
exports) did not, so the teardown rolled it back: every later read redid it, taking the attempts'
row locks again, and figures derived in the same transaction were lost with it. The policy is
now one hook (quiz.database.commit_read_finalisations).
"""
from __future__ import annotations

import pytest

from quiz.extensions import db
from quiz.models import Attempt

READS = [
    "/board/{code}",
    "/board/{code}/data.json",
    "/admin/quizzes/{code}/rankings",
    "/admin/quizzes/{code}/rankings/export.csv",
    "/api/v1/quizzes/{code}/leaderboard",
    "/api/v1/quizzes/{code}/unit-ranking",
]


def _expired_attempt(make_quiz, make_attempt, make_unit, frozen_clock):
    quiz = make_quiz(questions=2)
    attempt = make_attempt(quiz, make_unit(), submitted_at=None, correct_count=1)
    frozen_clock.advance(seconds=quiz.duration_s + 60)  # past its deadline and the grace
    return quiz.code, attempt.id


def _stored(attempt_id: int):
    db.session.remove()  # what the database holds, not this test's session
    row = db.session.execute(db.select(Attempt.finalised_by, Attempt.score, Attempt.submitted_at, Attempt.deadline)
                             .where(Attempt.id == attempt_id)).one()
    return row.finalised_by, row.score, row.submitted_at is not None and row.submitted_at == row.deadline


@pytest.mark.parametrize("url", READS)
def test_a_read_keeps_the_finalisation_it_made(client, make_quiz, make_attempt, make_unit, frozen_clock, login_as,
                                               url):
    code, attempt_id = _expired_attempt(make_quiz, make_attempt, make_unit, frozen_clock)
    if url.startswith("/admin"):
        login_as("admin")
    assert _stored(attempt_id) == (None, None, False)
    response = client.get(url.format(code=code))
    assert response.status_code == 200
    response.close()
    assert tuple(_stored(attempt_id)) == ("deadline", 1, True)


def test_a_failed_read_keeps_nothing(app, client, make_quiz, make_attempt, make_unit, frozen_clock):
    """The hook commits only what a successful read finalised; an error rolls back as before."""
    code, attempt_id = _expired_attempt(make_quiz, make_attempt, make_unit, frozen_clock)

    @app.get("/test/fails-after-finalising/<code>")
    def fails(code):  # a read that finalised, then failed
        from quiz.services.attempts import finalize_expired
        from quiz.views.access import get_quiz_or_404

        assert finalize_expired(quiz=get_quiz_or_404(code)) == 1
        return "broken", 500
    assert client.get(f"/test/fails-after-finalising/{code}").status_code == 500
    assert tuple(_stored(attempt_id)) == (None, None, False)


def test_a_read_that_finalised_nothing_does_not_commit(app, client, make_quiz, monkeypatch):
    quiz = make_quiz(questions=1)
    commits = []
    monkeypatch.setattr(db.session, "commit", lambda: commits.append(1), raising=False)
    assert client.get(f"/board/{quiz.code}/data.json").status_code == 200
    assert commits == []
