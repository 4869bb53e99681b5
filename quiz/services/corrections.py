"""Correcting a question's key, or voiding it, after a quiz has attempts — and the regrade.

Decisions (the confirmation page says them too):

* **A key correction changes the bank question.** The key was wrong, and the key lives in one
  place (scoring, the review, the statistics and the published answer rows all read it). So
  *every* quiz whose attempts drew the question is re-scored in the same transaction: leaving
  one out would score its early finishers with the wrong key and its late ones with the right
  one. The other quizzes are named on the confirmation page, and the correction is refused unless
  the organizer manages every one of them (an admin manages all). Rounds still to come draw the
  corrected question.
* **A void belongs to one quiz** (another round may keep the question): `credit` gives its
  points to everyone who drew it, answered or not; `drop` takes it out of the maximum.
* A correction that changes nothing (the same key again, the same void again) is not recorded:
  applying it twice changes nothing the second time.
* Running attempts are locked too (so a submit in flight is either re-scored here or scores after
  this commits) and are not re-scored now: their submit reads the key and the voids afresh
  (`scoring.ScoringKey`), so it scores with the correction.
* A live session's phones were scored as they answered: a key correction re-scores their answers
  to the question (right or wrong, speed points) and moves the version of the quiz's live
  sessions, so their standings, the projector's reveal and each process's copy of the key follow
  at once. A void changes attempt scores only, not speed points.
* Lock order (locks.py): the quizzes by id, their live sessions by id, then their attempts that
  drew the question by id.
* A quiz (or contest) whose ranking was published gets a new published version whose note names
  the correction and its reason.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import and_, or_
from sqlalchemy.orm import selectinload

from .. import clock
from ..errors import ConflictError, ForbiddenError, ValidationError
from ..extensions import db
from ..models import (Attempt, AttemptQuestion, LiveQuestion, LiveSession, Option, Organizer, Question, QuestionCorrection, Quiz,
                      VOID_MODES)
from . import attempts as attempt_service
from . import audit, locks, permissions
from .rankings import individuals, tallies
from .rankings.published import get_snapshot, publish_ranking
from .rankings.question_stats import LETTERS
from .rankings.scope import Scope
from .live_session.phone import speed_points
from .scoring import ScoringKey, finalise_attempt, is_answer_correct, score_attempt

MAX_REASON = 500


@dataclass
class Change:
    """What the organizer asks: `kind` "key" with the new `mask` (bit i: the option at place i is
    correct), or "void" with a `void_mode`; always a `reason`."""

    kind: str
    reason: str
    mask: int = 0
    void_mode: str | None = None


@dataclass
class RankMove:
    full_name: str
    unit_name: str
    old_rank: int | None
    new_rank: int | None
    old_score: int | None
    new_score: int | None


@dataclass
class Outcome:
    """What a change does (the confirmation page) or did (after applying)."""

    quizzes: list[Quiz]  # re-scored, this quiz first
    attempts_rescored: int = 0
    scores_changed: int = 0
    running: int = 0  # attempts still running: scored at their submit with the correction
    old_key: str = ""
    new_key: str = ""
    moves: list[RankMove] = field(default_factory=list)  # this quiz's participants whose rank changes
    republished: list[str] = field(default_factory=list)  # codes of the rankings published anew
    correction: QuestionCorrection | None = None  # the row recorded (None in a preview)
    changed: bool = False  # False: nothing to change, nothing recorded

    @property
    def is_noop(self) -> bool:
        return not self.changed


def letters(mask: int) -> str:
    return "".join(LETTERS[i] for i in range(len(LETTERS)) if mask >> i & 1)


def quizzes_that_drew(question: Question) -> list[Quiz]:
    """Every quiz with an attempt (finished or not) or a live session that drew `question`, by id
    (a live session draws when it is created: its first phone may join while a correction runs)."""
    drew = db.select(Attempt.quiz_id).join(AttemptQuestion, AttemptQuestion.attempt_id == Attempt.id) \
        .where(AttemptQuestion.question_id == question.id)
    live = db.select(LiveSession.quiz_id).join(LiveQuestion, LiveQuestion.session_id == LiveSession.id) \
        .where(LiveQuestion.question_id == question.id)
    return list(db.session.scalars(db.select(Quiz).where(Quiz.id.in_(drew) | Quiz.id.in_(live)).order_by(Quiz.id)))


def active_void(quiz: Quiz, question: Question) -> str | None:
    """The mode of `question`'s void in `quiz`, or None."""
    return db.session.scalar(db.select(QuestionCorrection.void_mode).where(
        QuestionCorrection.quiz_id == quiz.id, QuestionCorrection.question_id == question.id,
        QuestionCorrection.kind == "void").limit(1))


