import pytest

from question_bank import FORMATS_READ, QuestionBankError, read_bytes, write_questions, write_template

AIKEN = "Câu hỏi?\nA. Có\nB. Không\nANSWER: A\n".encode()
GIFT = "::t:: Câu hỏi? {=Có ~Không}\n".encode()


@pytest.mark.parametrize("fmt, name", [("xlsx", None), ("csv", "x.csv"), ("gift", "x.gift"), ("aiken", "x.txt"),
                                       ("json", "x.json")])
def test_content_detection_without_extension(sample_questions, fmt, name):
    qs = [q for q in sample_questions if not (fmt == "aiken" and q.kind == "multiple")]
    data = write_questions(qs, fmt)
    assert read_bytes(data, "tai-len").format == fmt
    assert read_bytes(data, "tai-len.bin").format == fmt


def test_detection_by_content_for_other_formats(data_dir, kahoot_xlsx, quizizz_xlsx):
    assert read_bytes((data_dir / "moodle_export.xml").read_bytes(), "export").format == "moodle_xml"
    assert read_bytes(kahoot_xlsx, "kahoot").format == "kahoot"
    assert read_bytes(quizizz_xlsx, "").format == "quizizz"
    assert read_bytes((data_dir / "quizizz.csv").read_bytes(), "q").format == "quizizz"
    assert read_bytes(write_template(), "mau").format == "xlsx"


def test_txt_chooses_between_aiken_and_gift():
    assert read_bytes(AIKEN, "a.txt").format == "aiken"
    assert read_bytes(GIFT, "g.txt").format == "gift"


def test_all_read_formats_are_reachable():
    assert set(FORMATS_READ) == {"xlsx", "csv", "aiken", "gift", "moodle_xml", "kahoot", "quizizz", "json"}


def test_unknown_format():
    with pytest.raises(QuestionBankError) as exc:
        read_bytes("Chỉ là một đoạn văn.\nKhông có gì.".encode(), "ghi-chu")
    assert str(exc.value).startswith("ghi-chu: Không nhận ra định dạng tệp 'ghi-chu'; hỗ trợ:")
    with pytest.raises(QuestionBankError) as exc:
        read_bytes("Chỉ là một đoạn văn.".encode(), "ghi-chu.txt")
    assert "không giống Aiken" in str(exc.value)


def test_empty_and_unwritable():
    with pytest.raises(QuestionBankError) as exc:
        read_bytes(b"  \n", "x.txt")
    assert "tệp trống" in str(exc.value)
    with pytest.raises(QuestionBankError) as exc:
        write_questions([], "docx")  # moodle_xml is writable since issue 15
    assert "không ghi được định dạng 'docx'" in str(exc.value)


def test_only_unsupported_questions_is_an_error():
    with pytest.raises(QuestionBankError) as exc:
        read_bytes("Tự luận {}\n".encode(), "x.gift")
    assert "không có câu hỏi nào được hỗ trợ (1 câu bị bỏ qua" in str(exc.value)


def test_write_refuses_invalid_questions(make_question):
    with pytest.raises(QuestionBankError) as exc:
        write_questions([make_question(), make_question(difficulty=9)], "json")
    assert [str(p) for p in exc.value.problems] == ["câu 2, mức độ: mức độ phải là 1, 2 hoặc 3 (hiện là '9')"]


def test_read_file_missing(tmp_path):
    with pytest.raises(QuestionBankError) as exc:
        from question_bank import read_file
        read_file(tmp_path / "cau-hoi.xlsx")
    assert str(exc.value) == "cau-hoi.xlsx: không tìm thấy tệp — hãy kiểm tra lại đường dẫn"


def test_csv_saved_with_xlsx_name_is_still_read(data_dir):
    result = read_bytes((data_dir / "template_bom.csv").read_bytes(), "cau-hoi.xlsx")
    assert result.format == "csv" and len(result.questions) == 4
    with pytest.raises(QuestionBankError) as exc:
        read_bytes(b"\x00\x01garbage", "cau-hoi.xlsx")
    assert str(exc.value).startswith("cau-hoi.xlsx: tệp Excel bị hỏng")
