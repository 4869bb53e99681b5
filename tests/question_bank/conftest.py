import io
from pathlib import Path

import pytest
from openpyxl import Workbook

from question_bank import OptionData, QuestionData

DATA = Path(__file__).parent / "data"


def build_xlsx(rows, title="Sheet1"):
    """An .xlsx whose first sheet holds `rows` (row 1 first)."""
    wb = Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


KAHOOT_HEADER = [
    None, "Question - max 120 characters", "Answer 1 - max 75 characters",
    "Answer 2 - max 75 characters", "Answer 3 - max 75 characters", "Answer 4 - max 75 characters",
    "Time limit (sec) – 5, 10, 20, 30, 60, 90, 120, or 240 secs", "Correct answer(s) - choose at least one",
]


def kahoot_rows(questions):
    """Rows shaped like Kahoot's shipped template: title and instructions, header on row 8."""
    rows = [
        [None, "Quiz template"],
        [None, "Add questions, at least two answer alternatives, time limit and choose correct answers (at least one)."],
        [None, "Have fun creating your awesome quiz!"],
        [None, "Remember: questions have a limit of 120 characters and answers can have 75 characters max."],
        [None, "Text will turn red in Excel or Google Docs if you exceed this limit."],
        [None, "If several answers are correct, separate them with a comma."],
        [],
        KAHOOT_HEADER,
    ]
    for n, q in enumerate(questions, start=1):
        rows.append([n, *q])
    return rows


@pytest.fixture
def xlsx_bytes():
    return build_xlsx


@pytest.fixture
def data_dir():
    return DATA


@pytest.fixture
def kahoot_file():
    """Factory: Kahoot-shaped workbook from [question, a1, a2, a3, a4, time, correct] rows."""
    return lambda questions: build_xlsx(kahoot_rows(questions))


@pytest.fixture
def kahoot_xlsx():
    return build_xlsx(kahoot_rows([
        ["Ngày Chuyển đổi số quốc gia là ngày nào?", "10/10", "2/9", "1/5", "19/8", 20, "1"],
        ["Những ứng dụng nào là mạng xã hội?", "Zalo", "Facebook", "Excel", None, 30, "1,2"],
        ["VNeID là ứng dụng định danh điện tử", "Đúng", "Sai", None, None, 10, 1],
    ]))


QUIZIZZ_HEADER = ["Question Text", "Question Type", "Option 1", "Option 2", "Option 3", "Option 4",
                  "Option 5", "Correct Answer", "Time in seconds", "Image Link", "Answer explanation"]


@pytest.fixture
def quizizz_xlsx():
    return build_xlsx([
        QUIZIZZ_HEADER,
        ["Đâu là phần mềm soạn thảo văn bản?", "Multiple Choice", "Word", "Paint", "Zalo", None, None, 1, 30, None, "Word soạn thảo văn bản."],
        ["Chọn các trình duyệt", "Checkbox", "Chrome", "Firefox", "Calculator", "Edge", None, "1,2,4", 45, "http://x/y.png", ""],
        ["Viết cảm nghĩ", "Open-Ended", None, None, None, None, None, None, 60, None, None],
        ["Mô tả hình", "Fill-in-the-Blank", "abc", None, None, None, None, 1, 60, None, None],
    ])


@pytest.fixture
def make_question():
    def make(**overrides):
        values = dict(
            text="Chuyển đổi số là gì?", kind="single",
            options=[OptionData("Ứng dụng công nghệ số", True), OptionData("Mua máy tính", False)],
            explanation="Giải thích.", topic="Chuyển đổi số", difficulty=2, source="Nghị quyết 57-NQ/TW",
            points=1, time_limit_s=None)
        values.update(overrides)
        return QuestionData(**values)
    return make


@pytest.fixture
def sample_questions(make_question):
    return [
        make_question(),
        make_question(text="Những việc nào giúp bảo vệ tài khoản?", kind="multiple", topic="An toàn thông tin",
                      options=[OptionData("Bật xác thực hai lớp", True), OptionData("Chia sẻ OTP", False),
                               OptionData("Mật khẩu mạnh", True)], difficulty=3, points=2),
        make_question(text="Không nên bấm vào đường link lạ.", kind="true_false", topic="An toàn thông tin",
                      options=[OptionData("Đúng", True), OptionData("Sai", False)], difficulty=1,
                      explanation="Link lạ có thể chứa mã độc."),
        make_question(text="Ký tự đặc biệt: = ~ # { } : \\ và 100% có giữ nguyên?", topic="",
                      options=[OptionData("Có: = ~ # { }", True), OptionData("-5 hoặc +3 hoặc @x", False)],
                      explanation="Dòng một.\nDòng hai: {x}", source=""),
    ]
