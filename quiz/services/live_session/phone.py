"""Live sessions: the phones' side — join (or rejoin), answer the current question.

A phone's participation is a normal Attempt of the quiz linked to the session, with the session's
questions as its AttemptQuestions (same order, same option order) and one Answer per question.
Rejoining (same cookie, or the same identity typed again on another phone) continues the same
attempt with its points; a late joiner simply starts at the current question.

Answers are accepted only while the current question runs and until its server deadline plus
`LIVE_ANSWER_GRACE_MS` (default 1000 ms: the phone's request may still be on the hall's Wi-Fi
when the time runs out). One answer per question: the first is final (speed points would
otherwise reward changing one's mind); sending the same choice again is an idempotent retry.
Speed points (Kahoot style): a correct answer scores ``round(1000 × (1 − elapsed / time / 2))``,
from 1000 (instant) down to 500 (at the deadline); a wrong answer 0.
"""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ... import clock
from ...cache import get_cache
from ...errors import ConflictError, DeadlineError, NotFoundError, ValidationError
from ...extensions import db
from ...models import Answer, Attempt, AttemptQuestion, LiveSession, Option, Participant, Question
from .. import attempts, locks
from ..attempts import AttemptLimitError, parse_option_ids
from ..registration import clean_registration, retry_identity_race, save_participant
from ..scoring import is_answer_correct
from .board import standings_by_attempt

SPEED_MAX = 1000
OPTIONS = "live_options"  # question id → its options' positions, correct mask, kind (quiz/cache.py)
LIVE_ATTEMPT_HOURS = 24  # a live attempt's own deadline: a safety net, the host's "end" finalises it


class LiveClosedError(DeadlineError):
    code = "live_closed"


class AlreadyAnsweredError(ConflictError):
    code = "already_answered"


def answer_grace() -> timedelta:
    return timedelta(milliseconds=current_app.config.get("LIVE_ANSWER_GRACE_MS", 1000))


def speed_points(elapsed_ms: int, time_s: int) -> int:
    share = min(max(elapsed_ms, 0), time_s * 1000) / (time_s * 1000)
    return round(SPEED_MAX * (1 - share / 2))


def find_player(token: str | None, *, with_participant: bool = False) -> Attempt | None:
    if not attempts.plausible_token(token):
        return None
    query = db.select(Attempt).where(attempts.token_is(token, live=True))
    if with_participant:
        query = query.options(joinedload(Attempt.participant).joinedload(Participant.unit))
    return attempts.confirmed(db.session.scalar(query), token)


def get_player(token: str, *, with_participant: bool = False) -> Attempt:
    attempt = find_player(token, with_participant=with_participant)
    if attempt is None:
        raise NotFoundError(_("Không tìm thấy lượt chơi này. Vui lòng vào lại bằng mã QR."))
    return attempt


def join_session(session: LiveSession, data: dict, *, now: datetime | None = None) -> tuple[Attempt, bool]:
    """Join the session, or continue the same identity's attempt in it: `(attempt, created)`."""
    now = now or clock.utcnow()
    if session.state == "ended":
        raise LiveClosedError(_("Phiên thi trực tiếp đã kết thúc."))
    quiz = session.quiz
    registration = clean_registration(quiz, data, now)
    session_id = session.id
    # The same identity joined twice at once (double tap, two phones): the loser takes the winner's.
    return retry_identity_race(lambda: _join(db.session.get(LiveSession, session_id), registration, now),
                               registration)


