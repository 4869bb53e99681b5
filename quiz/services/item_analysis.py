"""Item analysis of a quiz after a round: how each question drawn in its finished attempts behaved.

For every question drawn in a finished attempt of the quiz (every finished attempt counts, each
as one response; an unanswered question counts as wrong):

* **difficulty** `p` — the share of those attempts that answered it correctly (0–1);
* **discrimination** — the *point-biserial* correlation between the item score x (1 right,
  0 wrong) and the rest score r (the attempt's number of correct answers *excluding this
  item*, so the item does not correlate with itself), i.e. Pearson's r of x and r:

      r_pb = (n·Σxr − Σx·Σr) / √((n·Σx − (Σx)²) · (n·Σr² − (Σr)²))      (x² = x)

  None when fewer than `MIN_RESPONSES` attempts drew it, or when x or r does not vary;
* **options** — how many attempts picked each option (bank order A, B, …; a `multiple` answer
  counts for each option picked);
* **median time** — the median seconds to answer: a live session stores each answer's time;
  otherwise the time from the previous saved answer of the attempt (or its start) to this
  answer's last save. It is an estimate (a changed answer lengthens it) and None when no answer
  has a time.

Flags: `too_easy` (p > 95 %), `too_hard` (p < 20 %), `negative` (r_pb < 0: "the best participants
get it wrong: check the key"); no flag under `MIN_RESPONSES` attempts. The sums run in SQL (GROUP BY); only the medians are Python.

Correctness is `Answer.is_correct` as last scored (a correction re-scores it), so a corrected key
shows its new figures; a voided question keeps its figures and is marked.

This is organizer-only data (it carries the key): the console and the organizer's export show
it, never a public artefact.
"""
from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import case, func

from ..extensions import db
from ..models import Answer, Attempt, AttemptQuestion, Question, QuestionCorrection, Quiz
from ..models.types import UTCDateTime
from .rankings.question_stats import LETTERS, MAX_OPTIONS

TOO_EASY = 0.95
TOO_HARD = 0.20
MIN_RESPONSES = 5
FLAGS = ("negative", "too_hard", "too_easy")  # the order a "sort by flag" puts them in


@dataclass
class OptionFigure:
    letter: str
    text: str
    is_correct: bool
    picks: int
    share: float  # of the attempts that drew the question, 0–1


@dataclass
class ItemFigure:
    question_id: int
    text: str
    kind: str
    topic: str
    key: str  # the correct letters
    drawn: int  # finished attempts that drew it
    answered: int
    correct: int
    difficulty: float | None  # p, 0–1
    discrimination: float | None  # point-biserial, −1…1
    median_s: float | None
    options: list[OptionFigure] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    void_mode: str | None = None
    corrected: bool = False  # its key was corrected from this quiz

    @property
    def flag_rank(self) -> int:
        """For sorting: the most serious flag first, unflagged last."""
        return min((FLAGS.index(f) for f in self.flags), default=len(FLAGS))


def point_biserial(n: int, sx: float, sr: float, srr: float, sxr: float) -> float | None:
    """Pearson's r of a 0/1 item score x and a rest score r from their sums (x² = x)."""
    if n < MIN_RESPONSES:
        return None
    var_x = n * sx - sx * sx
    var_r = n * srr - sr * sr
    if var_x <= 0 or var_r <= 0:
        return None
    return (n * sxr - sx * sr) / math.sqrt(var_x * var_r)


def flag_label(flag: str) -> str:
    """The flag in words, saying what to do."""
    return {"negative": _("Độ phân biệt âm: những người làm tốt nhất lại sai câu này, hãy kiểm tra đáp án."),
            "too_hard": _("Quá khó: dưới 20 % trả lời đúng."),
            "too_easy": _("Quá dễ: trên 95 % trả lời đúng.")}[flag]


def flags_of(difficulty: float | None, discrimination: float | None, responses: int = MIN_RESPONSES) -> list[str]:
    """The flags of a question; none under `MIN_RESPONSES` attempts (one answer right is not "too easy")."""
    flags: list[str] = []
    if responses < MIN_RESPONSES:
        return flags
    if discrimination is not None and discrimination < 0:
        flags.append("negative")
    if difficulty is not None and difficulty < TOO_HARD:
        flags.append("too_hard")
    if difficulty is not None and difficulty > TOO_EASY:
        flags.append("too_easy")
    return flags


