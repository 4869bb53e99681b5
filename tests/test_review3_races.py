"""Adversarial review (h-review3): interleavings the reviewed commits left open, each failing
before its fix (the deadlocks and the rule change on PostgreSQL; SQLite has one writer)."""
import threading

from quiz.extensions import db
from quiz.models import Attempt, Organizer, Question, Quiz
from quiz.services import bank
from quiz.services import attempts as attempt_service
from quiz.services.corrections import Change, apply_correction

from .test_regrade import _question, round_  # noqa: F401 (the fixture)
from .test_rankings_service import unit_tree  # noqa: F401 (the fixture)
from .threads import At, finish, in_app_thread, quiz_lock, stopping_at


def _reads_the_quizzes_that_drew(statement: str) -> bool:
    text = " ".join(statement.split()).upper()
    return "ATTEMPT_QUESTION" in text and "FROM QUIZ" in text and "FOR " not in text


def key_correction_to_a(quiz_id, question_id, admin_id, *points):
    """A thread's work: the admin corrects the question's key to A, through the quiz; the thread
    stops at `points`."""
    def work():
        for point in points:
            point.mark()
        apply_correction(db.session.get(Quiz, quiz_id), db.session.get(Question, question_id),
                         Change("key", "Đáp án đúng là A", mask=0b1), db.session.get(Organizer, admin_id))
    return work


def rule_change_to_last(quiz_id, *points):
    """A thread's work: the organizer switches the counted attempt to the last one (the re-count
    flushed, not committed); the thread stops at `points`."""
    def work():
        for point in points:
            point.mark()
        db.session.get(Quiz, quiz_id).counted_attempt = "last"
        db.session.flush()
    return work


def test_a_key_correction_racing_a_units_first_submit_does_not_deadlock(app, round_, make_unit):
    """PostgreSQL. A submit locks its attempt, then its flush inserts its unit's first tally row,
    whose foreign key takes FOR KEY SHARE on the quiz row. A correction holds the quiz row FOR
    UPDATE (locks.lock_quiz, not shared), which conflicts with FOR KEY SHARE, and then waits for the
    attempt: a deadlock, one of the two requests answers a 500. (The same holds for a live session's
    "end": session -> attempts -> tally insert -> quiz.)"""
    quiz, people, admin = round_
    make_unit(code="RACE")  # no tally row yet for this unit
    running, _created = attempt_service.start_attempt(quiz, {"full_name": "Chạy Đua", "unit_code": "RACE",
                                                             "identity": "0912000222", "consent": True})
    db.session.commit()
    quiz_id, attempt_id, question_id = quiz.id, running.id, _question(quiz, 3).id
    admin_id = admin.id
    errors = []
    holds_quiz = At(quiz_lock, after=True, wait_s=0)  # the correction
    at_tally = At("INSERT INTO UNIT_TALLY", release=holds_quiz.reached)  # the submit, holding its attempt

    def submit():
        at_tally.mark()
        attempt_service.submit_attempt(db.session.get(Attempt, attempt_id))

    correct = key_correction_to_a(quiz_id, question_id, admin_id, holds_quiz)

    with stopping_at(at_tally, holds_quiz):
        submitter = in_app_thread(app, "submit", errors, submit)
        assert at_tally.reached.wait(15)
        corrector = in_app_thread(app, "correction", errors, correct)
        finish(submitter, corrector)
    assert errors == []


