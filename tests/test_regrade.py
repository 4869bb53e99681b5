"""Correcting a key and voiding a question after a quiz has attempts: the regrade, end to end."""
from datetime import timedelta

import pytest

from quiz.extensions import db
from quiz.models import Attempt, AuditEntry, Contest, QuestionCorrection, RankingSnapshot
from quiz.services import attempts as attempt_service
from quiz.services.corrections import Change, apply_correction, preview_correction
from quiz.services.rankings import individuals
from quiz.services.rankings.published import publish_ranking
from quiz.services.rankings.scope import Scope

A_MASK, B_MASK = 0b01, 0b10  # make_question marks option B (place 1) correct; A is a wrong one


def _answer(attempt: Attempt, pattern: str) -> Attempt:
    """Set the attempt's choices: one letter per question in draw order ("-" leaves it blank),
    and its stored figures as the current key scores them."""
    answers = {a.question_id: a for a in attempt.answers}
    right = 0
    for drawn, letter in zip(attempt.questions, pattern):
        answer = answers[drawn.question_id]
        if letter == "-":
            db.session.delete(answer)
            continue
        answer.choice_mask = 1 << "ABCD".index(letter)
        answer.is_correct = answer.choice_mask == drawn.question.correct_mask
        right += answer.is_correct
    attempt.correct_count = attempt.score = right
    attempt.score_pct = 100.0 * right / attempt.max_score
    db.session.commit()
    return attempt


@pytest.fixture
def round_(make_quiz, make_unit, make_attempt, make_organizer, frozen_clock):
    """Three questions; An answers B B B in 70 s, Bình B A A in 40 s, Cúc B A B in 90 s.
    Before any correction (key B everywhere): An 3, Cúc 2, Bình 1."""
    quiz = make_quiz(questions=3, closes_at=frozen_clock.now() + timedelta(hours=2))
    unit = make_unit(name="Trung tâm Y tế huyện Mường Tè")
    people = {}
    for name, pattern, ms in (("An", "BBB", 70_000), ("Bình", "BAA", 40_000), ("Cúc", "BAB", 90_000)):
        people[name] = _answer(make_attempt(quiz, unit, full_name=name, duration_ms=ms), pattern)
    admin = make_organizer(role="admin")
    return quiz, people, admin


def _question(quiz, number: int):
    return db.session.get(Attempt, db.session.scalar(db.select(Attempt.id).where(Attempt.quiz_id == quiz.id)
                                                     .limit(1))).questions[number - 1].question


def _ranks(quiz) -> dict[str, tuple[int, int]]:
    return {r.full_name: (r.rank, r.score) for r in individuals.ranking(Scope(quiz=quiz))}


def test_a_key_correction_moves_a_participant_across_a_tie_break(round_):
    quiz, people, admin = round_
    assert _ranks(quiz) == {"An": (1, 3), "Cúc": (2, 2), "Bình": (3, 1)}
    q3 = _question(quiz, 3)
    change = Change("key", "Đáp án gốc nhầm, theo Kế hoạch là A", mask=A_MASK)  # question 3: A, not B
    preview = preview_correction(quiz, q3, change, admin)
    db.session.rollback()
    # An B B B → 2; Bình B A A → 2; Cúc B A B → 1. An and Bình tie on 2: Bình (40 s) goes before
    # An (70 s) on the duration tie-break.
    assert (preview.attempts_rescored, preview.scores_changed, preview.old_key, preview.new_key) == (3, 3, "B", "A")
    assert {m.full_name: (m.old_rank, m.new_rank, m.old_score, m.new_score) for m in preview.moves} == {
        "Bình": (3, 1, 1, 2), "An": (1, 2, 3, 2), "Cúc": (2, 3, 2, 1)}
    assert q3.correct_mask == B_MASK, "the preview changed nothing"
    assert _ranks(quiz) == {"An": (1, 3), "Cúc": (2, 2), "Bình": (3, 1)}

    outcome = apply_correction(quiz, q3, change, admin)
    db.session.commit()
    assert (outcome.attempts_rescored, outcome.scores_changed) == (3, 3)
    assert _ranks(quiz) == {"Bình": (1, 2), "An": (2, 2), "Cúc": (3, 1)}
    assert db.session.get(type(q3), q3.id).correct_mask == A_MASK, "the bank question carries the corrected key"