def corrections_of(quiz: Quiz) -> list[QuestionCorrection]:
    """The quiz's corrections, newest first (the page lists them)."""
    return list(db.session.scalars(db.select(QuestionCorrection).where(QuestionCorrection.quiz_id == quiz.id)
                                   .options(selectinload(QuestionCorrection.actor))
                                   .order_by(QuestionCorrection.id.desc())))


def _validate(quiz: Quiz, question: Question, change: Change) -> Change:
    reason = " ".join((change.reason or "").split())
    if not reason:
        raise ValidationError(_("Vui lòng ghi lý do sửa (nhật ký và ghi chú công bố kết quả sẽ ghi lý do này)."),
                              fields={"reason": [_("Vui lòng ghi lý do.")]})
    if len(reason) > MAX_REASON:
        raise ValidationError(_("Lý do tối đa %(n)d ký tự.", n=MAX_REASON),
                              fields={"reason": [_("Tối đa %(n)d ký tự.", n=MAX_REASON)]})
    if quiz.id not in {q.id for q in quizzes_that_drew(question)}:
        raise ValidationError(_("Câu hỏi này chưa được rút trong lượt thi nào của đợt thi."))
    if change.kind == "key":
        count = len(question.options)
        if change.mask <= 0 or change.mask >> count:
            raise ValidationError(_("Hãy chọn (các) phương án đúng."),
                                  fields={"correct": [_("Hãy chọn ít nhất một phương án đúng.")]})
        if question.kind != "multiple" and change.mask & (change.mask - 1):
            raise ValidationError(_("Câu hỏi này chỉ có một phương án đúng."),
                                  fields={"correct": [_("Chỉ chọn một phương án.")]})
    elif change.kind == "void":
        if change.void_mode not in VOID_MODES:
            raise ValidationError(_("Hãy chọn cách hủy câu hỏi."),
                                  fields={"void_mode": [_("Hãy chọn một cách hủy.")]})
    else:
        raise ValidationError(_("Thao tác không hợp lệ."))
    return Change(kind=change.kind, reason=reason, mask=change.mask, void_mode=change.void_mode)


def _check_allowed(actor: Organizer, quizzes: list[Quiz]) -> None:
    refused = [q for q in quizzes if not permissions.can_manage_quiz(actor, q)]
    if refused:
        raise ForbiddenError(_("Câu hỏi này còn được dùng trong đợt thi %(codes)s mà bạn không quản lý: sửa đáp án "
                               "sẽ chấm lại cả các đợt đó. Hãy nhờ quản trị viên sửa.",
                               codes=", ".join(q.code for q in refused)))


def _ranks(quiz: Quiz) -> dict[int, tuple]:
    """participant id → (rank, score, name, unit) of the quiz's live ranking."""
    return {r.participant_id: (r.rank, r.score, r.full_name, r.unit_name)
            for r in individuals.ranking(Scope(quiz=quiz))}


def _moves(before: dict[int, tuple], after: dict[int, tuple]) -> list[RankMove]:
    moves = []
    for pid in before.keys() | after.keys():
        old, new = before.get(pid), after.get(pid)
        if old is None or new is None or old[:2] != new[:2]:
            ref = new or old
            moves.append(RankMove(ref[2], ref[3], old and old[0], new and new[0], old and old[1], new and new[1]))
    return sorted(moves, key=lambda m: (m.new_rank is None, m.new_rank or 0, m.full_name))


def _concerned(quiz: Quiz, question: Question, change: Change) -> list[Quiz]:
    """The quizzes a change re-scores: a key correction every quiz that drew the question, a void
    its own quiz."""
    return [quiz] if change.kind == "void" else quizzes_that_drew(question)


