"""The prediction truth of a closed quiz is read from counts kept with the unit tallies, and stays
equal to the full computation after every kind of change.

The oracle is the computation the truth used to run on every read: each participant's counted
attempt (`counted.counted_rows`, no prediction key), how many there are and how many answered
every question right — every participant, with a unit or an "other" one. Each test reads the
truth once after the close (so any per-process copy would exist), changes something, and compares
the kept counts, the truth and the published figures with the oracle, on whichever database the
`app` fixture runs (SQLite, or PostgreSQL with TEST_DATABASE_URL).
"""
from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from sqlalchemy import case, event, func

from quiz import create_app
from quiz.extensions import db
from quiz.models import Attempt, DrawRule, Participant, Quiz
from quiz.services import rankings as ranking
from quiz.services.corrections import Change, apply_correction
from quiz.services.rankings import counted, tallies
from tests.test_rankings_service import unit_tree  # noqa: F401  (fixture)

A_MASK = 0b01  # make_question marks option B (place 1) correct; make_attempt answers A when wrong


def oracle_counts(quiz: Quiz) -> tuple[int, int]:
    """(participants with a counted attempt, how many of those attempts are perfect), from the attempts."""
    rows = counted.counted_rows(quiz, truth=None).subquery("counted")
    total, perfect = db.session.execute(db.select(
        func.count(), func.coalesce(func.sum(case((rows.c.correct_count == quiz.question_count, 1), else_=0)), 0))
    ).one()
    return int(total), int(perfect)


def oracle_truth(quiz: Quiz) -> Decimal | None:
    if not quiz.prediction or quiz.state != "closed":
        return None
    total, perfect = oracle_counts(quiz)
    if quiz.prediction == "count":
        return Decimal(perfect)
    if not total:
        return Decimal("0.00000")
    return (Decimal(perfect) * 100 / Decimal(total)).quantize(Decimal("0.00001"), ROUND_HALF_UP)


def check(quiz: Quiz) -> Decimal | None:
    """The kept counts and the truth equal the oracle's; returns the truth."""
    db.session.commit()
    db.session.expire_all()
    truth = ranking.prediction_truth(quiz)  # finalises what is due first, as every read does
    db.session.commit()
    assert counted.truth_counts(quiz) == oracle_counts(quiz)
    assert truth == oracle_truth(quiz)
    return truth


@pytest.fixture
def closed_quiz(make_quiz, frozen_clock):
    """`closed_quiz(prediction=…, **overrides)`: 5 questions, closing 10 minutes after the frozen
    clock (unless `closes_at` says otherwise); call `frozen_clock.advance(minutes=11)` to close it."""
    def make(prediction: str = "count", **overrides) -> Quiz:
        overrides.setdefault("closes_at", frozen_clock.now() + timedelta(minutes=10))
        return make_quiz(questions=5, prediction=prediction, **overrides)
    return make


@pytest.mark.parametrize("prediction", ["count", "percent"])
def test_the_truth_counts_every_participant_with_a_unit_or_not(
        ctx, closed_quiz, make_attempt, unit_tree, frozen_clock, prediction):
    quiz = closed_quiz(prediction)
    for unit, score in ((unit_tree["A"], 5), (unit_tree["A"], 4), (unit_tree["B1"], 5), (None, 5), (None, 3)):
        make_attempt(quiz, unit, score=score)
    assert check(quiz) is None  # still open
    frozen_clock.advance(minutes=11)
    truth = check(quiz)
    assert truth == (Decimal(3) if prediction == "count" else Decimal("60.00000"))
    assert counted.truth_counts(quiz) == (5, 3)
    assert not ranking.is_provisional(quiz)


