"""Writing the own template as XLSX: data sheet, instructions, validation lists."""
from __future__ import annotations

import io
import warnings

from ..schema import OptionData, QuestionData
from .template import KIND_WORDS, headers_for, question_row

DATA_SHEET = "Câu hỏi"
HELP_SHEET = "Hướng dẫn"

_HELP = [
    ("câu hỏi", "Bắt buộc. Nội dung câu hỏi, tối đa 2000 ký tự."),
    ("loại", "Một trong: 'một đáp án', 'nhiều đáp án', 'đúng/sai'. Để trống thì tự suy ra từ cột đáp án đúng."),
    ("phương án A … F", "Các lựa chọn, điền liền từ A (ít nhất A và B, tối đa 6). Câu đúng/sai để trống: hệ thống tự tạo 'Đúng' và 'Sai'."),
    ("đáp án đúng", "Chữ cái phương án đúng, ví dụ 'B'; câu nhiều đáp án ghi 'A, C'. Câu đúng/sai ghi 'Đúng' hoặc 'Sai'."),
    ("giải thích", "Không bắt buộc. Hiện cho người dự thi sau khi nộp bài (nếu cuộc thi cho xem)."),
    ("chủ đề", "Không bắt buộc. Ví dụ 'An toàn thông tin'; dùng để rút câu theo chủ đề."),
    ("mức độ", "1 = dễ, 2 = trung bình, 3 = khó. Để trống là 1."),
    ("nguồn", "Không bắt buộc. Văn bản làm căn cứ, ví dụ 'Nghị quyết 57-NQ/TW'."),
    ("điểm", "Số nguyên từ 1 trở lên. Để trống là 1. Câu nhiều đáp án chỉ được điểm khi chọn đúng và đủ."),
    ("thời gian (giây)", "Cột tuỳ chọn, chỉ có khi câu hỏi lấy từ Kahoot/Quizizz có giới hạn thời gian."),
    ("ảnh", "Cột tuỳ chọn: tên tệp ảnh đặt dưới câu hỏi, ví dụ 'vneid.png' (PNG, JPEG, WebP, GIF; tối đa 5 MB). "
            "Khi có ảnh, hãy nén bảng tính này cùng các tệp ảnh vào MỘT tệp .zip rồi tải tệp .zip lên. "
            "Thiếu ảnh nào thì dòng đó báo lỗi và không câu nào được nhập."),
    ("mô tả ảnh", "Bắt buộc khi có ảnh: mô tả ngắn nội dung ảnh, được đọc cho người khiếm thị và hiện khi ảnh không tải được."),
    ("ảnh phương án A … F", "Cột tuỳ chọn: tên tệp ảnh hiện trên nút của phương án đó, ví dụ 'ảnh phương án B' = 'quoc-huy.png'. "
                            "Phương án chỉ có ảnh thì để trống cột 'phương án' tương ứng. Ảnh nằm trong cùng tệp .zip như ảnh câu hỏi."),
    ("mô tả ảnh phương án A … F", "Bắt buộc khi phương án có ảnh: mô tả ngắn, được đọc cho người khiếm thị "
                                  "(với phương án chỉ có ảnh, đây là nội dung của phương án)."),
]

_WIDTHS = {"câu hỏi": 60, "loại": 16, "đáp án đúng": 14, "giải thích": 50, "chủ đề": 22,
           "mức độ": 9, "nguồn": 26, "điểm": 7}


def _set_text(cell, value):
    cell.value = value
    if isinstance(value, str) and value.startswith("="):
        # openpyxl would store it as a formula; keep it as the text it is.
        cell.data_type = "s"


