"""Attempts: start or resume, draw questions, save answers, submit, finalise at the deadline.

Time is the server's: `deadline = min(started_at + duration, quiz.closes_at)`; answers and
submits are accepted until `deadline + ANSWER_GRACE_S` (network latency of a phone in the
mountains), and an attempt left unsubmitted is finalised *at its deadline* by the first read
that notices (`expire_if_due`) or by `finalize_expired()` (the CLI), so no ranking misses it.
"""
from __future__ import annotations

import hmac
import random
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Integer, and_, bindparam, insert, not_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from .. import clock
from ..errors import ConflictError, DeadlineError, ForbiddenError, NotFoundError, ValidationError
from ..extensions import db
from ..models import Answer, Attempt, AttemptQuestion, LiveSession, Option, Participant, Question, Quiz
from ..models.attempts import hash_token, parse_option_order
from . import locks, question_pool
from ..models.types import MAX_ROW_ID
from .registration import (
    Registration, clean_registration, record_participant, retry_identity_race, returning_participant,
)
from .scoring import ScoringKey, finalise_attempt

_rng = random.SystemRandom()
MAX_OPTIONS = 10


class QuizNotOpenError(ForbiddenError):
    code = "quiz_not_open"


class QuizClosedError(DeadlineError):
    code = "quiz_closed"


class AttemptLimitError(ConflictError):
    code = "attempt_limit"


class AttemptSubmittedError(ConflictError):
    code = "attempt_submitted"


def grace() -> timedelta:
    return timedelta(seconds=current_app.config.get("ANSWER_GRACE_S", 10))


# --- Loading -----------------------------------------------------------------------------------

def find_attempt(token: str | None, *, graph: bool = True) -> Attempt | None:
    """The attempt of a client-supplied token, or None.

    Looked up by the token's SHA-256, then compared in constant time: neither the index search
    nor the comparison takes a time that depends on how much of a guess was right. With `graph`
    it comes with what its pages show (questions, options, answers); without, with its quiz and
    its participant's unit in the same query (a submit scores from one query of its own and
    answers with the participant's standing).
    """
    if not plausible_token(token):
        return None
    if graph:
        loads = (selectinload(Attempt.questions).selectinload(AttemptQuestion.question)
                 .selectinload(Question.options), selectinload(Attempt.answers))
    else:
        loads = (joinedload(Attempt.quiz), joinedload(Attempt.participant).joinedload(Participant.unit))
    return confirmed(db.session.scalar(db.select(Attempt).where(token_is(token)).options(*loads)), token)


def plausible_token(token) -> bool:
    """A client-supplied token worth looking up (tokens are 32 URL-safe characters)."""
    return bool(token) and isinstance(token, str) and len(token) <= 64


def token_is(token: str, *, live: bool = False):
    """The one WHERE clause that finds an attempt by its client-supplied token: by its hash, and
    only among the attempts the asking endpoint serves. A token opens one thing: a live-session
    player's token (`live=True`, the live endpoints) is unknown to the attempt endpoints (they
    would hand out its answer key on submit and take answers outside the host's pace), and a
    normal attempt's token is unknown to the live endpoints."""
    return token_hash_is(hash_token(token), live=live)


def token_hash_is(token_hash, *, live: bool = False):
    """`token_is` for a hash already computed, or a bound parameter (a statement built once)."""
    return and_(Attempt.token_hash == token_hash, Attempt.is_live if live else not_(Attempt.is_live))


def confirmed(attempt: Attempt | None, token: str) -> Attempt | None:
    """The attempt found by the token's hash, if its token matches (compared in constant time)."""
    if attempt is None or not hmac.compare_digest(attempt.token.encode(), token.encode()):
        return None
    return attempt


def find_attempt_row(token: str | None) -> Attempt | None:
    """The attempt alone (relationships load lazily if needed): for the one-answer save."""
    if not plausible_token(token):
        return None
    return confirmed(db.session.scalar(db.select(Attempt).where(token_is(token))), token)


def get_attempt(token: str, *, now: datetime | None = None, graph: bool = True) -> Attempt:
    """The attempt with this token (`find_attempt`), finalised first if its deadline (plus grace)
    has passed."""
    attempt = find_attempt(token, graph=graph)
    if attempt is None:
        raise NotFoundError(_("Không tìm thấy bài thi này. Đường dẫn có thể đã sai."))
    expire_if_due(attempt, now=now)
    return attempt


