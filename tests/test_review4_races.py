"""Adversarial review (h-review4) of e3016aa and 1ceaad7: what those commits (or the code they
build on) still leave open. Each test fails on the code under review."""
import threading

import pytest

from quiz.extensions import db
from quiz.models import Attempt, Organizer, Question, Quiz
from quiz.services.corrections import Change, preview_correction

from .test_rankings_service import unit_tree  # noqa: F401 (the fixture)
from .test_regrade import A_MASK, _question, round_  # noqa: F401 (the fixture)
from .test_review3_races import key_correction_to_a, rule_change_to_last
from .threads import At, finish, in_app_thread, quiz_lock, stopping_at


def _other_quiz_drawing(quiz, make_attempt, make_unit):
    """A second quiz of the same contest drawing from the same set, with one finished attempt
    (so a key correction of `quiz`'s question concerns both)."""
    from quiz.models import DrawRule
    other = Quiz(code="KHAC2", title="Đợt thứ hai", contest=quiz.contest, opens_at=quiz.opens_at,
                 closes_at=quiz.closes_at, duration_s=600,
                 draw_rules=[DrawRule(position=0, set_id=quiz.draw_rules[0].set_id, count=3)])
    db.session.add(other)
    db.session.commit()
    make_attempt(other, make_unit(code="KHAC2U"))
    db.session.commit()
    return other


def test_a_correction_preview_on_the_second_quiz_racing_a_correction_does_not_deadlock(
        app, round_, make_attempt, make_unit):
    """PostgreSQL. preview_correction locks *its* quiz first (corrections.py: "SQLite: the write
    lock before the savepoint"), then _rescore locks every quiz that drew the question by id. When
    the previewed quiz is not the lowest id, that is quiz 2 then quiz 1; apply_correction on quiz 1
    takes quiz 1 then quiz 2: a deadlock, the preview or the correction answers a 500 (locks.py:
    "quizzes by id")."""
    quiz, _people, admin = round_
    other = _other_quiz_drawing(quiz, make_attempt, make_unit)
    assert quiz.id < other.id
    quiz_id, other_id, question_id, admin_id = quiz.id, other.id, _question(quiz, 3).id, admin.id
    errors = []
    correction_holds = At(quiz_lock, after=True, wait_s=0)  # quiz 1
    preview_holds = At(quiz_lock, after=True, wait_s=5, release=correction_holds.reached)  # quiz 2
    correction_waits = At(quiz_lock, wait_s=5, release=preview_holds.reached)  # before it locks quiz 1

    def preview():
        preview_holds.mark()
        preview_correction(db.session.get(Quiz, other_id), db.session.get(Question, question_id),
                           Change("key", "Đáp án đúng là A", mask=A_MASK), db.session.get(Organizer, admin_id))
        db.session.rollback()

    correct = key_correction_to_a(quiz_id, question_id, admin_id, correction_waits, correction_holds)

    with stopping_at(correction_waits, correction_holds, preview_holds):
        previewer = in_app_thread(app, "preview", errors, preview)
        corrector = in_app_thread(app, "correction", errors, correct)
        finish(previewer, corrector)
    assert errors == []


def test_lowering_the_attempt_limit_below_what_someone_took_is_refused(ctx, make_quiz, make_attempt, unit_tree):
    """A quiz allowing 3 attempts; someone took two. The organizer lowered the limit to 1 and
    nothing refused it; the rankings skip the pick when max_attempts == 1 (one attempt per person),
    so the re-count — and every ranking — counted both attempts: the unit had 2 participants for 1
    person, ranked twice. The edit (quizzes.save_quiz, the organizer's only way to change the
    limit) now refuses a limit below the most attempts anyone took, and changes nothing."""
    from quiz.errors import ConflictError
    from quiz.models import UnitTally
    from quiz.services import quizzes
    from quiz.services.rankings import individuals
    from quiz.services.rankings.scope import Scope

    quiz = make_quiz(questions=5, max_attempts=3)
    first = make_attempt(quiz, unit_tree["B1"], score=5)
    make_attempt(quiz, first.participant, score=2, attempt_no=2)
    db.session.commit()
    definition = quizzes.quiz_definition(quiz, timezone="Asia/Ho_Chi_Minh")
    with pytest.raises(ConflictError) as refused:
        quizzes.update_quiz(quiz, {**definition, "max_attempts": 1}, timezone="Asia/Ho_Chi_Minh", actor=None)
    assert "2 lượt" in refused.value.message
    db.session.rollback()
    quizzes.update_quiz(quiz, {**definition, "max_attempts": 2}, timezone="Asia/Ho_Chi_Minh", actor=None)
    db.session.commit()
    tally = db.session.scalar(db.select(UnitTally).where(UnitTally.quiz_id == quiz.id,
                                                         UnitTally.unit_id == unit_tree["B1"].id))
    names = [r.full_name for r in individuals.ranking(Scope(quiz=quiz))]
    assert (db.session.get(Quiz, quiz.id).max_attempts, tally.participants, len(names)) == (2, 1, 1)


