"""Per-question statistics of finished attempts: what a publication freezes, what exports show.

Each row carries the question's correct letters, so it is part of the answer key: who may see
which rows is decided by `rankings.read` only. `unsettled_question_ids()` names the questions
whose key still matters because someone may yet be asked them.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, func

from ...extensions import db
from ...models import Answer, Attempt, AttemptQuestion, LiveQuestion, LiveSession, Question, Quiz
from ..attempts import grace
from ..quizzes import matching_questions
from .scope import Scope

MAX_OPTIONS = 10  # Option.position is 0..9
LETTERS = "ABCDEFGHIJ"


def question_statistics(scope: Scope) -> list[dict]:
    """Per question drawn in a finished attempt of the scope's quizzes, by id:

    `{id, text, topic, correct (letters by the option's place in the bank), drawn, answered,
    correct_pct, picks (per option place), quiz_ids (the quizzes whose finished attempts drew it),
    image_alt and image_sha256 (the question's image, if any: the print report shows it small),
    image_options (letters of options with an image)}`.
    JSON-able, so a snapshot stores it as computed.
    """
    picks = [func.sum(case((Answer.choice_mask.op("&")(1 << i) != 0, 1), else_=0)) for i in range(MAX_OPTIONS)]
    query = (
        db.select(AttemptQuestion.question_id, Attempt.quiz_id, func.count(AttemptQuestion.id),
                  func.count(Answer.id), func.sum(case((Answer.is_correct.is_(True), 1), else_=0)), *picks)
        .join(Attempt, Attempt.id == AttemptQuestion.attempt_id)
        .outerjoin(Answer, (Answer.attempt_id == AttemptQuestion.attempt_id)
                   & (Answer.question_id == AttemptQuestion.question_id))
        .where(Attempt.submitted_at.is_not(None))
        .group_by(AttemptQuestion.question_id, Attempt.quiz_id)
    )
    query = scope.attempts(query)
    figures: dict[int, list] = {}
    for question_id, quiz_id, *counts in db.session.execute(query):
        counts = [int(c or 0) for c in counts]
        held = figures.get(question_id)
        if held is None:
            figures[question_id] = [{quiz_id}, *counts]
        else:
            held[0].add(quiz_id)
            held[1:] = [a + b for a, b in zip(held[1:], counts)]
    questions = db.session.scalars(db.select(Question).where(Question.id.in_(figures)).order_by(Question.id))
    rows = []
    for question in questions:
        quiz_ids, drawn, answered, correct, *option_counts = figures[question.id]
        rows.append({
            "id": question.id, "text": question.text, "topic": question.topic,
            "correct": "".join(LETTERS[o.position] for o in question.options if o.is_correct),
            "drawn": drawn, "answered": answered,
            "correct_pct": round(100.0 * correct / drawn, 2) if drawn else None,
            "picks": option_counts[:len(question.options)], "quiz_ids": sorted(quiz_ids),
            "image_alt": question.image_alt if question.image_sha256 else None,
            "image_sha256": question.image_sha256,
            "image_options": "".join(LETTERS[o.position] for o in question.options if o.image_sha256),
        })
    return rows


def unsettled_question_ids(question_ids: set[int], now: datetime, *, except_quiz_id: int | None = None) -> set[int]:
    """Those of `question_ids` someone may still be asked: in the pool of a quiz not yet closed
    (open or to come, any contest), drawn by an attempt still taking answers, or in a live
    session not ended.

    A letter names an option's place in the bank, which is also the order of its ids: the key
    published for one quiz is the key of every other quiz that can ask the same question,
    shuffled options or not.
    """
    ids = set(question_ids)
    found: set[int] = set()
    for quiz in db.session.scalars(db.select(Quiz).where(Quiz.closes_at > now, Quiz.id != (except_quiz_id or -1))):
        for rule in quiz.draw_rules:
            found.update(db.session.scalars(matching_questions(rule).where(Question.id.in_(ids))))
    found.update(db.session.scalars(
        db.select(AttemptQuestion.question_id).distinct().join(Attempt, Attempt.id == AttemptQuestion.attempt_id)
        .where(AttemptQuestion.question_id.in_(ids), Attempt.submitted_at.is_(None),
               Attempt.deadline > now - grace(), Attempt.quiz_id != (except_quiz_id or -1))))
    found.update(db.session.scalars(
        db.select(LiveQuestion.question_id).distinct().join(LiveSession, LiveSession.id == LiveQuestion.session_id)
        .where(LiveQuestion.question_id.in_(ids), LiveSession.state != "ended")))
    return found


def revealed_question_ids(question_ids: set[int]) -> set[int]:
    """Those of `question_ids` a live session has already put on a projector (shown questions are
    revealed: their key is public for good)."""
    return set(db.session.scalars(
        db.select(LiveQuestion.question_id).distinct()
        .where(LiveQuestion.question_id.in_(set(question_ids)), LiveQuestion.started_at.is_not(None))))