def test_void_credit_gives_everyone_the_point(round_):
    quiz, people, admin = round_
    apply_correction(quiz, _question(quiz, 2), Change("void", "Câu hỏi có hai cách hiểu", void_mode="credit"), admin)
    db.session.commit()
    scores = {n: (db.session.get(Attempt, a.id).score, db.session.get(Attempt, a.id).max_score)
              for n, a in people.items()}
    # Bình and Cúc were wrong on question 2 (A): now credited. An and Cúc tie on 3: An is faster.
    assert scores == {"An": (3, 3), "Bình": (2, 3), "Cúc": (3, 3)}
    assert _ranks(quiz) == {"An": (1, 3), "Cúc": (2, 3), "Bình": (3, 2)}


def test_void_drop_takes_the_question_out_of_the_maximum(round_):
    quiz, people, admin = round_
    apply_correction(quiz, _question(quiz, 2), Change("void", "Câu hỏi lỗi", void_mode="drop"), admin)
    db.session.commit()
    got = {n: (a.score, a.max_score, round(a.score_pct, 2))
           for n, a in ((n, db.session.get(Attempt, a.id)) for n, a in people.items())}
    assert got == {"An": (2, 2, 100.0), "Bình": (1, 2, 50.0), "Cúc": (2, 2, 100.0)}
    # The answer itself still says whether it matched the key (item analysis reads it).
    an_q2 = next(a for a in db.session.get(Attempt, people["An"].id).answers
                 if a.question_id == _question(quiz, 2).id)
    assert an_q2.is_correct is True


def test_the_same_correction_twice_changes_nothing_the_second_time(round_):
    quiz, people, admin = round_
    publish_ranking(quiz=quiz, actor=admin)
    db.session.commit()
    q3 = _question(quiz, 3)
    first = apply_correction(quiz, q3, Change("key", "Sửa đáp án", mask=A_MASK), admin)
    db.session.commit()
    counts = (db.session.scalar(db.select(db.func.count(QuestionCorrection.id))),
              db.session.scalar(db.select(db.func.count(AuditEntry.id))),
              db.session.scalar(db.select(db.func.count(RankingSnapshot.id))))
    scores = [db.session.get(Attempt, a.id).score for a in people.values()]
    second = apply_correction(quiz, q3, Change("key", "Sửa đáp án", mask=A_MASK), admin)
    db.session.commit()
    assert not first.is_noop and second.is_noop
    assert (second.scores_changed, second.attempts_rescored) == (0, 3)
    assert counts == (db.session.scalar(db.select(db.func.count(QuestionCorrection.id))),
                      db.session.scalar(db.select(db.func.count(AuditEntry.id))),
                      db.session.scalar(db.select(db.func.count(RankingSnapshot.id))))
    assert scores == [db.session.get(Attempt, a.id).score for a in people.values()]
    void = Change("void", "Hủy", void_mode="credit")
    assert not apply_correction(quiz, _question(quiz, 1), void, admin).is_noop
    db.session.commit()
    assert apply_correction(quiz, _question(quiz, 1), void, admin).is_noop


def test_the_audit_entry_says_who_what_why_and_how_many(round_):
    quiz, people, admin = round_
    apply_correction(quiz, _question(quiz, 3), Change("key", "  Theo văn bản gốc,\n đáp án là A ", mask=A_MASK),
                     admin)
    db.session.commit()
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "question.correct_key"))
    assert entry.actor_id == admin.id and entry.target_id == str(quiz.id)
    assert entry.detail["reason"] == "Theo văn bản gốc, đáp án là A"
    assert (entry.detail["old_key"], entry.detail["new_key"]) == ("B", "A")
    assert (entry.detail["attempts_rescored"], entry.detail["scores_changed"]) == (3, 3)
    assert entry.detail["question_id"] == _question(quiz, 3).id


def test_a_published_ranking_gets_a_new_version_whose_note_names_the_correction(round_):
    quiz, people, admin = round_
    publish_ranking(quiz=quiz, actor=admin)
    publish_ranking(contest=quiz.contest, actor=admin)
    db.session.commit()
    outcome = apply_correction(quiz, _question(quiz, 2), Change("void", "Câu hỏi lỗi in", void_mode="drop"), admin)
    db.session.commit()
    assert outcome.republished == [quiz.code, quiz.contest.code]
    latest = db.session.scalar(db.select(RankingSnapshot).where(RankingSnapshot.quiz_id == quiz.id)
                               .order_by(RankingSnapshot.version.desc()).limit(1))
    assert latest.version == 2
    assert "Hủy câu hỏi #%d" % _question(quiz, 2).id in latest.note and "Câu hỏi lỗi in" in latest.note
    assert {r["full_name"]: r["max_score"] for r in latest.payload["individuals"]} == {"An": 2, "Bình": 2, "Cúc": 2}
    contest_latest = db.session.scalar(db.select(RankingSnapshot).where(
        RankingSnapshot.contest_id == quiz.contest_id).order_by(RankingSnapshot.version.desc()).limit(1))
    assert contest_latest.version == 2 and "Câu hỏi lỗi in" in contest_latest.note


