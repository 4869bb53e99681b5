"""A page of a ranking is exactly that slice of the whole ranking, and one participant's rank is
their place in it.

A top-n page skips the rows below the n-th best score or correct count (`Order.floor`, so the
event's top 100 does not sort 100,000 rows); ties at the floor, rows without a score (ranked as
0), offsets and every first key must still give the same rows and ranks as the full list.
"""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quiz.extensions import db
from quiz.models import Attempt
from quiz.services import rankings as ranking


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(scores=st.lists(st.one_of(st.none(), st.integers(0, 4)), min_size=1, max_size=14),
       order=st.sampled_from(["score,duration,submitted_at", "correct,score,duration",
                              "duration,score", "submitted_at,score"]),
       limit=st.integers(1, 8), offset=st.integers(0, 5), max_attempts=st.sampled_from([1, 2]))
def test_pages_are_slices_of_the_full_ranking(ctx, make_quiz, make_attempt, scores, order, limit, offset,
                                              max_attempts):
    quiz = make_quiz(questions=4, ranking_order=order, max_attempts=max_attempts)
    for n, score in enumerate(scores):
        attempt = make_attempt(quiz, None, score=score or 0, duration_ms=1000 * (n % 3 + 1))
        if score is None:  # a finished attempt without figures (rows written outside the scoring)
            db.session.execute(db.update(Attempt).where(Attempt.id == attempt.id)
                               .values(score=None, correct_count=None))
    db.session.commit()
    full = [r.to_dict() for r in ranking.individual_ranking(quiz)]
    page = [r.to_dict() for r in ranking.individual_ranking(quiz, limit=limit, offset=offset)]
    assert page == full[offset:offset + limit]
    for row in full:  # one participant's rank ("who beats me", bounded by the first key) agrees too
        assert ranking.participant_rank(quiz, row["participant_id"]).rank == row["rank"]
