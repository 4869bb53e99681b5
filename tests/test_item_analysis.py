"""Item analysis: the formulas on a hand-computed example, the flags, the console pages, the
organizer's XLSX sheet, and that nothing of it reaches the public."""
import io
import math
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from quiz.extensions import db
from quiz.models import Answer
from quiz.services import item_analysis
from quiz.services.item_analysis import analyse_quiz, flags_of, point_biserial

# Five finished attempts × five questions (1 = right, 0 = wrong, "-" = not answered).
#          Q1 Q2 Q3 Q4 Q5   total T
PATTERN = [(1, 1, 1, 0, 1),  # 4
           (1, 1, 0, 0, 1),  # 3
           (1, "-", 0, 0, 1),  # 2
           (0, 1, 0, 0, 1),  # 2
           (1, 0, 1, 0, 1)]  # 3
SAVED_AFTER_S = [10, 25, 45, 50, 60]  # each attempt saves Q1..Q5 this many seconds after its start


@pytest.fixture
def analysed(make_quiz, make_unit, make_attempt, frozen_clock):
    quiz = make_quiz(questions=5)
    unit = make_unit()
    for pattern in PATTERN:
        attempt = make_attempt(quiz, unit, correct_count=0, duration_ms=120_000)
        answers = {a.question_id: a for a in attempt.answers}
        for drawn, x, after in zip(attempt.questions, pattern, SAVED_AFTER_S):
            answer = answers[drawn.question_id]
            if x == "-":
                db.session.delete(answer)
                continue
            # Right: option B (what make_question marks correct); wrong: A, except attempt 5's Q2: C.
            answer.choice_mask = drawn.question.correct_mask if x else (0b100 if pattern is PATTERN[4] else 0b1)
            answer.is_correct = bool(x)
            answer.saved_at = attempt.started_at + timedelta(seconds=after)
        db.session.commit()
    return quiz


def test_the_figures_match_the_hand_computation(analysed):
    figures = {f.question_id: f for f in analyse_quiz(analysed)}
    q1, q2, q3, q4, q5 = (figures[i] for i in sorted(figures))

    # Difficulty p = correct / attempts that drew it (unanswered = wrong).
    assert (q1.difficulty, q2.difficulty, q3.difficulty, q4.difficulty, q5.difficulty) == (0.8, 0.6, 0.4, 0.0, 1.0)

    # Q2: x = [1,1,0,1,0]; rest r = T − x = [3,2,2,1,3]
    # n = 5, Σx = 3, Σr = 11, Σr² = 9+4+4+1+9 = 27, Σxr = 3+2+0+1+0 = 6
    # r_pb = (5·6 − 3·11) / √((5·3 − 9)·(5·27 − 121)) = −3 / √(6·14) = −0.327327…
    assert q2.discrimination == pytest.approx(-3 / math.sqrt(84))
    assert q2.discrimination == pytest.approx(-0.327327, abs=1e-6)
    # Q1: x = [1,1,1,0,1]; r = [3,2,1,2,2]; Σx = 4, Σr = 10, Σr² = 9+4+1+4+4 = 22, Σxr = 3+2+1+0+2 = 8
    # r_pb = (5·8 − 4·10) / … = 0
    assert q1.discrimination == pytest.approx(0.0)
    # Q3: x = [1,0,0,0,1]; r = [3,3,2,2,2]; Σx = 2, Σr = 12, Σr² = 9+9+4+4+4 = 30, Σxr = 3+0+0+0+2 = 5
    # r_pb = (5·5 − 2·12) / √((10 − 4)·(150 − 144)) = 1 / 6
    assert q3.discrimination == pytest.approx(1 / 6)
    # Q4 (nobody) and Q5 (everybody): x does not vary, no correlation.
    assert q4.discrimination is None and q5.discrimination is None

    # Flags: Q2 negative discrimination; Q4 too hard (0 % < 20 %); Q5 too easy (100 % > 95 %).
    assert (q1.flags, q2.flags, q3.flags, q4.flags, q5.flags) == ([], ["negative"], [], ["too_hard"], ["too_easy"])

    # Options of Q2: B (correct) 3 times, C once (attempt 5), A never; one attempt left it blank.
    assert [(o.letter, o.picks, o.is_correct) for o in q2.options] == [
        ("A", 0, False), ("B", 3, True), ("C", 1, False), ("D", 0, False)]
    assert (q2.drawn, q2.answered, q2.correct) == (5, 4, 3)
    assert q2.options[1].share == pytest.approx(0.6)

    # Median time: Q1 is saved 10 s after the start in every attempt; Q3 20 s after Q2's save,
    # except attempt 3 which skipped Q2 (45 − 10 = 35 s): median of [20, 20, 35, 20, 20] = 20.
    assert q1.median_s == pytest.approx(10)
    assert q3.median_s == pytest.approx(20)
    assert q2.median_s == pytest.approx(15)