def test_an_attempt_finalised_by_a_read_after_the_close_is_in_the_truth(
        ctx, closed_quiz, make_attempt, unit_tree, frozen_clock):
    quiz = closed_quiz("percent", duration_s=600, closes_at=frozen_clock.now() + timedelta(minutes=5))
    make_attempt(quiz, unit_tree["A"], score=3)
    make_attempt(quiz, None, score=5, submitted_at=None)  # all right; its deadline is after the close
    make_attempt(quiz, unit_tree["C"], score=5, submitted_at=None)
    frozen_clock.advance(minutes=6)  # closed, the two still running
    assert check(quiz) == Decimal("0.00000")
    frozen_clock.advance(minutes=6)  # their deadline passed: the next read finalises them
    assert check(quiz) == Decimal("66.66667")


def test_the_unit_ranking_read_finalises_and_the_truth_follows(
        ctx, client, closed_quiz, make_attempt, unit_tree, frozen_clock):
    quiz = closed_quiz("count", duration_s=600, closes_at=frozen_clock.now() + timedelta(minutes=5))
    make_attempt(quiz, unit_tree["A"], score=5)
    make_attempt(quiz, unit_tree["B1"], score=5, submitted_at=None)
    frozen_clock.advance(minutes=6)
    assert check(quiz) == Decimal(1)
    frozen_clock.advance(minutes=6)
    assert client.get(f"/api/v1/quizzes/{quiz.code}/unit-ranking").status_code == 200
    db.session.expire_all()
    assert counted.truth_counts(quiz) == oracle_counts(quiz) == (2, 2)
    assert check(quiz) == Decimal(2)


def _sharing(quiz: Quiz, code: str) -> Quiz:
    """Another closed quiz (another contest) that draws the same questions as `quiz`."""
    from quiz.models import Contest
    other = Quiz(code=code, title="Đợt thi dùng chung câu hỏi", contest=Contest(code=f"C{code}", title="Khác"),
                 opens_at=quiz.opens_at, closes_at=quiz.closes_at, duration_s=quiz.duration_s, prediction="percent",
                 max_attempts=3, draw_rules=[DrawRule(position=0, question_set=quiz.draw_rules[0].question_set,
                                                      count=quiz.question_count)])
    db.session.add(other)
    db.session.commit()
    return other


def _last_question(quiz: Quiz):
    attempt = db.session.scalar(db.select(Attempt).where(Attempt.quiz_id == quiz.id).limit(1))
    return attempt.questions[-1].question


def test_a_key_correction_changes_the_truth_of_every_quiz_that_drew_the_question(
        ctx, closed_quiz, make_attempt, make_organizer, unit_tree, frozen_clock):
    quiz = closed_quiz("count", max_attempts=3)
    other = _sharing(quiz, "SHARE1")
    for target in (quiz, other):
        make_attempt(target, unit_tree["A"], score=5)   # B on the last question: loses it
        make_attempt(target, unit_tree["B2"], score=4)  # A on the last question: gains it
        make_attempt(target, None, score=4)
        someone = make_attempt(target, unit_tree["C"], score=4).participant
        make_attempt(target, someone, score=3)  # a second, worse attempt: the first one counts
    frozen_clock.advance(minutes=11)
    assert (check(quiz), check(other)) == (Decimal(1), Decimal("25.00000"))
    admin = make_organizer(role="admin")
    apply_correction(quiz, _last_question(quiz), Change("key", "Đáp án đúng là A", mask=A_MASK), admin)
    assert (check(quiz), check(other)) == (Decimal(3), Decimal("75.00000"))


@pytest.mark.parametrize("mode", ["credit", "drop"])
def test_voiding_a_question_changes_the_truth_as_the_full_computation_says(
        ctx, closed_quiz, make_attempt, make_organizer, unit_tree, frozen_clock, mode):
    quiz = closed_quiz("percent", max_attempts=3)
    make_attempt(quiz, unit_tree["A"], score=5)
    make_attempt(quiz, unit_tree["B2"], score=4)
    make_attempt(quiz, None, score=4)
    frozen_clock.advance(minutes=11)
    before = check(quiz)
    apply_correction(quiz, _last_question(quiz), Change("void", "Câu hỏi sai", void_mode=mode),
                     make_organizer(role="admin"))
    after = check(quiz)
    if mode == "credit":
        assert (before, after) == (Decimal("33.33333"), Decimal("100.00000"))


