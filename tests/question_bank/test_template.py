import io
import unicodedata
import zipfile

import pytest
from openpyxl import load_workbook

from question_bank import QuestionBankError, read_bytes, read_file, write_questions, write_template
from question_bank.formats import common


HEADER = ["câu hỏi", "loại", "phương án A", "phương án B", "phương án C", "phương án D", "phương án E",
          "phương án F", "đáp án đúng", "giải thích", "chủ đề", "mức độ", "nguồn", "điểm"]


def problems_of(excinfo):
    return [(p.line, p.field) for p in excinfo.value.problems]


@pytest.mark.parametrize("fmt, name", [("xlsx", "bo.xlsx"), ("csv", "bo.csv")])
def test_round_trip(sample_questions, fmt, name):
    sample_questions[0].time_limit_s = 30
    data = write_questions(sample_questions, fmt, "Bộ thử")
    result = read_bytes(data, name)
    assert result.format == fmt
    assert result.questions == sample_questions
    assert result.duplicates == [] and result.skipped == []


def test_csv_is_written_with_bom_and_guards_formulas(sample_questions):
    data = write_questions(sample_questions, "csv")
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("câu hỏi,loại,phương án A")
    assert "'-5 hoặc +3" in text  # Excel would run it as a formula otherwise


def test_xlsx_keeps_formula_looking_text_as_text(make_question):
    q = make_question(text="=SUM(A1:A3) trả về gì?")
    data = write_questions([q], "xlsx")
    ws = load_workbook(io.BytesIO(data))["Câu hỏi"]
    assert ws["A2"].data_type == "s"
    assert read_bytes(data, "x.xlsx").questions[0].text == "=SUM(A1:A3) trả về gì?"


def test_template_workbook():
    data = write_template()
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["Câu hỏi", "Hướng dẫn"]
    ws = wb["Câu hỏi"]
    options = [h for c in "ABCDEF" for h in (f"ảnh phương án {c}", f"mô tả ảnh phương án {c}")]
    assert [c.value for c in ws[1]] == HEADER + ["ảnh", "mô tả ảnh"] + options  # the image columns (issue 15)
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["A"].width >= 40
    formulas = sorted(dv.formula1 for dv in ws.data_validations.dataValidation)
    assert formulas == ['"1,2,3"', '"một đáp án,nhiều đáp án,đúng/sai"']
    help_text = " ".join(str(c.value) for row in wb["Hướng dẫn"].iter_rows() for c in row if c.value)
    for column in ("câu hỏi", "loại", "đáp án đúng", "mức độ", "nguồn", "điểm", "giải thích", "chủ đề"):
        assert column in help_text
    result = read_bytes(data, "mau.xlsx")
    assert sorted(q.kind for q in result.questions) == ["multiple", "single", "true_false"]


def test_csv_with_bom_and_formula_guard(data_dir):
    result = read_file(data_dir / "template_bom.csv")
    assert result.format == "csv"
    assert [q.kind for q in result.questions] == ["single", "multiple", "true_false", "single"]
    multi = result.questions[1]
    assert [o.is_correct for o in multi.options] == [False, True, True, False]
    assert multi.points == 2 and multi.difficulty == 2 and multi.source == "Cẩm nang ATTT"
    assert result.questions[2].options[0].text == "Đúng" and result.questions[2].options[0].is_correct
    assert result.questions[3].text.startswith("=SUM")


def test_csv_semicolon_nfd_and_english_or_plain_headers(data_dir):
    raw = (data_dir / "template_semicolon_nfd.csv").read_bytes()
    assert unicodedata.normalize("NFD", "Cổng") .encode() in raw
    result = read_bytes(raw, "cau-hoi.csv")
    q = result.questions[0]
    assert q.text == "Cổng dịch vụ công quốc gia có địa chỉ nào?"
    assert unicodedata.is_normalized("NFC", q.text + q.explanation + q.topic)
    assert q.options[0].is_correct and q.difficulty == 2 and q.topic == "Dịch vụ công"
    assert len(result.questions) == 2  # blank row skipped


def test_malformed_csv_lists_every_bad_row(data_dir):
    with pytest.raises(QuestionBankError) as exc:
        read_file(data_dir / "template_bad.csv")
    assert problems_of(exc) == [(3, "đáp án đúng"), (4, "đáp án đúng"), (5, "câu hỏi"), (7, "loại"),
                                (7, "mức độ"), (7, "điểm")]
    messages = [str(p) for p in exc.value.problems]
    assert messages[1] == "template_bad.csv, dòng 4, đáp án đúng: 'G' không phải phương án nào (chỉ có A–D)"
    assert "có 2 đáp án đúng" in messages[0]


