"""Live sessions: the host's side — create a session, move it along, end it (issue #8).

States: ``lobby`` → ``question`` ⇄ ``paused`` → ``reveal`` → ``question`` … → ``ended``.
  * start   lobby → question 1 (its clock starts: ``deadline = now + question_time_s``);
  * pause   question → paused, keeping the milliseconds left; resume puts them back, and moves
            the question's ``started_at`` by the pause so answer times never count the pause;
  * reveal  question → reveal (answers close, even before the deadline);
  * next    reveal → the next question, or ended after the last one;
  * skip    question/paused → the next question (or ended); the skipped question scores nothing;
  * end     any state → ended: every attempt of the session is finalised.
Every action bumps ``version``, the ETag phones poll with. The session row is locked
(services/locks.py) so two clicks never interleave.

Ending turns each phone's attempt into a normal finished attempt: questions never played (not
reached, skipped) are removed from it, ``score``/``correct_count`` come from the usual scoring,
``duration_ms`` is the *total answer time* (an unanswered question counts its full time), so
the quiz's normal rankings, publishing and exports include the live results unchanged.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from ... import clock
from ...errors import ConflictError, NotFoundError, ValidationError
from ...extensions import db
from ...models import (
    LIVE_SCORING, LIVE_UNIT_SCORE, Answer, Attempt, AttemptQuestion, LiveQuestion, LiveSession, Organizer,
    Question, Quiz,
)
from ...models.live import QUESTION_TIME_RANGE
from .. import audit, locks, question_pool
from ..attempts import draw_questions
from ..rankings.question_stats import revealed_question_ids, unsettled_question_ids
from ..scoring import ScoringKey, finalise_attempt

ACTIONS = ("start", "pause", "resume", "reveal", "next", "skip", "end")


class LiveStateError(ConflictError):
    code = "live_state"


def get_session(session_id) -> LiveSession:
    session = db.session.get(LiveSession, session_id) if isinstance(session_id, int) else None
    if session is None:
        raise NotFoundError(_("Không tìm thấy phiên thi trực tiếp này."))
    return session


def running_session(quiz: Quiz) -> LiveSession | None:
    """The quiz's session that has not ended (at most one), else None."""
    return db.session.scalar(db.select(LiveSession).where(LiveSession.quiz_id == quiz.id,
                                                          LiveSession.state != "ended")
                             .order_by(LiveSession.id.desc()).limit(1))


def latest_session(quiz: Quiz) -> LiveSession | None:
    """The running session, else the last one (its podium stays on the phones after the end)."""
    return running_session(quiz) or db.session.scalar(
        db.select(LiveSession).where(LiveSession.quiz_id == quiz.id).order_by(LiveSession.id.desc()).limit(1))


def sessions_of(quiz: Quiz) -> list[LiveSession]:
    return list(db.session.scalars(db.select(LiveSession).where(LiveSession.quiz_id == quiz.id)
                                   .order_by(LiveSession.id.desc())))


def _int_in(raw, low: int, high: int) -> int | None:
    try:
        value = int(str(raw).strip()) if not isinstance(raw, bool) else None
    except ValueError:
        return None
    return value if value is not None and low <= value <= high else None