def _rescore(quiz: Quiz, question: Question, change: Change, actor: Organizer) -> Outcome:
    """Lock, change, re-score (flushes). `Outcome.changed` is False when nothing changed."""
    quizzes = _concerned(quiz, question, change)
    _check_allowed(actor, quizzes)
    for held in sorted(quizzes, key=lambda q: q.id):
        locks.lock_quiz(held)
    if change.kind == "key" and {q.id for q in quizzes_that_drew(question)} != {q.id for q in quizzes}:
        # Another quiz drew it while this waited for the locks (a start, a live session created):
        # it is not locked, so it could score by the old key after this commits.
        raise ConflictError(_("Một đợt thi khác vừa bốc câu hỏi này. Vui lòng đính chính lại."))
    sessions = [locks.lock_live_session(s) for s in db.session.scalars(
        db.select(LiveSession).where(LiveSession.quiz_id.in_([q.id for q in quizzes])).order_by(LiveSession.id))]
    # Re-read under the locks: a correction that committed while this one waited is the old key.
    db.session.execute(db.select(Option).where(Option.question_id == question.id)
                       .execution_options(populate_existing=True)).all()
    old_mask = question.correct_mask
    # The attempts that drew the question, and with them every attempt of these quizzes already
    # past its deadline: the republished ranking would finalise those (finalize_expired), and that
    # must not lock an attempt after this has touched the tallies (locks.py). All by id, at once.
    now = clock.utcnow()
    drew = db.select(AttemptQuestion.attempt_id).where(AttemptQuestion.question_id == question.id)
    due = and_(Attempt.submitted_at.is_(None), Attempt.deadline < now - attempt_service.grace())
    locked = db.session.scalars(locks.locked_attempts(
        db.select(Attempt).where(Attempt.quiz_id.in_([q.id for q in quizzes]), or_(Attempt.id.in_(drew), due))
        .order_by(Attempt.id).options(selectinload(Attempt.questions), selectinload(Attempt.answers)))).all()
    overdue = [a for a in locked if a.submitted_at is None and attempt_service.is_due(a, now)]
    attempts = [a for a in locked if any(d.question_id == question.id for d in a.questions)]
    outcome = Outcome(quizzes=sorted(quizzes, key=lambda q: (q.id != quiz.id, q.id)), old_key=letters(old_mask),
                      new_key=letters(change.mask if change.kind == "key" else old_mask))
    outcome.running = sum(1 for a in attempts if a.submitted_at is None and a not in overdue)
    finished = [a for a in attempts if a.submitted_at is not None]
    if change.kind == "void":
        current = active_void(quiz, question)
        if current == change.void_mode:
            return outcome
        if current is not None:
            raise ConflictError(_("Câu hỏi này đã được hủy theo cách khác trong đợt thi này."))
    elif change.mask != old_mask:
        for option in question.options:
            option.is_correct = bool(change.mask >> option.position & 1)
    correction = QuestionCorrection(quiz_id=quiz.id, question_id=question.id, kind=change.kind,
                                    void_mode=change.void_mode if change.kind == "void" else None,
                                    old_key=outcome.old_key, new_key=outcome.new_key, reason=change.reason,
                                    actor_id=actor.id)
    db.session.add(correction)
    db.session.flush()  # the key and the void as ScoringKey reads them
    if overdue:  # finalised at their deadline, under the corrected key (written with the rest)
        overdue_key = ScoringKey.load(overdue)
        for attempt in overdue:
            finalise_attempt(attempt, attempt.deadline, "deadline", overdue_key)
    key = ScoringKey.load(finished)
    for attempt in finished:
        before = (attempt.score, attempt.correct_count, attempt.max_score)
        score_attempt(attempt, key)
        outcome.scores_changed += before != (attempt.score, attempt.correct_count, attempt.max_score)
    outcome.attempts_rescored = len(finished)
    if change.kind == "key" and change.mask == old_mask and not outcome.scores_changed:
        db.session.delete(correction)  # the same key again, every score already under it
        db.session.flush()
        return outcome
    if change.kind == "key" and sessions:
        _rescore_live(question, attempts, sessions)
    correction.attempts_rescored, correction.scores_changed = outcome.attempts_rescored, outcome.scores_changed
    outcome.correction, outcome.changed = correction, True
    db.session.flush()
    return outcome


def _rescore_live(question: Question, attempts: list[Attempt], sessions: list[LiveSession]) -> None:
    """A live session's phones were scored as they answered (right or wrong, speed points), and
    its standings, its projector's reveal and what each process keeps of the question's key are
    read per session version: re-score their answers to the question under the new key, running
    or finished, and move the version of every live session of the quiz (locked before the
    attempts, in the lock order)."""
    by_id = {s.id: s for s in sessions}
    mask = question.correct_mask
    for attempt in attempts:
        session = by_id.get(attempt.live_session_id)
        if session is None:
            continue
        for answer in attempt.answers:
            if answer.question_id == question.id:
                answer.is_correct = is_answer_correct(answer.choice_mask, mask)
                answer.live_points = (speed_points(answer.elapsed_ms or 0, session.question_time_s)
                                      if answer.is_correct else 0)
    for session in sessions:
        session.version += 1
    db.session.flush()