def _sums(quiz: Quiz) -> dict[int, tuple]:
    """Per question: n, Σx, Σr, Σr², Σxr, answered, picks per option place — one GROUP BY."""
    right = case((Answer.is_correct.is_(True), 1), else_=0)
    totals = (db.select(Answer.attempt_id.label("attempt_id"), func.sum(right).label("total"))
              .join(Attempt, Attempt.id == Answer.attempt_id)
              .where(Attempt.quiz_id == quiz.id, Attempt.submitted_at.is_not(None))
              .group_by(Answer.attempt_id).subquery())
    rest = func.coalesce(totals.c.total, 0) - right
    picks = [func.sum(case((Answer.choice_mask.op("&")(1 << i) != 0, 1), else_=0)) for i in range(MAX_OPTIONS)]
    query = (
        db.select(AttemptQuestion.question_id, func.count(AttemptQuestion.id), func.sum(right), func.sum(rest),
                  func.sum(rest * rest), func.sum(right * rest), func.count(Answer.id), *picks)
        .join(Attempt, Attempt.id == AttemptQuestion.attempt_id)
        .outerjoin(Answer, (Answer.attempt_id == AttemptQuestion.attempt_id)
                   & (Answer.question_id == AttemptQuestion.question_id))
        .outerjoin(totals, totals.c.attempt_id == AttemptQuestion.attempt_id)
        .where(Attempt.quiz_id == quiz.id, Attempt.submitted_at.is_not(None))
        .group_by(AttemptQuestion.question_id))
    return {row[0]: tuple(int(v or 0) for v in row[1:]) for row in db.session.execute(query)}


def _median_times(quiz: Quiz) -> dict[int, float]:
    """Per question, the median seconds to answer (see the module docstring)."""
    previous = func.lag(Answer.saved_at, type_=UTCDateTime).over(partition_by=Answer.attempt_id,
                                                                  order_by=(Answer.saved_at, Answer.id))
    rows = db.session.execute(
        db.select(Answer.question_id, Answer.elapsed_ms, Answer.saved_at, previous, Attempt.started_at)
        .join(Attempt, Attempt.id == Answer.attempt_id)
        .where(Attempt.quiz_id == quiz.id, Attempt.submitted_at.is_not(None)))
    seconds: dict[int, list[float]] = {}
    for question_id, elapsed_ms, saved_at, before, started_at in rows:
        if elapsed_ms is not None:
            value = elapsed_ms / 1000
        else:
            value = (saved_at - (before or started_at)).total_seconds()
        if value >= 0:
            seconds.setdefault(question_id, []).append(value)
    return {qid: statistics.median(values) for qid, values in seconds.items()}


def analyse_quiz(quiz: Quiz) -> list[ItemFigure]:
    """The item analysis of `quiz`, one figure per question drawn in a finished attempt, by
    question id (see the module docstring for every figure)."""
    sums = _sums(quiz)
    if not sums:
        return []
    medians = _median_times(quiz)
    voids = dict(db.session.execute(db.select(QuestionCorrection.question_id, QuestionCorrection.void_mode).where(
        QuestionCorrection.quiz_id == quiz.id, QuestionCorrection.kind == "void")).all())
    corrected = set(db.session.scalars(db.select(QuestionCorrection.question_id).where(
        QuestionCorrection.quiz_id == quiz.id, QuestionCorrection.kind == "key")))
    figures = []
    for question in db.session.scalars(db.select(Question).where(Question.id.in_(sums)).order_by(Question.id)):
        n, sx, sr, srr, sxr, answered, *picks = sums[question.id]
        difficulty = sx / n if n else None
        discrimination = point_biserial(n, sx, sr, srr, sxr)
        figures.append(ItemFigure(
            question_id=question.id, text=question.text, kind=question.kind, topic=question.topic,
            key="".join(LETTERS[o.position] for o in question.options if o.is_correct),
            drawn=n, answered=answered, correct=sx, difficulty=difficulty, discrimination=discrimination,
            median_s=medians.get(question.id),
            options=[OptionFigure(LETTERS[o.position], o.text, o.is_correct, picks[o.position],
                                  picks[o.position] / n if n else 0.0) for o in question.options],
            flags=flags_of(difficulty, discrimination, n), void_mode=voids.get(question.id),
            corrected=question.id in corrected))
    return figures


def item_figure(quiz: Quiz, question_id: int) -> ItemFigure | None:
    """One question's figures in `quiz` (the per-question page), None if no finished attempt drew it."""
    return next((f for f in analyse_quiz(quiz) if f.question_id == question_id), None)


def sort_figures(figures: list[ItemFigure], by: str) -> list[ItemFigure]:
    """`by`: "flag" (most serious first), "difficulty" (hardest first), "discrimination" (lowest
    first) or anything else (question id)."""
    if by == "flag":
        return sorted(figures, key=lambda f: (f.flag_rank, f.discrimination if f.discrimination is not None else 2))
    if by == "difficulty":
        return sorted(figures, key=lambda f: (f.difficulty is None, f.difficulty or 0))
    if by == "discrimination":
        return sorted(figures, key=lambda f: (f.discrimination is None, f.discrimination or 0))
    return sorted(figures, key=lambda f: f.question_id)
