"""Exact unit figures of a quiz, kept per (quiz, unit) as attempts finish: the unit ranking of a
quiz is a read of at most a few hundred `UnitTally` rows, never stale.

The same rows keep what a closed quiz's prediction truth needs (`counted.prediction_truth`): how
many counted attempts are perfect (`counted.perfect_sql`), per unit, and — since the truth counts
every participant and the unit ranking only those with a unit — one `OtherUnitTally` row per quiz
for the participants who named an "other" unit. Same pick, same transaction, same re-counts: the
truth is as exact as the unit figures, with no scan on a read and no per-process copy to go stale.

What a unit ranking needs of a unit (rules: `rankings.units`) is its own participants with a
counted attempt and the sum of their counted score percents; headcounts, roll-up to parents,
weights and order are applied when reading (`unit_rollup`). Percents are summed in exact
integer units of 0.000001 % (`pct_units`), so the running tally and the full computation from
the attempts (`people_units`, the oracle the tests compare against) agree to the last unit on
every database.

**When they change, in the same transaction.** The tallies follow the attempt rows: every flush
that finishes attempts (a submit, a finalisation at the deadline — by a read or the CLI —, the
end of a live session) counts them (`count_finished`), wherever it came from, so no code path can
forget it. For each participant concerned that is one SELECT of their finished attempts of the
quiz (a handful of rows, picked by the quiz's `Order`: the counted attempt the ranking uses) and
one upsert per unit: a better new attempt replaces the participant's previous counted one,
a worse one changes nothing. A re-count — a finished attempt's figures edited, the quiz's
counted-attempt rule, keys or attempt limit changed, a participant moved to another unit (or to
none), a finished attempt deleted, a draw rule changed (what "perfect" means) — rebuilds the quiz's tallies from its attempts (`rebuild_quiz_tallies`,
which a regrade that writes with bulk UPDATEs calls itself). Anonymising (`purge`) changes no
figure, so no tally.

**Concurrency.** The upsert is `INSERT … ON CONFLICT (quiz_id, unit_id) DO UPDATE SET x = x + d`,
atomic on PostgreSQL (the row lock is held to the commit) and on SQLite (one writer): two submits
of one unit never lose an increment. Several units are upserted in unit-id order (locks.py: the
tallies come last). The participant's SELECT needs no lock: a participant has at most one open
attempt (`attempts.start_attempt` resumes it or finalises it before starting another; a live
session's players answer only in it), so two finalisations of one participant never race.

A re-count racing a submit ends with the submit counted once: a submit that committed before the
re-count's INSERT is in what it counts, a later one adds its delta to the re-counted row (one that
commits between its DELETE and INSERT makes it start over, `recount`). A re-count for a new pick
rule or a unit move first holds the running attempts concerned (`_wait_for_running`), since a
submit's delta depends on the rule and the unit.
"""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import BigInteger, bindparam, case, cast, event, func, inspect, or_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ...extensions import db
from ...models import Attempt, DrawRule, OtherUnitTally, Participant, Quiz, UnitTally
from .counted import counted_rows, perfect_sql
from .order import Order

PCT_SCALE = 1_000_000  # a percent in units of 0.000001 %: exact integers, summed exactly
_FIGURES = ("score", "max_score", "correct_count", "duration_ms", "submitted_at", "attempt_no",
            "participant_id", "quiz_id")  # what the pick or the percent of a finished attempt reads
_RULES = ("counted_attempt", "ranking_order", "max_attempts")  # what a quiz's pick reads


def pct_units(score: int | None, max_score: int | None) -> int:
    """100 × score / max_score in units of 0.000001 %, rounded half up (0 without a maximum)."""
    if not max_score or max_score <= 0:
        return 0
    return ((score or 0) * 200 * PCT_SCALE + max_score) // (2 * max_score)