def remaining_seconds(attempt: Attempt, now: datetime | None = None) -> int:
    if attempt.is_finished:
        return 0
    left = (attempt.deadline - (now or clock.utcnow())).total_seconds()
    return max(0, int(left + 0.999))  # round up: the page never shows 0 while answers are taken


def attempts_of(quiz: Quiz, participant: Participant) -> list[Attempt]:
    # Loaded with what resuming shows (questions, options, answers), or each is one more query.
    return list(db.session.scalars(
        db.select(Attempt).filter_by(quiz_id=quiz.id, participant_id=participant.id).order_by(Attempt.attempt_no)
        .options(selectinload(Attempt.questions).selectinload(AttemptQuestion.question)
                 .selectinload(Question.options), selectinload(Attempt.answers))))


def attempts_left(attempt: Attempt) -> int:
    used = db.session.scalar(db.select(db.func.count(Attempt.id)).filter_by(
        quiz_id=attempt.quiz_id, participant_id=attempt.participant_id))
    return max(0, attempt.quiz.max_attempts - used)


# --- Finalising ----------------------------------------------------------------------------------

def is_due(attempt: Attempt, now: datetime) -> bool:
    """Unsubmitted past its deadline plus the grace: nothing more is taken, it is finalised."""
    return not attempt.is_finished and now > attempt.deadline + grace()


def expire_if_due(attempt: Attempt, *, now: datetime | None = None) -> bool:
    """Finalise an unsubmitted attempt at its deadline once the grace period is over."""
    now = now or clock.utcnow()
    if not is_due(attempt, now):
        return False
    locks.lock_attempt(attempt)  # re-read: a submit or a save may have come first
    finalised = is_due(attempt, now) and finalise_attempt(attempt, attempt.deadline, "deadline")
    db.session.flush()
    return finalised


def finalize_expired(*, now: datetime | None = None, quiz: Quiz | None = None) -> int:
    """Finalise every attempt (of `quiz`, or all) whose deadline plus grace has passed.

    Rankings call it on every read: when nothing is due it only looks, and takes no lock.
    """
    now = now or clock.utcnow()
    due = [Attempt.submitted_at.is_(None), Attempt.deadline < now - grace()]
    if quiz is not None:
        due.append(Attempt.quiz_id == quiz.id)
    if db.session.scalar(db.select(Attempt.id).where(*due).limit(1)) is None:
        return 0
    query = locks.locked_attempts(
        db.select(Attempt).where(*due).order_by(Attempt.id)
        .options(selectinload(Attempt.questions).selectinload(AttemptQuestion.question)
                 .selectinload(Question.options), selectinload(Attempt.answers)))
    due_attempts = db.session.scalars(query).all()
    key = ScoringKey.load(due_attempts)  # one read of the keys for all of them
    count = sum(finalise_attempt(a, a.deadline, "deadline", key) for a in due_attempts)
    db.session.flush()
    return count


# --- Starting --------------------------------------------------------------------------------------

def check_quiz_open(quiz: Quiz, now: datetime) -> None:
    state = quiz.state_at(now)
    if state == "upcoming":
        raise QuizNotOpenError(_("Đợt thi chưa mở. Vui lòng quay lại lúc mở thi."))
    if state == "closed":
        raise QuizClosedError(_("Đợt thi đã kết thúc, không nhận thêm bài thi."))


class LiveOnlyError(ConflictError):
    code = "live_only"


def check_not_live(quiz: Quiz) -> None:
    """A quiz run as a live session takes no attempt outside it: each reveal shows the correct
    answer on the projector and in the session's public state, which a phone answering the same
    quiz at its own pace would read. (live.create_session refuses the other way round; both hold
    the quiz row's lock, so neither slips in while the other decides.)"""
    if db.session.scalar(db.select(LiveSession.id).where(LiveSession.quiz_id == quiz.id).limit(1)) is not None:
        raise LiveOnlyError(_("Đợt thi này được tổ chức thi trực tiếp tại hội trường: hãy quét mã QR trên màn "
                              "chiếu để tham gia."))