def _join(session: LiveSession, registration, now: datetime) -> tuple[Attempt, bool]:
    # The quiz first, shared, as a start takes it (locks.py): a change of its pick rule waits for
    # the joins writing now and they for it, so its re-count holds every attempt it must
    # (rankings.tallies._wait_for_running; tests/test_review4_races.py).
    quiz = locks.lock_quiz(session.quiz, shared=True)
    participant = save_participant(quiz, registration, now)
    mine = db.session.scalar(db.select(Attempt).where(Attempt.live_session_id == session.id,
                                                      Attempt.participant_id == participant.id))
    if mine is not None:
        return mine, False
    # The state read before may be old: the host's "end" finalises the players it sees, so a join
    # waits for it (and an end waits for the joins writing now) and re-reads the state.
    if locks.lock_live_session(session, shared=True).state == "ended":
        raise LiveClosedError(_("Phiên thi trực tiếp đã kết thúc."))
    used = db.session.scalars(db.select(Attempt.attempt_no).where(
        Attempt.quiz_id == quiz.id, Attempt.participant_id == participant.id)).all()
    if len(used) >= quiz.max_attempts:
        raise AttemptLimitError(_("Bạn đã dùng hết số lượt thi của đợt thi này."))
    attempt = Attempt(
        token=secrets.token_urlsafe(24), quiz=quiz, participant=participant, attempt_no=max(used, default=0) + 1,
        started_at=now, deadline=now + timedelta(hours=LIVE_ATTEMPT_HOURS), live_session_id=session.id,
        max_score=sum(q.points for q in session.questions),
        questions=[AttemptQuestion(question_id=q.question_id, position=q.position, points=q.points,
                                   option_order=q.option_order) for q in session.questions])
    db.session.add(attempt)
    db.session.flush()
    return attempt, True


def _options(question_id: int, version: int) -> tuple[dict[int, int], int, str]:
    """`({option id: position}, correct mask, kind)` of a question, as of the session's `version`.

    Asking the database for them on each of 500 answers to the same question is waste, so they
    are kept (the OPTIONS cache): a question once drawn never changes (bank.update_question
    refuses) except its key, by a correction (services.corrections), which moves the version of
    every live session of the quiz — so a copy kept per version is never read after one.
    """
    def read() -> tuple[dict[int, int], int, str]:
        rows = db.session.execute(db.select(Option.id, Option.position, Option.is_correct, Question.kind)
                                  .join(Question, Question.id == Option.question_id)
                                  .where(Option.question_id == question_id)).all()
        return ({r.id: r.position for r in rows}, sum(1 << r.position for r in rows if r.is_correct),
                rows[0].kind if rows else "single")
    return get_cache(OPTIONS).get_or_set((question_id, version), read)


def save_live_answer(token: str, question_id: int, option_ids, *, now: datetime | None = None) -> Answer:
    """Record the phone's answer to the current question (see the module docstring).

    The common case (a first answer) is one INSERT; a repeat hits the unique (attempt, question)
    constraint, and only then is the saved answer read: the same choice is an idempotent retry,
    another one is refused.
    """
    try:
        return _save(token, question_id, option_ids, now=now, check_existing=False)
    except IntegrityError:
        db.session.rollback()
    return _save(token, question_id, option_ids, now=now, check_existing=True)


