import pytest
from qb_fixtures import DATA, QUIZIZZ_HEADER, build_xlsx, kahoot_rows

from question_bank import OptionData, QuestionData


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