def create_session(quiz: Quiz, data: dict, *, actor: Organizer | None, now: datetime | None = None) -> LiveSession:
    """A new session in the lobby with the quiz's questions drawn once for everyone.

    `data`: question_time_s (5–120, default 20), scoring ("correct_time" default | "speed"),
    unit_score ("mean" default | "sum"). The draw follows the quiz's rules: its questions in
    order, or shuffled once for the whole hall when the quiz shuffles questions.
    """
    now = now or clock.utcnow()
    fields: dict[str, list[str]] = {}
    low, high = QUESTION_TIME_RANGE
    time_s = _int_in(data.get("question_time_s", 20), low, high)
    if time_s is None:
        fields["question_time_s"] = [_("Thời gian mỗi câu phải là số giây từ %(low)d đến %(high)d.",
                                       low=low, high=high)]
    scoring = data.get("scoring") or "correct_time"
    if scoring not in LIVE_SCORING:
        fields["scoring"] = [_("Cách tính điểm không hợp lệ.")]
    unit_score = data.get("unit_score") or "mean"
    if unit_score not in LIVE_UNIT_SCORE:
        fields["unit_score"] = [_("Cách tính điểm đơn vị không hợp lệ.")]
    if fields:
        raise ValidationError(_("Thiết lập phiên thi trực tiếp chưa hợp lệ."), fields=fields)
    locks.lock_quiz(quiz)  # a start of a normal attempt waits, then sees this session (attempts.check_not_live)
    if running_session(quiz) is not None:
        raise ConflictError(_("Đợt thi này đang có một phiên thi trực tiếp chưa kết thúc."))
    if db.session.scalar(db.select(Attempt.id).where(Attempt.quiz_id == quiz.id,
                                                     Attempt.live_session_id.is_(None)).limit(1)) is not None:
        # Each reveal makes the key public: it must not reach attempts of the quiz taken at home.
        raise ConflictError(_("Đợt thi này đã có người làm bài tự do, nên không thể thi trực tiếp (màn chiếu sẽ "
                              "công khai đáp án). Hãy tạo một đợt riêng cho buổi thi trực tiếp, với bộ câu hỏi "
                              "riêng."))
    drawn = draw_questions(quiz)
    if not drawn:
        raise ConflictError(_("Đợt thi chưa có câu hỏi. Vui lòng thêm câu hỏi trước khi thi trực tiếp."))
    _check_questions_can_be_revealed(quiz, {item.question_id for item in drawn}, now)
    session = LiveSession(quiz=quiz, question_time_s=time_s, scoring=scoring, unit_score=unit_score,
                          created_by=actor, created_at=now)
    for position, item in enumerate(drawn):
        # Options in their stored order: the projector calls them A, B, C, D for everyone.
        session.questions.append(LiveQuestion(
            question_id=item.question_id, position=position, points=item.points,
            option_order=",".join(str(i) for i in item.pooled.option_ids)))
    db.session.add(session)
    db.session.flush()
    try:
        question_pool.check_current([item.pooled for item in drawn])
    except question_pool.PoolChanged:
        question_pool.forget(quiz.id)  # the next try reads the pool afresh
        raise ConflictError(_("Một câu hỏi của đợt thi vừa được sửa trong lúc tạo phiên. Vui lòng tạo lại phiên "
                              "thi trực tiếp.")) from None
    audit.record(actor, "live.create", session, quiz=quiz.code, questions=len(drawn))
    return session


def _check_questions_can_be_revealed(quiz: Quiz, question_ids: set[int], now: datetime) -> None:
    """Each reveal makes a question's key public for good: refuse a draw that another round may still
    ask (its pool, an attempt still taking answers, another live session — the rule public statistics
    follow) or that an earlier live session has already revealed."""
    shared = unsettled_question_ids(question_ids, now, except_quiz_id=quiz.id) | revealed_question_ids(question_ids)
    if shared:
        raise ConflictError(_("%(num)d câu hỏi của đợt thi này còn nằm trong một đợt thi khác chưa kết thúc, hoặc "
                              "đã được công bố đáp án ở một buổi thi trực tiếp trước: thi trực tiếp sẽ công khai "
                              "đáp án. Hãy dùng một bộ câu hỏi riêng cho buổi thi trực tiếp.", num=len(shared)))


def _open_question(session: LiveSession, index: int, now: datetime) -> None:
    if index >= len(session.questions):
        _end(session, now)
        return
    question = session.questions[index]
    question.started_at = now
    question.deadline = now + timedelta(seconds=session.question_time_s)
    session.current_index = index
    session.state = "question"
    session.paused_state = None
    session.remaining_ms = None