def write_xlsx(questions: list[QuestionData], set_name: str = "", *, image_columns: bool = False) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    headers, with_time = headers_for(questions)
    if image_columns:  # the downloadable template shows where image file names go
        from .template import IMAGE_HEADERS, OPTION_IMAGE_HEADERS
        headers = headers + IMAGE_HEADERS + OPTION_IMAGE_HEADERS
    wb = Workbook()
    ws = wb.active
    ws.title = DATA_SHEET
    if set_name:
        wb.properties.title = set_name
    ws.append(headers)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for cell in ws[1]:
        cell.font = bold
        cell.fill = fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for r, q in enumerate(questions, start=2):
        for c, value in enumerate(question_row(q, with_time), start=1):
            _set_text(ws.cell(row=r, column=c), value)
    ws.freeze_panes = "A2"
    for c, header in enumerate(headers, start=1):
        width = _WIDTHS.get(header, 24 if header.startswith("phương án") else 14)
        ws.column_dimensions[get_column_letter(c)].width = width

    last = max(len(questions) + 1, 1000)
    kinds = DataValidation(type="list", formula1='"' + ",".join(KIND_WORDS.values()) + '"',
                           allow_blank=True, showErrorMessage=True,
                           errorTitle="Loại câu hỏi", error="Chọn: một đáp án, nhiều đáp án hoặc đúng/sai")
    levels = DataValidation(type="list", formula1='"1,2,3"', allow_blank=True, showErrorMessage=True,
                            errorTitle="Mức độ", error="Chọn 1 (dễ), 2 (trung bình) hoặc 3 (khó)")
    ws.add_data_validation(kinds)
    ws.add_data_validation(levels)
    kinds.add(f"B2:B{last}")
    col = get_column_letter(headers.index("mức độ") + 1)
    levels.add(f"{col}2:{col}{last}")

    help_ws = wb.create_sheet(HELP_SHEET)
    help_ws.append(["Cột", "Cách điền"])
    for cell in help_ws[1]:
        cell.font = bold
        cell.fill = fill
    for name, text in _HELP:
        help_ws.append([name, text])
    help_ws.append([])
    help_ws.append(["Lưu ý", "Dòng 1 của trang 'Câu hỏi' là tiêu đề, không xoá. Mỗi dòng sau là một câu hỏi. "
                             "Khi nhập, nếu có lỗi hệ thống liệt kê tất cả lỗi kèm số dòng và không nhập câu nào."])
    help_ws.column_dimensions["A"].width = 20
    help_ws.column_dimensions["B"].width = 100
    for row in help_ws.iter_rows(min_row=2):
        row[1].alignment = Alignment(wrap_text=True, vertical="top")

    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb.save(buf)
    return buf.getvalue()


SAMPLE_QUESTIONS = [
    QuestionData(
        text="Phong trào “Bình dân học vụ số” nhằm mục tiêu chính nào?",
        kind="single",
        options=[OptionData("Phổ cập kỹ năng số cơ bản cho mọi người dân", True),
                 OptionData("Đào tạo lập trình viên chuyên nghiệp", False),
                 OptionData("Thay thế toàn bộ giấy tờ bằng máy tính", False),
                 OptionData("Bán thiết bị điện tử giá rẻ", False)],
        explanation="Phong trào hướng tới phổ cập kiến thức, kỹ năng số cơ bản cho toàn dân.",
        topic="Chuyển đổi số", difficulty=1, source="Nghị quyết 57-NQ/TW"),
    QuestionData(
        text="Những việc nào giúp bảo vệ tài khoản trực tuyến?",
        kind="multiple",
        options=[OptionData("Bật xác thực hai lớp", True),
                 OptionData("Dùng mật khẩu mạnh, khác nhau cho mỗi tài khoản", True),
                 OptionData("Chia sẻ mã OTP cho người quen", False),
                 OptionData("Bấm vào mọi đường link lạ gửi qua tin nhắn", False)],
        explanation="Xác thực hai lớp và mật khẩu mạnh, riêng biệt làm kẻ gian khó chiếm tài khoản; không bao giờ chia sẻ OTP.",
        topic="An toàn thông tin", difficulty=2, source="Cẩm nang kỹ năng an toàn thông tin"),
    QuestionData(
        text="Tài khoản định danh điện tử VNeID mức 2 có thể thay thế căn cước khi làm thủ tục.",
        kind="true_false",
        options=[OptionData("Đúng", True), OptionData("Sai", False)],
        explanation="Tài khoản định danh điện tử mức 2 có giá trị tương đương thẻ căn cước trong giao dịch.",
        topic="Dịch vụ công trực tuyến", difficulty=2, source="Nghị định 69/2024/NĐ-CP"),
]


def write_template() -> bytes:
    return write_xlsx(SAMPLE_QUESTIONS, "Mẫu nhập câu hỏi", image_columns=True)