def test_a_rule_change_racing_a_live_join_and_end_counts_the_live_attempt_under_the_new_rule(
        app, ctx, make_quiz, make_unit, frozen_clock):
    """PostgreSQL. tallies._wait_for_running holds every unfinished attempt of the quiz so that a
    submit racing a pick-rule change either is seen by the re-count or waits for it and picks under
    the new rule. A live join takes no quiz lock (only FOR KEY SHARE through the foreign key, which
    FOR NO KEY UPDATE no longer blocks): an attempt joined after the re-count locked the running
    ones is not held, so the host's "end" finalises it without waiting, picks under the rule as
    committed (still "best") and adds no delta; the re-count, which did not see it, commits "last".
    An had 3/3 in an earlier session and 0/1 now: under "last" the tally must count the 0."""
    from quiz.models import Participant
    from quiz.services.live_session import host as live

    from .test_live_service import join
    from .test_rankings_tallies import computed, tallied

    quiz = make_quiz(questions=3, shuffle_questions=False, max_attempts=3)
    make_unit(code="BVA", name="Bệnh viện A")
    first_session = live.create_session(quiz, {"question_time_s": 20}, actor=None)
    db.session.commit()
    first = join(first_session, "An", "0912000001")
    live.control(first_session, "end")  # ended in the lobby: no question revealed, the next draws them again
    db.session.commit()
    first = db.session.get(Attempt, first.id)
    first.score, first.correct_count, first.max_score = 3, 3, 3  # (as if An had played it well)
    db.session.commit()
    second_session = live.create_session(quiz, {"question_time_s": 20}, actor=None)
    live.control(second_session, "start")
    db.session.commit()
    quiz_id, session_id = quiz.id, second_session.id
    ended, errors = threading.Event(), []
    recounted = At("INSERT INTO OTHER_UNIT_TALLY", after=True, release=ended)  # not committed yet

    change_rule = rule_change_to_last(quiz_id, recounted)

    def join_and_end():
        from quiz.models import LiveSession
        from quiz.services.live_session import phone as live_play
        session = db.session.get(LiveSession, session_id)
        live_play.join_session(session, {"full_name": "An", "identity": "0912000001", "unit_code": "BVA",
                                         "consent": True})
        db.session.commit()
        live.control(db.session.get(LiveSession, session_id), "end")

    with stopping_at(recounted):
        recounter = in_app_thread(app, "recount", errors, change_rule)
        assert recounted.reached.wait(15)
        host = in_app_thread(app, "join+end", errors, join_and_end, done=ended)
        finish(host, recounter)
    assert errors == []
    db.session.rollback()
    assert db.session.get(Quiz, quiz_id).counted_attempt == "last"
    assert db.session.scalar(db.select(db.func.count()).select_from(Attempt).join(Participant)
                             .where(Participant.full_name == "An", Attempt.submitted_at.is_not(None))) == 2
    assert tallied(quiz) == computed(quiz)


def test_a_correction_republishing_racing_a_finalisation_at_the_deadline_does_not_deadlock(
        app, round_, make_attempt, make_unit, frozen_clock):
    """PostgreSQL. A key correction re-counts the quiz's tallies (it holds the tally rows), then
    republishes the published ranking; building it finalises the quiz's due attempts first
    (counted.counted_attempts -> finalize_expired): it locks an attempt while holding tallies, against
    locks.py ("no transaction locks an attempt once it holds a tally"). A reader (any ranking page,
    the CLI) finalising that same due attempt holds it and waits for a tally row: a deadlock, the
    correction or the reader answers a 500. (The due attempt did not draw the corrected question, so
    the correction did not lock it beforehand: a pool larger than the draw.)"""
    from quiz.models import AttemptQuestion
    from quiz.services.attempts import finalize_expired
    from quiz.services.rankings.published import publish_ranking

    quiz, people, admin = round_
    publish_ranking(quiz=quiz, actor=admin)
    db.session.commit()
    question_id = _question(quiz, 3).id
    due = make_attempt(quiz, db.session.get(Attempt, people["An"].id).participant.unit, submitted_at=None)
    db.session.execute(db.delete(AttemptQuestion).where(AttemptQuestion.attempt_id == due.id,
                                                        AttemptQuestion.question_id == question_id))
    db.session.commit()
    frozen_clock.advance(seconds=quiz.duration_s + 600)  # past its deadline and the grace
    quiz_id, admin_id = quiz.id, admin.id
    errors = []
    reader_at_tally = At("INSERT INTO UNIT_TALLY", wait_s=0)  # it then waits for the correction's row
    recounted = At("INSERT INTO OTHER_UNIT_TALLY", after=True, wait_s=5, release=reader_at_tally.reached,
                   linger_s=0.3)  # the correction, holding its tally rows

    correct = key_correction_to_a(quiz_id, question_id, admin_id, recounted)

    def read():
        recounted.reached.wait(10)
        reader_at_tally.mark()
        finalize_expired(quiz=db.session.get(Quiz, quiz_id))

    with stopping_at(reader_at_tally, recounted):
        reader = in_app_thread(app, "reader", errors, read)
        corrector = in_app_thread(app, "correction", errors, correct)
        finish(corrector, reader)
    assert errors == []