def _save(token: str, question_id: int, option_ids, *, now: datetime | None, check_existing: bool) -> Answer:
    now = now or clock.utcnow()
    attempt = locks.lock_attempt(get_player(token))  # against the host's "end" (locks.py)
    session = db.session.get(LiveSession, attempt.live_session_id)
    current = session.current
    if session.state == "paused":
        raise ConflictError(_("Phiên thi đang tạm dừng, vui lòng chờ."))
    if session.state == "ended" or attempt.submitted_at is not None:
        # (An attempt finalised early: the quiz was closed under a running session.)
        raise LiveClosedError(_("Phiên thi trực tiếp đã kết thúc."))
    if current is None or current.question_id != question_id:
        if any(q.question_id == question_id and q.position < session.current_index for q in session.questions):
            raise LiveClosedError(_("Câu hỏi này đã hết giờ trả lời."))
        raise NotFoundError(_("Câu hỏi này không phải câu đang thi."))
    ids = parse_option_ids(option_ids)
    positions, correct_mask, kind = _options(question_id, session.version)
    if not ids:
        raise ValidationError(_("Vui lòng chọn một phương án."), fields={"option_ids": [_("Bắt buộc chọn.")]})
    if any(i not in positions for i in ids):
        raise ValidationError(_("Phương án đã chọn không thuộc câu hỏi này."),
                              fields={"option_ids": [_("Phương án không thuộc câu hỏi này.")]})
    if kind in ("single", "true_false") and len(ids) != 1:
        raise ValidationError(_("Câu hỏi này chỉ được chọn một phương án."),
                              fields={"option_ids": [_("Chỉ được chọn một phương án.")]})
    mask = sum(1 << positions[i] for i in ids)
    closed = session.state != "question" or now > current.deadline + answer_grace()
    if check_existing or closed:
        # A retry of an answer the server already took (its acknowledgement was lost on the Wi-Fi)
        # gets the same answer back, even after the deadline; a different choice is refused.
        existing = db.session.scalar(db.select(Answer).filter_by(attempt_id=attempt.id, question_id=question_id))
        if existing is not None:
            if existing.choice_mask != mask:
                raise AlreadyAnsweredError(_("Bạn đã trả lời câu này rồi, không thể đổi đáp án."))
            return existing
    if closed:
        raise LiveClosedError(_("Đã hết giờ trả lời câu này. Các câu trả lời trước vẫn được giữ."))
    elapsed = max(0, min(int((now - current.started_at).total_seconds() * 1000), session.question_time_s * 1000))
    correct = is_answer_correct(mask, correct_mask)
    answer = Answer(attempt_id=attempt.id, question_id=question_id, choice_mask=mask, saved_at=now,
                    is_correct=correct, elapsed_ms=elapsed,
                    live_points=speed_points(elapsed, session.question_time_s) if correct else 0)
    db.session.add(answer)
    db.session.flush()
    return answer


def save_live_answer_retrying(token: str, question_id: int, option_ids, *, now: datetime | None = None) -> Answer:
    """`save_live_answer` (kept for the views: the name says a lost race is handled)."""
    return save_live_answer(token, question_id, option_ids, now=now)


def chosen_option_ids(option_order: str, positions: dict[int, int], mask: int) -> list[int]:
    return [int(i) for i in option_order.split(",") if i and mask >> positions.get(int(i), 31) & 1]


def my_answer(attempt: Attempt, session: LiveSession) -> dict | None:
    """The phone's saved answer to the current question: `{option_ids}` (no correctness here)."""
    current = session.current
    if current is None:
        return None
    answer = db.session.scalar(db.select(Answer).filter_by(attempt_id=attempt.id, question_id=current.question_id))
    if answer is None:
        return None
    positions, _mask, _kind = _options(current.question_id, session.version)
    return {"question_id": current.question_id,
            "option_ids": chosen_option_ids(current.option_order, positions, answer.choice_mask),
            "answer": answer}


def player_state(attempt: Attempt, session: LiveSession) -> dict:
    """What one phone sees of itself: its saved answer to the current question and, once the
    question is revealed (or the session ended), whether it was right and where it stands."""
    participant = attempt.participant
    body = {
        "attempt_id": attempt.token, "session": session.id, "version": session.version,
        "state": session.state, "full_name": participant.full_name,
        "unit_name": participant.unit.name if participant.unit else (participant.other_unit or ""),
        "answer": None, "result": None,
    }
    mine = my_answer(attempt, session) if session.state in ("question", "paused", "reveal") else None
    if mine is not None:
        body["answer"] = {"question_id": mine["question_id"], "option_ids": mine["option_ids"]}
    if session.state in ("reveal", "ended"):
        standing = standings_by_attempt(session).get(attempt.id)
        result = {"rank": standing.rank if standing else None, "players": len(standings_by_attempt(session)),
                  "correct": standing.correct if standing else 0, "score": standing.score if standing else 0,
                  "time_ms": standing.time_ms if standing else 0, "speed": standing.speed if standing else 0}
        if session.state == "reveal":
            answer = mine["answer"] if mine is not None else None
            result["answered"] = answer is not None
            result["is_correct"] = bool(answer is not None and answer.is_correct)
            result["points"] = answer.live_points if answer is not None else 0
        body["result"] = result
    return body
