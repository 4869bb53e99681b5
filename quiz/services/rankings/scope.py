"""What a ranking ranks: one quiz, or a whole contest, behind one interface.

Everything that differs between the two lives here — which attempts count, how they are
ordered, which snapshots belong, which quizzes must have closed — so the rest of the pipeline
(individuals, units, published, read) never asks which one it holds.

* a quiz ranks each participant's counted attempt of it (`counted.counted_attempts`) in the
  quiz's own order (`Order.of(quiz)`), prediction included once the truth is known;
* a contest ranks each participant's sums over its quizzes of those same counted attempts
  (`counted.contest_totals`) in the contest order (`order.CONTEST`).
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from ...extensions import db
from ...models import Attempt, Contest, Quiz
from ..attempts import finalize_expired
from . import counted, tallies
from .order import CONTEST, Order


class Scope:
    """A quiz or a contest: `Scope(quiz=…)` or `Scope(contest=…)`."""

    def __init__(self, quiz: Quiz | None = None, contest: Contest | None = None):
        if (quiz is None) == (contest is None):
            raise ValueError("a ranking scope is one quiz or one contest")
        self.quiz, self._contest = quiz, contest

    @classmethod
    def load(cls, key: tuple[str, int]) -> Scope | None:
        """The scope of a `key` (another session's), None if its quiz or contest is gone."""
        kind, owner_id = key
        owner = db.session.get(Quiz if kind == "quiz" else Contest, owner_id)
        return None if owner is None else cls(**{kind: owner})

    @property
    def kind(self) -> str:
        return "quiz" if self.quiz is not None else "contest"

    @property
    def owner(self) -> Quiz | Contest:
        """The quiz or the contest itself (what a snapshot or an audit entry is about)."""
        return self.quiz if self.quiz is not None else self._contest

    @property
    def key(self) -> tuple[str, int]:
        return self.kind, self.owner.id

    @property
    def code(self) -> str:
        return self.owner.code

    @property
    def title(self) -> str:
        return self.owner.title

    @property
    def contest(self) -> Contest:
        """The contest whose weights rank the units."""
        return self.quiz.contest if self.quiz is not None else self._contest

    @property
    def quizzes(self) -> list[Quiz]:
        return [self.quiz] if self.quiz is not None else list(self._contest.quizzes)

    def kwargs(self) -> dict:
        """`quiz=…` or `contest=…`, for the functions that take either."""
        return {self.kind: self.owner}

    # --- what is ranked, and in which order --------------------------------------------------

    def truth(self) -> Decimal | None:
        """The prediction truth (a quiz's, once closed); a contest has none."""
        return counted.prediction_truth(self.quiz) if self.quiz is not None else None

    def counted(self, truth: Decimal | None):
        """One row per participant: their counted attempt (a quiz) or their totals (a contest)."""
        return counted.counted_attempts(self.quiz, truth) if self.quiz is not None \
            else counted.contest_totals(self._contest)

    def order(self, truth: Decimal | None) -> Order:
        return Order.of(self.quiz, has_truth=truth is not None) if self.quiz is not None else CONTEST

    def unit_counts(self):
        """Each unit's own participants and sum of score percents (`unit_rollup.UnitTable`): a
        quiz's are its tallies, kept exact as attempts finish (`tallies`; attempts past their
        deadline are finalised first, which counts them); a contest's are computed from its
        participants' totals — a person counts once across rounds, at the percent of their summed
        scores, which no sum of per-round tallies gives."""
        if self.quiz is not None:
            finalize_expired(quiz=self.quiz)
            return tallies.quiz_unit_counts(self.quiz.id)
        return tallies.people_units(counted.contest_totals(self._contest))

    def is_provisional(self) -> bool:
        """A quiz until it has closed (its truth is known then); a contest while any of its quizzes is."""
        quizzes = self.quizzes
        return not quizzes or any(counted.is_provisional(q) for q in quizzes)

    # --- what belongs to it ------------------------------------------------------------------

    def owns(self, model):
        """`model.quiz_id == quiz.id` or `model.contest_id == contest.id` (ranking snapshots)."""
        return model.quiz_id == self.owner.id if self.quiz is not None else model.contest_id == self.owner.id

    def snapshot_owner(self) -> dict:
        return {"quiz_id": self.quiz.id if self.quiz is not None else None,
                "contest_id": self._contest.id if self._contest is not None else None}

    def attempts(self, query):
        """`query` (over Attempt) kept to the scope's attempts."""
        if self.quiz is not None:
            return query.where(Attempt.quiz_id == self.quiz.id)
        return query.join(Quiz, Quiz.id == Attempt.quiz_id).where(Quiz.contest_id == self._contest.id)

    def closed_quiz_ids(self, now: datetime) -> set[int]:
        if self.quiz is not None:
            return {self.quiz.id} if self.quiz.state_at(now) == "closed" else set()
        return set(db.session.scalars(db.select(Quiz.id).where(Quiz.contest_id == self._contest.id,
                                                               Quiz.closes_at <= now)))
