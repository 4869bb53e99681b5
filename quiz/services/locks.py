"""The one lock order of everything that decides whether an answer counts (PRODUCT.md, "Answered
means scored"): **the quiz row, then a live session's row, then attempt rows** (several: by id).

| operation                                   | takes                                             |
|---------------------------------------------|---------------------------------------------------|
| start or resume (attempts.start_attempt)    | quiz (shared: starts do not wait for each other), |
|                                             | then the participant's attempts it finalises      |
| close or open now, an edit of the quiz      | quiz (an edit: its UPDATE of the row), then the   |
| (quizzes)                                   | running attempts whose deadline it caps           |
| save an answer, submit (attempts), a live   | the attempt (a save: inside its one INSERT …      |
| answer (live_session.phone)                 | SELECT … FOR UPDATE, `attempts.save_answer`)      |
| finalise at the deadline (expire_if_due,    | the attempt; finalize_expired: the due attempts,  |
| finalize_expired, run by reads too)         | by id                                             |
| a host action, end included (live_session) | the live session, then (end) its attempts by id   |
| a phone joining a live session              | quiz (shared), its participant row, then the      |
|                                             | session (shared)                                  |
| a regrade (services.corrections)            | quizzes, their live sessions, then the attempts,  |
|                                             | each by id                                        |
| an edit or a delete of a bank question      | the question row (bank; never with the rows       |
| (bank.update_question, remove_question)     | above): a start's draw holds it too, in the key   |
|                                             | check of its drawn questions' INSERT (PostgreSQL) |
| an award decision: a prize table edit, a    | the contest (awards; never with the rows above)   |
| winner check, publishing the award list     |                                                   |
| the unit tallies (rankings.tallies), kept   | the (quiz, unit) tally rows, by unit id, then the |
| by the flush that finishes attempts         | quiz's row for participants without a unit, at    |
|                                             | the flush: always after the attempts it finished; |
|                                             | the views commit right after a finalisation, so no|
|                                             | transaction locks an attempt once it holds a tally|
| a re-count for a pick-rule change or a unit | the quiz (its UPDATE) or the participant, then the|
| move (rankings.tallies, at the flush)       | unfinished attempts concerned by id, then tallies |

Each one locks *before* reading what it decides on and re-reads under the lock: a save reads the
attempt (finished? deadline?) in the statement that writes, and a finalisation the saved answers, so a save is either in the score
or refused; a start re-reads the quiz's `closes_at`, and the close caps only after every start that
read the old window has committed, so no attempt outlives the close.

PostgreSQL: row locks, `SELECT … FOR UPDATE` (`FOR SHARE` for a start, which still waits for a
close or an edit of the quiz: any UPDATE of the row conflicts with it). The quiz row's exclusive
lock is `FOR NO KEY UPDATE` (what an UPDATE of the row takes anyway): every insert of a row that
points at the quiz — an attempt, a tally row — takes `FOR KEY SHARE` on it through the foreign key,
and that must not wait for a transaction that holds the quiz and waits for an attempt. A bank
question's lock stays `FOR UPDATE` on purpose: it is meant to wait for the key check of a start's
drawn questions (and it blocks answer saves of that question for the moment of an edit).

SQLite: one write lock for the whole database, held from a transaction's first write to its
commit, stands for every row lock. pysqlite begins a transaction only at the first write, so what
was read before it may be stale; each lock here first makes sure the transaction holds the write
lock (`BEGIN IMMEDIATE`, waiting up to the busy timeout) and then re-reads. Locking only when there
is something to change keeps readers (rankings, the board) from taking it.
"""
from __future__ import annotations

from sqlalchemy import Select

from ..extensions import db
from ..models import Attempt, Contest, LiveSession, Question, Quiz

_ATTEMPT_COLUMNS = [column.key for column in Attempt.__mapper__.column_attrs]


def hold_write_lock() -> None:
    """SQLite: take the database write lock now, unless this transaction already holds it."""
    connection = db.session.connection()
    if connection.dialect.name != "sqlite":
        return
    if not connection.connection.dbapi_connection.in_transaction:  # no write yet in this transaction
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def lock_quiz(quiz: Quiz, *, shared: bool = False) -> Quiz:
    """Lock the quiz row (shared for a start) and re-read it: `closes_at` is the current one.

    Only the locked row is re-read after the wait (PostgreSQL re-checks a row another transaction
    updated); anything in another table is read by a statement of its own, after this one."""
    hold_write_lock()
    # Fetched, not only executed: the ORM refreshes an object when it reads its row.
    # Exclusive is FOR NO KEY UPDATE, not FOR UPDATE: it still makes starts (FOR SHARE) wait, but
    # not the foreign-key checks of rows that point at the quiz (FOR KEY SHARE). A submit inserting
    # its unit's first tally row holds its attempt and takes that key lock; a close or a correction
    # holding the quiz FOR UPDATE and waiting for that attempt was a deadlock (tests/test_review3_races.py).
    return db.session.execute(db.select(Quiz).where(Quiz.id == quiz.id)
                              .with_for_update(read=shared, key_share=not shared)
                              .execution_options(populate_existing=True)).scalar_one()


def lock_live_session(session: LiveSession, *, shared: bool = False) -> LiveSession:
    """Lock a live session's row and re-read it (its state): two host clicks never interleave.
    Shared for a join: joins do not wait for each other, but for a host action (the end) they do."""
    hold_write_lock()
    return db.session.execute(db.select(LiveSession).where(LiveSession.id == session.id)
                              .with_for_update(read=shared)
                              .execution_options(populate_existing=True)).scalar_one()


def lock_attempt(attempt: Attempt) -> Attempt:
    """Lock the attempt row and re-read its columns (finished? deadline?); its answers load again
    when next used (a save that committed while this request waited for the lock is among them).
    The drawn questions are not read again: they never change once drawn."""
    hold_write_lock()
    db.session.refresh(attempt, attribute_names=_ATTEMPT_COLUMNS, with_for_update=True)
    for answer in attempt.__dict__.get("answers", ()):
        db.session.expire(answer)
    db.session.expire(attempt, ["answers"])
    return attempt


def locked_attempts(query: Select) -> Select:
    """`query` (a select of Attempt, ordered by id) made to lock its rows and re-read them with
    what it loads eagerly (answers): for finalising several attempts at once."""
    hold_write_lock()
    return query.with_for_update(of=Attempt).execution_options(populate_existing=True)


def lock_question(question: Question) -> Question:
    """Lock a bank question's row and re-read it, before deciding whether it was ever drawn.

    PostgreSQL: `FOR UPDATE` conflicts with the `FOR KEY SHARE` the foreign-key check of a
    start's drawn questions takes, so the edit waits for a start that drew the question and then
    sees its draw; a start that draws after the lock waits for the edit, and then finds the
    question moved (question_pool.check_current) and draws again."""
    hold_write_lock()
    locked = db.session.execute(db.select(Question).where(Question.id == question.id).with_for_update()
                                .execution_options(populate_existing=True)).scalar_one()
    db.session.expire(locked, ["options"])  # read again when next used: an edit that went first changed them
    return locked


def lock_contest(contest: Contest) -> Contest:
    """Lock the contest row for an award decision (services.awards): two organizers checking
    winners or publishing the award list at once take turns, so a list version is computed
    from every check made before it and two publications never claim one version number."""
    hold_write_lock()
    return db.session.execute(db.select(Contest).where(Contest.id == contest.id).with_for_update()
                              .execution_options(populate_existing=True)).scalar_one()