def test_an_unpublished_ranking_is_not_published_by_a_correction(round_):
    quiz, people, admin = round_
    apply_correction(quiz, _question(quiz, 2), Change("void", "Lỗi", void_mode="drop"), admin)
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count(RankingSnapshot.id))) == 0


def test_a_running_attempt_is_scored_with_the_corrected_key_at_its_submit(round_, make_unit, frozen_clock):
    quiz, people, admin = round_
    unit = make_unit(code="RUN")
    registration = {"full_name": "Đang Làm", "unit_code": "RUN", "identity": "0912000111", "consent": True}
    running, _created = attempt_service.start_attempt(quiz, registration)
    db.session.commit()
    for drawn in running.questions:  # answers A everywhere
        attempt_service.save_answer(running, drawn.question_id, [drawn.question.options[0].id])
    db.session.commit()
    q3 = _question(quiz, 3)
    outcome = apply_correction(quiz, q3, Change("key", "Đáp án đúng là A", mask=A_MASK), admin)
    db.session.commit()
    assert outcome.running == 1 and outcome.attempts_rescored == 3
    token = running.token
    db.session.expunge_all()
    attempt = attempt_service.get_attempt(token)
    attempt_service.submit_attempt(attempt)
    db.session.commit()
    assert (attempt.score, attempt.max_score) == (1, 3)  # only question 3, under its new key


def test_a_submit_that_loaded_the_old_key_scores_with_the_key_committed_meanwhile(round_, make_unit):
    """The submit request loads the attempt with its options (old key) before it locks; a
    correction committed by another request in between must still decide the score. (A guard:
    the attempt lock's re-read already reloads the options; scoring now also reads the key
    afresh, so it no longer depends on that.)"""
    quiz, people, admin = round_
    make_unit(code="RACE")
    running, _created = attempt_service.start_attempt(quiz, {"full_name": "Chạy Đua", "unit_code": "RACE",
                                                             "identity": "0912000222", "consent": True})
    db.session.commit()
    for drawn in running.questions:
        attempt_service.save_answer(running, drawn.question_id, [drawn.question.options[0].id])
    db.session.commit()
    token = running.token
    db.session.expunge_all()
    attempt = attempt_service.get_attempt(token)  # options (key B everywhere) now in this session
    q3_id = attempt.questions[2].question_id
    with db.engine.begin() as other:  # another request corrects the key of question 3 to A
        other.execute(db.text("UPDATE option SET is_correct = (position = 0) WHERE question_id = :q"), {"q": q3_id})
    attempt_service.submit_attempt(attempt)
    db.session.commit()
    assert attempt.score == 1


def test_a_running_attempt_submitted_after_a_void_scores_without_it(round_, make_unit):
    quiz, people, admin = round_
    make_unit(code="RUN2")
    running, _created = attempt_service.start_attempt(quiz, {"full_name": "Đang Làm", "unit_code": "RUN2",
                                                             "identity": "0912000333", "consent": True})
    db.session.commit()
    for drawn in running.questions:  # the right answer (B) everywhere
        attempt_service.save_answer(running, drawn.question_id, [drawn.question.options[1].id])
    db.session.commit()
    apply_correction(quiz, running.questions[0].question, Change("void", "Câu lỗi", void_mode="drop"), admin)
    db.session.commit()
    token = running.token
    db.session.expunge_all()
    attempt = attempt_service.submit_attempt(attempt_service.get_attempt(token))
    db.session.commit()
    assert (attempt.score, attempt.max_score) == (2, 2)


@pytest.mark.parametrize("role", ["unit", "other"])
def test_a_unit_contact_or_an_organizer_of_another_contest_cannot_correct(round_, client, login_as, role):
    quiz, people, admin = round_
    login_as("unit" if role == "unit" else "organizer")
    q3 = _question(quiz, 3)
    response = client.post(f"/admin/quizzes/{quiz.code}/items/{q3.id}/correct",
                           data={"action": "key", "correct": "0", "reason": "x", "confirmed": "1"})
    assert response.status_code == 403
    assert db.session.get(type(q3), q3.id).correct_mask == B_MASK
    assert db.session.scalar(db.select(db.func.count(QuestionCorrection.id))) == 0