def test_a_recount_for_a_rule_change_racing_a_submit_counts_the_submit_under_the_new_rule(
        app, ctx, make_quiz, make_attempt, unit_tree):
    """PostgreSQL (READ COMMITTED). The organizer switches the counted attempt from "best" to "last";
    the re-count has run (its INSERT … SELECT did not see the running attempt) but not committed
    when the participant's second attempt is submitted. The submit's pick reads the quiz's rule as
    committed — still "best" — under which the new, worse attempt changes nothing, so it adds no
    delta. After both commit the tally counts the first attempt; under "last" it is the second.
    (tallies.py: "a later one adds its delta to the re-counted row" — a delta computed under the
    old rule.) SQLite: the submit waits for the re-count's commit and reads the new rule."""
    from tests.test_rankings_tallies import computed, tallied

    quiz = make_quiz(questions=5, max_attempts=3)
    first = make_attempt(quiz, unit_tree["B1"], score=5)
    second = make_attempt(quiz, first.participant, correct_count=1, submitted_at=None)
    quiz_id, attempt_id = quiz.id, second.id
    submitted, errors = threading.Event(), []
    recounted = At("INSERT INTO OTHER_UNIT_TALLY", after=True, release=submitted)  # not committed yet

    change_rule = rule_change_to_last(quiz_id, recounted)

    def submit():
        attempt_service.submit_attempt(db.session.get(Attempt, attempt_id))

    with stopping_at(recounted):
        recounter = in_app_thread(app, "recount", errors, change_rule)
        assert recounted.reached.wait(15)
        submitter = in_app_thread(app, "submit", errors, submit, done=submitted)
        finish(submitter, recounter)
    assert errors == []
    db.session.rollback()
    assert db.session.get(Quiz, quiz_id).counted_attempt == "last"
    assert tallied(quiz) == computed(quiz)


def test_a_key_correction_racing_a_live_sessions_end_does_not_deadlock(app, ctx, make_quiz, make_unit,
                                                                       make_organizer, frozen_clock):
    """PostgreSQL. The host ends the session (live session row, then its attempts, then the flush
    inserts the units' first tally rows: FOR KEY SHARE on the quiz row) while a key correction holds
    the quiz row FOR UPDATE and asks for the live session's row (commit b939678 added that lock):
    a deadlock, the host's "end" or the correction answers a 500."""
    from quiz.models import LiveSession
    from quiz.services.live_session import host as live

    from .test_live_service import answer, join

    quiz = make_quiz(questions=3, shuffle_questions=False)
    make_unit(code="BVA", name="Bệnh viện A")
    session = live.create_session(quiz, {"question_time_s": 20, "scoring": "speed"}, actor=None)
    db.session.commit()
    an = join(session, "An", "0912000001")
    live.control(session, "start")
    db.session.commit()
    answer(an, session, right=True, after_s=1, frozen_clock=frozen_clock)
    quiz_id, session_id = quiz.id, session.id
    question_id = session.questions[0].question_id
    admin_id = make_organizer(role="admin").id
    errors = []
    holds_quiz = At(quiz_lock, after=True, wait_s=0)  # the correction
    at_tally = At("INSERT INTO UNIT_TALLY", release=holds_quiz.reached)  # the end, holding its attempts

    def end():
        at_tally.mark()
        live.control(db.session.get(LiveSession, session_id), "end")

    correct = key_correction_to_a(quiz_id, question_id, admin_id, holds_quiz)

    with stopping_at(at_tally, holds_quiz):
        ender = in_app_thread(app, "end", errors, end)
        assert at_tally.reached.wait(15)
        corrector = in_app_thread(app, "correction", errors, correct)
        finish(ender, corrector)
    assert errors == []