def _refuse(action: str) -> None:
    messages = {
        "start": _("Phiên thi đã bắt đầu rồi."),
        "pause": _("Chỉ tạm dừng được khi đang chạy một câu hỏi."),
        "resume": _("Phiên thi không ở trạng thái tạm dừng."),
        "reveal": _("Chỉ công bố đáp án được khi đang chạy một câu hỏi."),
        "next": _("Hãy công bố đáp án trước khi sang câu tiếp theo."),
        "skip": _("Chỉ bỏ qua được câu hỏi đang chạy."),
        "end": _("Phiên thi đã kết thúc."),
    }
    raise LiveStateError(messages[action])


def control(session: LiveSession, action: str, *, actor: Organizer | None = None,
            now: datetime | None = None) -> LiveSession:
    """Apply one host action (see the module docstring) and bump the version."""
    if action not in ACTIONS:
        raise ValidationError(_("Thao tác không hợp lệ."))
    now = now or clock.utcnow()
    locks.lock_live_session(session)
    state = session.state
    if action == "start" and state == "lobby":
        session.started_at = now
        _open_question(session, 0, now)
    elif action == "pause" and state == "question":
        current = session.current
        session.remaining_ms = max(0, int((current.deadline - now).total_seconds() * 1000))
        session.paused_state, session.state = "question", "paused"
    elif action == "resume" and state == "paused":
        current = session.current
        left = timedelta(milliseconds=session.remaining_ms or 0)
        # Shift the start by the pause, so answer times (and speed points) never include it.
        current.started_at = now + left - timedelta(seconds=session.question_time_s)
        current.deadline = now + left if left > timedelta(0) else current.started_at + timedelta(
            seconds=session.question_time_s)
        session.state, session.paused_state, session.remaining_ms = "question", None, None
    elif action == "reveal" and state == "question":
        session.state = "reveal"
    elif action == "next" and state == "reveal":
        _open_question(session, session.current_index + 1, now)
    elif action == "skip" and state in ("question", "paused"):
        session.current.is_skipped = True
        _open_question(session, session.current_index + 1, now)
    elif action == "end" and state != "ended":
        _end(session, now)
    else:
        _refuse(action)
    session.version += 1
    db.session.flush()
    if action in ("start", "end", "skip"):
        audit.record(actor, f"live.{action}", session, quiz=session.quiz.code, index=session.current_index)
    return session


def _end(session: LiveSession, now: datetime) -> None:
    session.state, session.paused_state, session.remaining_ms = "ended", None, None
    session.ended_at = now
    finalise_session_attempts(session, now)


def finalise_session_attempts(session: LiveSession, now: datetime) -> int:
    """Finalise every unfinished attempt of the session as a normal finished attempt."""
    played = [q for q in session.questions if q.is_played]
    unplayed_ids = [q.question_id for q in session.questions if not q.is_played]
    attempt_ids = db.select(Attempt.id).where(Attempt.live_session_id == session.id,
                                              Attempt.submitted_at.is_(None)).scalar_subquery()
    if unplayed_ids:
        db.session.execute(db.delete(Answer).where(Answer.attempt_id.in_(attempt_ids),
                                                   Answer.question_id.in_(unplayed_ids)))
        db.session.execute(db.delete(AttemptQuestion).where(AttemptQuestion.attempt_id.in_(attempt_ids),
                                                            AttemptQuestion.question_id.in_(unplayed_ids)))
    full_ms = session.question_time_s * 1000
    # Locked (locks.py: after the session row), so an answer being saved is in, or refused.
    attempts = db.session.scalars(locks.locked_attempts(
        db.select(Attempt).where(Attempt.live_session_id == session.id, Attempt.submitted_at.is_(None))
        .order_by(Attempt.id).options(selectinload(Attempt.questions).selectinload(AttemptQuestion.question)
                                      .selectinload(Question.options), selectinload(Attempt.answers)))).all()
    played_ids = {q.question_id for q in played}
    key = ScoringKey.load(attempts)
    for attempt in attempts:
        finalise_attempt(attempt, now, "organizer", key)
        answered = {a.question_id: a.elapsed_ms for a in attempt.answers if a.question_id in played_ids}
        attempt.duration_ms = sum(answered.get(qid) if answered.get(qid) is not None else full_ms
                                  for qid in played_ids)
    db.session.flush()
    return len(attempts)
