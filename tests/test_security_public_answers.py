"""Public means published (PRODUCT.md): no public artefact — results page, API, board, CSV, XLSX —
carries a correct answer or per-question statistics before the quiz has closed, and what it
does show comes from the published snapshot (issue 12, item 2)."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from quiz.extensions import db
from quiz.models import DrawRule, Quiz
from quiz.services.live_session import host as live
from quiz.services.rankings import published as publishing

QUESTION_HEADER = "Đáp án đúng"


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def public_question_rows(client, url: str) -> list[list[str]]:
    """The data rows of the public questions CSV (the header checked and dropped)."""
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    rows = csv_rows(response.data)
    assert QUESTION_HEADER in rows[0]
    return rows[1:]


def xlsx_question_rows(client, url: str) -> list[list]:
    response = client.get(url)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data))["Thống kê câu hỏi"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=6)]
    assert QUESTION_HEADER in rows[0]
    return [r for r in rows[1:] if any(v is not None for v in r)]


@pytest.fixture
def open_quiz(make_quiz, make_unit, make_attempt, frozen_clock):
    """An OPEN quiz (closes in 1 h) with shuffled options, two finishers, a provisional publication."""
    unit = make_unit(code="BVX", name="Bệnh viện X", headcount=5)
    quiz = make_quiz(questions=3, code="MOKHOA", shuffle_options=True,
                     closes_at=frozen_clock.now() + timedelta(hours=1))
    make_attempt(quiz, unit, full_name="Nguyễn Thị Lan", score=3)
    make_attempt(quiz, unit, full_name="Trần Văn Hùng", score=1)
    publishing.publish_ranking(quiz=quiz)
    db.session.commit()
    return quiz


def question_texts(quiz: Quiz) -> list[str]:
    rule = quiz.draw_rules[0]
    return [q.text for q in rule.question_set.questions]


def test_no_answer_of_an_open_quiz_in_any_public_artefact(app, open_quiz):
    reader = app.test_client()  # anonymous
    texts = question_texts(open_quiz)
    assert public_question_rows(reader, "/r/MOKHOA/export.csv?table=questions") == []
    assert xlsx_question_rows(reader, "/r/MOKHOA/export.xlsx") == []
    for url in ("/r/MOKHOA", "/r/MOKHOA/export.csv", "/r/MOKHOA/export.csv?table=units",
                "/api/v1/quizzes/MOKHOA/leaderboard", "/api/v1/quizzes/MOKHOA/unit-ranking",
                "/board/MOKHOA", "/board/MOKHOA/data.json", "/board/MOKHOA?source=published",
                "/board/MOKHOA/data.json?source=published"):
        response = reader.get(url)
        assert response.status_code == 200, url
        body = response.get_data(as_text=True)
        assert not any(text in body for text in texts), url
        assert "correct_option" not in body and QUESTION_HEADER not in body, url
    # The organizer's own export keeps everything.
    from quiz.services import exports
    organizer = exports.build_report(quiz=open_quiz)
    assert [r[4] for r in organizer.table("questions").rows] == ["B", "B", "B"]


def test_after_the_close_the_answers_appear_from_the_snapshot(app, open_quiz, make_attempt, make_unit, frozen_clock):
    reader = app.test_client()
    # A finisher after the publication: the public figures must not move.
    make_attempt(open_quiz, make_unit(code="BVY"), full_name="Sau công bố", score=0)
    frozen_clock.advance(hours=2)
    rows = public_question_rows(reader, "/r/MOKHOA/export.csv?table=questions")
    # columns: id, text, image, topic, correct letters, drawn, answered, % correct, picks…
    assert [r[4] for r in rows] == ["B", "B", "B"]
    assert [r[5] for r in rows] == ["2", "2", "2"]  # drawn in the 2 attempts the snapshot froze, not 3
    assert [r[7] for r in rows] == ["100.0", "50.0", "50.0"]  # Lan 3 right, Hùng 1 right
    book_rows = xlsx_question_rows(reader, "/r/MOKHOA/export.xlsx")
    assert [r[4] for r in book_rows] == ["B", "B", "B"] and [r[5] for r in book_rows] == [2, 2, 2]
    individuals = csv_rows(reader.get("/r/MOKHOA/export.csv").data)[1:]
    assert [r[1] for r in individuals] == ["Nguyễn Thị Lan", "Trần Văn Hùng"]


def test_a_contest_shows_only_its_closed_quizzes_questions(app, make_quiz, make_unit, make_attempt, frozen_clock):
    unit = make_unit(code="BVZ", headcount=5)
    closing = make_quiz(questions=2, code="DONG", closes_at=frozen_clock.now() + timedelta(hours=1))
    still_open = make_quiz(questions=2, code="CONMO", contest=closing.contest,
                           closes_at=frozen_clock.now() + timedelta(days=2))
    make_attempt(closing, unit, full_name="Phạm An", score=2)
    make_attempt(still_open, unit, full_name="Đỗ Bình", score=1)
    frozen_clock.advance(hours=2)
    publishing.publish_ranking(contest=closing.contest)
    db.session.commit()
    reader = app.test_client()
    code = closing.contest.code
    rows = public_question_rows(reader, f"/r/contest/{code}/export.csv?table=questions")
    assert sorted(r[1] for r in rows) == sorted(question_texts(closing))
    book_rows = xlsx_question_rows(reader, f"/r/contest/{code}/export.xlsx")
    assert sorted(r[1] for r in book_rows) == sorted(question_texts(closing))
    assert not any(text in reader.get(f"/r/contest/{code}").get_data(as_text=True)
                   for text in question_texts(still_open))


def test_a_question_another_quiz_can_still_ask_stays_hidden(app, open_quiz, make_attempt, frozen_clock):
    """A letter names the option's place in the bank (= the order of its ids): published for a
    closed quiz, it is the key of every quiz that can still draw the question."""
    frozen_clock.advance(hours=2)  # MOKHOA is closed
    rule = open_quiz.draw_rules[0]
    later = Quiz(code="TUANSAU", title="Tuần sau", contest=open_quiz.contest,
                 opens_at=frozen_clock.now() + timedelta(days=1), closes_at=frozen_clock.now() + timedelta(days=2),
                 duration_s=600, draw_rules=[DrawRule(position=0, question_set=rule.question_set, count=1)])
    db.session.add(later)
    db.session.commit()
    reader = app.test_client()
    assert public_question_rows(reader, "/r/MOKHOA/export.csv?table=questions") == []
    db.session.delete(later)
    db.session.commit()
    assert len(public_question_rows(reader, "/r/MOKHOA/export.csv?table=questions")) == 3
    # A live session not yet ended holds the questions too (a session can run on a closed quiz; on
    # one without attempts of its own, test_security_live_only).
    hall = Quiz(code="HOITRUONG", title="Hội trường", contest=open_quiz.contest,
                opens_at=frozen_clock.now() - timedelta(days=2), closes_at=frozen_clock.now() - timedelta(days=1),
                duration_s=600, draw_rules=[DrawRule(position=0, question_set=rule.question_set, count=3)])
    db.session.add(hall)
    db.session.commit()
    session = live.create_session(hall, {}, actor=None)
    db.session.commit()
    assert public_question_rows(reader, "/r/MOKHOA/export.csv?table=questions") == []
    live.control(session, "end")
    db.session.commit()
    assert len(public_question_rows(reader, "/r/MOKHOA/export.csv?table=questions")) == 3