def pct_units_sql(score, max_score):
    """`pct_units` in SQL: integer arithmetic, the same result on SQLite and PostgreSQL."""
    scaled = cast(func.coalesce(score, 0), BigInteger) * (200 * PCT_SCALE) + max_score
    return case((max_score > 0, scaled // (2 * max_score)), else_=0)  # `//`: integer division


def people_units(counted):
    """The full computation: per unit, the participants of a `counted` subquery (one row per
    participant: `participant_id`, `score`, `max_score`) and the sum of their percents."""
    return (
        db.select(Participant.unit_id.label("unit_id"), func.count().label("n"),
                  func.sum(pct_units_sql(counted.c.score, counted.c.max_score)).label("pct_units"))
        .join(Participant, Participant.id == counted.c.participant_id)
        .where(Participant.unit_id.is_not(None))
        .group_by(Participant.unit_id)
    )


def quiz_unit_counts(quiz_id: int):
    """The tallies of a quiz as the unit ranking reads them: `unit_id`, `n`, `pct_units`."""
    return (db.select(UnitTally.unit_id, UnitTally.participants.label("n"), UnitTally.pct_units)
            .where(UnitTally.quiz_id == quiz_id, UnitTally.participants > 0))


# --- Re-counting a whole quiz ----------------------------------------------------------------------

def rebuild_statements(quiz, *, truth: bool = True) -> list:
    """The statements that recompute one quiz's tallies from its finished attempts (`quiz`: any
    object with the Quiz columns the order reads, so the migrations can use them too).

    `truth=False`: the unit figures alone, as revision 0008 created them (its migration counts
    with it, before 0012 added the truth's counts)."""
    counted = counted_rows(quiz, truth=None).subquery("counted")
    per_unit = people_units(counted)
    names = ["quiz_id", "unit_id", "participants", "pct_units"]
    if truth:
        per_unit = per_unit.add_columns(func.sum(perfect_sql(counted.c.correct_count, quiz.id)).label("perfect"))
        names.append("perfect")
    per_unit = per_unit.subquery("per_unit")
    statements = [
        db.delete(UnitTally).where(UnitTally.quiz_id == quiz.id),
        db.insert(UnitTally).from_select(names, db.select(db.literal(quiz.id, type_=db.Integer), *per_unit.c)),
    ]
    if truth:
        statements += [
            db.delete(OtherUnitTally).where(OtherUnitTally.quiz_id == quiz.id),
            db.insert(OtherUnitTally).from_select(["quiz_id", "participants", "perfect"], _others(quiz)),
        ]
    return statements


def _others(quiz):
    """One row (`quiz_id`, `participants`, `perfect`) for the quiz's participants without a unit,
    none if it has none. Their counted attempts are picked among their own attempts only: a
    filter on the participant (the window's partition) changes no pick, and skips the others."""
    others = db.select(Participant.id).where(Participant.unit_id.is_(None))
    counted = counted_rows(quiz, truth=None, participants=others).subquery("counted")
    return (db.select(db.literal(quiz.id, type_=db.Integer), func.count(),
                      func.sum(perfect_sql(counted.c.correct_count, quiz.id)))
            .select_from(counted).having(func.count() > 0))


RECOUNT_TRIES = 5


def recount(connection, quiz) -> None:
    """Run the quiz's re-count (`rebuild_statements`) on `connection`, in its transaction.

    PostgreSQL (READ COMMITTED: each statement sees what committed before it began): a unit's
    first submit that commits between the DELETE and the INSERT … SELECT has inserted the unit's
    row, which the DELETE did not see, and the INSERT counts that submit's attempt too, so it
    meets the row on the unique key. The re-count then goes back to a savepoint and runs again:
    its next DELETE sees the row, its next INSERT the attempt. SQLite has one writer: no submit
    commits in between."""
    statements = rebuild_statements(quiz)
    if connection.dialect.name != "postgresql":
        for statement in statements:
            connection.execute(statement)
        return
    for attempt in range(RECOUNT_TRIES):
        savepoint = connection.begin_nested()
        try:
            for statement in statements:
                connection.execute(statement)
        except IntegrityError:
            savepoint.rollback()
            if attempt == RECOUNT_TRIES - 1:
                raise
        else:
            savepoint.commit()
            return


def rebuild_quiz_tallies(quiz_id: int) -> None:
    """Recompute one quiz's tallies from its attempts (flushes, never commits): after a regrade
    or anything else that changed finished attempts behind the ORM's back."""
    db.session.flush()
    quiz = db.session.get(Quiz, quiz_id)
    if quiz is not None:
        recount(db.session.connection(), quiz)


# --- Counting attempts as they finish ------------------------------------------------------------

_PICKS: dict[Order, object] = {}  # a ranking order → its participants' picks, built once


def _picks(order: Order):
    """The concerned participants' finished attempts of a quiz, numbered by `order`'s pick (1: the
    counted one), with the quiz's pick rule as committed; bound parameters `quiz_id` and
    `participants`. Built once per order: it runs
    in every flush that finishes an attempt, while SQLite's write lock is held, and building it
    cost more CPU than running it."""
    if order not in _PICKS:
        quiz_id = bindparam("quiz_id")
        _PICKS[order] = (
            db.select(Attempt.id, Attempt.participant_id, Attempt.score, Attempt.max_score, Participant.unit_id,
                      perfect_sql(Attempt.correct_count, quiz_id).label("perfect"),
                      func.row_number().over(partition_by=Attempt.participant_id,
                                             order_by=order.pick(Attempt)).label("pick"),
                      # the rule as committed when this runs (count_finished compares it with `order`'s)
                      Quiz.counted_attempt.label("rule_counted"), Quiz.ranking_order.label("rule_order"))
            .join(Participant, Participant.id == Attempt.participant_id)
            .join(Quiz, Quiz.id == Attempt.quiz_id)
            .where(Attempt.quiz_id == quiz_id, Attempt.participant_id.in_(bindparam("participants", expanding=True)),
                   Attempt.submitted_at.is_not(None)))
    return _PICKS[order]


def count_finished(session: Session, attempts: list[Attempt]) -> None:
    """Count attempts that just finished (flushed, in this transaction): per quiz one SELECT of
    the concerned participants' finished attempts, then one upsert per unit whose figures moved
    (participants without a unit: one upsert of the quiz's "other" row, for the truth's counts)."""
    by_quiz: dict[int, list[Attempt]] = defaultdict(list)
    for attempt in attempts:
        by_quiz[attempt.quiz_id].append(attempt)
    deltas: dict[tuple[int, int | None], list[int]] = defaultdict(lambda: [0, 0, 0])
    for quiz_id, finished in by_quiz.items():
        quiz = session.get(Quiz, quiz_id)
        new_ids = {a.id for a in finished}
        params = {"quiz_id": quiz_id, "participants": sorted({a.participant_id for a in finished})}
        order = Order.of(quiz, has_truth=False)  # the unit ranking's pick: no prediction key
        rows = session.connection().execute(_picks(order), params).all()
        if rows and (rows[0].rule_counted, rows[0].rule_order) != (quiz.counted_attempt, quiz.ranking_order):
            # The rule as committed now is not the one loaded before this transaction locked the
            # attempt: a rule change committed meanwhile, and re-counted with it (_wait_for_running).
            session.refresh(quiz, attribute_names=list(_RULES))
            order = Order.of(quiz, has_truth=False)
            rows = session.connection().execute(_picks(order), params).all()
        people: dict[int, list] = defaultdict(list)
        for row in rows:
            people[row.participant_id].append(row)
        for picks in people.values():
            picks.sort(key=lambda r: r.pick)
            now = picks[0]
            before = next((r for r in picks if r.id not in new_ids), None)
            if before is not None and before.id == now.id:
                continue  # the new attempts do not beat the counted one
            delta = deltas[(quiz_id, now.unit_id)]
            delta[0] += 0 if before is not None else 1
            delta[1] += pct_units(now.score, now.max_score) - (pct_units(before.score, before.max_score)
                                                               if before is not None else 0)
            delta[2] += now.perfect - (before.perfect if before is not None else 0)
    _add(session, deltas)


def _add(session: Session, deltas: dict[tuple[int, int | None], list[int]]) -> None:
    """x = x + d for each (quiz, unit), in unit-id order, inserting the rows that do not exist;
    then each quiz's "other" row (participants without a unit), in quiz-id order."""
    units = [{"quiz_id": q, "unit_id": u, "participants": n, "pct_units": p, "perfect": f}
             for (q, u), (n, p, f) in sorted(((k, v) for k, v in deltas.items() if k[1] is not None),
                                             key=lambda kv: (kv[0][1], kv[0][0])) if n or p or f]
    others = [{"quiz_id": q, "participants": n, "perfect": f}
              for (q, u), (n, _p, f) in sorted(deltas.items(), key=lambda kv: kv[0][0]) if u is None and (n or f)]
    connection = session.connection()
    insert = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
    for model, params, keys in ((UnitTally, units, ["quiz_id", "unit_id"]), (OtherUnitTally, others, ["quiz_id"])):
        if not params:
            continue
        upsert, table = insert(model), model.__table__
        added = [name for name in params[0] if name not in keys]
        connection.execute(upsert.on_conflict_do_update(
            index_elements=keys, set_={name: table.c[name] + upsert.excluded[name] for name in added}), params)


def _changed(obj, names) -> bool:
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


def _after_flush(session: Session, _context) -> None:
    """Keep the tallies with the attempt rows this flush wrote (see the module docstring)."""
    finished: list[Attempt] = []
    rebuild: set[int] = set()
    ruled: set[int] = set()  # quizzes whose pick rule changed
    moved: set[int] = set()
    for obj in (*session.new, *session.dirty):
        if isinstance(obj, Attempt):
            if obj.submitted_at is None:
                if obj not in session.new and _changed(obj, ("submitted_at",)):
                    rebuild.add(obj.quiz_id)  # un-finished: only a re-count knows what counted before
            elif obj in session.new or (_changed(obj, ("submitted_at",))
                                        and inspect(obj).attrs.submitted_at.history.deleted in ([None], [])):
                finished.append(obj)
            elif _changed(obj, _FIGURES):
                rebuild.add(obj.quiz_id)
                history = inspect(obj).attrs.quiz_id.history
                rebuild.update(q for q in history.deleted if q is not None)
        elif isinstance(obj, Quiz) and obj not in session.new and _changed(obj, _RULES):
            rebuild.add(obj.id)
            ruled.add(obj.id)
        elif isinstance(obj, Participant) and obj not in session.new and _changed(obj, ("unit_id",)):
            moved.add(obj.id)
        elif isinstance(obj, DrawRule) and obj.quiz not in session.new and (
                obj in session.new or _changed(obj, ("count", "quiz_id"))):
            rebuild.add(obj.quiz_id)  # a perfect attempt's count moved (quizzes refuses it once attempts exist)
    for obj in session.deleted:
        if isinstance(obj, Attempt) and obj.submitted_at is not None or isinstance(obj, DrawRule):
            rebuild.add(obj.quiz_id)
    rebuild.discard(None)  # a draw rule taken off its quiz before it was deleted
    _wait_for_running(session, ruled, moved)
    if moved:
        rebuild.update(session.connection().execute(
            db.select(Attempt.quiz_id).where(Attempt.participant_id.in_(moved)).distinct()).scalars())
    finished = [a for a in finished if a.quiz_id not in rebuild]
    if finished:
        count_finished(session, finished)
    for quiz_id in sorted(rebuild):
        quiz = session.get(Quiz, quiz_id)
        if quiz is not None:
            recount(session.connection(), quiz)


def _wait_for_running(session: Session, quiz_ids: set[int], participant_ids: set[int]) -> None:
    """Lock the unfinished attempts whose count a re-count is about to change under their feet:
    every one of a quiz whose pick rule changed, the moved participants' own.

    A submit computes its delta under the rule and the unit it reads; one that committed after
    the re-count's INSERT read them as committed before the change (the old rule, the old unit),
    and its delta went onto the re-counted rows wrong (tests/test_review3_races.py). Holding these
    attempts, the re-count waits for the submits in flight, whose attempts its INSERT then sees,
    and the later ones wait for it, then read the rule afresh (`count_finished`) and the unit in
    their pick statement. Taken before any tally row (locks.py: attempts, then tallies)."""
    if not quiz_ids and not participant_ids:
        return
    concerned = []
    if quiz_ids:
        concerned.append(Attempt.quiz_id.in_(sorted(quiz_ids)))
    if participant_ids:
        concerned.append(Attempt.participant_id.in_(sorted(participant_ids)))
    session.connection().execute(db.select(Attempt.id).where(Attempt.submitted_at.is_(None), or_(*concerned))
                                 .order_by(Attempt.id).with_for_update())


def init_app(app) -> None:
    """Count attempts in every flush of the app's sessions (one listener for the process)."""
    if not event.contains(db.session, "after_flush", _after_flush):
        event.listen(db.session, "after_flush", _after_flush)
