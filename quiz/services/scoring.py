"""Scoring and finalising attempts.

An answer is correct iff its `choice_mask` equals the question's `correct_mask` (for `multiple`
the chosen set must equal the correct set; an empty answer is never stored, so never correct).
Finalising writes the stored figures rankings read: correct_count, score, max_score, score_pct,
duration_ms, submitted_at, finalised_by. Finalising a finished attempt changes nothing.
"""
from __future__ import annotations

from datetime import datetime

from ..models import Attempt


def is_answer_correct(choice_mask: int, correct_mask: int) -> bool:
    return choice_mask != 0 and choice_mask == correct_mask


def finalise_attempt(attempt: Attempt, at: datetime, by: str) -> bool:
    """Score `attempt` as submitted at `at` by `by` ("participant" | "deadline" | "organizer").

    Returns False (and changes nothing) when it was already finalised. The duration counts up to
    the deadline at most: a submit inside the grace period does not cost extra time.
    """
    if attempt.submitted_at is not None:
        return False
    answers = {a.question_id: a for a in attempt.answers}
    correct_count = score = max_score = 0
    for drawn in attempt.questions:
        max_score += drawn.points
        answer = answers.get(drawn.question_id)
        if answer is None:
            continue
        answer.is_correct = is_answer_correct(answer.choice_mask, drawn.question.correct_mask)
        if answer.is_correct:
            correct_count += 1
            score += drawn.points
    attempt.correct_count = correct_count
    attempt.score = score
    attempt.max_score = max_score
    attempt.score_pct = (score / max_score * 100.0) if max_score else 0.0
    attempt.submitted_at = at
    attempt.finalised_by = by
    attempt.duration_ms = int((min(at, attempt.deadline) - attempt.started_at).total_seconds() * 1000)
    return True