def start_attempt(quiz: Quiz, data: dict, *, now: datetime | None = None) -> tuple[Attempt, bool]:
    """Start a new attempt, or resume the participant's unfinished one: `(attempt, created)`.

    Two requests for the same identity at the same moment (two tabs, a double tap) race; the
    loser finds the winner's attempt and resumes it (`registration.retry_identity_race`). A start
    whose drawn question was edited while it drew draws again (`question_pool.check_current`).
    """
    now = now or clock.utcnow()
    check_quiz_open(quiz, now)
    registration = clean_registration(quiz, data, now)
    quiz_id = quiz.id
    return retry_identity_race(lambda: _start_or_resume(db.session.get(Quiz, quiz_id), registration, now),
                               registration, also=(question_pool.PoolChanged,),
                               before_retry=lambda: question_pool.forget(quiz_id))  # the next draw reads it afresh


def _start_or_resume(quiz: Quiz, reg: Registration, now: datetime) -> tuple[Attempt, bool]:
    """Reads first, writes last: SQLite holds its write lock from a transaction's first write to
    its commit, so drawing the questions before writing keeps everyone else's saves waiting less.
    The quiz row is locked after the draw and before anything is written (locks.py): a close that
    came in between is seen, and a close that comes after waits for this start."""
    participant = returning_participant(quiz, reg)  # refuses another name before anything else
    attempts = attempts_of(quiz, participant) if participant is not None else []
    # A live session's attempt counts as used but is never resumed here: it opens only through
    # the live endpoints (its token and questions must not leave through this door).
    current = next((a for a in attempts if not a.is_finished and not a.is_live and not is_due(a, now)), None)
    questions: list[AttemptQuestion] = []
    if current is None:
        if len(attempts) >= quiz.max_attempts:
            raise AttemptLimitError(_("Bạn đã dùng hết số lượt thi của đợt thi này."))
        questions = draw_questions(quiz)
        if not questions:
            raise ConflictError(_("Đợt thi chưa có câu hỏi. Vui lòng báo ban tổ chức."))

    locks.lock_quiz(quiz, shared=True)
    check_quiz_open(quiz, now)
    if current is None and len(attempts) >= quiz.max_attempts:  # the limit as it is now (an edit lowered it)
        raise AttemptLimitError(_("Bạn đã dùng hết số lượt thi của đợt thi này."))
    # A statement of its own, after the lock: on PostgreSQL a statement sees what was committed
    # before it began, and a live session created while this start waited for the lock is in
    # another table (read in the locking statement itself, it was missed: tests/test_races.py).
    check_not_live(quiz)
    for attempt in attempts:
        expire_if_due(attempt, now=now)
    participant = record_participant(quiz, reg, now, participant)
    if current is not None:
        db.session.flush()
        return current, False
    attempt = Attempt(
        token=secrets.token_urlsafe(24), quiz=quiz, participant=participant,
        attempt_no=(attempts[-1].attempt_no + 1) if attempts else 1,
        started_at=now, deadline=min(now + timedelta(seconds=quiz.duration_s), quiz.closes_at),
        prediction=reg.prediction, answers=[], max_score=sum(q.points for q in questions),
    )
    db.session.add(attempt)
    db.session.flush()
    # The drawn questions in ONE multi-row INSERT … RETURNING: through the relationship the ORM
    # sends one INSERT per question (it wants each id back), all inside the write lock. What comes
    # back are the rows as persistent objects, so the attempt's loaded `questions` are the stored
    # ones (a save or a submit in this same session finds them), each keeping its pool entry.
    pooled = {q.question_id: q.pooled for q in questions}
    stored = db.session.scalars(insert(AttemptQuestion).returning(AttemptQuestion), [
        {"attempt_id": attempt.id, "question_id": q.question_id, "position": q.position,
         "option_order": q.option_order, "points": q.points} for q in questions]).all()
    question_pool.check_current(list(pooled.values()))  # an edit that raced the draw: draw again
    for drawn in stored:
        drawn.pooled = pooled[drawn.question_id]
    set_committed_value(attempt, "questions", sorted(stored, key=lambda d: d.position))
    return attempt, True