def test_point_biserial_needs_enough_varied_responses():
    assert point_biserial(4, 2, 4, 6, 3) is None  # under MIN_RESPONSES
    assert point_biserial(5, 5, 10, 22, 10) is None  # everybody right
    assert point_biserial(5, 3, 11, 27, 6) == pytest.approx(-3 / math.sqrt(84))


def test_flag_thresholds_are_strict():
    assert flags_of(0.95, 0.1) == []  # exactly 95 % is not "too easy"
    assert flags_of(0.951, 0.1) == ["too_easy"]
    assert flags_of(0.20, 0.0) == []  # exactly 20 % is not "too hard", r = 0 is not negative
    assert flags_of(0.19, -0.01) == ["negative", "too_hard"]
    assert flags_of(1.0, None, responses=4) == []  # four right answers out of four say little


def test_sort_by_flag_puts_negative_first(analysed):
    ordered = item_analysis.sort_figures(analyse_quiz(analysed), "flag")
    assert [f.flags for f in ordered][:3] == [["negative"], ["too_hard"], ["too_easy"]]


def test_the_console_page_shows_the_table_and_the_flags(analysed, client, login_as):
    login_as("admin")
    page = client.get(f"/admin/quizzes/{analysed.code}/items?sort=flag")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "point-biserial" in html
    assert "hãy kiểm tra đáp án" in html
    assert "-0,33" in html or "−0,33" in html
    question_id = analyse_quiz(analysed)[1].question_id
    detail = client.get(f"/admin/quizzes/{analysed.code}/items/{question_id}")
    assert detail.status_code == 200
    assert "60%" in detail.get_data(as_text=True)  # Q2: 3 of 5 right
    assert "-0,33" in detail.get_data(as_text=True) or "−0,33" in detail.get_data(as_text=True)


@pytest.mark.parametrize("role", ["unit", "organizer"])
def test_a_unit_contact_or_another_organizer_cannot_see_it(analysed, client, login_as, role):
    login_as(role)
    response = client.get(f"/admin/quizzes/{analysed.code}/items")
    assert response.status_code == 403


def test_the_organizer_xlsx_has_an_item_analysis_sheet(analysed, client, login_as):
    login_as("admin")
    response = client.get(f"/admin/quizzes/{analysed.code}/rankings/export.xlsx")
    workbook = load_workbook(io.BytesIO(response.data))
    assert "Phân tích câu hỏi" in workbook.sheetnames
    sheet = workbook["Phân tích câu hỏi"]
    rows = [r for r in sheet.iter_rows(values_only=True) if r and isinstance(r[0], int)]
    assert len(rows) == 5
    header = next(r for r in sheet.iter_rows(values_only=True) if r and r[0] == "Mã câu")
    by_header = dict(zip(header, rows[1]))
    assert by_header["Độ phân biệt (point-biserial)"] == pytest.approx(-0.3273, abs=1e-4)
    assert "kiểm tra đáp án" in by_header["Cảnh báo"]


def test_no_public_artefact_carries_it(analysed, client, login_as):
    from quiz.services.rankings.published import publish_ranking
    publish_ranking(quiz=analysed)
    db.session.commit()
    for url in (f"/r/{analysed.code}", f"/r/{analysed.code}/export.xlsx", f"/r/{analysed.code}/export.csv",
                f"/api/v1/quizzes/{analysed.code}/leaderboard"):
        response = client.get(url)
        body = response.data
        if url.endswith(".xlsx") and response.status_code == 200:
            workbook = load_workbook(io.BytesIO(body))
            assert "Phân tích câu hỏi" not in workbook.sheetnames
            body = b""
        assert b"point-biserial" not in body and "phân biệt".encode() not in body, url


def test_the_demo_round_has_an_item_analysis_with_flags(runner, ctx, frozen_clock):
    from quiz.models import Quiz
    from quiz.services.demo import DEMO_QUIZ_CODE
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    figures = analyse_quiz(db.session.scalar(db.select(Quiz).filter_by(code=DEMO_QUIZ_CODE)))
    flags = {flag for f in figures for flag in f.flags}
    assert {"negative", "too_easy"} <= flags
    assert any(f.discrimination is not None and f.discrimination > 0.3 for f in figures)
    assert all(f.median_s is not None and 10 <= f.median_s <= 60 for f in figures)