def test_an_organizer_cannot_correct_a_key_that_another_contest_also_used(round_, make_attempt, make_unit,
                                                                          login_as):
    from quiz.models import DrawRule, Quiz
    quiz, people, admin = round_
    owner = login_as("organizer")
    quiz.contest.created_by_id = owner.id
    other = Quiz(code="KHAC1", title="Đợt của cuộc thi khác", contest=Contest(code="KHAC", title="Khác"),
                 opens_at=quiz.opens_at, closes_at=quiz.closes_at, duration_s=600,
                 draw_rules=[DrawRule(position=0, set_id=quiz.draw_rules[0].set_id, count=3)])
    db.session.add(other)
    db.session.commit()
    make_attempt(other, make_unit())
    from quiz.errors import ForbiddenError
    with pytest.raises(ForbiddenError, match="KHAC1"):
        apply_correction(quiz, _question(quiz, 3), Change("key", "Sai đáp án", mask=A_MASK), owner)
    db.session.rollback()
    # A void is this quiz's own business.
    assert not apply_correction(quiz, _question(quiz, 3), Change("void", "Lỗi", void_mode="credit"), owner).is_noop


def test_the_console_confirms_before_applying_then_the_result_page_shows_the_new_score(round_, client, login_as,
                                                                                         frozen_clock):
    quiz, people, admin = round_
    login_as("admin")
    q3 = _question(quiz, 3)
    form = {"action": "key", "correct": "0", "void_mode": "credit", "reason": "Đáp án gốc nhầm"}
    confirm = client.post(f"/admin/quizzes/{quiz.code}/items/{q3.id}/correct", data=form)
    html = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and "Xác nhận và chấm lại" in html
    assert "Bình" in html and "3 → <strong>1</strong>" in html  # Bình's rank
    assert db.session.get(type(q3), q3.id).correct_mask == B_MASK, "the confirmation page applies nothing"
    missing = client.post(f"/admin/quizzes/{quiz.code}/items/{q3.id}/correct", data={**form, "reason": " "})
    assert missing.status_code == 422
    done = client.post(f"/admin/quizzes/{quiz.code}/items/{q3.id}/correct", data={**form, "confirmed": "1"})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(Attempt, people["Bình"].id).score == 2
    page = client.get(f"/a/{people['Bình'].token}/result")
    assert page.status_code == 200
    assert result_score(page.get_data(as_text=True)) == "2/3"
    frozen_clock.advance(hours=3)  # the quiz closes: the review shows the corrected key
    review = client.get(f"/a/{people['Bình'].token}/result").get_data(as_text=True)
    assert "đã được ban tổ chức đính chính" in review


@pytest.mark.parametrize("mode", ["credit", "drop"])
def test_the_review_after_the_close_marks_a_voided_question(round_, client, frozen_clock, mode):
    quiz, people, admin = round_
    apply_correction(quiz, _question(quiz, 2), Change("void", "Lỗi", void_mode=mode), admin)
    db.session.commit()
    frozen_clock.advance(hours=3)
    review = client.get(f"/a/{people['Bình'].token}/result").get_data(as_text=True)
    assert "Câu hỏi đã bị hủy" in review


def result_score(html: str) -> str:
    """The "Điểm" figure of a result page: `score/max`."""
    import re
    match = re.search(r"<dt>Điểm</dt><dd>(\d+)/(\d+)", html)
    return f"{match.group(1)}/{match.group(2)}"


def test_a_correction_that_waited_reads_the_key_committed_before_it(round_):
    """Two organizers correct the same question at once: the second one, which loaded the
    question before the first committed, records the first one's key as the old key."""
    quiz, people, admin = round_
    q3 = _question(quiz, 3)
    assert q3.correct_mask == B_MASK  # loaded in this session
    with db.engine.begin() as other:  # the first correction commits meanwhile: A is right
        other.execute(db.text("UPDATE option SET is_correct = (position = 0) WHERE question_id = :q"), {"q": q3.id})
    outcome = apply_correction(quiz, q3, Change("key", "Thực ra là C", mask=0b100), admin)
    db.session.commit()
    assert (outcome.old_key, outcome.new_key) == ("A", "C")