def draw_questions(quiz: Quiz) -> list[AttemptQuestion]:
    """Draw each rule's count at random, never the same question twice across rules.

    The order and each question's option order are fixed here and stored, so a reload or
    another phone shows exactly the same quiz. Drawn from the quiz's pool as this process keeps
    it (question_pool.py: checked against the database first, nothing is loaded as objects); each
    drawn question carries its pool entry as `pooled` (ids, points, what the phone is shown).
    """
    pool = question_pool.pool_of(quiz)
    chosen: list[int] = []
    for rule, ids in zip(quiz.draw_rules, pool.rule_ids):
        candidates = sorted(set(ids) - set(chosen))
        picked = _rng.sample(candidates, min(rule.count, len(candidates)))
        if not quiz.shuffle_questions:
            picked.sort()
        chosen.extend(picked)
    if quiz.shuffle_questions:
        _rng.shuffle(chosen)
    drawn = []
    for position, question_id in enumerate(chosen):
        pooled = pool.questions[question_id]
        option_ids = list(pooled.option_ids)
        # True/false keeps "Đúng" before "Sai": shuffling two options only confuses.
        if quiz.shuffle_options and pooled.kind != "true_false":
            _rng.shuffle(option_ids)
        item = AttemptQuestion(question_id=question_id, position=position, points=pooled.points,
                               option_order=",".join(str(i) for i in option_ids))
        item.pooled = pooled  # not a column: read by attempt_data.question_items and live.create_session
        drawn.append(item)
    return drawn


# --- Answering and submitting ----------------------------------------------------------------------

def check_accepting(attempt: Attempt, now: datetime) -> None:
    """Refuse changes to a finished attempt or one past its deadline plus grace."""
    if attempt.is_finished and attempt.finalised_by == "participant":
        raise AttemptSubmittedError(_("Bạn đã nộp bài, không thể thay đổi câu trả lời."))
    if attempt.is_finished or now > attempt.deadline + grace():
        raise DeadlineError(_("Đã hết giờ làm bài: câu trả lời này không được lưu. "
                              "Các câu trả lời đã lưu trước đó vẫn được giữ và chấm điểm."))


def parse_option_ids(raw) -> list[int]:
    if not isinstance(raw, list) or len(raw) > MAX_OPTIONS or any(
            isinstance(x, bool) or not isinstance(x, int) for x in raw):
        raise ValidationError(_("Câu trả lời không hợp lệ."),
                              fields={"option_ids": [_("Phải là danh sách mã phương án (số nguyên).")]})
    return list(dict.fromkeys(raw))


def drawn_question(attempt: Attempt, question_id: int) -> AttemptQuestion | None:
    """The drawn question: from the attempt if its questions are loaded, else one query (saving
    one answer need not load the other questions)."""
    if "questions" in attempt.__dict__:
        return next((q for q in attempt.questions if q.question_id == question_id), None)
    if not 0 < question_id <= MAX_ROW_ID:  # no such row; the database could not even bind the number
        return None
    return db.session.scalar(db.select(AttemptQuestion).filter_by(attempt_id=attempt.id, question_id=question_id))


@dataclass(frozen=True)
class AnswerTarget:
    """What saving one answer needs, as plain values: the attempt as this request read it, the
    drawn question's options in the order shown, and the question's shape (kind, positions)."""

    attempt_id: int
    submitted_at: datetime | None
    finalised_by: str | None
    deadline: datetime
    option_ids: list[int]
    shape: question_pool.Shape

    @property
    def is_finished(self) -> bool:  # read by check_accepting and remaining_seconds, as on an Attempt
        return self.submitted_at is not None


# The save's two statements are built once (bound parameters): building a statement costs more
# CPU than SQLite takes to run it, and a save is most of an event's requests.
_TARGET = (
    db.select(Attempt.token, Attempt.id, Attempt.submitted_at, Attempt.finalised_by, Attempt.deadline,
              AttemptQuestion.option_order, Question.updated_at)
    .join(AttemptQuestion, and_(AttemptQuestion.attempt_id == Attempt.id,
                                AttemptQuestion.question_id == bindparam("question_id")))
    .join(Question, Question.id == AttemptQuestion.question_id)
    .where(token_hash_is(bindparam("token_hash"))))
_WRITES: dict[str, object] = {}  # dialect name → the save's INSERT