def test_a_deleted_attempt_leaves_the_truth(ctx, closed_quiz, make_attempt, unit_tree, frozen_clock):
    quiz = closed_quiz("count", max_attempts=3)
    lone = make_attempt(quiz, None, score=5)
    first = make_attempt(quiz, unit_tree["A"], score=5)
    make_attempt(quiz, first.participant, score=2)
    frozen_clock.advance(minutes=11)
    assert check(quiz) == Decimal(2)
    db.session.delete(lone)
    assert check(quiz) == Decimal(1)
    db.session.delete(db.session.get(Attempt, first.id))  # the second attempt counts now
    assert check(quiz) == Decimal(0)
    assert counted.truth_counts(quiz) == (1, 0)


def test_the_counted_attempt_rule_and_the_attempt_limit_change_the_truth(
        ctx, closed_quiz, make_attempt, unit_tree, frozen_clock):
    quiz = closed_quiz("count", max_attempts=3, counted_attempt="best")
    for who in (unit_tree["A"], None):
        person = make_attempt(quiz, who, score=5).participant
        make_attempt(quiz, person, score=1)
    frozen_clock.advance(minutes=11)
    assert check(quiz) == Decimal(2)
    quiz.counted_attempt = "last"
    assert check(quiz) == Decimal(0)
    quiz.counted_attempt = "first"
    assert check(quiz) == Decimal(2)
    quiz.max_attempts = 1  # one attempt a person: every finished attempt counts
    assert check(quiz) == Decimal(2)
    assert counted.truth_counts(quiz) == (4, 2)


def test_moving_a_participant_between_a_unit_and_an_other_unit(
        ctx, closed_quiz, make_attempt, unit_tree, frozen_clock):
    quiz = closed_quiz("percent")
    moving = make_attempt(quiz, unit_tree["A"], score=5).participant
    make_attempt(quiz, unit_tree["A"], score=1)
    frozen_clock.advance(minutes=11)
    assert check(quiz) == Decimal("50.00000")
    moving.unit, moving.other_unit = None, "Trạm y tế xã"
    assert check(quiz) == Decimal("50.00000")
    moving.unit = unit_tree["B1"]
    assert check(quiz) == Decimal("50.00000")


def test_a_rolled_back_finalisation_leaves_no_trace(ctx, closed_quiz, make_attempt, unit_tree, frozen_clock):
    quiz = closed_quiz("count", duration_s=600)
    make_attempt(quiz, unit_tree["A"], score=5, submitted_at=None)
    frozen_clock.advance(minutes=12)
    ranking.prediction_truth(quiz)  # finalises it (flushed)
    db.session.rollback()
    assert counted.truth_counts(quiz) == (0, 0)
    assert check(quiz) == Decimal(1)


def test_two_servers_on_one_database_agree_after_a_change(
        app, app_config, ctx, closed_quiz, make_attempt, make_organizer, unit_tree, frozen_clock, tmp_path):
    """A second app (another server process on the same database) reads the truth after the
    first one changed it: nothing per process stands between them."""
    quiz = closed_quiz("count")
    make_attempt(quiz, unit_tree["A"], score=5)
    make_attempt(quiz, unit_tree["B1"], score=4)
    frozen_clock.advance(minutes=11)
    other_server = create_app(app_config, instance_path=str(tmp_path / "other-instance"))

    def truth_there():
        with other_server.app_context():
            try:
                return ranking.prediction_truth(db.session.get(Quiz, quiz.id))
            finally:
                db.session.rollback()
                db.session.remove()

    assert truth_there() == check(quiz) == Decimal(1)
    apply_correction(quiz, _last_question(quiz), Change("key", "Đáp án đúng là A", mask=A_MASK),
                     make_organizer(role="admin"))
    db.session.commit()
    assert truth_there() == check(quiz) == Decimal(1)  # one lost the last question, one gained it
    db.session.delete(db.session.scalar(db.select(Attempt).where(Attempt.quiz_id == quiz.id,
                                                                 Attempt.correct_count == 5)))
    db.session.commit()
    assert truth_there() == check(quiz) == Decimal(0)
    with other_server.app_context():
        db.engine.dispose()