def preview_correction(quiz: Quiz, question: Question, change: Change, actor: Organizer) -> Outcome:
    """What `apply_correction` would do, computed by doing it inside a savepoint and rolling it
    back (the same scoring rule and the same ranking pipeline, nothing kept). It holds the locks
    only for that moment; the caller's transaction is left to roll back too."""
    change = _validate(quiz, question, change)
    # Every quiz _rescore will lock, by id, before anything else (the ranks read below may finalise
    # attempts): locking this quiz first and the others later deadlocked with a correction of the
    # lowest one (tests/test_review4_races.py). SQLite: the write lock before the savepoint.
    for held in sorted(_concerned(quiz, question, change), key=lambda q: q.id):
        locks.lock_quiz(held)
    before = _ranks(quiz)
    savepoint = db.session.begin_nested()
    try:
        outcome = _rescore(quiz, question, change, actor)
        if outcome.changed:
            outcome.moves = _moves(before, _ranks(quiz))
            outcome.republished = [code for code, _scope in _published_scopes(outcome.quizzes)]
    finally:
        savepoint.rollback()
    outcome.correction = None
    return outcome


def _published_scopes(quizzes: list[Quiz]) -> list[tuple[str, Scope]]:
    """The rankings among these quizzes and their contests that have a published version."""
    scopes: list[tuple[str, Scope]] = []
    for quiz in quizzes:
        if get_snapshot(quiz=quiz) is not None:
            scopes.append((quiz.code, Scope(quiz=quiz)))
    for contest in {q.contest.id: q.contest for q in quizzes}.values():
        if get_snapshot(contest=contest) is not None:
            scopes.append((contest.code, Scope(contest=contest)))
    return scopes


def correction_note(question: Question, change: Change, old_key: str, new_key: str) -> str:
    if change.kind == "key":
        note = _("Đính chính đáp án câu hỏi #%(id)d: %(old)s → %(new)s. Lý do: %(reason)s",
                 id=question.id, old=old_key, new=new_key, reason=change.reason)
    elif change.void_mode == "credit":
        note = _("Hủy câu hỏi #%(id)d (mọi người được tính điểm câu này). Lý do: %(reason)s",
                 id=question.id, reason=change.reason)
    else:
        note = _("Hủy câu hỏi #%(id)d (bỏ khỏi điểm tối đa). Lý do: %(reason)s", id=question.id, reason=change.reason)
    return note[:500]


def apply_correction(quiz: Quiz, question: Question, change: Change, actor: Organizer) -> Outcome:
    """Correct the key of `question` (every quiz that drew it) or void it in `quiz`, re-score every
    finished attempt concerned, record it (a QuestionCorrection and an audit entry) and publish a
    new version of every published ranking concerned. Flushes; the caller commits once, so the
    whole regrade is one transaction. `Outcome.is_noop` when nothing changed (nothing recorded)."""
    change = _validate(quiz, question, change)
    outcome = _rescore(quiz, question, change, actor)
    if outcome.is_noop:
        return outcome
    _after_rescore(outcome.quizzes)
    audit.record(actor, "question.void" if change.kind == "void" else "question.correct_key", quiz,
                 question_id=question.id, reason=change.reason, void_mode=change.void_mode,
                 old_key=outcome.old_key, new_key=outcome.new_key, attempts_rescored=outcome.attempts_rescored,
                 scores_changed=outcome.scores_changed, running=outcome.running,
                 quizzes=[q.code for q in outcome.quizzes])
    note = correction_note(question, change, outcome.old_key, outcome.new_key)
    for code, scope in _published_scopes(outcome.quizzes):
        publish_ranking(**scope.kwargs(), actor=actor, note=note)
        outcome.republished.append(code)
    return outcome


def _after_rescore(quizzes: list[Quiz]) -> None:
    """What must follow the scores of these quizzes: their unit tallies, recounted in this
    transaction (a contest's unit ranking is computed from the attempts on each read)."""
    for quiz in quizzes:
        tallies.rebuild_quiz_tallies(quiz.id)