def test_xlsx_errors_use_spreadsheet_rows(xlsx_bytes):
    data = xlsx_bytes([
        ["Câu hỏi", "Loại", "Phương án A", "Phương án B", "Phương án C", "Đáp án đúng"],
        ["Tốt?", "một đáp án", "Có", "Không", None, "A"],
        [None],
        ["Lỗ hổng phương án?", "một đáp án", "Có", None, "Không", "A"],
        ["Đúng sai sai đáp án", "đúng/sai", None, None, None, "Có lẽ"],
        ["Hai đáp án trùng", "nhiều đáp án", "Có", "có", None, "A,B"],
    ])
    with pytest.raises(QuestionBankError) as exc:
        read_bytes(data, "cau-hoi.xlsx")
    assert problems_of(exc) == [(4, "phương án"), (5, "đáp án đúng"), (6, "phương án")]


def test_header_aliases_and_kind_words(xlsx_bytes):
    data = xlsx_bytes([
        ["QUESTION", "type", "Option A", "Option B", "Correct", "Difficulty", "Points", "Topic"],
        ["One?", "Single", "x", "y", "b", 3, 2, "T"],
        ["Many?", "MULTIPLE", "x", "y", "a b", None, None, None],
        ["TF?", "Dung/Sai", None, None, "B", None, None, None],
        ["No type given, two answers", None, "x", "y", "A;B", None, None, None],
    ])
    qs = read_bytes(data, "x.xlsx").questions
    assert [q.kind for q in qs] == ["single", "multiple", "true_false", "multiple"]
    assert qs[0].options[1].is_correct and qs[0].difficulty == 3 and qs[0].points == 2
    assert [o.is_correct for o in qs[2].options] == [False, True]


def test_missing_headers_are_named(xlsx_bytes):
    data = xlsx_bytes([["câu hỏi", "phương án A", "ghi chú"], ["x", "y", "z"]])
    with pytest.raises(QuestionBankError) as exc:
        read_bytes(data, "x.xlsx")
    assert str(exc.value) == ("x.xlsx, dòng 1: thiếu cột 'phương án B', 'đáp án đúng' ở dòng tiêu đề"
                              " — hãy dùng tiêu đề như tệp mẫu")
    with pytest.raises(QuestionBankError) as exc:
        read_bytes(xlsx_bytes([["ghi chú", "khác"], ["x", "y"]]), "x.xlsx")
    assert "không nhận ra bảng tính" in str(exc.value)
    with pytest.raises(QuestionBankError) as exc:
        read_bytes("câu hỏi,phương án A\nx,y\n".encode(), "x.csv")
    assert "'phương án B'" in str(exc.value) and "'đáp án đúng'" in str(exc.value)


def test_duplicates_reported_with_rows(xlsx_bytes):
    data = xlsx_bytes([HEADER[:4] + ["đáp án đúng"], ["Câu một?", "một đáp án", "a", "b", "A"],
                       ["Câu hai", "một đáp án", "a", "b", "A"], ["câu  MỘT", "một đáp án", "a", "b", "B"]])
    result = read_bytes(data, "x.xlsx")
    assert len(result.questions) == 3
    assert [str(d) for d in result.duplicates] == ["x.xlsx, dòng 4, câu hỏi: trùng với câu hỏi ở dòng 2"]


def test_corrupt_xlsx_is_a_clear_error():
    with pytest.raises(QuestionBankError) as exc:
        read_bytes(b"PK\x03\x04 not really a zip", "hong.xlsx")
    assert "tệp Excel bị hỏng" in str(exc.value)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("hello.txt", "x")
    with pytest.raises(QuestionBankError) as exc:
        read_bytes(buf.getvalue(), "khac.xlsx")
    assert "không phải bảng tính" in str(exc.value)
    with pytest.raises(QuestionBankError) as exc:
        read_bytes(b"\xd0\xcf\x11\xe0 old excel", "cu.xls")
    assert ".xls" in str(exc.value)


def test_xlsx_declaring_huge_uncompressed_size_is_refused():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", b"<a/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * (51 * 1024 * 1024))
    with pytest.raises(QuestionBankError) as exc:
        read_bytes(buf.getvalue(), "bom.xlsx")
    assert "quá lớn khi giải nén" in str(exc.value)


def test_row_cap(monkeypatch, xlsx_bytes):
    monkeypatch.setattr(common, "MAX_QUESTIONS", 5)
    rows = [HEADER[:4] + ["đáp án đúng"]] + [[f"Câu {i}", "một đáp án", "a", "b", "A"] for i in range(40)]
    with pytest.raises(QuestionBankError) as exc:
        read_bytes(xlsx_bytes(rows), "nhieu.xlsx")
    assert "quá nhiều dòng" in str(exc.value)
