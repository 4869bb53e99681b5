"""The ranking order, compiled once from a quiz's ranking keys (rules: `rankings.individuals`).

An `Order` is the list of ascending sort expressions a ranking key stands for, NULLs folded in
(no score or correct count counts as 0; no duration or prediction error sorts last), closed by
a column that settles every tie. The same expressions give

* `order_by(cols)` — the SQL ORDER BY of a ranking;
* `pick(cols)`     — the window ORDER BY that picks a participant's counted attempt of a quiz
                     (`counted_attempt`: best = highest score, then the rest of the quiz's keys,
                     then attempt id; first / last = by attempt number);
* `beats(cols, values)` — "who sorts before me": 1 + how many rows it holds is my rank;
* `floor(cols, n)`  — the n-th best score (or correct count) when that is the first key: a page
                     of the first n rows never holds a row below it, so it skips them.

A contest ranks the sums of each quiz's counted attempt (each picked by `Order.of(that quiz)`):
score, more first → correct answers, more first → total time, shorter first → last submission,
earlier first → participant id (`CONTEST`).
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select

from ...models import Quiz

LAST = 10**15  # sorts after any real error (in 0.00001 units) or duration (ms)
KEYS = ("score", "correct", "prediction", "duration", "submitted_at")


def _ascending(key: str, cols, error=None):
    if key == "score":
        return -func.coalesce(cols.score, 0)
    if key == "correct":
        return -func.coalesce(cols.correct_count, 0)
    if key == "prediction":
        return func.coalesce(cols.error_units if error is None else error, LAST)
    if key == "duration":
        return func.coalesce(cols.duration_ms, LAST)
    if key == "submitted_at":
        return cols.submitted_at
    raise ValueError(key)


@dataclass(frozen=True)
class Order:
    """Ranking keys (a subset of KEYS, in priority order), the column that settles ties, and
    how a participant's counted attempt of a quiz is picked."""

    keys: tuple[str, ...]
    tie: str = "id"
    counted: str = "best"  # "best", "first" or "last"

    @classmethod
    def of(cls, quiz: Quiz, *, has_truth: bool) -> Order:
        """The quiz's order. The prediction key needs the truth, known once the quiz has closed:
        without it the key is skipped (and the ranking is provisional)."""
        keys = tuple(k for k in quiz.ranking_keys if k in KEYS and (k != "prediction" or has_truth))
        return cls(keys=keys, counted=quiz.counted_attempt)

    def exprs(self, cols) -> list:
        return [_ascending(k, cols) for k in self.keys] + [getattr(cols, self.tie)]

    def order_by(self, cols) -> list:
        return self.exprs(cols)

    def pick(self, cols, error=None) -> list:
        """The window order whose first row is the counted attempt (`cols` are Attempt's, `error`
        the prediction error in units when the order has the prediction key)."""
        if self.counted == "first":
            return [cols.attempt_no.asc(), cols.id.asc()]
        if self.counted == "last":
            return [cols.attempt_no.desc(), cols.id.desc()]
        best = ("score",) + tuple(k for k in self.keys if k != "score")
        return [_ascending(k, cols, error) for k in best] + [cols.id.asc()]

    def floor(self, cols, n: int):
        """`(column, select)`: the first key's column and a select of its n-th best value among
        the rows of `cols` (NULLs, which rank as 0, left out), or `(None, None)` when the first
        key is not a "more is better" count. The rows of a top-n page all have a value ≥ it
        (when it is > 0), and an index on (quiz_id, score) finds it in n steps."""
        column = self._first_count(cols)
        if column is None:
            return None, None
        return column, select(column).where(column.is_not(None)).order_by(column.desc()).limit(1).offset(n - 1)

    def _first_count(self, cols):
        """The column of the first key when it is a "more is better" count (score, correct)."""
        return {"score": cols.score, "correct": cols.correct_count}.get(self.keys[0] if self.keys else None)

    def beats(self, cols, values: list):
        """Rows that sort strictly before the row whose `exprs` evaluated to `values`.

        When the first key is a count and mine is above 0, only rows at or above it can beat me
        (a NULL ranks as 0): that bound, on the plain column, lets an index find them."""
        exprs = self.exprs(cols)
        ahead = or_(*[and_(*[exprs[j] == values[j] for j in range(i)], exprs[i] < values[i])
                      for i in range(len(exprs))])
        column = self._first_count(cols)
        if column is not None and values[0] is not None and -values[0] > 0:
            return and_(column >= -values[0], ahead)
        return ahead


CONTEST = Order(keys=("score", "correct", "duration", "submitted_at"), tie="participant_id")
