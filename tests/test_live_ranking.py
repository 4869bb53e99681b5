"""The cached live unit ranking equals the full computation whenever it claims to be current.

`live_ranking` serves a per-process copy checked against a data version read from the database;
these tests turn the cache on (tests run with it off by default) and compare with
`ranking.unit_ranking_levels` after random new attempts, and across two apps on one database
(two gunicorn workers).
"""
from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quiz.extensions import db
from quiz.services import live_ranking
from quiz.services.rankings import units as ranking
from tests.test_rankings_service import unit_tree  # noqa: F401  (fixture)

TINY_TTL = 1e-6  # cache on, refresh throttle off: every changed version triggers a refresh


def as_dicts(levels):
    return {parent: [row.to_dict() for row in rows] for parent, rows in levels.items()}


def counting_full_computation(monkeypatch):
    calls = []
    original = ranking.unit_ranking_levels

    def counted(**kwargs):
        calls.append(1)
        return original(**kwargs)
    monkeypatch.setattr(ranking, "unit_ranking_levels", counted)
    return calls


attempt_spec = st.tuples(
    st.sampled_from(["A", "B", "B1", "B2", "C", "D", "E", None]),  # unit (None: "other unit")
    st.integers(0, 5),                                               # score
    st.booleans(),                                                   # finished?
    st.booleans(),                                                   # a second attempt of an earlier person?
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batches=st.lists(st.lists(attempt_spec, min_size=1, max_size=6), min_size=1, max_size=4),
       counted=st.sampled_from(["best", "first", "last"]))
def test_cached_levels_equal_the_full_computation_after_new_attempts(
        app, ctx, make_quiz, make_attempt, unit_tree, monkeypatch, batches, counted):
    app.config["LIVE_RANKING_TTL_S"] = TINY_TTL
    quiz = make_quiz(questions=5, max_attempts=3, counted_attempt=counted)
    people = []
    calls = counting_full_computation(monkeypatch)
    for batch in batches:
        for unit_code, score, finished, again in batch:
            who = people[score % len(people)] if again and people else (unit_tree[unit_code] if unit_code else None)
            attempt = make_attempt(quiz, who, score=score, submitted_at=None if not finished else
                                   quiz.opens_at + timedelta(minutes=len(people) + 1))
            if attempt.participant not in people:
                people.append(attempt.participant)
        db.session.commit()
        live_ranking.unit_levels(quiz)  # the first read after a change may serve the old figures…
        live_ranking.wait_for_refreshes(app)  # …while one refresh runs
        before = len(calls)
        cached = live_ranking.unit_levels(quiz)
        assert len(calls) == before, "an unchanged version must be served from the cache"
        assert as_dicts(cached) == as_dicts(ranking.unit_ranking_levels(quiz=quiz))
    monkeypatch.undo()


def test_two_workers_converge_on_the_same_figures(app, ctx, client, make_app, make_quiz, make_attempt, unit_tree):
    """Worker A caches, worker B (another app on the same database) sees a new attempt at once;
    A serves its old figures for at most one refresh, then the same as B and as the full computation."""
    quiz = make_quiz(questions=5)
    make_attempt(quiz, unit_tree["A"], score=5)
    db.session.commit()
    app.config["LIVE_RANKING_TTL_S"] = TINY_TTL
    other = make_app({**app.config, "LIVE_RANKING_TTL_S": TINY_TTL}, name="worker-b")
    url = f"/api/v1/quizzes/{quiz.code}/unit-ranking"
    before = client.get(url).json["rows"]
    assert next(r for r in before if r["code"] == "A")["participants"] == 1

    make_attempt(quiz, unit_tree["C"], score=2)
    db.session.commit()
    fresh = other.test_client().get(url).json["rows"]
    assert next(r for r in fresh if r["code"] == "C")["participants"] == 1
    assert client.get(url).json["rows"] == before  # stale for one read while A refreshes
    live_ranking.wait_for_refreshes(app)
    assert client.get(url).json["rows"] == fresh
    full = [r.to_dict() for r in ranking.unit_ranking(quiz)]
    assert [(r["code"], r["participants"], r["emulation_score"]) for r in fresh] == \
        [(r["code"], r["participants"], r["emulation_score"]) for r in full]


def test_attempt_past_its_deadline_changes_the_version(app, ctx, make_quiz, make_attempt, unit_tree, frozen_clock):
    """An unsubmitted attempt whose deadline passed is finalised by the refresh and counted."""
    app.config["LIVE_RANKING_TTL_S"] = TINY_TTL
    quiz = make_quiz(questions=5, duration_s=60)
    make_attempt(quiz, unit_tree["E"], score=3, submitted_at=None)
    db.session.commit()
    first = live_ranking.unit_levels(quiz)
    assert next(r for r in first[""] if r.code == "E").participants == 0
    frozen_clock.advance(seconds=120)
    live_ranking.unit_levels(quiz)
    live_ranking.wait_for_refreshes(app)
    db.session.expire_all()
    after = live_ranking.unit_levels(quiz)
    assert next(r for r in after[""] if r.code == "E").participants == 1
    assert as_dicts(after) == as_dicts(ranking.unit_ranking_levels(quiz=quiz))
