"""The unpublished ("current") unit ranking is exact at every read: no cache, no lag.

It used to be a per-process cache refreshed in the background (`services/live_ranking.py`,
removed): 7 s after a submit the first read still showed the old figures. It is now a read of
the quiz's unit tallies, kept in the submit's own transaction (`rankings.tallies`; their
equality with the full computation is `test_rankings_tallies.py`). These tests read through the
public API, as the board and the phones do, right after each commit.
"""
from __future__ import annotations

from quiz.extensions import db
from quiz.services.rankings import units as ranking
from tests.test_rankings_service import unit_tree  # noqa: F401  (fixture)


def figures(rows, code):
    row = next(r for r in rows if r["code"] == code)
    return row["participants"], row["mean_score_pct"], row["emulation_score"]


def test_a_submit_shows_in_the_next_read_on_every_worker(app, ctx, client, make_app, make_quiz, make_attempt,
                                                         unit_tree):
    """Two apps on one database (two gunicorn workers): each sees a new attempt at its next read."""
    quiz = make_quiz(questions=5)
    make_attempt(quiz, unit_tree["A"], score=5)
    other = make_app(dict(app.config), name="worker-b")
    url = f"/api/v1/quizzes/{quiz.code}/unit-ranking"
    assert figures(client.get(url).json["rows"], "A")[0] == 1
    assert figures(other.test_client().get(url).json["rows"], "C")[0] == 0

    make_attempt(quiz, unit_tree["C"], score=2)
    for reader in (client, other.test_client()):
        rows = reader.get(url).json["rows"]
        assert figures(rows, "C") == (1, 40.0, figures(rows, "C")[2])
    full = [r.to_dict() for r in ranking.unit_ranking(quiz)]
    assert [(r["code"], r["participants"], r["emulation_score"]) for r in client.get(url).json["rows"]] == \
        [(r["code"], r["participants"], r["emulation_score"]) for r in full]


def test_a_submit_through_the_api_shows_in_the_next_read(app, ctx, client, make_quiz, make_attempt, unit_tree):
    quiz = make_quiz(questions=5)
    attempt = make_attempt(quiz, unit_tree["E"], score=4, submitted_at=None)
    url = f"/api/v1/quizzes/{quiz.code}/unit-ranking"
    assert figures(client.get(url).json["rows"], "E")[0] == 0
    submitted = client.post(f"/api/v1/attempts/{attempt.token}/submit")
    assert submitted.status_code == 200, submitted.json
    assert submitted.json["unit_rank"]["participants"] == 1  # the participant's own result counts them
    assert figures(client.get(url).json["rows"], "E")[:2] == (1, 80.0)


def test_an_attempt_past_its_deadline_counts_at_the_next_read(app, ctx, client, make_quiz, make_attempt, unit_tree,
                                                              frozen_clock):
    """An unsubmitted attempt whose deadline passed is finalised by the read itself and counted."""
    quiz = make_quiz(questions=5, duration_s=60)
    make_attempt(quiz, unit_tree["E"], score=3, submitted_at=None)
    url = f"/api/v1/quizzes/{quiz.code}/unit-ranking"
    assert figures(client.get(url).json["rows"], "E")[0] == 0
    frozen_clock.advance(seconds=120)
    assert figures(client.get(url).json["rows"], "E")[:2] == (1, 60.0)
    db.session.expire_all()
    assert next(r for r in ranking.unit_ranking(quiz) if r.code == "E").participants == 1


def test_a_better_second_attempt_replaces_the_first(app, ctx, client, make_quiz, make_attempt, unit_tree):
    quiz = make_quiz(questions=5, max_attempts=3, counted_attempt="best")
    first = make_attempt(quiz, unit_tree["C"], score=1)
    url = f"/api/v1/quizzes/{quiz.code}/unit-ranking"
    assert figures(client.get(url).json["rows"], "C")[:2] == (1, 20.0)
    make_attempt(quiz, first.participant, score=4)
    assert figures(client.get(url).json["rows"], "C")[:2] == (1, 80.0)
    make_attempt(quiz, first.participant, score=2)  # a worse third one changes nothing
    assert figures(client.get(url).json["rows"], "C")[:2] == (1, 80.0)
