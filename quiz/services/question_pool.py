"""What an attempt start draws from, kept per process: the quiz's question pool.

Profiling the start (docs/PERFORMANCE.md) showed a third of its time in loading, for every
participant, the same questions with their options as ORM objects only to copy ids, points and
texts out of them. Here each process keeps, per quiz, the sorted ids each draw rule may pick and,
per question, what the draw stores (kind, points, option ids in their order) and what the phone is
shown (text, image, options) as plain values.

Why it stays correct, on every server at once. A question's text, kind and options are frozen
once it has been drawn (bank.update_question refuses the edit), but a question nobody drew yet may
still be edited, and any question may be added, archived, moved or re-pointed. So every start
first asks the database for the pool's version: one aggregate over the rules' questions (how
many, the sum of their ids, the latest `updated_at`, which every edit moves) plus the rules
themselves. When it differs from the kept one, the pool is read again; a change made on any
server is seen by the next start everywhere — there is no time window.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, func, or_
from sqlalchemy.orm import selectinload

from ..cache import get_cache
from ..extensions import db
from ..models import DrawRule, Option, Question, Quiz
from . import media as media_service
from .quizzes import matching_questions

POOLS = "question_pools"  # quiz id → its pool (registered in create_app)
MAX_POOLS = 64  # quizzes open at once on one server
SHAPES = "question_shapes"  # (question id, updated_at) → its Shape (registered in create_app)
MAX_SHAPES = 20_000  # questions answered on one server; a few hundred bytes each


@dataclass(frozen=True)
class PoolQuestion:
    id: int
    kind: str
    points: int
    option_ids: tuple[int, ...]  # in their position order
    item: dict  # what the phone is shown: text, kind, image, options by id (no correct marks)
    updated_at: object = None  # the question's version this was read at (check_current)


@dataclass(frozen=True)
class Pool:
    version: tuple
    rule_ids: tuple[tuple[int, ...], ...]  # per draw rule, in rule order: the ids it may pick, sorted
    questions: dict[int, PoolQuestion]


def pool_of(quiz: Quiz) -> Pool:
    """The quiz's pool, from this process's copy when the database says it is current."""
    rules = list(quiz.draw_rules)
    version = _version(rules)
    store = get_cache(POOLS)
    kept = store.get(quiz.id)
    if kept is not None and kept.version == version:
        return kept
    pool = _load(rules, version)
    store.set(quiz.id, pool)
    return pool


def _filters(rules: list[DrawRule]):
    return [matching_questions(rule).whereclause for rule in rules]


def _version(rules: list[DrawRule]) -> tuple:
    signature = tuple((r.position, r.set_id, r.topic, r.difficulty, r.count) for r in rules)
    if not rules:
        return signature, None
    row = db.session.execute(db.select(func.count(Question.id), func.sum(Question.id), func.max(Question.updated_at))
                             .where(or_(*_filters(rules)))).one()
    return signature, tuple(row)


def _load(rules: list[DrawRule], version: tuple) -> Pool:
    rule_ids = tuple(tuple(sorted(db.session.scalars(matching_questions(rule)))) for rule in rules)
    questions: dict[int, PoolQuestion] = {}
    if rules:
        rows = list(db.session.scalars(db.select(Question).where(or_(*_filters(rules)))
                                       .options(selectinload(Question.options))))
        media = media_service.preload([q.image_sha256 for q in rows] + [o.image_sha256 for q in rows for o in q.options])
        for q in rows:
            questions[q.id] = PoolQuestion(
                id=q.id, kind=q.kind, points=q.points, option_ids=tuple(o.id for o in q.options), updated_at=q.updated_at,
                item={"text": q.text, "kind": q.kind,
                      "image": media_service.image_ref(q.image_sha256, q.image_alt, media),
                      "options": {o.id: {"id": o.id, "text": o.text,
                                         "image": media_service.image_ref(o.image_sha256, o.image_alt, media)}
                                  for o in q.options}})
    return Pool(version, rule_ids, questions)


class PoolChanged(Exception):
    """A drawn question was edited between the draw and the start's write: draw again, from the
    pool read afresh (`forget`)."""


def forget(quiz_id: int) -> None:
    """Drop this process's copy of the quiz's pool: the next draw reads it from the database.

    After a PoolChanged the kept copy may still match the pool's version — an edit stamped by a
    server whose clock is behind does not move `max(updated_at)` — and drawing from it again would
    fail again."""
    get_cache(POOLS).pop(quiz_id)


_VERSIONS = db.select(Question.id, Question.updated_at).where(Question.id.in_(bindparam("ids", expanding=True)))


def check_current(drawn: list[PoolQuestion]) -> None:
    """Raise PoolChanged unless the drawn questions are, in the database, as the pool read them.

    Called by a start after writing its drawn questions: an edit of a question nobody had drawn
    yet can commit between the draw (the pool read without a lock, before the write) and that
    write. On PostgreSQL the write's key check waits for an edit holding the question's row
    (locks.lock_question); on SQLite the start holds the write lock. Either way this read sees
    any edit that committed before, and an edit after it sees the draw and is refused."""
    kept = {q.id: q.updated_at for q in drawn}
    for question_id, updated_at in db.session.execute(_VERSIONS, {"ids": sorted(kept)}):
        if kept.pop(question_id) != updated_at:
            raise PoolChanged(question_id)
    if kept:
        raise PoolChanged(next(iter(kept)))  # deleted meanwhile


@dataclass(frozen=True)
class Shape:
    """What a save checks an answer against: the question's kind and each option's position (the
    bit it sets in the choice mask). Frozen once the question is drawn (`bank.update_question`)."""
    kind: str
    positions: dict[int, int]  # option id → position


def shape_of(question_id: int, updated_at) -> Shape:
    """The question's shape, from this process's copy of the question as of `updated_at` (which
    every edit moves: a copy of an older version is never served)."""
    store = get_cache(SHAPES)
    key = (question_id, updated_at)
    shape = store.get(key)
    if shape is None:
        rows = db.session.execute(db.select(Option.id, Option.position, Question.kind)
                                  .join(Question, Question.id == Option.question_id)
                                  .where(Option.question_id == question_id)).all()
        shape = Shape(kind=rows[0].kind if rows else "single", positions={r.id: r.position for r in rows})
        store.set(key, shape)
    return shape