def _write_statement(dialect: str):
    if dialect not in _WRITES:
        # On the table, not the mapped class: the ORM would take the parameters for bulk rows.
        upsert = (pg_insert if dialect == "postgresql" else sqlite_insert)(Answer.__table__)
        taking = (
            db.select(Attempt.id, bindparam("question_id", type_=Integer), bindparam("mask", type_=Integer),
                      bindparam("now", type_=Answer.saved_at.type))
            .where(Attempt.id == bindparam("attempt_id"), Attempt.submitted_at.is_(None),
                   Attempt.deadline >= bindparam("earliest_deadline", type_=Attempt.deadline.type))
            .with_for_update())
        _WRITES[dialect] = (
            upsert.from_select(["attempt_id", "question_id", "choice_mask", "saved_at"], taking)
            .on_conflict_do_update(index_elements=["attempt_id", "question_id"],
                                   set_={"choice_mask": upsert.excluded.choice_mask,
                                         "saved_at": upsert.excluded.saved_at})
            .returning(Answer.__table__.c.attempt_id))
    return _WRITES[dialect]


def answer_target(token: str, question_id: int) -> AnswerTarget | None:
    """The attempt of `token` and its drawn question `question_id`, in ONE query of plain columns
    (no ORM objects: a save is most of an event's requests); None when either is not found."""
    if not (plausible_token(token) and 0 < question_id <= MAX_ROW_ID):
        return None
    row = db.session.execute(_TARGET, {"token_hash": hash_token(token), "question_id": question_id}).first()
    if row is None or not hmac.compare_digest(row.token.encode(), token.encode()):
        return None
    return AnswerTarget(attempt_id=row.id, submitted_at=row.submitted_at, finalised_by=row.finalised_by,
                        deadline=row.deadline, option_ids=parse_option_order(row.option_order),
                        shape=question_pool.shape_of(question_id, row.updated_at))


def answer_mask(shape: question_pool.Shape, option_ids) -> int:
    """The choice mask of the picked `option_ids` (client input), refused unless they are the
    question's options and as many as its kind allows; 0 for an empty list (a clear)."""
    ids = parse_option_ids(option_ids)
    if any(i not in shape.positions for i in ids):
        raise ValidationError(_("Phương án đã chọn không thuộc câu hỏi này."),
                              fields={"option_ids": [_("Phương án không thuộc câu hỏi này.")]})
    if ids and shape.kind in ("single", "true_false") and len(ids) != 1:
        raise ValidationError(_("Câu hỏi này chỉ được chọn một phương án."),
                              fields={"option_ids": [_("Chỉ được chọn một phương án.")]})
    return sum(1 << shape.positions[i] for i in ids)


def save_answer(attempt: Attempt, question_id: int, option_ids, *, now: datetime | None = None) -> int | None:
    """Save (or, with an empty list, clear) the options picked for one question of the attempt.

    Returns the stored choice mask (None when cleared). A save is ONE statement (`_write_answer`).
    A clear locks the attempt (locks.py), re-checks it and deletes the row.
    """
    now = now or clock.utcnow()
    check_accepting(attempt, now)  # what this request read; the statement that writes decides
    drawn = drawn_question(attempt, question_id)
    if drawn is None:
        raise NotFoundError(_("Câu hỏi này không thuộc bài thi của bạn."))
    mask = answer_mask(question_pool.shape_of(question_id, _updated_at(question_id)), option_ids)
    if not mask:
        locks.lock_attempt(attempt)
        check_accepting(attempt, now)
        answer = db.session.scalar(db.select(Answer).filter_by(attempt_id=attempt.id, question_id=question_id))
        if answer is not None:
            db.session.delete(answer)
            db.session.flush()
        db.session.expire(attempt, ["answers"])
        return None
    if not _write_answer(attempt.id, question_id, mask, now):
        _refuse_late(attempt, now)
    # The row changed behind the ORM's back: drop what this session may hold of it.
    db.session.expire(attempt, ["answers"])
    for held in [o for o in db.session.identity_map.values() if isinstance(o, Answer)]:
        if held.attempt_id == attempt.id and held.question_id == question_id:
            db.session.expire(held)
    return mask


def _updated_at(question_id: int):
    held = db.session.identity_map.get(db.session.identity_key(Question, question_id))
    if held is not None and "updated_at" in held.__dict__:
        return held.updated_at
    return db.session.scalar(db.select(Question.updated_at).where(Question.id == question_id))


