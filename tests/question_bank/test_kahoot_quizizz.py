import pytest

from question_bank import QuestionBankError, read_bytes, read_file


def test_kahoot_template(kahoot_xlsx):
    result = read_bytes(kahoot_xlsx, "kahoot.xlsx")
    assert result.format == "kahoot"
    q1, q2, q3 = result.questions
    assert q1.kind == "single" and q1.time_limit_s == 20 and [o.text for o in q1.options] == ["10/10", "2/9", "1/5", "19/8"]
    assert q1.options[0].is_correct
    assert q2.kind == "multiple" and [o.is_correct for o in q2.options] == [True, True, False]  # blank answer 4 skipped
    assert [o.text for o in q3.options] == ["Đúng", "Sai"] and q3.kind == "single"


def test_kahoot_errors_use_spreadsheet_rows(kahoot_file):
    data = kahoot_file([
        ["Tốt?", "a", "b", None, None, 20, "2"],
        ["Đáp án trỏ vào ô trống", "a", "b", None, None, 20, "3"],
        ["Không có đáp án đúng", "a", "b", None, None, 20, None],
        [None, "a", "b", None, None, "nhanh", "x"],
    ])
    with pytest.raises(QuestionBankError) as exc:
        read_bytes(data, "k.xlsx")
    # header is row 8, so the questions are rows 9..12
    assert [(p.line, p.field) for p in exc.value.problems] == [
        (10, "đáp án đúng"), (11, "đáp án đúng"), (12, "đáp án đúng"), (12, "thời gian"), (12, "câu hỏi")]


def test_quizizz_xlsx(quizizz_xlsx):
    result = read_bytes(quizizz_xlsx, "quizizz.xlsx")
    assert result.format == "quizizz"
    q1, q2 = result.questions
    assert q1.kind == "single" and q1.time_limit_s == 30 and q1.explanation == "Word soạn thảo văn bản."
    assert q2.kind == "multiple" and [o.is_correct for o in q2.options] == [True, True, False, True]
    assert [p.line for p in result.skipped] == [4, 5]
    assert "Open-Ended" in result.skipped[0].message


def test_quizizz_csv(data_dir):
    result = read_file(data_dir / "quizizz.csv")
    assert result.format == "quizizz"
    assert [q.kind for q in result.questions] == ["single", "multiple"]
    assert [p.line for p in result.skipped] == [4]


def test_quizizz_bad_rows(xlsx_bytes):
    header = ["Question Text", "Question Type", "Option 1", "Option 2", "Option 3", "Correct Answer",
              "Time in seconds"]
    data = xlsx_bytes([header, ["Q1", "Multiple Choice", "a", "b", None, 5, 10],
                       ["Q2", "Checkbox", "a", "b", "c", "1,2", 10],
                       ["Q3", "Multiple Choice", "a", "a", None, 1, 10]])
    with pytest.raises(QuestionBankError) as exc:
        read_bytes(data, "q.xlsx")
    assert [(p.line, p.field) for p in exc.value.problems] == [(2, "đáp án đúng"), (4, "phương án")]


def test_excel_dates_read_as_day_month(kahoot_file):
    import datetime as dt
    data = kahoot_file([["Ngày Chuyển đổi số quốc gia?", dt.datetime(2025, 10, 10), "2/9", None, None, 20, 1]])
    assert read_bytes(data, "k.xlsx").questions[0].options[0].text == "10/10/2025"
