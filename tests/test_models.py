"""Rules the database itself holds, on SQLite and PostgreSQL."""
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from quiz.extensions import db
from quiz.models import Answer, Attempt, Participant, Quiz, RankingSnapshot, Unit

T0 = datetime(2025, 10, 10, 1, 0, tzinfo=UTC)


@pytest.fixture
def participant(make_quiz, make_unit):
    quiz = make_quiz(questions=2)
    unit = make_unit()
    person = Participant(contest_id=quiz.contest_id, identity="0912345678", identity_kind="phone",
                         full_name="Nguyễn Văn A", unit_id=unit.id, consent_at=T0)
    db.session.add(person)
    db.session.commit()
    return person


def new_attempt(participant, number=1, token=None):
    quiz = db.session.scalar(db.select(Quiz))
    return Attempt(token=token or f"tok-{participant.id}-{number}", quiz_id=quiz.id, participant_id=participant.id,
                   attempt_no=number, started_at=T0, deadline=T0 + timedelta(minutes=15))


def test_identity_is_unique_per_contest(participant):
    db.session.add(Participant(contest_id=participant.contest_id, identity="0912345678", identity_kind="phone",
                               full_name="Người khác", unit_id=participant.unit_id, consent_at=T0))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_attempt_number_is_unique_per_quiz_and_participant(participant):
    db.session.add(new_attempt(participant, 1, "a"))
    db.session.commit()
    db.session.add(new_attempt(participant, 1, "b"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_one_answer_per_attempt_and_question(participant):
    attempt = new_attempt(participant)
    db.session.add(attempt)
    db.session.commit()
    question_id = db.session.scalar(db.select(Quiz)).draw_rules[0].question_set.questions[0].id
    db.session.add(Answer(attempt_id=attempt.id, question_id=question_id, choice_mask=1, saved_at=T0))
    db.session.commit()
    db.session.add(Answer(attempt_id=attempt.id, question_id=question_id, choice_mask=2, saved_at=T0))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_attempt_tokens_are_unique(participant):
    db.session.add(new_attempt(participant, 1, "same"))
    db.session.commit()
    other = Participant(contest_id=participant.contest_id, identity="0987654321", identity_kind="phone",
                        full_name="B", unit_id=participant.unit_id, consent_at=T0)
    db.session.add(other)
    db.session.flush()
    db.session.add(new_attempt(other, 1, "same"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_deadline_must_follow_the_start(participant):
    attempt = new_attempt(participant)
    attempt.deadline = attempt.started_at
    db.session.add(attempt)
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_quiz_window_must_be_ordered(make_quiz):
    with pytest.raises(IntegrityError):
        make_quiz(opens_at=T0, closes_at=T0 - timedelta(hours=1))
    db.session.rollback()


def test_foreign_keys_are_enforced(ctx):
    db.session.add(Unit(code="ORPHAN", name="Mồ côi", parent_id=999, path="/"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_negative_headcount_is_refused(ctx):
    db.session.add(Unit(code="NEG", name="Âm", headcount=-1, path="/"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_snapshot_belongs_to_exactly_one_scope(make_quiz):
    quiz = make_quiz()
    db.session.add(RankingSnapshot(quiz_id=quiz.id, contest_id=quiz.contest_id, version=1, payload={}))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_times_come_back_aware_utc(participant):
    attempt = new_attempt(participant)
    db.session.add(attempt)
    db.session.commit()
    db.session.expire_all()
    loaded = db.session.get(Attempt, attempt.id)
    assert loaded.started_at == T0 and loaded.started_at.tzinfo is not None


def test_naive_times_are_refused(participant):
    attempt = new_attempt(participant)
    attempt.started_at = datetime(2025, 10, 10, 8, 0)
    db.session.add(attempt)
    with pytest.raises(Exception, match="naive"):
        db.session.commit()
    db.session.rollback()


def test_quiz_state_is_derived_from_the_clock(make_quiz, frozen_clock):
    quiz = make_quiz(opens_at=frozen_clock.at + timedelta(minutes=5), closes_at=frozen_clock.at + timedelta(hours=1))
    assert quiz.state == "upcoming"
    frozen_clock.advance(minutes=5)
    assert quiz.state == "open"
    frozen_clock.advance(hours=1)
    assert quiz.state == "closed"
