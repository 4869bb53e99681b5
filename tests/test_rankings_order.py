"""The ranking order is compiled once from the quiz's keys (`rankings.order`): the ORDER BY, the
best-attempt pick and "who beats me" of a quiz, and a contest's pick of each quiz's attempt."""
from __future__ import annotations

from quiz.models import Contest
from quiz.services import rankings as ranking


def test_contest_picks_each_quiz_attempt_by_that_quiz_keys(ctx, make_quiz, make_attempt):
    """The quiz ranks by score then duration: of two attempts with the same score the faster one
    counts, in the quiz ranking and in its contest alike (the contest once picked by correct
    answers first, whatever the quiz's keys said, and so counted the slower attempt)."""
    contest = Contest(code="OR", title="Thứ tự")
    quiz = make_quiz(questions=5, contest=contest, max_attempts=3, counted_attempt="best",
                     ranking_order="score,duration,submitted_at")
    slow = make_attempt(quiz, None, full_name="p", score=4, correct_count=4, duration_ms=90_000)
    fast = make_attempt(quiz, slow.participant, score=4, correct_count=3, duration_ms=30_000)
    [mine] = ranking.individual_ranking(quiz)
    assert (mine.attempt_id, mine.correct_count, mine.duration_ms) == (fast.id, 3, 30_000)
    [total] = ranking.contest_individual_ranking(contest)
    assert (total.score, total.correct_count, total.duration_ms) == (4, 3, 30_000)