def test_a_start_after_an_edit_the_pool_version_missed_is_not_refused(client, make_quiz, make_unit, frozen_clock):
    """The pool's version is (count, sum of ids, latest updated_at). An edit whose `updated_at` is
    not the latest — another app server's clock a few minutes ahead stamped another question of the
    pool — leaves the version as it was, so this process keeps its pool; check_current (commit
    3dee09c) then sees the drawn question moved and the start draws again, from the same kept pool,
    three times: every start that draws the question is refused "busy" until the process restarts.
    (Before the commit it showed the old options; now it refuses: better, but the kept pool should be
    dropped on PoolChanged so the retry reloads it.)"""
    from datetime import timedelta

    from quiz.services import question_pool

    make_unit(code="CDC", name="Trung tâm Kiểm soát bệnh tật tỉnh")
    quiz = make_quiz(questions=2, code="KHO")
    first, second = db.session.scalars(db.select(Question).order_by(Question.id)).all()
    db.session.execute(db.update(Question).where(Question.id == second.id)
                       .values(updated_at=frozen_clock.now() + timedelta(minutes=10)))  # a server ahead
    db.session.commit()
    question_pool.pool_of(quiz)  # this process keeps the pool
    frozen_clock.advance(minutes=1)
    data = bank.question_to_data(first)
    data.options[1].text = "Phương án B đã sửa"
    bank.update_question(first, first.question_set, data)
    db.session.commit()
    response = client.post("/api/v1/quizzes/KHO/attempts", json={
        "full_name": "Người thi 1", "unit_code": "CDC", "identity": "0912000001", "consent": True})
    assert response.status_code == 201, response.get_json()
    texts = {o["text"] for q in response.get_json()["questions"] for o in q["options"]}
    assert "Phương án B đã sửa" in texts


def test_a_key_correction_rescores_a_live_session_whose_first_phone_joined_while_it_ran(
        app, ctx, make_quiz, make_unit, make_attempt, make_organizer, frozen_clock):
    """Round 1 (quiz X) is over; round 2 (quiz Y) runs live on the same question, no phone in it
    yet. The organizer corrects the key through X. corrections._rescore picks the quizzes to lock
    from the attempts that drew the question, read before any lock: a phone that joins Y and answers
    between that read and the commit is scored by the old key (and this process keeps that key for
    Y's version), Y's session is neither locked nor moved, its answers are never re-scored, and the
    next phones of Y are scored by the old key too."""
    from datetime import timedelta

    from quiz.models import Answer, DrawRule, LiveSession
    from quiz.services.live_session import host as live

    from .test_live_service import answer, join

    unit = make_unit(code="BVA", name="Bệnh viện A")
    x = make_quiz(questions=1, shuffle_questions=False)
    make_attempt(x, unit)
    x.closes_at = frozen_clock.now() - timedelta(seconds=1)
    y = Quiz(code="YLIVE", title="Vòng 2", contest=x.contest, opens_at=x.opens_at,
             closes_at=frozen_clock.now() + timedelta(days=1), duration_s=600, shuffle_questions=False,
             draw_rules=[DrawRule(position=0, set_id=x.draw_rules[0].set_id, count=1)])
    db.session.add(y)
    db.session.commit()
    session = live.create_session(y, {"question_time_s": 20}, actor=None)
    db.session.commit()
    live.control(session, "start")
    db.session.commit()
    x_id, session_id = x.id, session.id
    question_id = session.questions[0].question_id
    admin_id = make_organizer(role="admin").id
    errors = []
    # _validate reads the quizzes that drew it first, then _rescore: stop after _rescore's read.
    read = At(lambda statement: _reads_the_quizzes_that_drew(statement), after=True, nth=2, wait_s=5)

    correct = key_correction_to_a(x_id, question_id, admin_id, read)

    with stopping_at(read):
        corrector = in_app_thread(app, "correction", errors, correct)
        assert read.reached.wait(15)
        first = join(session, "An", "0912000001")
        answer(first, session, right=True, after_s=1, frozen_clock=frozen_clock)  # B: right under the old key
        read.release.set()
        finish(corrector)
    assert errors == []
    db.session.expire_all()
    session = db.session.get(LiveSession, session_id)
    second = join(session, "Bình", "0912000002")
    answer(second, session, right=True, frozen_clock=frozen_clock)  # B again, after the correction
    marks = dict(db.session.execute(db.select(Answer.attempt_id, Answer.is_correct)
                                    .where(Answer.question_id == question_id,
                                           Answer.attempt_id.in_([first.id, second.id]))).all())
    assert marks == {first.id: False, second.id: False}  # B is wrong under the corrected key