def test_reading_a_closed_quiz_s_rankings_runs_no_scan_for_the_truth(
        app, client, closed_quiz, make_attempt, unit_tree, frozen_clock):
    """The unit ranking of a closed quiz reads tallies only: no statement picks counted attempts
    (a window) or reads the attempts' correct counts."""
    quiz = closed_quiz("percent", max_attempts=3)
    for who, score in ((unit_tree["A"], 5), (unit_tree["B1"], 4), (None, 5)):
        person = make_attempt(quiz, who, score=score).participant
        make_attempt(quiz, person, score=score - 1)
    frozen_clock.advance(minutes=11)
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_rest):
        statements.append(statement)
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        response = client.get(f"/api/v1/quizzes/{quiz.code}/unit-ranking")
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert response.status_code == 200
    assert response.get_json()["provisional"] is False
    scans = [s for s in statements if "row_number" in s.lower() or "correct_count" in s.lower()]
    assert scans == [], scans
    assert check(quiz) == Decimal("66.66667")


def test_the_migration_counts_the_truth_of_existing_attempts(ctx, closed_quiz, make_attempt, unit_tree,
                                                            frozen_clock):
    """What 0012 runs for every quiz (`rebuild_statements`) gives the kept counts back from nothing."""
    quiz = closed_quiz("count", max_attempts=3)
    for who, score in ((unit_tree["A"], 5), (None, 5), (unit_tree["D"], 2)):
        make_attempt(quiz, who, score=score)
    frozen_clock.advance(minutes=11)
    expected = check(quiz)
    from quiz.models import OtherUnitTally, UnitTally
    db.session.execute(db.delete(UnitTally).where(UnitTally.quiz_id == quiz.id))
    db.session.execute(db.delete(OtherUnitTally).where(OtherUnitTally.quiz_id == quiz.id))
    db.session.commit()
    assert counted.truth_counts(quiz) == (0, 0)
    for statement in tallies.rebuild_statements(quiz):
        db.session.execute(statement)
    assert check(quiz) == expected == Decimal(2)


def test_a_participant_without_a_unit_never_enters_the_unit_ranking(
        ctx, closed_quiz, make_attempt, unit_tree, frozen_clock):
    quiz = closed_quiz("count")
    make_attempt(quiz, None, score=5)
    make_attempt(quiz, unit_tree["A"], score=5)
    frozen_clock.advance(minutes=11)
    check(quiz)
    rows = db.session.execute(tallies.quiz_unit_counts(quiz.id)).all()
    assert [(r.unit_id, r.n) for r in rows] == [(unit_tree["A"].id, 1)]
    assert db.session.scalar(db.select(func.count()).select_from(Participant)
                             .where(Participant.unit_id.is_(None))) == 1


def test_a_draw_rule_changed_behind_the_service_recounts_the_truth(
        ctx, closed_quiz, make_attempt, unit_tree, frozen_clock):
    """`quizzes` refuses to change the draw once a quiz has attempts; if the row changes anyway
    (a console, a script), what "every question right" means moved, and the counts follow."""
    quiz = closed_quiz("count")
    make_attempt(quiz, unit_tree["A"], score=5)
    make_attempt(quiz, None, score=4)
    make_attempt(quiz, unit_tree["C"], score=4)
    frozen_clock.advance(minutes=11)
    assert check(quiz) == Decimal(1)
    quiz.draw_rules[0].count = 4
    assert check(quiz) == Decimal(2)  # 4 right is every question now; 5 of 4 is not an exact match
