"""Adversarial review (h-review3): interleavings the reviewed commits leave open."""
import threading

from sqlalchemy import event

from quiz.extensions import db
from quiz.models import Attempt, Quiz
from quiz.services import attempts as attempt_service
from quiz.services.corrections import Change, apply_correction

from .test_regrade import _question, round_  # noqa: F401 (the fixture)


def _run(app, target, errors, name, done=None):
    def work():
        with app.app_context():
            try:
                target()
                db.session.commit()
            except Exception as error:  # noqa: BLE001 (reported by the test)
                errors.append(f"{name}: {error!r}"[:400])
            finally:
                db.session.remove()
                if done is not None:
                    done.set()
    thread = threading.Thread(target=work)
    thread.start()
    return thread


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
    from quiz.models import Organizer, Question
    admin_id = admin.id
    s_ready, c_locked = threading.Event(), threading.Event()
    submitter_ids, corrector_ids, errors = set(), set(), []

    def before(_conn, _cursor, statement, *_args):
        if threading.get_ident() in submitter_ids and statement.lstrip().upper().startswith("INSERT INTO UNIT_TALLY"):
            submitter_ids.clear()
            s_ready.set()
            c_locked.wait(3)  # the correction holds the quiz row now

    def after(_conn, _cursor, statement, *_args):
        text = " ".join(statement.split()).upper()
        if threading.get_ident() in corrector_ids and "FROM QUIZ" in text and ("FOR UPDATE" in text or "FOR NO KEY UPDATE" in text):
            c_locked.set()

    def submit():
        submitter_ids.add(threading.get_ident())
        attempt_service.submit_attempt(db.session.get(Attempt, attempt_id))

    def correct():
        corrector_ids.add(threading.get_ident())
        apply_correction(db.session.get(Quiz, quiz_id), db.session.get(Question, question_id),
                         Change("key", "Đáp án đúng là A", mask=0b1), db.session.get(Organizer, admin_id))

    event.listen(db.engine, "before_cursor_execute", before)
    event.listen(db.engine, "after_cursor_execute", after)
    try:
        submitter = _run(app, submit, errors, "submit")
        assert s_ready.wait(15)
        corrector = _run(app, correct, errors, "correction")
        submitter.join(30)
        corrector.join(30)
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
        event.remove(db.engine, "after_cursor_execute", after)
    assert not submitter.is_alive() and not corrector.is_alive()
    assert errors == []