def _write_answer(attempt_id: int, question_id: int, mask: int, now: datetime) -> bool:
    """Store the answer if the attempt still takes answers: ONE statement, an INSERT … SELECT … ON
    CONFLICT DO UPDATE that writes only if the attempt, read in the same statement, is unfinished
    and within its deadline plus grace — so two saves of one question cannot collide, and a
    submit or a finalisation comes before it (the save is refused) or after it (the answer is
    scored). The statement holds what the attempt's lock would (locks.py): on PostgreSQL it reads
    the attempt row FOR UPDATE (FOR SHARE would let saves of one attempt run side by side, but
    their foreign-key checks then deadlock each other), on SQLite it runs under the write lock —
    and on SQLite, the fewer statements between taking the write lock and the commit, the more
    saves a second. False when nothing was written."""
    # RETURNING says whether a row was written (a driver's rowcount may be -1 for "unknown").
    return db.session.execute(_write_statement(db.session.get_bind().dialect.name), {
        "attempt_id": attempt_id, "question_id": question_id, "mask": mask, "now": now,
        "earliest_deadline": now - grace()}).first() is not None


def _refuse_late(attempt: Attempt | None, now: datetime) -> None:
    """A save that wrote nothing: the attempt finished or passed its deadline since this request
    read it (or is gone). Re-read under its lock so the refusal says which."""
    if attempt is None:
        raise NotFoundError(_("Không tìm thấy bài thi này. Đường dẫn có thể đã sai."))
    locks.lock_attempt(attempt)
    check_accepting(attempt, now)
    raise ConflictError(_("Hệ thống đang bận, vui lòng thử lại."))


def save_answer_retrying(token: str, question_id: int, option_ids, *,
                         now: datetime | None = None) -> tuple[AnswerTarget, int | None]:
    """Save one answer for the API: one read of plain columns (`answer_target`) and one write.

    Returns what was saved against (for the reply: nothing is read again) and the stored mask
    (None when cleared). Retried once on an IntegrityError (a concurrent clear).
    """
    now = now or clock.utcnow()
    for _try in range(2):
        target = answer_target(token, question_id)
        if target is None:
            attempt = find_attempt_row(token)
            if attempt is None:
                raise NotFoundError(_("Không tìm thấy bài thi này. Đường dẫn có thể đã sai."))
            check_accepting(attempt, now)
            raise NotFoundError(_("Câu hỏi này không thuộc bài thi của bạn."))
        check_accepting(target, now)
        mask = answer_mask(target.shape, option_ids)
        try:
            if not mask:
                attempt = find_attempt_row(token)
                if attempt is None:
                    raise NotFoundError(_("Không tìm thấy bài thi này. Đường dẫn có thể đã sai."))
                return target, save_answer(attempt, question_id, [], now=now)
            if not _write_answer(target.attempt_id, question_id, mask, now):
                _refuse_late(find_attempt_row(token), now)
            return target, mask
        except IntegrityError:
            db.session.rollback()
    raise ConflictError(_("Hệ thống đang bận, vui lòng thử lại."))


def submit_attempt(attempt: Attempt, *, now: datetime | None = None) -> Attempt:
    """Finish the attempt (idempotent: a finished attempt is returned unchanged).

    A submit arriving after deadline + grace finalises the attempt at its deadline instead. The
    answers are read under the attempt's lock (locks.py), after any save that came first.
    """
    now = now or clock.utcnow()
    if attempt.is_finished:
        return attempt
    locks.lock_attempt(attempt)
    if is_due(attempt, now):
        finalise_attempt(attempt, attempt.deadline, "deadline")
    else:
        finalise_attempt(attempt, now, "participant")
    db.session.flush()
    return attempt


def ensure_submitted_in_time(attempt: Attempt) -> None:
    """Refuse a submit that came after deadline + grace (the attempt was finalised at its deadline).

    Call it after committing the submit: the attempt stays finalised with its saved answers.
    """
    if attempt.finalised_by == "deadline":
        raise DeadlineError(_("Đã hết giờ làm bài nên không thể nộp nữa. Bài của bạn đã được chấm tự động "
                              "với các câu trả lời đã lưu."))


def unanswered_positions(attempt: Attempt) -> list[int]:
    """1-based numbers of the questions without a saved answer."""
    answered = {a.question_id for a in attempt.answers}
    return [q.position + 1 for q in attempt.questions if q.question_id not in answered]


def option_lookup(attempt: Attempt) -> dict[int, Option]:
    return {o.id: o for q in attempt.questions for o in q.question.options}
